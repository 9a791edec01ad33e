"""Bounded model checking: the shortest trace to each goal, by incremental deepening.

One solver holds the path S_0 .. S_k (init, then one transition per level); every goal is
checked at every level under an assumption, so the first hit is a shortest trace. Level L
holds the events of trace depth L: a state goal at S_L, a failing check in step L-1 (checked
before that step is asserted as a successful one, with the same inputs), an action firing in
step L-1, and at level 0 a failing check in the init block.

Building a level's terms stops at the deadline too (checker/solver/deadline.py): the goals still
open are then UNKNOWN, searched to the level before, with ENCODING_TIMEOUT as the reason.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from checker.result import Budget, PropertyResult, Trace, Verdict
from checker.solver.deadline import ENCODING_TIMEOUT, EncodingTimeout
from checker.solver.encode import Domains, Encoding, Formula
from checker.solver.goals import Goal, GoalKind, goal_of
from checker.solver.smt import Session, Status
from spec import ir

DEFAULT_DEPTH = 20


class Unroller:
    """A path S_0 .. S_k in one incremental solver, extended one transition at a time.

    `from_init`: S_0 is initial (BMC), else any state within types and assumes (induction's
    step case). `simple`: states are pairwise distinct (k-induction's simple-path constraint)."""

    def __init__(self, enc: Encoding, *, from_init: bool, simple: bool):
        self.enc = enc
        self.session = Session(enc)
        self.from_init = from_init
        self.simple = simple
        self.k = -1  # index of the last state on the path

    def start(self) -> None:
        s0 = self.enc.state(0)
        self.session.add(self.enc.init(s0).formula if self.from_init else self.enc.state_ok(s0))
        self.k = 0

    def advance(self) -> None:
        """Assert the transition S_k -> S_k+1."""
        enc = self.enc
        self.session.add(enc.step(self.k).trans)
        self.k += 1
        if self.simple:
            sk = enc.state(self.k)
            self.session.add(*[enc.distinct(enc.state(j), sk) for j in range(self.k)])

    def event(self, goal: Goal, level: int) -> Formula:
        """The formula of `goal` happening at trace depth `level` (see the module docstring)."""
        enc = self.enc
        match goal.kind:
            case GoalKind.STATE:
                return enc.state_goal(goal, enc.state(level))
            case GoalKind.ERROR:
                if level == 0:
                    return enc.init_error_goal(goal, enc.init(enc.state(0))) if self.from_init else enc.neg(enc.true())
                return enc.error_goal(goal, enc.step(level - 1))


@dataclass(frozen=True)
class Finding:
    """The outcome of searching one goal: `trace` when it happens (at depth `depth`); else
    `reason` when the search stopped early (checked up to `depth`), else searched to `depth`."""

    goal: Goal
    depth: int
    trace: Trace | None = None
    reason: str | None = None
    time_s: float = 0.0


def _deadline_passed(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


class Search:
    """One BMC run over a set of goals (mutable bookkeeping for `search`)."""

    def __init__(self, enc: Encoding, goals: Sequence[Goal], deadline: float | None):
        self.u = Unroller(enc, from_init=True, simple=False)
        self.open = list(goals)
        self.done: dict[Goal, Finding] = {}
        self.deadline = deadline
        self.t0 = time.monotonic()

    def level(self, level: int) -> None:
        # error events first: they need the step (or the init block) not yet asserted as a success
        self.check(level, [g for g in self.open if g.kind is GoalKind.ERROR])
        if level == 0:
            self.u.start()
        else:
            self.u.advance()
        self.check(level, [g for g in self.open if g.kind is not GoalKind.ERROR])

    def check(self, level: int, goals: list[Goal]) -> None:
        """Check `goals` at `level`: first all at once (usually unsat), then one by one."""
        if not goals:
            return
        events = {g: self.u.event(g, level) for g in goals}
        enc, session = self.u.enc, self.u.session
        if len(goals) > 1:
            res = session.check(enc.disj(list(events.values())), deadline=self.deadline)
            if res.status is Status.UNSAT:
                return
            if res.status is Status.SAT:
                hits = [(g, self.trace(g, level)) for g in goals if session.holds(events[g])]
                for g, trace in hits:
                    self.hit(g, level, events[g], trace)
                goals = [g for g in goals if g not in self.done]
        for g in goals:
            res = session.check(events[g], deadline=self.deadline)
            if res.status is Status.SAT:
                self.hit(g, level, events[g], self.trace(g, level))
            elif res.status is Status.UNKNOWN:
                self.finish(g, Finding(g, level - 1, None, res.reason))

    def trace(self, g: Goal, level: int) -> Trace:
        """The trace of `g` at `level` in the session's current model."""
        return self.u.session.trace(level, g.name if g.kind is GoalKind.ERROR else None)

    def hit(self, g: Goal, level: int, event: Formula, trace: Trace) -> None:
        """Record `trace` for `g`, or a more readable one of the same depth when the solver finds
        one quickly: values nothing constrains start at the first value of their type."""
        if self.u.session.solve_preferring(event, self.u.enc.initial_defaults(), self.deadline):
            trace = self.trace(g, level)
        self.finish(g, Finding(g, level, trace))

    def finish(self, g: Goal, f: Finding) -> None:
        self.done[g] = Finding(f.goal, f.depth, f.trace, f.reason, time.monotonic() - self.t0)
        self.open.remove(g)

    def stop(self, level: int, reason: str) -> None:
        """Every open goal: searched up to the level before `level`, then stopped for `reason`."""
        for g in list(self.open):
            self.finish(g, Finding(g, level - 1, None, reason))


def search(enc: Encoding, goals: Sequence[Goal], max_depth: int, deadline: float | None,
           first_only: bool = False) -> dict[Goal, Finding]:
    """The shortest trace (depth <= max_depth) to each goal, or why there is none. With
    `first_only`, stop after the first depth where some goal happens (the others are then
    reported as searched to the depth before)."""
    s = Search(enc, goals, deadline)
    with enc.until(deadline):
        for level in range(max_depth + 1):
            if not s.open:
                break
            if first_only and len(s.open) < len(goals):
                max_depth = level - 1
                break
            if _deadline_passed(deadline):
                s.stop(level, f"timeout before depth {level}")
                break
            try:
                s.level(level)
            except EncodingTimeout:
                s.stop(level, ENCODING_TIMEOUT)
                break
    for g in list(s.open):
        s.finish(g, Finding(g, max_depth))
    return s.done


def assumption_names(inst: ir.Instance) -> tuple[str, ...]:
    return tuple(a.name for a in inst.model.assumes)


def property_result(prop: ir.Property, f: Finding, engine: str, inst: ir.Instance) -> PropertyResult:
    """A BMC finding as a verdict: a trace is a violation (or a reached goal); no trace up to
    the bound is HOLDS TO DEPTH, never a proof; a search cut short is UNKNOWN."""
    common: dict[str, Any] = dict(prop=prop.name, kind=prop.kind, engine=engine, time_s=f.time_s,
                  assumptions=assumption_names(inst))
    if f.trace is not None:
        verdict = Verdict.REACHED if prop.kind is ir.PropKind.REACHABLE else Verdict.VIOLATED
        return PropertyResult(verdict=verdict, depth=f.depth, trace=f.trace, **common)
    if f.reason is not None:
        why = f"{f.reason}; " + (f"nothing found up to depth {f.depth}" if f.depth >= 0 else "nothing checked")
        return PropertyResult(verdict=Verdict.UNKNOWN, depth=max(f.depth, 0), reason=why, **common)
    what = "not reached" if prop.kind is ir.PropKind.REACHABLE else "no violation"
    return PropertyResult(verdict=Verdict.HOLDS_TO_DEPTH, depth=f.depth,
                          reason=f"{what} up to depth {f.depth}", **common)


class Bmc:
    name = "bmc"

    def __init__(self, inst: ir.Instance, enc: Encoding | None = None):
        self.inst = inst
        self.enc = (enc or Encoding(inst)).with_domains(Domains.BITS)

    def check(self, props: Sequence[ir.Property], budget: Budget) -> list[PropertyResult]:
        """Every property in one unrolling; the shortest violation (or witness) of each. Liveness
        properties: the fair lasso with the fewest states (checker/symbolic/lasso.py)."""
        from checker.symbolic.lasso import check_lasso

        live = [p for p in props if p.kind is ir.PropKind.LIVENESS]
        out = {r.prop: r for r in check_lasso(self.inst, live, budget, self.enc)} if live else {}
        rest = [p for p in props if p.kind is not ir.PropKind.LIVENESS]
        goals = {p.name: goal_of(p) for p in rest}
        found = search(self.enc, list(goals.values()), _depth(budget), budget.deadline) if rest else {}
        out.update({p.name: property_result(p, found[goals[p.name]], self.name, self.inst) for p in rest})
        return [out[p.name] for p in props]


def _depth(budget: Budget) -> int:
    return DEFAULT_DEPTH if budget.max_depth is None else budget.max_depth
