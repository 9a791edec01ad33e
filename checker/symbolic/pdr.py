"""Unbounded proofs with Z3's Spacer (PDR/IC3 over constrained Horn clauses).

The CHC system (encode.Encoding.horn) has one predicate over a state: init -> Inv,
Inv & trans -> Inv', Inv & goal -> false. An inductive invariant becomes the certificate
(readable invariant + SMT-LIB2 initiation / consecution / safety queries), and the verdict is
PROVED (UNREACHABLE for a reachable goal) only after every query has been re-checked unsat in a
fresh Z3 context. In order:
1. a goal impossible in every state needs no search (`true` is the invariant);
2. reachable goals are first looked for by BMC up to REACH_DEPTH (they are usually reachable);
3. Spacer runs on copies of the instance with at most 2, then 3, elements per sort, and the
   invariant is generalized by symmetry (checker/symbolic/small_instance.py): Spacer's cost grows fast with
   the number of pages, and this is how 16 pages are proved in seconds;
4. what is left goes to Spacer at full size, with one array per function (Spacer scales much
   better with arrays than with one argument per location: docs/decisions/0004): all safety
   properties in one run (one invariant for all is much cheaper than one run each), reachable
   goals one by one.
Whenever Spacer finds a goal reachable, this engine does not decode Spacer's derivation: BMC
finds the shallowest violations (shortest, replayable traces), those properties drop out, and
the rest are tried again. Building terms stops at the deadline too (checker/solver/deadline.py):
what is still open then is UNKNOWN with ENCODING_TIMEOUT as the reason.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from checker.result import Budget, Certificate, PropertyResult, Verdict
from checker.solver import decode, smt
from checker.solver.deadline import ENCODING_TIMEOUT, EncodingTimeout
from checker.solver.encode import Domains, Encoding, Formula, FunctionEncoding
from checker.solver.goals import Goal, goal_of
from checker.symbolic.bmc import Finding, assumption_names, property_result, search
from checker.symbolic.certificate import build_certificate
from checker.symbolic.small_instance import anywhere, bad_at_zero, from_small_instance
from spec import ir
from spec.printer import print_ir_expr

CEX_MAX_DEPTH = 1000  # BMC depth limit when reconstructing a counterexample Spacer found
REACH_DEPTH = 10  # BMC depth tried on reachable goals before any proof attempt
SMALL_SIZES = (1, 2, 3)  # sort sizes of the small instances whose invariants are generalized
SMALL_SHARE = 0.5  # at most this share of the remaining time for one small-instance step


def _ir_of(enc: Encoding, inv: Formula) -> ir.Expr | None:
    """Spacer's invariant in the IR, for the interpreter's second check; None where the IR cannot
    say it (array terms)."""
    try:
        return decode.to_ir(enc, inv)
    except ValueError:
        return None


def _passed(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def _share(deadline: float | None, share: float) -> float | None:
    if deadline is None:
        return None
    now = time.monotonic()
    return now + max(0.0, deadline - now) * share


class Pdr:
    name = "pdr"

    def __init__(self, inst: ir.Instance, enc: Encoding | None = None):
        self.inst = inst
        base = enc or Encoding(inst)
        self.enc = base.variant(FunctionEncoding.SCALARS, Domains.THEORIES)  # readable invariants
        self.bits = base.variant(FunctionEncoding.SCALARS, Domains.BITS)  # BMC and Houdini
        self.arrays = base.variant(FunctionEncoding.ARRAYS, Domains.THEORIES)  # Spacer at full size
        self._checked: dict[str, smt.SatResult] = {}  # certificate queries already re-checked, by text
        # inductive invariants (IR, real instance) found by earlier calls: a scheduler that asks
        # one property at a time still gets the benefit of a joint proof
        self.invariants: list[ir.Expr] = []

    def check(self, props: Sequence[ir.Property], budget: Budget) -> list[PropertyResult]:
        t0 = time.monotonic()
        self._checked = {}
        results: dict[str, PropertyResult] = {}
        with self.enc.until(budget.deadline):  # and every variant: they share the deadline
            try:
                self._decide(props, t0, budget, results)
            except EncodingTimeout:
                for p in props:
                    if p.name not in results:
                        results[p.name] = self._result(p, Verdict.UNKNOWN, t0, reason=ENCODING_TIMEOUT)
        return [results[p.name] for p in props]

    def _decide(self, props: Sequence[ir.Property], t0: float, budget: Budget,
                results: dict[str, PropertyResult]) -> None:
        """Fill `results` in the order of the module docstring (a timeout leaves the rest out)."""
        for p in props:
            r = self._trivial(p, t0, budget)
            if r is not None:
                results[p.name] = r
        results.update(self._known([p for p in props if p.name not in results], t0, budget))
        reach = [p for p in props if p.name not in results and p.kind is ir.PropKind.REACHABLE]
        results.update(self._traces(reach, REACH_DEPTH, t0, _share(budget.deadline, SMALL_SHARE), False))
        for size in SMALL_SIZES:
            found, gave_up = self._by_symmetry([p for p in props if p.name not in results], size, t0, budget)
            results.update(found)
            if gave_up:  # a bigger small instance will not be easier
                break
        safety = [p for p in props if p.name not in results and p.kind is not ir.PropKind.REACHABLE]
        while safety:
            results.update(self._solve(safety, t0, budget))
            safety = [p for p in safety if p.name not in results]
        for p in props:
            if p.name not in results:
                results.update(self._solve([p], t0, budget))

    def _trivial(self, p: ir.Property, t0: float, budget: Budget) -> PropertyResult | None:
        """A goal impossible in every state (given types and assumes) has `true` as its invariant."""
        goal = goal_of(p)
        res = smt.check_formula(self.enc, anywhere(self.enc, goal), budget.deadline)
        if res.status is smt.Status.UNSAT:
            return self._proved(p, goal, self.enc.true(), t0, budget)
        if res.status is smt.Status.UNKNOWN and _passed(budget.deadline):
            return self._result(p, Verdict.UNKNOWN, t0, reason=f"{res.reason} (before Spacer started)")
        return None

    def _known(self, props: list[ir.Property], t0: float, budget: Budget) -> dict[str, PropertyResult]:
        """Properties an invariant found earlier already implies."""
        out: dict[str, PropertyResult] = {}
        for inv in self.invariants:
            at0 = self.bits.holds(inv, self.bits.state(0))
            for p in props:
                goal = goal_of(p)
                if p.name not in out and self._excludes(at0, goal, budget.deadline):
                    r = self._proved(p, goal, at0, t0, budget, self.bits, print_ir_expr(inv), inv)
                    if r.verdict is not Verdict.UNKNOWN:
                        out[p.name] = r
        return out

    def _excludes(self, inv: Formula, goal: Goal, deadline: float | None) -> bool:
        s0 = self.bits.state(0)
        query = self.bits.conj([inv, self.bits.state_ok(s0), bad_at_zero(self.bits, goal)])
        return smt.check_formula(self.bits, query, deadline).status is smt.Status.UNSAT

    def _traces(self, props: list[ir.Property], depth: int, t0: float, deadline: float | None,
                first_only: bool) -> dict[str, PropertyResult]:
        """Shortest traces found by BMC (bit-vector encoding) within `depth`, for the props found."""
        goals = {p.name: goal_of(p) for p in props}
        found: dict[Goal, Finding] = search(self.bits, list(goals.values()), depth, deadline, first_only) if props else {}
        out = {}
        for p in props:
            f = found[goals[p.name]]
            if f.trace is not None:
                r = property_result(p, f, self.name, self.inst)
                out[p.name] = PropertyResult(p.name, p.kind, r.verdict, self.name, time.monotonic() - t0, r.depth,
                                             r.trace, assumptions=r.assumptions)
        return out

    def _by_symmetry(self, props: list[ir.Property], size: int, t0: float,
                     budget: Budget) -> tuple[dict[str, PropertyResult], bool]:
        """Proofs from the invariant of the instance cut to `size` (checker/symbolic/small_instance.py); when the
        small instance has a violation, BMC looks for it in the real one first. Also says whether
        Spacer gave up on the small instance."""
        out: dict[str, PropertyResult] = {}
        gave_up = False
        while props and not _passed(budget.deadline):
            goals = {p.name: goal_of(p) for p in props}
            small = from_small_instance(self.bits, list(goals.values()), size,
                                        _share(budget.deadline, SMALL_SHARE), budget.deadline)
            if small.status is smt.Status.UNSAT:  # likely a real violation: BMC, shallowest first
                found = self._traces(props, CEX_MAX_DEPTH, t0, _share(budget.deadline, SMALL_SHARE), True)
                if not found:
                    break
                out.update(found)
                props = [p for p in props if p.name not in found]
                continue
            if small.status is smt.Status.SAT and small.invariant is not None:
                self.invariants.append(small.invariant)
                inv = self.bits.holds(small.invariant, self.bits.state(0))
                text = print_ir_expr(small.invariant)
                for p in props:
                    if goals[p.name] in small.excluded:
                        out[p.name] = self._proved(p, goals[p.name], inv, t0, budget, self.bits, text,
                                                   small.invariant)
            gave_up = small.status is smt.Status.UNKNOWN
            break
        return {name: r for name, r in out.items() if r.verdict is not Verdict.UNKNOWN}, gave_up

    def _solve(self, props: list[ir.Property], t0: float, budget: Budget) -> dict[str, PropertyResult]:
        """One Spacer run for `props` at full size: all proved, or the shallowest violations
        (the others stay open), or all unknown."""
        goals = {p.name: goal_of(p) for p in props}
        enc = self.arrays
        res = smt.solve_horn(enc, enc.horn(list(goals.values())), budget.deadline)
        if res.status is smt.Status.UNKNOWN and not _passed(budget.deadline):  # Spacer gave up on arrays
            enc = self.enc
            res = smt.solve_horn(enc, enc.horn(list(goals.values())), budget.deadline)
        if res.status is smt.Status.SAT and res.invariant is not None:
            inv_ir = _ir_of(enc, res.invariant)
            return {p.name: self._proved(p, goals[p.name], res.invariant, t0, budget, enc, inv_ir=inv_ir)
                    for p in props}
        if res.status is smt.Status.UNKNOWN:
            return {p.name: self._result(p, Verdict.UNKNOWN, t0, reason=f"Spacer: {res.reason}") for p in props}
        out = self._traces(props, CEX_MAX_DEPTH, t0, budget.deadline, True)
        if not out:  # BMC ran out of depth or time: nothing more can be said about any of them
            why = "timeout" if _passed(budget.deadline) else f"no trace within depth {CEX_MAX_DEPTH}"
            return {p.name: self._result(p, Verdict.UNKNOWN, t0, reason="Spacer found a violation among these "
                                         f"properties, but BMC could not reconstruct it ({why})") for p in props}
        return out

    def _proved(self, p: ir.Property, goal: Goal, inv: Formula, t0: float, budget: Budget,
                enc: Encoding | None = None, text: str | None = None, inv_ir: ir.Expr | None = None) -> PropertyResult:
        """PROVED (UNREACHABLE) only once the certificate of `inv` re-checks in a fresh context."""
        cert = build_certificate(enc or self.enc, self.name, goal, inv, text, inv_ir)
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

    def _result(self, p: ir.Property, verdict: Verdict, t0: float, **kw: Any) -> PropertyResult:
        return PropertyResult(p.name, p.kind, verdict, self.name, time.monotonic() - t0,
                              assumptions=assumption_names(self.inst), **kw)

