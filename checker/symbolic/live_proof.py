"""Liveness proofs by liveness-to-safety and Spacer (checker/solver/l2s.py): ir.Instance x
LIVENESS properties x Budget -> PropertyResults, PROVED or UNKNOWN (never VIOLATED: Spacer's
derivation of a fair lasso is not decoded into a trace; lasso-shaped BMC finds the trace).

Each value of a property's binders is one CHC system; the property is PROVED when every one
has an invariant and that invariant passes every clause in a fresh solver (`check_solution`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

from checker.result import Budget, PropertyResult, Verdict
from checker.solver.deadline import ENCODING_TIMEOUT, EncodingTimeout
from checker.solver.encode import Encoding
from checker.solver.l2s import check_solution, l2s_system
from checker.solver.smt import Status, solve_horn
from spec import ir
from spec.irutil import subst

ENGINE = "pdr"


def prove_liveness(inst: ir.Instance, props: Sequence[ir.Property], budget: Budget,
                   enc: Encoding | None = None) -> list[PropertyResult]:
    enc = enc or Encoding(inst)
    out = []
    with enc.until(budget.deadline):
        for p in props:
            t0 = time.monotonic()
            try:
                why = _prove(enc, inst, p, budget.deadline)
            except EncodingTimeout:
                why = ENCODING_TIMEOUT
            if why is None:
                out.append(PropertyResult(p.name, p.kind, Verdict.PROVED, ENGINE, time.monotonic() - t0,
                                          reason="no fair behaviour violates it: liveness to safety, proved by "
                                                 "Spacer, its invariant re-checked clause by clause"))
            else:
                out.append(PropertyResult(p.name, p.kind, Verdict.UNKNOWN, ENGINE, time.monotonic() - t0, reason=why))
    return out


def _prove(enc: Encoding, inst: ir.Instance, prop: ir.Property, deadline: float | None) -> str | None:
    """None when proved for every value of the binders, else why not."""
    live = prop.live
    assert live is not None
    for values in itertools.product(*(inst.domain(t) for _, t in live.binders)):
        env: dict[str, ir.Expr] = {n: ir.Lit(v, t) for (n, t), v in zip(live.binders, values, strict=True)}
        bound = ", ".join(f"{n}={ir.format_value(v)}" for (n, _), v in zip(live.binders, values, strict=True))
        at = f" for {bound}" if bound else ""
        system = l2s_system(enc, live, subst(live.q, env), subst(live.p, env) if live.p is not None else None)
        res = solve_horn(enc, system.horn, deadline)
        if res.status is Status.UNSAT:
            return f"Spacer found a fair behaviour that violates it{at} (liveness to safety); no trace from it"
        if res.status is not Status.SAT or res.invariant is None:
            return f"liveness to safety{at}: {res.reason or 'no invariant'}"
        why = check_solution(enc, system, res.invariant, deadline)
        if why is not None:
            return f"liveness to safety{at}: Spacer's invariant was not confirmed: {why}"
    return None
