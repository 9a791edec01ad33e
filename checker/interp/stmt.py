"""Statements compiled into continuation-passing closures; ir.Stmt -> Cont.

A compiled statement is a step `k(w, env, out) -> next step | None`: `w` is the working state (a
list or bytearray, see `Layout.compact`, mutated in place), `env` the local slots (see
checker/interp/expr.py). A step that gets past its statement returns the step compiled for the
rest of the body, ending in a terminal step supplied by the caller; `run` loops over the steps
(a trampoline, so the Python stack does not grow with the length of a body). Nondeterminism
(`choose`, forall runs with several outcomes) runs the rest once per choice, each on its own copy
of `w` and `env`. Outcomes go to `out`: the terminal appends successor states, a failing `Check`
appends its `Violation`.

Inside a forall body, runs report to their forall instead: `(0, writes, path)` for a run that
finished, `(1, violation, path)` for one that failed a check. `env[LOG_SLOT]` holds the writes of
the current run (an immutable tuple, so copies for choose branches stay independent) and
`env[PATH_SLOT]` the branch ids taken so far (for coverage).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import product
from typing import Any, assert_never

from checker.interp.expr import LOG_SLOT, PATH_SLOT, ExprCompiler
from spec import ir
from spec.ops import BinOp
from spec.source import NO_SPAN, Span

# A step: runs one statement on (w, env), appends any outcome to `out`, and returns the step
# to run next (None: this path ended). `run` drives the steps, so a long body is a loop, not a
# deep chain of calls; only choose and forall, which fork, call `run` themselves.
Cont = Callable[[list[int], list[Any], list[Any]], Any]


def run(k: Cont | None, w: list[int], env: list[Any], out: list[Any]) -> None:
    while k is not None:
        k = k(w, env, out)


@dataclass(frozen=True)
class Violation:
    """An error outcome: check `prop` failed. The span says which statement; it takes no part in
    equality (like `checker.result.Failure`)."""

    prop: str
    message: str
    span: Span = field(default=NO_SPAN, compare=False)
    # a range check's failure: (slot, value) the assignment tried to store; no part in equality
    # either, so a trace from an engine that does not know the value still replays
    attempted: tuple[int, int] | None = field(default=None, compare=False)


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
        # every choose compiled outside a forall, with its env slot (in no particular order), and
        # every choose's slot by id: a trace step's choices are read back from those slots
        # (checker/explicit/witness.py)
        self.choose_slots: list[tuple[ir.Choose, int]] = []
        self.slot_of_choose: dict[int, int] = {}

    def block(self, stmts: tuple[ir.Stmt, ...], scope: dict[str, int], nxt: Cont, in_forall: bool,
              log: bool | None = None) -> Cont:
        """The closure that runs `stmts` then `nxt`. Scopes are computed forwards (a choose binds
        a local for the statements after it), closures are built backwards. `in_forall`: checks
        report to the enclosing forall; `log` (default: in_forall): writes are logged for it."""
        log = in_forall if log is None else log
        items: list[tuple[ir.Stmt, dict[str, int], int, ir.Check | None]] = []
        pending: ir.Check | None = None
        for s in stmts:
            if pending is not None and not (isinstance(s, ir.Assign) and _range_of(pending, s.value)):
                items.append((pending, scope, 0, None))
                pending = None
            if isinstance(s, ir.Check) and s.kind is ir.CheckKind.RANGE:
                pending = s  # fused with the assignment it guards, when one follows
                continue
            slot = 0
            if isinstance(s, ir.Choose):
                slot = self.exprs.alloc()
                self.slot_of_choose[id(s)] = slot
                if not in_forall:
                    self.choose_slots.append((s, slot))
                items.append((s, scope, slot, None))
                scope = {**scope, s.var: slot}
                continue
            items.append((s, scope, slot, pending))
            pending = None
        if pending is not None:
            items.append((pending, scope, 0, None))
        k = nxt
        for s, sc, slot, check in reversed(items):
            if check is not None:
                assert isinstance(s, ir.Assign)
                k = self._assign(s, sc, k, log, (check, in_forall))
            else:
                k = self._stmt(s, sc, slot, k, in_forall, log)
        return k

    def _stmt(self, s: ir.Stmt, scope: dict[str, int], slot: int, nxt: Cont, in_forall: bool, log: bool) -> Cont:
        match s:
            case ir.Require():
                return _require(self.exprs.compile(s.cond, scope), nxt)
            case ir.Assign():
                return self._assign(s, scope, nxt, log)
            case ir.SetLocal():
                return _set_local(scope[s.name], self.exprs.compile(s.value, scope), nxt)
            case ir.If():
                return self._if(s, scope, nxt, in_forall, log)
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

    def _assign(self, s: ir.Assign, scope: dict[str, int], nxt: Cont, log: bool,
                check: tuple[ir.Check, bool] | None = None) -> Cont:
        """`var[index] := value`, preceded by its range check when `check` is given (fused: the
        value is computed once)."""
        val = self.exprs.compile(s.value, scope)
        bounds = None
        if check is not None:
            lo, hi = _range_of(check[0], s.value)  # type: ignore[misc]
            bounds = (lo, hi, Violation(check[0].prop, check[0].message, check[0].span), check[1],
                      self.coverage.counts)
        const_slot = None
        if all(isinstance(a, ir.Lit) for a in s.index):
            const_slot = self.layout.slot(s.var, tuple(a.value for a in s.index))  # type: ignore[union-attr]
        if not log and const_slot is not None:
            return _store_const(const_slot, val, nxt, bounds)
        local = _local_index(self, s, scope)
        if not log and local is not None:
            return _store_local(local[0], local[1], val, nxt, bounds)
        idx = _slot_of(self, s, scope) if const_slot is None else (lambda w, env: const_slot)
        return _store(idx, val, nxt, log, bounds)

    def _if(self, s: ir.If, scope: dict[str, int], nxt: Cont, in_forall: bool, log: bool) -> Cont:
        cond = self.exprs.compile(s.cond, scope)
        where = f"{self.owner}:if@{s.span.line}:{s.span.col}"
        bt, bf = self.coverage.register(f"{where}:then"), self.coverage.register(f"{where}:else")
        then = self.block(s.then, scope, nxt, in_forall, log)
        else_ = self.block(s.else_, scope, nxt, in_forall, log)

        def if_(w: list[int], env: list[Any], out: list[Any]) -> Cont:
            if cond(w, env):
                env[PATH_SLOT] = env[PATH_SLOT] + (bt,)
                return then
            env[PATH_SLOT] = env[PATH_SLOT] + (bf,)
            return else_
        return if_

    def run_end(self, s: ir.Forall, j: int) -> Cont:
        """The end of one run of `s`'s body (its element in env slot `j`): report to the forall.
        (checker/explicit/witness.py records the run's choices here.)"""
        return _run_end

    def _forall(self, s: ir.Forall, scope: dict[str, int], nxt: Cont, in_forall: bool) -> Cont:
        j = self.exprs.alloc()
        dom = self.layout.codes(s.domain)
        counts = self.coverage.counts
        if not in_forall and runs_independent(s):
            body = self.block(s.body, {**scope, s.var: j}, _run_end, True, log=False)
            return _forall_in_place(j, dom, body, nxt, counts)
        body = self.block(s.body, {**scope, s.var: j}, self.run_end(s, j), True)

        def forall(w: list[int], env: list[Any], out: list[Any]) -> Cont | None:
            runs: list[tuple[Any, ...]] = []
            for d in dom:
                e = env.copy()
                e[j] = d
                e[LOG_SLOT] = ()
                e[PATH_SLOT] = ()
                r: list[Any] = []
                run(body, w.copy(), e, r)
                if not r:
                    return None  # one run disabled: the whole step is
                runs.append(tuple(dict.fromkeys(r)))
            combos = list(product(*runs))
            for combo in combos[:-1]:
                w2, e2 = w.copy(), env.copy()
                run(_merge(combo, w2, e2, out, nxt, in_forall, counts), w2, e2, out)
            return _merge(combos[-1], w, env, out, nxt, in_forall, counts)
        return forall


def _forall_in_place(j: int, dom: tuple[int, ...], body: Cont, nxt: Cont, counts: list[int]) -> Cont:
    """A forall whose runs are deterministic and never read what another run writes: running them
    one after the other on `w` itself gives the same result as running each on a copy of the
    pre-forall state and merging (and saves the copies)."""
    def forall(w: list[int], env: list[Any], out: list[Any]) -> Cont | None:
        path = env[PATH_SLOT]
        failed = None
        for d in dom:
            env[j] = d
            env[PATH_SLOT] = ()
            r: list[Any] = []
            run(body, w, env, r)
            if not r:
                return None  # one run disabled: the whole step is, even after a failed run
            kind, x, p = r[0]
            path = path + p
            if kind == 1 and failed is None:
                failed = (x, path)
        if failed is not None:
            _emit_violation(failed[0], failed[1], out, False, counts)
            return None
        env[PATH_SLOT] = path
        return nxt
    return forall


def runs_independent(s: ir.Forall) -> bool:
    """No choose or nested forall in the body, and every read of a variable the body writes is of
    the run's own entry (indexed by the forall variable at a position where every write is)."""
    from spec.irutil import walk

    stmts = list(_flatten(s.body))
    if any(isinstance(t, ir.Choose | ir.Forall | ir.SetLocal) for t in stmts):
        return False
    own: dict[str, set[int]] = {}
    for t in stmts:
        if isinstance(t, ir.Assign):
            ks = {k for k, a in enumerate(t.index) if isinstance(a, ir.Local) and a.name == s.var}
            own[t.var] = own[t.var] & ks if t.var in own else ks
    for t in stmts:
        for e in _exprs_of(t):
            for n in walk(e):
                if isinstance(n, ir.Quant) and n.var == s.var:
                    return False
                if isinstance(n, ir.Var) and n.name in own:
                    return False
                if isinstance(n, ir.Read) and n.name in own and not any(
                        isinstance(a := n.args[k], ir.Local) and a.name == s.var for k in own[n.name]):
                    return False
    return True


def _flatten(stmts: tuple[ir.Stmt, ...]) -> Iterator[ir.Stmt]:
    for t in stmts:
        yield t
        if isinstance(t, ir.If):
            yield from _flatten(t.then)
            yield from _flatten(t.else_)
        elif isinstance(t, ir.Forall):
            yield from _flatten(t.body)


def _exprs_of(t: ir.Stmt) -> tuple[ir.Expr, ...]:
    match t:
        case ir.Require() | ir.Check():
            return (t.cond,)
        case ir.Assign():
            return (*t.index, t.value)
        case ir.SetLocal():
            return (t.value,)
        case ir.If():
            return (t.cond,)
        case ir.Choose():
            return (t.cond,)
        case ir.Forall():
            return ()
        case _:
            assert_never(t)


Bounds = tuple[int, int, Violation, bool, list[int]] | None


def _range_of(check: ir.Check, value: ir.Expr) -> tuple[int, int] | None:
    """`(lo, hi)` when `check` is the front end's range check `lo <= value && value <= hi`."""
    c = check.cond
    if check.kind is ir.CheckKind.RANGE and isinstance(c, ir.Binary) and c.op is BinOp.AND \
            and isinstance(c.lhs, ir.Binary) and c.lhs.op is BinOp.LE and isinstance(c.lhs.lhs, ir.Lit) \
            and isinstance(c.rhs, ir.Binary) and c.rhs.op is BinOp.LE and isinstance(c.rhs.rhs, ir.Lit) \
            and c.lhs.rhs == value and c.rhs.lhs == value:
        return int(c.lhs.lhs.value), int(c.rhs.rhs.value)  # type: ignore[arg-type]
    return None


def _local_index(comp: StmtCompiler, s: ir.Assign, scope: dict[str, int]) -> tuple[int, int] | None:
    """`(base, env slot)` when the index is one local with stride 1: slot = base + env[slot]."""
    vl = comp.layout.vars[s.var]
    if len(s.index) == 1 and isinstance(s.index[0], ir.Local) and vl.strides[0] == 1:
        return vl.base - vl.offsets[0], scope[s.index[0].name]
    return None


def _store_const(k: int, val: Any, nxt: Cont, bounds: Bounds) -> Cont:
    if bounds is None:
        def store(w: list[int], env: list[Any], out: list[Any]) -> Cont:
            w[k] = val(w, env)
            return nxt
        return store
    lo, hi, viol, in_forall, counts = bounds

    def store_checked(w: list[int], env: list[Any], out: list[Any]) -> Cont | None:
        x = val(w, env)
        if lo <= x <= hi:
            w[k] = x
            return nxt
        _emit_violation(_tried(viol, k, x), env[PATH_SLOT], out, in_forall, counts)
        return None
    return store_checked


def _store_local(b: int, j: int, val: Any, nxt: Cont, bounds: Bounds) -> Cont:
    if bounds is None:
        def store(w: list[int], env: list[Any], out: list[Any]) -> Cont:
            w[b + env[j]] = val(w, env)
            return nxt
        return store
    lo, hi, viol, in_forall, counts = bounds

    def store_checked(w: list[int], env: list[Any], out: list[Any]) -> Cont | None:
        x = val(w, env)
        if lo <= x <= hi:
            w[b + env[j]] = x
            return nxt
        _emit_violation(_tried(viol, b + env[j], x), env[PATH_SLOT], out, in_forall, counts)
        return None
    return store_checked


def _store(idx: Any, val: Any, nxt: Cont, log: bool, bounds: Bounds) -> Cont:
    """The general assignment: any index, optional range check, optional write log."""
    def store(w: list[int], env: list[Any], out: list[Any]) -> Cont | None:
        x = val(w, env)
        if bounds is not None and not bounds[0] <= x <= bounds[1]:
            _emit_violation(_tried(bounds[2], idx(w, env), x), env[PATH_SLOT], out, bounds[3], bounds[4])
            return None
        i = idx(w, env)
        w[i] = x
        if log:
            env[LOG_SLOT] = env[LOG_SLOT] + ((i, x),)
        return nxt
    return store


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
           counts: list[int]) -> Cont | None:
    """One combination of forall runs (in domain order): the first violation, or all writes
    applied to `w` (then the rest of the body runs)."""
    path = env[PATH_SLOT]
    log: tuple[tuple[int, int], ...] = ()
    for kind, x, p in combo:
        path = path + p
        if kind == 1:
            _emit_violation(x, path, out, in_forall, counts)
            return None
        log = log + x
    for i, v in log:
        w[i] = v
    env[PATH_SLOT] = path
    if in_forall:
        env[LOG_SLOT] = env[LOG_SLOT] + log
    return nxt


