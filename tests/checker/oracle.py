"""A reference for the symbolic engines: breadth-first search in the Python semantics
(checker/interp/semantics.py), giving the shortest depth of every property event up to a bound."""

from __future__ import annotations

from checker.interp.semantics import Semantics, Violation
from spec import ir


def shortest_depths(inst: ir.Instance, max_depth: int | None = None) -> dict[str, int]:
    """Property name -> the shortest trace depth (<= max_depth; None: the whole state space) at
    which it is violated (or, for a reachable goal, reached). Properties without one are absent."""
    sem = Semantics(inst)
    state_props = [(p, sem.predicate(p.expr)) for p in inst.model.properties if p.expr is not None]
    found: dict[str, int] = {}

    def visit(s: tuple[int, ...], depth: int) -> None:
        for p, pred in state_props:
            bad = pred(s) if p.kind is ir.PropKind.REACHABLE else not pred(s)
            if bad and p.name not in found:
                found[p.name] = depth

    frontier: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()
    for o in sem.initial_fast():
        if isinstance(o, Violation):
            found.setdefault(o.prop, 0)
        elif o not in seen:
            seen.add(o)
            frontier.append(o)
            visit(o, 0)
    depth = 0
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        nxt: list[tuple[int, ...]] = []
        for s in frontier:
            for run in sem.runners:
                for o in run(s):
                    if isinstance(o, Violation):
                        found.setdefault(o.prop, depth)
                    elif o not in seen:
                        seen.add(o)
                        nxt.append(o)
                        visit(o, depth)
        frontier = nxt
    return found
