"""What failed, in the terms of the model: which binding of a violated invariant fails (`p=page1`
beside a VIOLATED, so a reader of a `forall p: Page :: ...` counterexample does not have to find
the page in the last state), and which value a range violation's assignment tried to store.

The invariant is taken apart on the violating state: a `forall` is refuted by its first element
(in sort order) for which the body is false, an implication whose premise holds by its
conclusion, a conjunction by its first false conjunct; the walk stops at anything else. Every
step is decided by the interpreter, so the binding is as trustworthy as a replayed trace.
"""

from __future__ import annotations

from checker.interp.semantics import Semantics, Violation
from checker.result import State, Trace, loc_text
from spec import ir
from spec.irutil import subst
from spec.ops import BinOp, QuantKind


def failing_binding(sem: Semantics, expr: ir.Expr, state: State) -> tuple[tuple[str, ir.Value], ...]:
    """The `forall` binders (outermost first) and the values for which `expr` fails in `state`;
    () when `expr` holds there or has no `forall` on the way to what fails."""
    out: list[tuple[str, ir.Value]] = []
    e = expr
    while True:
        if isinstance(e, ir.Quant) and e.kind is QuantKind.FORALL:
            found = _first_refuting(sem, e, state)
            if found is None:
                break
            out.append((e.var, found[0]))
            e = found[1]
        elif isinstance(e, ir.Binary) and e.op is BinOp.IMPLIES and sem.holds(e.lhs, state):
            e = e.rhs
        elif isinstance(e, ir.Binary) and e.op is BinOp.AND:
            e = e.lhs if not sem.holds(e.lhs, state) else e.rhs
        else:
            break
    return tuple(out)


def _first_refuting(sem: Semantics, q: ir.Quant, state: State) -> tuple[ir.Value, ir.Expr] | None:
    for v in sem.instance.domain(q.domain):
        body = subst(q.body, {q.var: ir.lit(v)})
        if not sem.holds(body, state):
            return v, body
    return None


def attempted_values(sem: Semantics, trace: Trace) -> tuple[tuple[str, int], ...]:
    """The locations and values the failing step of `trace` (a range violation) tried to store:
    its action re-run by the interpreter on the state before it. () when the trace does not end
    in a failure, or the check is not an assignment's range check."""
    f = trace.failure
    if f is None or trace.steps[-1].state is not None:
        return ()
    last = trace.steps[-1]
    if len(trace.steps) == 1:
        outs = list(sem.initial_fast())
    else:
        before = trace.steps[-2].state
        idx = sem.index_of(last.action or "", last.args)
        if before is None or idx is None:
            return ()
        outs = sem.runners[idx](sem.from_state(before))
    tried = (o.attempted for o in outs if isinstance(o, Violation) and o.prop == f.prop)
    return tuple((loc_text(sem.layout.locs[k]), v) for k, v in dict.fromkeys(t for t in tried if t is not None))
