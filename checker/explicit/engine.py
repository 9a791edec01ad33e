"""The explicit-state engine: breadth-first search over the reachable states of an Instance, with
symmetry reduction; ir.Instance x properties x Budget -> ExplicitOutcome.

    engine = ExplicitEngine(inst, symmetry=True, keep_graph=False, deadlock="warn", progress=None,
                            count_orbits=False)
    outcome = engine.check(props, Budget(deadline=..., max_depth=..., max_states=...))
    outcome.results      one PropertyResult per property, in the order given
    outcome.warnings     dead actions (exhaustive searches only), deadlocks, symmetry turned off
    outcome.states / transitions / depth / exhaustive / time_s / coverage / graph
    outcome.stats        the same figures as a SearchStats for reports; with symmetry reduction and
                         count_orbits=True, also the states the stored orbits stand for

Verdicts: INVARIANT -> VIOLATED with a shortest trace, PROVED when the search is exhaustive;
REACHABLE -> REACHED with a shortest witness, UNREACHABLE when exhaustive; ASSERT/RANGE ->
VIOLATED with a trace ending in the failing step, PROVED when exhaustive. A search stopped by a
limit gives HOLDS TO DEPTH d (every trace of at most d steps was checked) for invariants and
checks, and UNKNOWN for goals not reached; never PROVED or UNREACHABLE. The search stops early
once every property is decided (then it is not exhaustive, and no dead-action warning is given),
except with keep_graph=True, where the whole graph is the point.
`progress(states, depth, states_per_s)` is called at most once per `progress_interval` seconds
(default 0.25), checked every 256 states expanded.
`deadlock`: "ignore", "warn" (a `deadlock` warning with a trace) or "error" (the same warning, and
`outcome.deadlock_error` is True). Traces are concrete (mapped back from representatives) and
replay in checker/interp/replay.py. docs/explicit.md describes the engine.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import networkx as nx

from checker.explicit.orbits import MAX_GROUP, OrbitCounter, group_size
from checker.explicit.search import INIT, Found, Goals, GraphSink, Progress, Search
from checker.explicit.symmetry import Symmetry, blockers, permutable_sorts
from checker.explicit.transitions import read_mask
from checker.explicit.witness import ChoiceFinder
from checker.interp.semantics import FastState, Semantics, Violation
from checker.result import Budget, Failure, PropertyResult, SearchStats, Step, Trace, Verdict, Warning_
from spec import ir

DEADLOCK_MODES = ("ignore", "warn", "error")


@dataclass(frozen=True)
class ExplicitOutcome:
    results: tuple[PropertyResult, ...]
    warnings: tuple[Warning_, ...]
    states: int  # states stored (orbit representatives when symmetry is on)
    transitions: int  # successor outcomes generated
    depth: int  # the deepest BFS level reached
    exhaustive: bool
    time_s: float
    coverage: Mapping[str, int]  # action / `ACTION:if@L:C:then|else` / "init" -> outcomes through it
    graph: nx.DiGraph | None
    deadlock_error: bool = False  # deadlock="error" and a deadlock was found
    symmetry: bool = False  # whether reduction was applied
    stats: SearchStats | None = None
    interrupted: bool = False  # Ctrl-C stopped the search: the results are what it had checked


class ExplicitEngine:
    name = "explicit"

    def __init__(self, inst: ir.Instance, *, symmetry: bool = True, keep_graph: bool = False,
                 deadlock: str = "warn", progress: Callable[[int, int, float], None] | None = None,
                 progress_interval: float = 0.25, count_orbits: bool = False) -> None:
        if deadlock not in DEADLOCK_MODES:
            raise ValueError(f"deadlock must be one of {', '.join(DEADLOCK_MODES)}, not {deadlock!r}")
        self.instance = inst
        self.sem = Semantics(inst)
        self.keep_graph = keep_graph
        self.deadlock = deadlock
        self.progress: Progress | None = progress
        self.progress_interval = progress_interval
        self.count_orbits = count_orbits
        self._choices = ChoiceFinder(self.sem)
        self._last: _Exhausted | None = None  # the last exhaustive search, to answer state goals from
        self._notes: list[Warning_] = []
        self.symmetry: Symmetry | None = None
        if symmetry:
            why = blockers(inst)
            if why:
                self._notes.append(Warning_("symmetry-off", "symmetry reduction turned off: " + "; ".join(why)))
            else:
                sym = Symmetry(self.sem)
                self.symmetry = sym if sym.active else None

    def forget(self) -> None:
        """Drop the stored states of the last exhaustive search: the next `check` searches anew
        (benchmarks repeat searches)."""
        self._last = None

    def check(self, props: Sequence[ir.Property], budget: Budget) -> ExplicitOutcome:
        t0 = time.monotonic()
        goals = self._goals(props)
        if self._last is not None and self._last.covers(goals, budget) and not self.keep_graph:
            return self._rescan(props, goals, budget, t0)
        self.sem.coverage.reset()
        canon = self.symmetry.canon if self.symmetry is not None else None
        sink = GraphSink() if self.keep_graph else None
        search = Search(self.sem, canon, goals, budget, graph=sink, deadlocks=self.deadlock != "ignore",
                        progress=self.progress, stop_when_found=bool(props) and not self.keep_graph,
                        progress_interval=self.progress_interval, renamer=self.symmetry)
        search.run()
        coverage = self.sem.coverage.as_dict()
        elapsed = time.monotonic() - t0
        results = tuple(self._result(p, search, elapsed) for p in props)
        warnings = list(self._notes) + self._warnings(search, coverage)
        if self.symmetry is not None and self.symmetry.partial:
            warnings.append(Warning_("symmetry-partial", "symmetry reduction was partial: some states had too many "
                                     "interchangeable sort elements to minimise over, so an orbit may be stored more "
                                     "than once (verdicts are unaffected)"))
        graph = self._graph(search, sink, props) if sink is not None else None
        stats = self._stats(search, time.monotonic() - t0, budget)
        if search.exhaustive and sink is None:
            search.release_caches()
            self._last = _Exhausted(search, coverage, tuple(warnings))
        return ExplicitOutcome(results, tuple(warnings), len(search.visited), search.transitions,
                               search.max_depth_seen, search.exhaustive, stats.time_s, coverage, graph,
                               self.deadlock == "error" and search.deadlock is not None, self.symmetry is not None,
                               stats, search.interrupted)

    def _rescan(self, props: Sequence[ir.Property], goals: Goals, budget: Budget, t0: float) -> ExplicitOutcome:
        """Decide state properties (invariants, goals: the dead-action guards the scheduler asks
        for after a first search) over the states an exhaustive search already stored, in their
        discovery (breadth-first) order, so the first state found is a shallowest one, exactly as
        a new search would find it. No states are expanded: no search statistics."""
        last = self._last
        assert last is not None
        search = copy.copy(last.search)
        search.found = {}
        for n, c in enumerate(search.visited):
            if n & 4095 == 0 and budget.deadline is not None and time.monotonic() > budget.deadline:
                return self._timed_out(props, search, t0)
            for name, pred, _mask in goals.invariants:
                if name not in search.found and not pred(c):
                    search.found[name] = Found(c)
            for name, pred, _mask in goals.reachables:
                if name not in search.found and pred(c):
                    search.found[name] = Found(c)
        elapsed = time.monotonic() - t0
        results = tuple(self._result(p, search, elapsed) for p in props)
        return ExplicitOutcome(results, last.warnings, len(search.visited), 0, search.max_depth_seen, True,
                               elapsed, last.coverage, None, self.deadlock == "error" and search.deadlock is not None,
                               self.symmetry is not None, None)

    def _timed_out(self, props: Sequence[ir.Property], search: Search, t0: float) -> ExplicitOutcome:
        """A rescan stopped by the deadline: what was found stands, the rest is UNKNOWN (only a
        prefix of the stored states was looked at, so not even a depth can be claimed)."""
        elapsed = time.monotonic() - t0
        why = "the time limit was reached while scanning the stored states"
        results = tuple(self._result(p, search, elapsed, undecided=why) for p in props)
        return ExplicitOutcome(results, (), len(search.visited), 0, 0, False, elapsed, {}, None)

    def _stats(self, search: Search, elapsed: float, budget: Budget) -> SearchStats:
        """The search's figures; with reduction and `count_orbits`, also the states it stands for
        (the sum of the orbit sizes of the stored states, checker/explicit/orbits.py)."""
        base = SearchStats(self.name, len(search.visited), search.transitions, search.max_depth_seen,
                           search.exhaustive, elapsed, limited=search.limited,
                           stop_reason="" if search.exhaustive else search.stop_reason or "")
        if self.symmetry is None:
            return replace(base, represented=len(search.visited))
        sorts = tuple(n for n, _size in self.instance.sizes if n in permutable_sorts(self.instance))
        group = group_size(self.instance.size(n) for n in sorts)
        base = replace(base, symmetry=sorts, group=group)
        if not self.count_orbits:
            return replace(base, represented_note="not counted (ask with --stats)")
        if group > MAX_GROUP:
            return replace(base, represented_note=f"not counted: {group:,} permutations per state")
        total = OrbitCounter(self.sem, sorts).total(search.visited, budget.deadline)
        if total is None:
            return replace(base, represented_note="not counted: the time limit was reached")
        note = "" if not self.symmetry.partial else "an upper bound: reduction was partial, an orbit may be counted twice"
        return replace(base, represented=total, represented_note=note)

    def _goals(self, props: Sequence[ir.Property]) -> Goals:
        goals = Goals()
        for p in props:
            if p.kind in (ir.PropKind.INVARIANT, ir.PropKind.REACHABLE):
                assert p.expr is not None
                goal = (p.name, self.sem.predicate(p.expr), read_mask(self.sem.layout, p.expr))
                (goals.invariants if p.kind is ir.PropKind.INVARIANT else goals.reachables).append(goal)
            else:
                goals.checks.add(p.name)
        return goals

    # ------------------------------------------------------------------ verdicts

    def _result(self, p: ir.Property, search: Search, elapsed: float, undecided: str | None = None) -> PropertyResult:
        """`undecided`: the reason a property not found is UNKNOWN, whatever the search says."""
        assumptions = tuple(a.name for a in self.instance.model.assumes)
        base = dict(prop=p.name, kind=p.kind, engine=self.name, time_s=elapsed, assumptions=assumptions)
        found = search.found.get(p.name)
        if found is not None:
            trace = self._trace(search, found)
            verdict = Verdict.REACHED if p.kind is ir.PropKind.REACHABLE else Verdict.VIOLATED
            return PropertyResult(verdict=verdict, depth=trace.depth, trace=trace, **base)  # type: ignore[arg-type]
        if undecided is not None:
            return PropertyResult(verdict=Verdict.UNKNOWN, reason=undecided, **base)  # type: ignore[arg-type]
        if search.exhaustive:
            verdict = Verdict.UNREACHABLE if p.kind is ir.PropKind.REACHABLE else Verdict.PROVED
            return PropertyResult(verdict=verdict, depth=search.max_depth_seen, **base)  # type: ignore[arg-type]
        stopped = search.stop_reason or "the search stopped"
        d = search.depth_done
        if d < 0:
            return PropertyResult(verdict=Verdict.UNKNOWN, reason=f"no state was explored: {stopped}",
                                  **base)  # type: ignore[arg-type]
        if p.kind is ir.PropKind.REACHABLE:
            reason = (f"not reached in the {len(search.visited)} states explored (every trace of at most {d} steps);"
                      f" {stopped}")
            return PropertyResult(verdict=Verdict.UNKNOWN, depth=d, reason=reason, **base)  # type: ignore[arg-type]
        return PropertyResult(verdict=Verdict.HOLDS_TO_DEPTH, depth=d, reason=f"{stopped} after "
                              f"{len(search.visited)} states", **base)  # type: ignore[arg-type]

    def _trace(self, search: Search, found: Found) -> Trace:
        if found.state is None:  # the init block failed
            assert found.violation is not None
            return Trace((Step(None, (), None),), _failure(found.violation))  # no state: nothing chosen
        reps, ais = search.path_to(found.state)
        final_ai = found.action if found.action != INIT else None
        steps = search.concretize(reps, ais, found.violation, final_ai)
        return Trace(self._steps(steps), _failure(found.violation) if found.violation is not None else None)

    def _steps(self, steps: Sequence[tuple[int | None, FastState | None]]) -> tuple[Step, ...]:
        """Concrete (action instance, state) pairs as trace steps, with the choose values each step
        took (recovered by checker/explicit/witness.py; the states alone do not record them)."""
        out: list[Step] = []
        prev: FastState | None = None
        for i, s in steps:
            state = self.sem.to_state(s) if s is not None else None
            if i is None:
                out.append(Step(None, (), state))
            else:
                ai = self.sem.action_instances()[i]
                chosen = self._choices.choices(i, prev, s) if prev is not None and s is not None else ()
                out.append(Step(ai.action, ai.args, state, chosen))
            if s is not None:
                prev = s
        return tuple(out)

    # ------------------------------------------------------------------ warnings, graph

    def _warnings(self, search: Search, coverage: Mapping[str, int]) -> list[Warning_]:
        out: list[Warning_] = []
        if search.deadlock is not None:
            reps, ais = search.path_to(search.deadlock)
            trace = Trace(self._steps(search.concretize(reps, ais, None, None)))
            sev = "error" if self.deadlock == "error" else "warning"
            out.append(Warning_("deadlock", f"deadlock ({sev}): no action is enabled in a reachable state "
                                f"(depth {trace.depth})", trace=trace))
        if search.exhaustive:
            for a in self.instance.model.actions:
                if coverage.get(a.name, 0) == 0:
                    out.append(Warning_("dead-action", f"action `{a.name}` never fires in any reachable state",
                                        span=a.span))
        return out

    def _graph(self, search: Search, sink: GraphSink, props: Sequence[ir.Property]) -> nx.DiGraph:
        g = nx.DiGraph(instance=self.instance.describe(), symmetry=self.symmetry is not None,
                       exhaustive=search.exhaustive, stop_reason=search.stop_reason or "")
        invs = [(p.name, self.sem.predicate(p.expr)) for p in self.instance.model.properties
                if p.kind is ir.PropKind.INVARIANT and p.expr is not None]
        ais = self.sem.action_instances()
        for s, n in sink.ids.items():
            g.add_node(n, state=self.sem.to_state(s), depth=sink.depth[s], initial=search.visited[s] is None,
                       violates=tuple(name for name, pred in invs if not pred(s)),
                       fails=tuple(sorted(sink.fails.get(s, ()))), deadlock=s in sink.dead)
        for (a, b), idxs in sink.edges.items():
            g.add_edge(sink.ids[a], sink.ids[b], actions=tuple(str(ais[i]) for i in dict.fromkeys(idxs)))
        return g


@dataclass(frozen=True)
class _Exhausted:
    """An exhaustive search kept by the engine (its visited states, parents and findings)."""

    search: Search
    coverage: Mapping[str, int]
    warnings: tuple[Warning_, ...]

    def covers(self, goals: Goals, budget: Budget) -> bool:
        """Whether `goals` can be decided from the stored states under `budget`: state properties
        only (checks need the steps), and limits no tighter than what the search stayed within."""
        s = self.search
        return not goals.checks and (budget.max_states is None or budget.max_states >= len(s.visited)) \
            and (budget.max_depth is None or budget.max_depth >= s.max_depth_seen)


def _failure(v: Violation) -> Failure:
    return Failure(v.prop, v.message, v.span)


__all__ = ["DEADLOCK_MODES", "ExplicitEngine", "ExplicitOutcome"]
