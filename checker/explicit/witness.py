"""Which `choose` values a step took; Semantics x (action instance, state, successor) -> choices.

The explicit engine stores states, not the choices that led to them. To show a trace step the
way the symbolic engines do (`gmem.get_pfn(v=vcpu0) choose p=page1`), the action instance is run
again on the step's state with a terminal that records, next to each successor, the values the
chooses on its path took (each choose has its own env slot, copied per branch). A choose inside a
`forall` is recorded by the end of each run of the body, as a marker on the run's path that the
forall merges into the step's path; it is shown as `b(s=s0)` (the choose, then the element of each
enclosing forall: `z(s=s0, t=t1)`), after the chooses outside any forall. A step that fails a check shows none. The
first choice vector (in domain order) that gives the step's successor is the one shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.interp.expr import LOG_SLOT, PATH_SLOT, ExprCompiler
from checker.interp.semantics import FastState, Semantics
from checker.interp.stmt import Cont, Coverage, StmtCompiler, Violation, run
from spec import ir
from spec.types import Type

Choices = tuple[tuple[str, ir.Value], ...]
_MARK = "choose in forall"  # first item of the path markers below (branch ids are ints)


@dataclass(frozen=True)
class _Witness:
    """One action compiled to record its choices: its body, env size, parameter and choose slots."""

    body: Cont
    env_size: int
    param_slots: tuple[int, ...]
    choose_slots: tuple[tuple[str, Type, int], ...]  # outside any forall, in the order a path meets them


class _AnyCounts(dict):
    """Coverage counts that accept the path markers as keys (these runs' coverage is thrown away)."""

    def append(self, _value: int) -> None:
        pass

    def __missing__(self, _key: object) -> int:
        return 0


class _RecordingCompiler(StmtCompiler):
    """A StmtCompiler whose forall runs put their chooses' values on their path, with the
    elements of every enclosing forall (`enclosing`: forall -> the foralls around it)."""

    def __init__(self, *args: Any, enclosing: dict[int, tuple[ir.Forall, ...]]) -> None:
        super().__init__(*args)
        self.enclosing = enclosing
        self.forall_slot: dict[int, int] = {}

    def run_end(self, s: ir.Forall, j: int) -> Cont:
        self.forall_slot[id(s)] = j  # an outer forall's run end is made before its body's
        chooses = _chooses_in_order(s.body)
        slot_of = self.slot_of_choose  # filled while the body is compiled, read when it runs
        where = [(f.var, f.domain, self.forall_slot[id(f)]) for f in (*self.enclosing[id(s)], s)]

        def run_end(w: Any, env: list[Any], out: list[Any]) -> None:
            picked = tuple((c.var, c.domain, env[slot_of[id(c)]]) for c in chooses
                           if env[slot_of[id(c)]] is not None)
            marker = (_MARK, tuple((v, d, env[k]) for v, d, k in where), picked)
            out.append((0, env[LOG_SLOT], env[PATH_SLOT] + (marker,)))
        return run_end


class ChoiceFinder:
    """`choices(i, s, t)`: the choose values action instance `i` takes from `s` to `t`."""

    def __init__(self, sem: Semantics) -> None:
        self.sem = sem
        self._compiled: dict[int, _Witness] = {}

    def choices(self, i: int, s: FastState, t: FastState) -> Choices:
        n = self.sem.action_of[i]
        action = self.sem.instance.model.actions[n]
        if n not in self._compiled:
            self._compiled[n] = _compile(self.sem, action)
        wit = self._compiled[n]
        lay = self.sem.layout
        env: list[Any] = [None] * wit.env_size
        env[0], env[1] = (), ()
        ai = self.sem.action_instances()[i]
        for p, (_name, value), j in zip(action.params, ai.args, wit.param_slots, strict=True):
            env[j] = lay.code(p.type, value)
        out: list[Any] = []
        run(wit.body, self.sem.thaw(s), env, out)
        want = tuple(t)
        for o in out:
            if isinstance(o, Violation) or o[0] != want:
                continue
            outside = [(name, lay.value(typ, c)) for (name, typ, _j), c in zip(wit.choose_slots, o[1], strict=True)
                       if c is not None]
            inside = [(f"{var}({_elements(lay, where)})", lay.value(typ, c))
                      for _m, where, picked in o[2] for var, typ, c in picked]
            return tuple(outside + inside)
        return ()


def _compile(sem: Semantics, action: ir.Action) -> _Witness:
    exprs = ExprCompiler(sem.layout)
    scope = {p.name: exprs.alloc() for p in action.params}
    coverage = Coverage()
    coverage.counts = _AnyCounts()  # type: ignore[assignment]
    comp = _RecordingCompiler(exprs, coverage, action.name, enclosing=_foralls_around(action.body, ()))
    slots: list[int] = []

    def finish(w: Any, env: list[Any], out: list[Any]) -> None:
        markers = tuple(m for m in env[PATH_SLOT] if m.__class__ is tuple and m[0] == _MARK)
        out.append((tuple(w), tuple(env[j] for j in slots), markers))

    body = comp.block(action.body, scope, finish, False)
    order = {id(s): k for k, s in enumerate(_chooses_in_order(action.body))}
    chooses = sorted(comp.choose_slots, key=lambda c: order[id(c[0])])
    slots.extend(j for _c, j in chooses)
    return _Witness(body, exprs.nslots, tuple(scope[p.name] for p in action.params),
                    tuple((c.var, c.domain, j) for c, j in chooses))


def _elements(lay: Any, where: tuple[tuple[str, Type, int], ...]) -> str:
    """`s=s0, t=t1`: the element each enclosing forall's run is for."""
    return ", ".join(f"{var}={ir.format_value(lay.value(dom, code))}" for var, dom, code in where)


def _foralls_around(stmts: tuple[ir.Stmt, ...], outer: tuple[ir.Forall, ...]) -> dict[int, tuple[ir.Forall, ...]]:
    """For every forall in `stmts` (by id), the foralls it is nested in, outermost first."""
    out: dict[int, tuple[ir.Forall, ...]] = {}
    for s in stmts:
        if isinstance(s, ir.Forall):
            out[id(s)] = outer
            out.update(_foralls_around(s.body, (*outer, s)))
        elif isinstance(s, ir.If):
            out.update(_foralls_around(s.then, outer))
            out.update(_foralls_around(s.else_, outer))
    return out


def _chooses_in_order(stmts: tuple[ir.Stmt, ...]) -> list[ir.Choose]:
    """The chooses of `stmts` outside any nested forall, in text order: the order every path
    meets those it meets."""
    out: list[ir.Choose] = []
    for s in stmts:
        if isinstance(s, ir.Choose):
            out.append(s)
        elif isinstance(s, ir.If):
            out += _chooses_in_order(s.then) + _chooses_in_order(s.else_)
    return out
