"""Unbounded proofs with Z3's Spacer (PDR/IC3 over constrained Horn clauses).

The CHC system (encode.Encoding.horn) has one predicate over a state: init -> Inv,
Inv & trans -> Inv', Inv & goal -> false. Spacer answering "sat" gives an inductive invariant:
it becomes the certificate (readable invariant + SMT-LIB2 initiation / consecution / safety
queries), and the verdict is PROVED (UNREACHABLE for a reachable goal) only after every query
has been re-checked unsat in a fresh Z3 context. When Spacer finds the goal reachable, this
engine does not decode Spacer's derivation: it hands the goal to BMC, which returns the
shortest trace (so every VIOLATED / REACHED verdict carries a replayable trace).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from checker import smt
from checker.bmc import assumption_names, property_result, search
from checker.certificate import build_certificate, certificate_failure
from checker.encode import Encoding, Formula, Goal, goal_of
from checker.result import Budget, PropertyResult, Verdict
from spec import ir

CEX_MAX_DEPTH = 1000  # BMC depth limit when reconstructing a counterexample Spacer found


def _passed(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


class Pdr:
    name = "pdr"

    def __init__(self, inst: ir.Instance, enc: Encoding | None = None):
        self.inst = inst
        self.enc = enc or Encoding(inst)

    def check(self, props: Sequence[ir.Property], budget: Budget) -> list[PropertyResult]:
        return [self._one(p, budget) for p in props]

    def _one(self, p: ir.Property, budget: Budget) -> PropertyResult:
        t0 = time.monotonic()
        goal = goal_of(p)
        trivial = smt.check_formula(self.enc, self.enc.anywhere(goal), budget.deadline)
        if trivial.status is smt.Status.UNSAT:  # impossible in any state: `true` is the invariant
            return self._proved(p, goal, self.enc.true(), t0, budget)
        if trivial.status is smt.Status.UNKNOWN and _passed(budget.deadline):
            return self._result(p, Verdict.UNKNOWN, t0, reason=f"{trivial.reason} (before Spacer started)")
        res = smt.solve_horn(self.enc, self.enc.horn(goal), budget.deadline)
        if res.status is smt.Status.UNSAT:
            found = search(self.enc, [goal], CEX_MAX_DEPTH, budget.deadline)[goal]
            r = property_result(p, found, self.name, self.inst)
            if r.verdict is Verdict.HOLDS_TO_DEPTH:  # impossible unless the depth limit was hit
                return self._result(p, Verdict.UNKNOWN, t0, reason="Spacer found the goal reachable, "
                                    f"but BMC found no trace within depth {CEX_MAX_DEPTH}")
            return PropertyResult(p.name, p.kind, r.verdict, self.name, time.monotonic() - t0, r.depth, r.trace,
                                  r.reason, assumptions=r.assumptions)
        if res.status is smt.Status.UNKNOWN or res.invariant is None:
            return self._result(p, Verdict.UNKNOWN, t0, reason=f"Spacer: {res.reason or 'no invariant'}")
        return self._proved(p, goal, res.invariant, t0, budget)

    def _proved(self, p: ir.Property, goal: Goal, inv: Formula, t0: float, budget: Budget) -> PropertyResult:
        """PROVED (UNREACHABLE) only once the certificate of `inv` re-checks in a fresh context."""
        cert = build_certificate(self.enc, self.name, goal, inv)
        failure = certificate_failure(cert, budget.deadline)
        if failure is not None:
            return self._result(p, Verdict.UNKNOWN, t0, reason=f"the invariant did not re-check: {failure}")
        verdict = Verdict.UNREACHABLE if p.kind is ir.PropKind.REACHABLE else Verdict.PROVED
        return self._result(p, verdict, t0, reason="inductive invariant found and re-checked", certificate=cert)

    def _result(self, p: ir.Property, verdict: Verdict, t0: float, **kw: object) -> PropertyResult:
        return PropertyResult(p.name, p.kind, verdict, self.name, time.monotonic() - t0,  # type: ignore[arg-type]
                              assumptions=assumption_names(self.inst), **kw)
