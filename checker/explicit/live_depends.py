"""Why a liveness property is PROVED by the explicit engine: the fairness assumptions its proof
needs (issue 14; safety proofs are explained from unsat cores, checker/solver/depends.py).

Dropping the fairness of an action changes which cycles of the state graph count as fair, not
the graph, so every candidate set is re-checked on the graph the proof was made on: a fair
action is listed when the proof needs it. The set is found by QuickXplain (Junker 2004) and
then checked as a whole once more: with the fairness of every action not listed dropped at once,
the property is still PROVED. Guards, assignments and initial values are not analysed for
liveness (the result says so): weakening them changes the graph, and re-checking tdx.spec's
L2 with the weakened elements of its cone of influence took 6-17 s a check, hundreds of checks
(docs/decisions/0030-liveness-depends-on-fairness.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from checker.result import Dependency
from spec import ir

SCOPE = ("fairness assumptions only: the guards, assignments and initial values a liveness proof "
         "rests on are not analysed")


def needed_fairness(actions: Sequence[ir.Action], holds: Callable[[frozenset[str]], bool],
                    deadline: float | None) -> tuple[Dependency, ...] | None:
    """The fair actions (by name) whose fairness `holds` needs: `holds(names)` says whether the
    proof stands with only the actions in `names` fair. None when out of time."""
    fair = [a for a in actions if a.fairness is not None]
    texts = {a.name: f"{a.fairness.value} action {a.name}" for a in actions if a.fairness is not None}

    def check(names: list[str]) -> bool:
        if deadline is not None and time.monotonic() >= deadline:
            raise _OutOfTime
        return holds(frozenset(names))

    try:
        found = [] if check([]) else _quickxplain(check, [a.name for a in fair])
        if found and not check(found):  # no monotonicity was assumed in what is claimed
            found = [a.name for a in fair]
    except _OutOfTime:
        return None
    by_name = {a.name: a for a in fair}
    return tuple(Dependency("fair", n, by_name[n].span, texts[n])
                 for n in sorted(found, key=lambda n: (by_name[n].span.file, by_name[n].span.line)))


class _OutOfTime(Exception):
    pass


def _quickxplain(holds: Callable[[list[str]], bool], cands: list[str]) -> list[str]:
    """A small subset X of `cands` with holds(X), for a proof that needs some of them (QuickXplain's
    recursion: about k log n checks for k needed among n)."""

    def qx(b: list[str], delta: bool, c: list[str]) -> list[str]:
        if delta and holds(b):
            return []
        if len(c) == 1:
            return list(c)
        c1, c2 = c[:len(c) // 2], c[len(c) // 2:]
        x2 = qx(b + c1, bool(c1), c2)
        x1 = qx(b + x2, bool(x2), c1)
        return x1 + x2

    return qx([], False, cands)
