"""k-induction with simple-path constraints; PROVED says which k closed the proof.

For k = 1, 2, ...: the base case is BMC to depth k-1 (a hit there is a shortest trace); the
step case asks for a path of pairwise distinct states, within types and assumes, that ends in
the goal at trace depth k while avoiding it before:
- a state goal: S_0 .. S_k, goal at S_k, not at S_0 .. S_k-1 (guarded by one literal per goal,
  so all goals share one solver);
- an error goal: S_0 .. S_k-1 and a failing step from S_k-1 (no hypothesis on earlier states:
  "no step from s fails" quantifies over inputs; leaving it out only weakens the induction).
Unsat means every reachable goal event has trace depth < k, which the base case excluded
(a shortest path to a state is simple). With k = 1 the property itself is inductive, and the
certificate is its own initiation / consecution / safety queries. When building the terms of
the next k runs past the deadline (checker/solver/deadline.py), what is still open is UNKNOWN.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from checker.result import Budget, PropertyResult, Verdict
from checker.solver.deadline import ENCODING_TIMEOUT, EncodingTimeout
from checker.solver.encode import Domains, Encoding, Formula
from checker.solver.goals import Goal, GoalKind, goal_of
from checker.solver.smt import Status
from checker.symbolic.bmc import Finding, Search, Unroller, assumption_names, property_result
from checker.symbolic.certificate import build_certificate
from spec import ir
from spec.printer import print_ir_expr

DEFAULT_MAX_K = 12


class _Step:
    """The step case: one simple path in one solver, all goals, one hypothesis literal each."""

    def __init__(self, enc: Encoding, goals: Sequence[Goal], deadline: float | None):
        self.enc = enc
        self.u = Unroller(enc, from_init=False, simple=True)
        self.u.start()
        self.deadline = deadline
        self.lits = {g: enc.literal(f"hyp.{g.name}") for g in goals if g.kind is GoalKind.STATE}

    def check(self, goal: Goal, k: int) -> Status | str:
        """UNSAT: `goal` is k-inductive; SAT: not (yet); otherwise the reason it is unknown.
        Error goals of a k must be checked before state goals: they need step k-1 unasserted."""
        if goal.kind is GoalKind.ERROR and self.u.k >= k:
            raise AssertionError("error goals are checked before the path is extended to k")
        self._extend(k if goal.kind is GoalKind.STATE else k - 1)
        assumptions: list[Formula] = [self.u.event(goal, k)]
        if goal in self.lits:
            assumptions.append(self.lits[goal])
        res = self.u.session.check(*assumptions, deadline=self.deadline)
        return res.status if res.status is not Status.UNKNOWN else (res.reason or "unknown")

    def _extend(self, k: int) -> None:
        enc = self.enc
        while self.u.k < k:
            s = enc.state(self.u.k)
            self.u.session.add(*[enc.disj([enc.neg(lit), enc.neg(enc.state_goal(g, s))])
                                 for g, lit in self.lits.items()])
            self.u.advance()


class Induction:
    name = "induction"

    def __init__(self, inst: ir.Instance, enc: Encoding | None = None):
        self.inst = inst
        self.enc = (enc or Encoding(inst)).with_domains(Domains.BITS)

    def check(self, props: Sequence[ir.Property], budget: Budget) -> list[PropertyResult]:
        t0 = time.monotonic()
        max_k = DEFAULT_MAX_K if budget.max_depth is None else max(budget.max_depth, 1)
        goals = {p.name: goal_of(p) for p in props}
        base = Search(self.enc, list(goals.values()), budget.deadline)
        results: dict[str, PropertyResult] = {}
        k = 1
        with self.enc.until(budget.deadline):
            try:
                step = _Step(self.enc, list(goals.values()), budget.deadline)
                for k in range(1, max_k + 1):
                    if self._round(k, props, goals, base, step, results, t0, budget):
                        break
            except EncodingTimeout:
                for p in props:
                    if p.name not in results:
                        f = base.done.get(goals[p.name])
                        results[p.name] = property_result(p, f, self.name, self.inst) if f is not None \
                            else self._unknown(p, ENCODING_TIMEOUT, k - 1, t0)
        for p in props:
            if p.name not in results:
                f = base.done.get(goals[p.name]) or Finding(goals[p.name], max_k - 1)
                results[p.name] = self._not_inductive(p, f, max_k, t0)
        return [results[p.name] for p in props]

    def _round(self, k: int, props: Sequence[ir.Property], goals: dict[str, Goal], base: Search, step: _Step,
               results: dict[str, PropertyResult], t0: float, budget: Budget) -> bool:
        """The base case to depth k-1 and the step case for k; True when every property is decided."""
        # error goals first at each k: their step case reuses the inputs of the step to k
        order = sorted(props, key=lambda p: goals[p.name].kind is not GoalKind.ERROR)
        if base.open and time.monotonic() < (budget.deadline or float("inf")):
            base.level(k - 1)
        for p in order:
            g = goals[p.name]
            if p.name in results:
                continue
            if g in base.done:
                results[p.name] = property_result(p, base.done[g], self.name, self.inst)
                continue
            if time.monotonic() >= (budget.deadline or float("inf")):
                results[p.name] = self._unknown(p, "timeout", k - 1, t0)
                continue
            status = step.check(g, k)
            if status is Status.UNSAT:
                results[p.name] = self._proved(p, g, k, t0)
            elif not isinstance(status, Status):
                results[p.name] = self._unknown(p, status, k - 1, t0)
            if p.name in results and g in base.open:
                base.open.remove(g)  # decided: the base case need not search it further
        return len(results) == len(props)

    def _proved(self, p: ir.Property, g: Goal, k: int, t0: float) -> PropertyResult:
        verdict = Verdict.UNREACHABLE if p.kind is ir.PropKind.REACHABLE else Verdict.PROVED
        cert = None
        if k == 1:
            inv = self.enc.true() if g.kind is GoalKind.ERROR else self.enc.neg(self.enc.state_goal(g, self.enc.state(0)))
            text = "true" if p.expr is None else (
                f"!({print_ir_expr(p.expr)})" if p.kind is ir.PropKind.REACHABLE else print_ir_expr(p.expr))
            cert = build_certificate(self.enc, self.name, g, inv, text)
        return PropertyResult(p.name, p.kind, verdict, self.name, time.monotonic() - t0, depth=k,
                              reason=f"{k}-inductive", certificate=cert, assumptions=assumption_names(self.inst))

    def _unknown(self, p: ir.Property, reason: str, depth: int, t0: float) -> PropertyResult:
        return PropertyResult(p.name, p.kind, Verdict.UNKNOWN, self.name, time.monotonic() - t0,
                              depth=max(depth, 0), reason=f"{reason} (step case at k={depth + 1})",
                              assumptions=assumption_names(self.inst))

    def _not_inductive(self, p: ir.Property, f: Finding, max_k: int, t0: float) -> PropertyResult:
        r = property_result(p, f, self.name, self.inst)
        why = f"not k-inductive for k <= {max_k}; {r.reason}"
        return PropertyResult(p.name, p.kind, r.verdict, self.name, time.monotonic() - t0, depth=r.depth,
                              reason=why, assumptions=r.assumptions)
