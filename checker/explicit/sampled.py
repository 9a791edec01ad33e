"""Refuting candidate lemmas cheaply: a lemma false in some reachable state, at any size, is in no
inductive invariant for all sizes, so it can be dropped before the all-sizes Houdini
(checker/solver/houdini_all.py) spends solver queries on it.

Breadth-first searches of the instance resized (every sort at 1, then 2, then 3 elements), each
stopped by a state budget: the states seen are reachable whether or
not a search is exhaustive, so every refutation is definite. Nothing here proves anything.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from checker.explicit.engine import ExplicitEngine
from checker.result import Budget, Trace, Verdict
from spec import ir

SIZES = (1, 2, 3)  # elements per sort of the resized instances, smallest first
MAX_STATES = 5_000  # per resized instance: enough to refute most wrong lemmas, cheap to search


@dataclass(frozen=True)
class Refutation:
    """A lemma is false in the last state of `trace`, a shortest run of `inst`."""

    inst: ir.Instance
    trace: Trace


def refuted(inst: ir.Instance, lemmas: Sequence[ir.Expr], deadline: float | None,
            sizes: Sequence[int] = SIZES, max_states: int = MAX_STATES) -> dict[int, Refutation]:
    """The indices of `lemmas` false in some reachable state of `inst` resized to each of `sizes`
    (a lemma must not name sort elements: it is read at sizes other than its own), each with the
    run that reaches such a state."""
    out: dict[int, Refutation] = {}
    for k in sizes:
        left = [i for i in range(len(lemmas)) if i not in out]
        if not left or (deadline is not None and time.monotonic() >= deadline):
            break
        resized = replace(inst, sizes=tuple((s, k) for s, _ in inst.sizes))
        props = [ir.Property(f"lemma{i}", ir.PropKind.INVARIANT, None, lemmas[i]) for i in left]
        outcome = ExplicitEngine(resized).check(props, Budget(deadline=deadline, max_states=max_states))
        for i, r in zip(left, outcome.results, strict=True):
            if r.verdict is Verdict.VIOLATED and r.trace is not None:
                out[i] = Refutation(resized, r.trace)
    return out
