"""The interpreter's check of a liveness counterexample (a lasso, checker/explicit/liveness.py):
after checker/interp/replay.py has confirmed every step, that the loop closes, that it is fair
(docs/semantics.md, Liveness), and that the behaviour it stands for breaks the property for some
value of the property's binders. Written from the semantics, not from the search: it asks the
interpreter which action instances each loop state enables.
"""

from __future__ import annotations

import itertools

from checker.interp.semantics import Semantics
from checker.result import State, Trace
from spec import ir
from spec.irutil import subst
from spec.ops import Fairness


def lasso_mismatch(sem: Semantics, prop: ir.Property, trace: Trace) -> str | None:
    """None when `trace` is a fair lasso that violates `prop`, else why not."""
    live, k = prop.live, trace.loop_start
    if live is None or k is None or not 0 <= k < len(trace.steps):
        return "it is not a lasso (no loop start)"
    states = [s.state for s in trace.steps]
    if any(s is None for s in states):
        return "a step has no state"
    path: list[State] = [s for s in states if s is not None]
    if path[-1] != path[k]:
        return f"the loop does not close: the last state differs from state {k}"
    unfair = _unfair(sem, path[k:], {(s.action, s.args) for s in trace.steps[k + 1:]})
    if unfair is not None:
        return unfair
    for values in itertools.product(*(sem.instance.domain(t) for _, t in live.binders)):
        env: dict[str, ir.Expr] = {n: ir.Lit(v, t) for (n, t), v in zip(live.binders, values, strict=True)}
        if _violates(sem, live, env, path, k):
            return None
    return "the behaviour it stands for does not violate the property"


def _unfair(sem: Semantics, loop: list[State], taken: set[tuple[str | None, tuple]]) -> str | None:
    fairness = {a.name: a.fairness for a in sem.instance.model.actions if a.fairness is not None}
    for ai in sem.action_instances():
        kind = fairness.get(ai.action)
        if kind is None or (ai.action, ai.args) in taken:
            continue
        on = [any(isinstance(o, State) for o in sem.outcomes(s, ai)) for s in loop]
        if kind is Fairness.WEAK and all(on):
            return f"the loop is not fair: `{ai}` is weakly fair, enabled in every state of the loop and never taken"
        if kind is Fairness.STRONG and any(on):
            return f"the loop is not fair: `{ai}` is strongly fair, enabled in the loop and never taken"
    return None


def _violates(sem: Semantics, live: ir.Live, env: dict[str, ir.Expr], path: list[State], k: int) -> bool:
    q = subst(live.q, env)
    never_q = [not sem.holds(q, s) for s in path]
    if live.form is ir.LiveForm.INFINITELY_OFTEN:
        return all(never_q[k:])
    if live.form is ir.LiveForm.EVENTUALLY:
        return all(never_q)
    assert live.p is not None
    p = subst(live.p, env)
    # from a state with P on, never Q again: in the loop that means in the whole loop
    return any(sem.holds(p, path[j]) and all(never_q[min(j, k):]) for j in range(len(path)))
