"""Which `choose` values a step took; Semantics x (action instance, state, successor) -> choices.

The explicit engine stores states, not the choices that led to them. To show a trace step the
way the symbolic engines do (`gmem.get_pfn(v=vcpu0) choose p=page1`), the action instance is run
again on the step's state with a terminal that records, next to each successor, the values the
chooses on its path took (each choose has its own env slot, copied per branch). Chooses inside a
`forall` are not reported (each run has its own env), nor are those of a step that fails a check.
The first choice vector (in domain order) that gives the step's successor is the one shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.interp import FastState, Semantics
from checker.interp_expr import ExprCompiler
from checker.interp_stmt import Cont, Coverage, StmtCompiler, Violation, run
from spec import ir
from spec.types import Type

Choices = tuple[tuple[str, ir.Value], ...]


@dataclass(frozen=True)
class _Witness:
    """One action compiled to record its choices: its body, env size, parameter and choose slots."""

    body: Cont
    env_size: int
    param_slots: tuple[int, ...]
    choose_slots: tuple[tuple[str, Type, int], ...]  # in the order a path meets them


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
        if not wit.choose_slots:
            return ()
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
            if not isinstance(o, Violation) and o[0] == want:
                return tuple((name, lay.value(typ, c)) for (name, typ, _j), c in zip(wit.choose_slots, o[1],
                                                                                     strict=True) if c is not None)
        return ()


def _compile(sem: Semantics, action: ir.Action) -> _Witness:
    exprs = ExprCompiler(sem.layout)
    scope = {p.name: exprs.alloc() for p in action.params}
    comp = StmtCompiler(exprs, Coverage(), action.name)  # the coverage of these runs is thrown away
    slots: list[int] = []

    def finish(w: Any, env: list[Any], out: list[Any]) -> None:
        out.append((tuple(w), tuple(env[j] for j in slots)))

    body = comp.block(action.body, scope, finish, False)
    order = {id(s): k for k, s in enumerate(_chooses_in_order(action.body))}
    chooses = sorted(comp.choose_slots, key=lambda c: order[id(c[0])])
    slots.extend(j for _c, j in chooses)
    return _Witness(body, exprs.nslots, tuple(scope[p.name] for p in action.params),
                    tuple((c.var, c.domain, j) for c, j in chooses))


def _chooses_in_order(stmts: tuple[ir.Stmt, ...]) -> list[ir.Choose]:
    """The chooses outside any forall, in text order: the order every path meets those it meets."""
    out: list[ir.Choose] = []
    for s in stmts:
        if isinstance(s, ir.Choose):
            out.append(s)
        elif isinstance(s, ir.If):
            out += _chooses_in_order(s.then) + _chooses_in_order(s.else_)
    return out
