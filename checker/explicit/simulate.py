"""Seeded random walks on the interpreter, for bugs too deep for BMC and in state spaces too large
for the explicit engine; Instance x properties x Budget -> PropertyResult per property.

    Simulator(inst, seed=0, walks=DEFAULT_WALKS).check(props, Budget(deadline=..., max_depth=...))

A walk starts at a random initial state (drawn from all of them when there are few enough
candidate assignments to enumerate, else sampled) and takes up to `max_depth` (default
DEFAULT_DEPTH) random steps, each uniformly among every outcome of every enabled action instance.
At every state it visits, every successor is looked at, not only the one taken: a failing check
among them, or a successor breaking an invariant or reaching a goal, ends the search for that
property with the walk so far plus that step as its trace (detours back to a visited state cut
out). Walks go on until every property is found, `walks` walks were made (None: DEFAULT_WALKS), or
the deadline passes. A walk stops early at a state without successors.

Simulation never proves anything: a property not found is UNKNOWN ("not found in N random walks
of up to D steps"), never PROVED, UNREACHABLE or HOLDS TO DEPTH. Traces are real (the scheduler
replays them) but not the shortest. The same seed gives the same walks and traces.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from checker.explicit.witness import ChoiceFinder
from checker.interp.semantics import FastState, LimitExceeded, Semantics, Violation
from checker.result import Budget, Failure, PropertyResult, Step, Trace, Verdict
from spec import ir

DEFAULT_DEPTH = 100  # steps per walk
DEFAULT_WALKS = 1_000
PROGRESS_S = 0.25
MAX_INITIAL = 100_000  # candidate initial assignments enumerated to draw from; past that, sampled
SAMPLE_TRIES = 100  # sampled assignments per walk before giving up on finding an initial state
Path = list[tuple[int, FastState]]  # (action instance, state) after the initial state
Preds = list[tuple[str, bool, Callable[[FastState], Any]]]  # name, value that means found, predicate


@dataclass
class _Found:
    path: Path  # the walk up to the state the property was found at (or before the failing step)
    start: FastState
    failing: tuple[int, Violation] | None = None  # the step that failed a check


class Simulator:
    name = "simulate"

    def __init__(self, inst: ir.Instance, *, seed: int = 0, walks: int | None = None,
                 progress: Callable[[str], None] | None = None) -> None:
        self.instance = inst
        self.sem = Semantics(inst)
        self.seed = seed
        self.walks = walks if walks is not None else DEFAULT_WALKS
        self.progress = progress  # told how far it got, at most every PROGRESS_S seconds
        self._choices = ChoiceFinder(self.sem)

    def check(self, props: Sequence[ir.Property], budget: Budget) -> list[PropertyResult]:
        t0 = time.monotonic()
        depth = budget.max_depth if budget.max_depth is not None else DEFAULT_DEPTH
        rng = random.Random(self.seed)
        found: dict[str, _Found] = {}
        try:
            draw = self._starts(rng, found, budget.deadline)
        except LimitExceeded as err:
            return self._unknown(props, f"no walk was made: {err}", t0)
        preds = self._predicates(props)
        made = 0
        why = ""
        told = t0
        while len(found) < len(props) and made < self.walks:
            now = time.monotonic()
            if budget.deadline is not None and now > budget.deadline:
                why = "the time limit was reached"
                break
            if self.progress is not None and now - told >= PROGRESS_S:
                self.progress(f"simulate: {made:,} of {self.walks:,} walks, {len(found)} of {len(props)} found")
                told = now
            start = draw()
            if start is None:
                why = "no initial state was found"
                break
            self._walk(start, depth, preds, found, rng, budget.deadline)
            made += 1
        reason = f"not found in {made} random walk{'s' if made != 1 else ''} of up to {depth} steps " \
                 f"(seed {self.seed}{'; ' + why if why else ''}); simulation never proves a property"
        return [self._result(p, found.get(p.name), reason, t0) for p in props]

    def _starts(self, rng: random.Random, found: dict[str, _Found],
                deadline: float | None) -> Callable[[], FastState | None]:
        """A function drawing a random initial state (None: there is none). Up to MAX_INITIAL
        candidate assignments the initial states are enumerated and drawn uniformly; past that each
        walk samples an assignment (up to SAMPLE_TRIES times, as the init block may refuse it).
        Init-block violations met on the way are recorded in `found`."""
        def note(outs: list[Any]) -> list[FastState]:
            for v in (o for o in outs if isinstance(o, Violation)):
                found.setdefault(v.prop, _Found([], b"", (-1, v)))
            return [o for o in outs if not isinstance(o, Violation)]

        if self.sem.candidate_count() <= MAX_INITIAL:
            starts = note(self.sem.initial_fast(limit=MAX_INITIAL, deadline=deadline))
            return lambda: rng.choice(starts) if starts else None

        def sample() -> FastState | None:
            for _ in range(SAMPLE_TRIES):
                states = note(self.sem.initial_sample(partial(_pick, rng)))
                if states:
                    return rng.choice(states)
            return None
        return sample

    def _predicates(self, props: Sequence[ir.Property]) -> Preds:
        """Invariants are found when false, goals when true."""
        return [(p.name, p.kind is ir.PropKind.REACHABLE, self.sem.predicate(p.expr))
                for p in props if p.expr is not None]

    def _walk(self, s: FastState, depth: int, preds: Preds, found: dict[str, _Found], rng: random.Random,
              deadline: float | None) -> None:
        start = s
        path: Path = []
        _look(s, path, None, start, preds, found)
        for _ in range(depth):
            outs = [(i, o) for expand in self.sem.expanders for i, olist in expand(s) for o in olist]
            succ = []
            for i, o in outs:
                if isinstance(o, Violation):
                    if o.prop not in found:
                        found[o.prop] = _Found(list(path), start, (i, o))
                    continue
                succ.append((i, o))
                _look(o, path, (i, o), start, preds, found)
            if not succ or (deadline is not None and time.monotonic() > deadline):
                return
            i, s = rng.choice(succ)
            path.append((i, s))

    # ------------------------------------------------------------------ results

    def _result(self, p: ir.Property, f: _Found | None, reason: str, t0: float) -> PropertyResult:
        base = dict(prop=p.name, kind=p.kind, engine=self.name, time_s=time.monotonic() - t0,
                    assumptions=tuple(a.name for a in self.instance.model.assumes))
        if f is None:
            return PropertyResult(verdict=Verdict.UNKNOWN, reason=reason, **base)  # type: ignore[arg-type]
        trace = self._trace(f)
        verdict = Verdict.REACHED if p.kind is ir.PropKind.REACHABLE else Verdict.VIOLATED
        return PropertyResult(verdict=verdict, depth=trace.depth, trace=trace, **base)  # type: ignore[arg-type]

    def _trace(self, f: _Found) -> Trace:
        if f.failing is not None and f.failing[0] < 0:  # the init block failed
            return Trace((Step(None, (), None),), _failure(f.failing[1]))
        ais = self.sem.action_instances()
        steps = [Step(None, (), self.sem.to_state(f.start))]
        prev = f.start
        for i, s in _without_cycles(f.start, f.path):
            ai = ais[i]
            steps.append(Step(ai.action, ai.args, self.sem.to_state(s), self._choices.choices(i, prev, s)))
            prev = s
        if f.failing is None:
            return Trace(tuple(steps))
        i, v = f.failing
        steps.append(Step(ais[i].action, ais[i].args, None))
        return Trace(tuple(steps), _failure(v))

    def _unknown(self, props: Sequence[ir.Property], reason: str, t0: float) -> list[PropertyResult]:
        return [self._result(p, None, reason, t0) for p in props]


def _pick(rng: random.Random, codes: Sequence[int]) -> int:
    """One of `codes`, uniformly (the same draw as `rng.choice`); a range's length is not taken, as
    `len` cannot count 0..9223372036854775807."""
    if isinstance(codes, range):
        return codes.start + rng.randrange(codes.stop - codes.start)
    return rng.choice(codes)


def _without_cycles(start: FastState, path: Path) -> Path:
    """`path` with every detour that comes back to a state it already visited cut out (a random
    walk revisits states often; the shorter trace is still a trace, ending in the same state)."""
    at = {start: 0}  # state -> its position (0: the initial state)
    out: Path = []
    for i, s in path:
        k = at.get(s)
        if k is None:
            out.append((i, s))
            at[s] = len(out)
        else:
            for _i, dropped in out[k:]:
                del at[dropped]
            del out[k:]
    return out


def _look(s: FastState, path: Path, step: tuple[int, FastState] | None, start: FastState, preds: Preds,
          found: dict[str, _Found]) -> None:
    """Record the properties `s` (reached by `path`, then `step`) breaks or reaches."""
    for name, when, pred in preds:
        if name not in found and bool(pred(s)) is when:
            found[name] = _Found(path + [step] if step is not None else list(path), start)


def _failure(v: Violation) -> Failure:
    return Failure(v.prop, v.message, v.span)
