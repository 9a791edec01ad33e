"""Statements compiled into continuation-passing closures; ir.Stmt -> Cont.

A compiled statement is `k(w, env, out)`: `w` is the working state (a list, mutated in place),
`env` the local slots (see checker/interp_expr.py). A run that gets past a statement calls the
closure compiled for the rest of the body, so an action body is a chain of closure calls ending in
a terminal continuation supplied by the caller. Nondeterminism (`choose`, forall runs with several
outcomes) calls the rest once per choice, each on its own copy of `w` and `env`. Outcomes go to
`out`: the terminal appends successor states, a failing `Check` appends its `Violation`.

Inside a forall body, runs report to their forall instead: `(0, writes, path)` for a run that
finished, `(1, violation, path)` for one that failed a check. `env[LOG_SLOT]` holds the writes of
the current run (an immutable tuple, so copies for choose branches stay independent) and
`env[PATH_SLOT]` the branch ids taken so far (for coverage).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import product
from typing import Any, assert_never

from checker.interp_expr import LOG_SLOT, PATH_SLOT, ExprCompiler
from spec import ir
from spec.source import NO_SPAN, Span

Cont = Callable[[list[int], list[Any], list[Any]], None]


@dataclass(frozen=True)
class Violation:
    """An error outcome: check `prop` failed. The span says which statement; it takes no part in
    equality (like `checker.result.Failure`)."""

    prop: str
    message: str
    span: Span = field(default=NO_SPAN, compare=False)


class Coverage:
    """Labels of coverage points (actions, if branches) and how often an outcome passed each."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.counts: list[int] = []

    def register(self, label: str) -> int:
        self.labels.append(label)
        self.counts.append(0)
        return len(self.labels) - 1

    def as_dict(self) -> dict[str, int]:
        return dict(zip(self.labels, self.counts, strict=True))

    def reset(self) -> None:
        for i in range(len(self.counts)):
            self.counts[i] = 0


class StmtCompiler:
    """Compiles the statements of one action (or the init block) named `owner`."""

    def __init__(self, exprs: ExprCompiler, coverage: Coverage, owner: str) -> None:
        self.exprs = exprs
        self.layout = exprs.layout
        self.coverage = coverage
        self.owner = owner

    def block(self, stmts: tuple[ir.Stmt, ...], scope: dict[str, int], nxt: Cont, in_forall: bool) -> Cont:
        """The closure that runs `stmts` then `nxt`. Scopes are computed forwards (a choose binds
        a local for the statements after it), closures are built backwards."""
        scopes: list[tuple[ir.Stmt, dict[str, int], int]] = []
        for s in stmts:
            slot = -1
            scopes.append((s, scope, 0))
            if isinstance(s, ir.Choose):
                slot = self.exprs.alloc()
                scopes[-1] = (s, scope, slot)
                scope = {**scope, s.var: slot}
        k = nxt
        for s, sc, slot in reversed(scopes):
            k = self._stmt(s, sc, slot, k, in_forall)
        return k

    def _stmt(self, s: ir.Stmt, scope: dict[str, int], slot: int, nxt: Cont, in_forall: bool) -> Cont:
        match s:
            case ir.Require():
                return _require(self.exprs.compile(s.cond, scope), nxt)
            case ir.Assign():
                return self._assign(s, scope, nxt, in_forall)
            case ir.SetLocal():
                return _set_local(scope[s.name], self.exprs.compile(s.value, scope), nxt)
            case ir.If():
                return self._if(s, scope, nxt, in_forall)
            case ir.Choose():
                cond = self.exprs.compile(s.cond, {**scope, s.var: slot})
                return _choose(slot, self.layout.codes(s.domain), cond, nxt)
            case ir.Check():
                viol = Violation(s.prop, s.message, s.span)
                return _check(self.exprs.compile(s.cond, scope), viol, nxt, in_forall, self.coverage.counts)
            case ir.Forall():
                return self._forall(s, scope, nxt, in_forall)
            case _:
                assert_never(s)

    def _assign(self, s: ir.Assign, scope: dict[str, int], nxt: Cont, in_forall: bool) -> Cont:
        val = self.exprs.compile(s.value, scope)
        if all(isinstance(a, ir.Lit) for a in s.index):
            k = self.layout.slot(s.var, tuple(a.value for a in s.index))  # type: ignore[union-attr]
            idx: Any = lambda w, env: k  # noqa: E731
        else:
            idx = _slot_of(self, s, scope)
        if in_forall:
            def assign_logged(w: list[int], env: list[Any], out: list[Any]) -> None:
                i = idx(w, env)
                v = val(w, env)
                w[i] = v
                env[LOG_SLOT] = env[LOG_SLOT] + ((i, v),)
                nxt(w, env, out)
            return assign_logged

        def assign(w: list[int], env: list[Any], out: list[Any]) -> None:
            w[idx(w, env)] = val(w, env)
            nxt(w, env, out)
        return assign

    def _if(self, s: ir.If, scope: dict[str, int], nxt: Cont, in_forall: bool) -> Cont:
        cond = self.exprs.compile(s.cond, scope)
        where = f"{self.owner}:if@{s.span.line}:{s.span.col}"
        bt, bf = self.coverage.register(f"{where}:then"), self.coverage.register(f"{where}:else")
        then = self.block(s.then, scope, nxt, in_forall)
        else_ = self.block(s.else_, scope, nxt, in_forall)

        def if_(w: list[int], env: list[Any], out: list[Any]) -> None:
            if cond(w, env):
                env[PATH_SLOT] = env[PATH_SLOT] + (bt,)
                then(w, env, out)
            else:
                env[PATH_SLOT] = env[PATH_SLOT] + (bf,)
                else_(w, env, out)
        return if_

    def _forall(self, s: ir.Forall, scope: dict[str, int], nxt: Cont, in_forall: bool) -> Cont:
        j = self.exprs.alloc()
        body = self.block(s.body, {**scope, s.var: j}, _run_end, True)
        dom = self.layout.codes(s.domain)
        counts = self.coverage.counts

        def forall(w: list[int], env: list[Any], out: list[Any]) -> None:
            runs: list[tuple[Any, ...]] = []
            for d in dom:
                e = env.copy()
                e[j] = d
                e[LOG_SLOT] = ()
                e[PATH_SLOT] = ()
                r: list[Any] = []
                body(list(w), e, r)
                if not r:
                    return  # one run disabled: the whole step is
                runs.append(tuple(dict.fromkeys(r)))
            combos = list(product(*runs))
            last = len(combos) - 1
            for n, combo in enumerate(combos):
                _merge(combo, w if n == last else list(w), env if n == last else env.copy(), out, nxt,
                       in_forall, counts)
        return forall