def _tried(viol: Violation, slot: int, value: int) -> Violation:
    """`viol` with the value its range check refused (made only when a check fails)."""
    return Violation(viol.prop, viol.message, viol.span, (slot, value))


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
    return None


def _require(cond: Any, nxt: Cont) -> Cont:
    def require(w: list[int], env: list[Any], out: list[Any]) -> Cont | None:
        return nxt if cond(w, env) else None
    return require


def _set_local(j: int, val: Any, nxt: Cont) -> Cont:
    def set_local(w: list[int], env: list[Any], out: list[Any]) -> Cont:
        env[j] = val(w, env)
        return nxt
    return set_local


def _check(cond: Any, viol: Violation, nxt: Cont, in_forall: bool, counts: list[int]) -> Cont:
    def check(w: list[int], env: list[Any], out: list[Any]) -> Cont | None:
        if cond(w, env):
            return nxt
        _emit_violation(viol, env[PATH_SLOT], out, in_forall, counts)
        return None
    return check


def _choose(j: int, dom: tuple[int, ...], cond: Any, nxt: Cont) -> Cont:
    def choose(w: list[int], env: list[Any], out: list[Any]) -> Cont | None:
        ds = []
        for d in dom:
            env[j] = d
            if cond(w, env):
                ds.append(d)
        if not ds:
            return None
        for d in ds[:-1]:  # every choice but the last runs to its end here, on its own copies
            e = env.copy()
            e[j] = d
            run(nxt, w.copy(), e, out)
        env[j] = ds[-1]
        return nxt
    return choose
