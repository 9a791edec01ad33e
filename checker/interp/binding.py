"""Which binding of a violated invariant fails: `p=page1` beside a VIOLATED, so a reader of a
`forall p: Page :: ...` counterexample does not have to find the page in the last state.

The invariant is taken apart on the violating state: a `forall` is refuted by its first element
(in sort order) for which the body is false, an implication whose premise holds by its
conclusion, a conjunction by its first false conjunct; the walk stops at anything else. Every
step is decided by the interpreter, so the binding is as trustworthy as a replayed trace.
"""

from __future__ import annotations

from checker.interp.semantics import Semantics
from checker.result import State
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