def _slot_of(comp: StmtCompiler, s: ir.Assign, scope: dict[str, int]) -> Any:
    """The slot an indexed assignment writes: the same arithmetic as a read of that location."""
    vl = comp.layout.vars[s.var]
    fs = tuple(comp.exprs.compile(a, scope) for a in s.index)
    b = vl.base - sum(off * st for off, st in zip(vl.offsets, vl.strides, strict=True))
    if len(fs) == 1:
        f0, s0 = fs[0], vl.strides[0]
        if isinstance(s.index[0], ir.Local) and s0 == 1:
            j0 = scope[s.index[0].name]
            return lambda w, env: b + env[j0]
        return lambda w, env: b + f0(w, env) * s0
    pairs = tuple(zip(fs, vl.strides, strict=True))
    return lambda w, env: b + sum(f(w, env) * st for f, st in pairs)


def _merge(combo: tuple[Any, ...], w: list[int], env: list[Any], out: list[Any], nxt: Cont, in_forall: bool,
           counts: list[int]) -> None:
    """One combination of forall runs (in domain order): the first violation, or all writes."""
    path = env[PATH_SLOT]
    log: tuple[tuple[int, int], ...] = ()
    for kind, x, p in combo:
        path = path + p
        if kind == 1:
            _emit_violation(x, path, out, in_forall, counts)
            return
        log = log + x
    for i, v in log:
        w[i] = v
    env[PATH_SLOT] = path
    if in_forall:
        env[LOG_SLOT] = env[LOG_SLOT] + log
    nxt(w, env, out)


def _emit_violation(viol: Violation, path: tuple[int, ...], out: list[Any], in_forall: bool,
                    counts: list[int]) -> None:
    if in_forall:
        out.append((1, viol, path))
        return
    out.append(viol)
    for b in path:
        counts[b] += 1


def _run_end(w: list[int], env: list[Any], out: list[Any]) -> None:
    out.append((0, env[LOG_SLOT], env[PATH_SLOT]))


def _require(cond: Any, nxt: Cont) -> Cont:
    def require(w: list[int], env: list[Any], out: list[Any]) -> None:
        if cond(w, env):
            nxt(w, env, out)
    return require


def _set_local(j: int, val: Any, nxt: Cont) -> Cont:
    def set_local(w: list[int], env: list[Any], out: list[Any]) -> None:
        env[j] = val(w, env)
        nxt(w, env, out)
    return set_local


def _check(cond: Any, viol: Violation, nxt: Cont, in_forall: bool, counts: list[int]) -> Cont:
    def check(w: list[int], env: list[Any], out: list[Any]) -> None:
        if cond(w, env):
            nxt(w, env, out)
        else:
            _emit_violation(viol, env[PATH_SLOT], out, in_forall, counts)
    return check


def _choose(j: int, dom: tuple[int, ...], cond: Any, nxt: Cont) -> Cont:
    def choose(w: list[int], env: list[Any], out: list[Any]) -> None:
        ds = []
        for d in dom:
            env[j] = d
            if cond(w, env):
                ds.append(d)
        last = len(ds) - 1
        for n, d in enumerate(ds):
            if n == last:
                env[j] = d
                nxt(w, env, out)
            else:
                e = env.copy()
                e[j] = d
                nxt(list(w), e, out)
    return choose
