"""Unbounded proofs with Z3's Spacer (PDR/IC3 over constrained Horn clauses).

The CHC system (encode.Encoding.horn) has one predicate over a state: init -> Inv,
Inv & trans -> Inv', Inv & goal -> false. Spacer answering "sat" gives an inductive invariant:
it becomes the certificate (readable invariant + SMT-LIB2 initiation / consecution / safety
queries), and the verdict is PROVED (UNREACHABLE for a reachable goal) only after every query
has been re-checked unsat in a fresh Z3 context.

Safety properties (invariants, asserts, ranges) are solved together: one Spacer run and one
invariant for all of them, which is much cheaper than one run each (bench/symbolic_bench.py).
When Spacer finds some goal reachable, this engine does not decode Spacer's derivation: BMC
finds the shallowest violations (shortest, replayable traces), those properties drop out, and
Spacer runs again on the rest. Reachable goals are solved one by one (they are usually reached,
by BMC, before a proof is attempted).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from checker import smt
from checker.bmc import assumption_names, property_result, search
from checker.certificate import build_certificate
from checker.encode import Domains, Encoding, Formula, Goal, goal_of
from checker.result import Budget, Certificate, PropertyResult, Verdict
from spec import ir

CEX_MAX_DEPTH = 1000  # BMC depth limit when reconstructing a counterexample Spacer found


def _passed(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


class Pdr:
    name = "pdr"

    def __init__(self, inst: ir.Instance, enc: Encoding | None = None):
        self.inst = inst
        self.enc = (enc or Encoding(inst)).with_domains(Domains.THEORIES)
        self._checked: dict[str, smt.SatResult] = {}  # certificate queries already re-checked, by text

    def check(self, props: Sequence[ir.Property], budget: Budget) -> list[PropertyResult]:
        t0 = time.monotonic()
        self._checked = {}
        results: dict[str, PropertyResult] = {}
        open_: list[ir.Property] = []
        for p in props:
            r = self._trivial(p, t0, budget)
            if r is not None:
                results[p.name] = r
            elif p.kind is ir.PropKind.REACHABLE:
                results[p.name] = self._solve([p], t0, budget)[p.name]
            else:
                open_.append(p)
        while open_:
            found = self._solve(open_, t0, budget)
            results.update(found)
            open_ = [p for p in open_ if p.name not in found]
        return [results[p.name] for p in props]

    def _trivial(self, p: ir.Property, t0: float, budget: Budget) -> PropertyResult | None:
        """A goal impossible in every state (given types and assumes) has `true` as its invariant."""
        goal = goal_of(p)
        res = smt.check_formula(self.enc, self.enc.anywhere(goal), budget.deadline)
        if res.status is smt.Status.UNSAT:
            return self._proved(p, goal, self.enc.true(), t0, budget)
        if res.status is smt.Status.UNKNOWN and _passed(budget.deadline):
            return self._result(p, Verdict.UNKNOWN, t0, reason=f"{res.reason} (before Spacer started)")
        return None

    def _solve(self, props: list[ir.Property], t0: float, budget: Budget) -> dict[str, PropertyResult]:
        """One Spacer run for `props`: all proved, or the shallowest violations (others stay open),
        or all unknown."""
        goals = {p.name: goal_of(p) for p in props}
        res = smt.solve_horn(self.enc, self.enc.horn(list(goals.values())), budget.deadline)
        if res.status is smt.Status.SAT and res.invariant is not None:
            return {p.name: self._proved(p, goals[p.name], res.invariant, t0, budget) for p in props}
        if res.status is smt.Status.UNKNOWN:
            return {p.name: self._result(p, Verdict.UNKNOWN, t0, reason=f"Spacer: {res.reason}") for p in props}
        found = search(self.enc.with_domains(Domains.BITS), list(goals.values()), CEX_MAX_DEPTH, budget.deadline,
                       first_only=True)
        out: dict[str, PropertyResult] = {}
        for p in props:
            f = found[goals[p.name]]
            if f.trace is not None:
                r = property_result(p, f, self.name, self.inst)
                out[p.name] = PropertyResult(p.name, p.kind, r.verdict, self.name, time.monotonic() - t0, r.depth,
                                             r.trace, assumptions=r.assumptions)
        if not out:  # BMC ran out of depth or time: nothing more can be said about any of them
            why = next((f.reason for f in found.values() if f.reason), None) or \
                f"no trace within depth {CEX_MAX_DEPTH}"
            return {p.name: self._result(p, Verdict.UNKNOWN, t0, reason="Spacer found a violation among these "
                                         f"properties, but BMC could not reconstruct it ({why})") for p in props}
        return out

    def _proved(self, p: ir.Property, goal: Goal, inv: Formula, t0: float, budget: Budget) -> PropertyResult:
        """PROVED (UNREACHABLE) only once the certificate of `inv` re-checks in a fresh context."""
        cert = build_certificate(self.enc, self.name, goal, inv)
        failure = self._recheck(cert, budget.deadline)
        if failure is not None:
            return self._result(p, Verdict.UNKNOWN, t0, reason=f"the invariant did not re-check: {failure}")
        verdict = Verdict.UNREACHABLE if p.kind is ir.PropKind.REACHABLE else Verdict.PROVED
        return self._result(p, verdict, t0, reason="inductive invariant found and re-checked", certificate=cert)

    def _recheck(self, cert: Certificate, deadline: float | None) -> str | None:
        for name, text in cert.smt2.items():
            if text not in self._checked:  # initiation / consecution are shared by a joint proof
                self._checked[text] = smt.check_smtlib(text, deadline)
            res = self._checked[text]
            if res.status is not smt.Status.UNSAT:
                return f"certificate query `{name}` is {res.status.value}" + (f" ({res.reason})" if res.reason else "")
        return None

    def _result(self, p: ir.Property, verdict: Verdict, t0: float, **kw: object) -> PropertyResult:
        return PropertyResult(p.name, p.kind, verdict, self.name, time.monotonic() - t0,  # type: ignore[arg-type]
                              assumptions=assumption_names(self.inst), **kw)
