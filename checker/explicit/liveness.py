"""Liveness by fair cycles in the explicit state graph; ir.Instance x LIVENESS properties x Budget
-> PropertyResults with lasso traces.

The graph is every reachable state (no symmetry reduction: a lasso through orbit
representatives need not be a run, and TLC's liveness checking under symmetry is unsound for
that reason), each with the action instances enabled in it. Every state may also stutter.
docs/semantics.md (Liveness) gives the meaning; here, for one value of the property's binders:

- `always (P -> eventually Q)` is violated by a reachable state with P and not Q from which a
  fair behaviour stays in not-Q forever; `eventually Q` by an initial state from which one does;
  `always eventually Q` by a fair behaviour that ends in not-Q forever.
- A behaviour that stays in a set of states B forever ends in a strongly connected component of
  the graph restricted to B (stuttering makes every state a cycle). It is fair iff every weakly
  fair action instance is taken inside the component or disabled in one of its states, and
  every strongly fair one enabled in it is taken inside it; where a strongly fair instance is
  enabled but never taken, the states that enable it are removed and the rest split again
  (Emerson and Lei). A fair component yields a lasso: the shortest prefix to it, then a loop
  through the states and steps that make it fair.

A search stopped by a limit can still show a lasso among the states it expanded (a real run);
otherwise the verdict is UNKNOWN. Every lasso is replayed by the interpreter, loop and fairness
included (checker/interp/lasso.py).
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from checker.explicit.scc import components
from checker.explicit.transitions import Transitions
from checker.interp.semantics import FastState, LimitExceeded, Semantics, Violation
from checker.result import Budget, PropertyResult, Step, Trace, Verdict
from spec import ir
from spec.irutil import subst
from spec.ops import Fairness

S = FastState
ENGINE = "explicit"


@dataclass
class Graph:
    """The reachable states: `states[n]`, how each was first reached (`parent[n]`: (m, instance)
    or None for an initial state), its steps `out[n]` (instance, successor), the instances
    enabled in it; `expanded` is False past a limit."""

    sem: Semantics
    states: list[S] = field(default_factory=list)
    ids: dict[S, int] = field(default_factory=dict)
    parent: list[tuple[int, int] | None] = field(default_factory=list)
    out: list[list[tuple[int, int]]] = field(default_factory=list)
    enabled: list[frozenset[int]] = field(default_factory=list)
    initial: list[int] = field(default_factory=list)
    complete: bool = False
    stop_reason: str | None = None

    def add(self, s: S, parent: tuple[int, int] | None) -> int:
        n = self.ids.get(s)
        if n is None:
            n = self.ids[s] = len(self.states)
            self.states.append(s)
            self.parent.append(parent)
        return n


def explore(sem: Semantics, budget: Budget) -> Graph:
    """Breadth-first, every state expanded until a limit; `complete` when none stopped it."""
    g = Graph(sem)
    successors = _expand(sem)
    cached = _expand_cached(Transitions(sem)) if sem.layout.compact else None
    try:
        first = sem.initial_fast(limit=budget.max_states, deadline=budget.deadline)
    except LimitExceeded as err:
        g.stop_reason = f"too many initial states ({err})"
        return g
    for s in first:
        if not isinstance(s, Violation) and s not in g.ids:
            g.initial.append(g.add(s, None))
    n = 0
    while n < len(g.states):
        if budget.deadline is not None and n % 64 == 0 and time.monotonic() >= budget.deadline:
            g.stop_reason = "the time limit was reached"
            return g
        if budget.max_states is not None and len(g.states) > budget.max_states:
            g.stop_reason = f"the state limit ({budget.max_states}) was reached"
            return g
        s = g.states[n]
        outcomes = successors(s) if cached is None else cached(s)
        steps = [(i, g.add(o, (n, i))) for i, o in outcomes]
        g.out.append(steps)
        g.enabled.append(frozenset(i for i, _ in steps))
        n += 1
    g.complete = True
    return g


def _expand(sem: Semantics) -> Callable[[S], list[tuple[int, S]]]:
    """Every (instance, successor) of a state, failing outcomes left out, by running the bodies."""
    def successors(s: S) -> list[tuple[int, S]]:
        out = []
        for expand in sem.expanders:
            for i, outs in expand(s):
                out += [(i, o) for o in dict.fromkeys(outs) if o.__class__ is not Violation]
        return out
    return successors


def _expand_cached(steps: Transitions) -> Callable[[S], list[tuple[int, S]]]:
    """The same outcomes in the same order through the safety search's transition cache (byte
    states; checker/explicit/transitions.py): most states run no action body."""
    width, plans = steps.width, steps.plans

    def successors(s: S) -> list[tuple[int, S]]:
        assert isinstance(s, bytes)
        si = int.from_bytes(s, "little")
        out: list[tuple[int, S]] = []
        for key, keep, cache, miss in plans:
            entry = cache.get(si & key)
            if entry is None:
                entry = miss(s, si)
            entry[2] += 1
            base = si & keep
            for i, o in entry[0]:
                if o.__class__ is int:
                    out.append((i, (base | o).to_bytes(width, "little")))
                elif o is None:
                    out.append((i, s))
                elif o.__class__ is not Violation:
                    out.append((i, o))  # an action that stopped caching: its successor as it is
        return out
    return successors


@dataclass(frozen=True)
class Lasso:
    """Node ids: `prefix` from an initial state to the loop's first state, `loop` the steps
    (instance, node) back to it (empty: the state stutters forever)."""

    prefix: tuple[tuple[int | None, int], ...]  # (instance or None for the first, node)
    loop: tuple[tuple[int, int], ...]


class Checker:
    """Liveness properties of one instance, on one graph."""

    def __init__(self, sem: Semantics, graph: Graph) -> None:
        self.sem, self.g = sem, graph
        inst = sem.instance
        fair = {a.name: a.fairness for a in inst.model.actions if a.fairness is not None}
        ais = sem.action_instances()
        self.weak = [i for i, ai in enumerate(ais) if fair.get(ai.action) is Fairness.WEAK]
        self.strong = [i for i, ai in enumerate(ais) if fair.get(ai.action) is Fairness.STRONG]
        self.fairness = frozenset(self.weak), frozenset(self.strong)  # (weak, strong), for set operations
        self.expanded = len(graph.out)  # nodes whose steps are all known
        # what does not depend on which actions are fair, kept for proved_with's re-checks:
        # the not-Q nodes per formula (in order, and as a set), the strongly connected components
        # per node set, and each component's summary
        self._bad: dict[ir.Expr, tuple[list[int], frozenset[int]]] = {}
        self._splits: dict[frozenset[int], list[frozenset[int]]] = {}
        self._summaries: dict[frozenset[int], tuple[frozenset[int], frozenset[int], frozenset[int]]] = {}

    def check(self, prop: ir.Property, deadline: float | None) -> PropertyResult:
        t0 = time.monotonic()
        live = prop.live
        assert live is not None
        for values in _assignments(self.sem.instance, live.binders):
            if deadline is not None and time.monotonic() >= deadline:
                return _unknown(prop, "the time limit was reached", t0)
            env: dict[str, ir.Expr] = {name: ir.Lit(v, t) for (name, t), v in zip(live.binders, values, strict=True)}
            lasso = self._lasso(live, env)
            if lasso is not None:
                trace = self.trace(lasso)
                bound = ", ".join(f"{n}={ir.format_value(v)}" for (n, _), v in zip(live.binders, values, strict=True))
                return PropertyResult(prop.name, prop.kind, Verdict.VIOLATED, ENGINE, time.monotonic() - t0,
                                      depth=trace.depth, trace=trace,
                                      reason=f"a fair behaviour violates it for {bound}" if bound else None)
        if not self.g.complete:
            return _unknown(prop, f"no fair lasso among the states explored, but {self.g.stop_reason}", t0)
        return PropertyResult(prop.name, prop.kind, Verdict.PROVED, ENGINE, time.monotonic() - t0,
                              reason="no fair behaviour violates it (every reachable state explored, "
                                     "symmetry reduction off)")

    def proved_with(self, prop: ir.Property, fair: frozenset[str]) -> bool:
        """Whether `prop` is proved on this graph with only the actions named in `fair` fair."""
        live = prop.live
        assert live is not None and self.g.complete
        ais = self.sem.action_instances()
        weak, strong = (frozenset(i for i in s if ais[i].action in fair) for s in self.fairness)
        return all(self._entry(live, {name: ir.Lit(v, t) for (name, t), v in zip(live.binders, values, strict=True)},
                               (weak, strong)) is None for values in _assignments(self.sem.instance, live.binders))

    # ------------------------------------------------------------------ the search

    def _lasso(self, live: ir.Live, env: dict[str, ir.Expr]) -> Lasso | None:
        """A fair lasso violating `live` for the binder values `env`."""
        entered = self._entry(live, env, self.fairness)
        if entered is None:
            return None
        found, fair = entered
        entry = found[-1][1]
        hop, loop = self._shortest_loop(entry, fair[entry])
        head = self._prefix(found[0][1]) + found[1:] + hop
        return Lasso(tuple(head), tuple(loop))

    def _entry(self, live: ir.Live, env: dict[str, ir.Expr], fairness: tuple[frozenset[int], frozenset[int]]
               ) -> tuple[list[tuple[int | None, int]], dict[int, frozenset[int]]] | None:
        """The shortest path into a fair component that violates `live` for the binder values
        `env`, with the weakly and strongly fair instances `fairness`, and the fair components;
        None when there is none."""
        q_expr = subst(live.q, env)
        if q_expr not in self._bad:
            q = self.sem.predicate(q_expr)
            nodes = [n for n in range(self.expanded) if not q(self.g.states[n])]
            self._bad[q_expr] = nodes, frozenset(nodes)
        bad, bad_set = self._bad[q_expr]
        fair = self._fair_nodes(bad_set, *fairness)
        if not fair:
            return None
        if live.form is ir.LiveForm.INFINITELY_OFTEN:
            starts = list(range(self.expanded))
            inside: Callable[[int], bool] = lambda n: True  # noqa: E731 - any prefix
        else:
            inside = bad_set.__contains__
            if live.form is ir.LiveForm.EVENTUALLY:
                starts = [n for n in self.g.initial if n in bad_set]
            else:
                assert live.p is not None
                p = self.sem.predicate(subst(live.p, env))
                starts = [n for n in bad if p(self.g.states[n])]
        found = self._path(starts, fair.__contains__, inside)
        return None if found is None else (found, fair)

    def _shortest_loop(self, entry: int, comp: frozenset[int],
                       tries: int = 64) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Steps from `entry` to a loop start inside `comp`, and the fair loop there, shortest
        together among the `tries` states nearest to `entry`: the loop through the entry itself
        may have to go around the whole component when a nearby state loops fairly in one step."""
        best: tuple[int, list[tuple[int, int]], list[tuple[int, int]]] | None = None
        for hop in itertools.islice(self._hops(entry, comp), tries):
            if best is not None and len(hop) >= best[0]:
                break
            loop = self._loop(hop[-1][1] if hop else entry, comp)
            if best is None or len(hop) + len(loop) < best[0]:
                best = (len(hop) + len(loop), hop, loop)
        assert best is not None
        return best[1], best[2]

    def _hops(self, start: int, comp: frozenset[int]) -> Iterable[list[tuple[int, int]]]:
        """Breadth-first inside `comp`: the shortest run of steps from `start` to each state."""
        paths: dict[int, list[tuple[int, int]]] = {start: []}
        todo = deque([start])
        while todo:
            n = todo.popleft()
            yield paths[n]
            for i, m in self.g.out[n]:
                if m in comp and m not in paths:
                    paths[m] = [*paths[n], (i, m)]
                    todo.append(m)

    def _fair_nodes(self, bad: frozenset[int], weak: frozenset[int], strong: frozenset[int]) -> dict[int, frozenset[int]]:
        """Each node of a fair component within `bad` -> its component, with the weakly and
        strongly fair instances `weak` and `strong`."""
        out: dict[int, frozenset[int]] = {}
        g_out = self.g.out

        def split(nodes: frozenset[int]) -> list[frozenset[int]]:
            if nodes not in self._splits:
                self._splits[nodes] = [frozenset(c) for c in components(sorted(nodes),
                                                                        lambda n: [m for _, m in g_out[n] if m in nodes])]
            return list(self._splits[nodes])

        work = split(bad)
        while work:
            comp = work.pop()
            taken, always, ever = self._summary(comp)
            if (always - taken) & weak:
                continue
            unmet = (ever - taken) & strong
            if unmet:
                rest = frozenset(n for n in comp if not self.g.enabled[n] & unmet)
                work += split(rest)
                continue
            out.update(dict.fromkeys(comp, comp))
        return out

    def _summary(self, comp: frozenset[int]) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
        """The instances taken inside `comp`, enabled in all its nodes, and in some (memoised:
        they do not depend on which actions are fair)."""
        if comp not in self._summaries:
            enabled = [self.g.enabled[n] for n in comp]
            self._summaries[comp] = (frozenset(i for n in comp for i, m in self.g.out[n] if m in comp),
                                     frozenset.intersection(*enabled), frozenset.union(*enabled))
        return self._summaries[comp]

    def _path(self, starts: Iterable[int], goal: Callable[[int], bool],
              inside: Callable[[int], bool]) -> list[tuple[int | None, int]] | None:
        """The shortest path (instance, node) from one of `starts` to a `goal` node through
        nodes `inside`; the first element's instance is None."""
        prev: dict[int, tuple[int, int] | None] = {}
        todo: deque[int] = deque()
        for n in starts:
            if n not in prev:
                prev[n] = None
                todo.append(n)
        while todo:
            n = todo.popleft()
            if goal(n):
                path: list[tuple[int | None, int]] = []
                cur: int | None = n
                while cur is not None:
                    back = prev[cur]
                    path.append((back[1] if back else None, cur))
                    cur = back[0] if back else None
                return path[::-1]
            if n >= self.expanded:
                continue
            for i, m in self.g.out[n]:
                if m not in prev and inside(m):
                    prev[m] = (n, i)
                    todo.append(m)
        return None

    def _prefix(self, n: int) -> list[tuple[int | None, int]]:
        """The shortest path from an initial state to node `n` (breadth-first parents)."""
        path: list[tuple[int | None, int]] = []
        cur: int | None = n
        while cur is not None:
            back = self.g.parent[cur]
            path.append((back[1] if back else None, cur))
            cur = back[0] if back else None
        return path[::-1]

    def _loop(self, entry: int, comp: frozenset[int]) -> list[tuple[int, int]]:
        """Steps from `entry` back to it inside `comp` that make the loop fair: for each weakly
        fair instance a state that disables it or a step that takes it, for each strongly fair
        one enabled in the component a step that takes it. Empty when stuttering is fair."""
        en = self.g.enabled
        needs = [(i, True) for i in self.weak] + \
            [(i, False) for i in self.strong if any(i in en[n] for n in comp)]
        loop: list[tuple[int, int]] = []
        cur, states, taken = entry, {entry}, set[int]()
        for i, weak in needs:
            if i in taken or weak and any(i not in en[n] for n in states):
                continue
            hop = self._reach(cur, comp, i, weak)
            loop += hop
            taken.update(j for j, _ in hop)
            states.update(n for _, n in hop)
            cur = hop[-1][1] if hop else cur
        if cur != entry:
            back = self._path([cur], entry.__eq__, comp.__contains__)
            assert back is not None
            loop += [(i, n) for i, n in back[1:] if i is not None]
        return loop

    def _reach(self, start: int, comp: frozenset[int], i: int, weak: bool) -> list[tuple[int, int]]:
        """The shortest run of steps inside `comp` from `start` that ends in a state where `i`
        is disabled (`weak` only) or with a step of `i`."""
        prev: dict[int, tuple[int, int] | None] = {start: None}
        todo = deque([start])
        while todo:
            n = todo.popleft()
            last = None if weak and i not in self.g.enabled[n] else \
                next(((j, m) for j, m in self.g.out[n] if j == i and m in comp), None)
            if last is not None or weak and i not in self.g.enabled[n]:
                path: list[tuple[int, int]] = [last] if last is not None else []
                cur = n
                while (back := prev[cur]) is not None:
                    path.append((back[1], cur))
                    cur = back[0]
                return path[::-1]
            for j, m in self.g.out[n]:
                if m in comp and m not in prev:
                    prev[m] = (n, j)
                    todo.append(m)
        raise AssertionError("a fair component has every state and step its loop needs")

    # ------------------------------------------------------------------ traces

    def trace(self, lasso: Lasso) -> Trace:
        ais = self.sem.action_instances()
        steps = []
        for i, n in (*lasso.prefix, *lasso.loop):
            state = self.sem.to_state(self.g.states[n])
            if i is None:
                steps.append(Step(None, (), state))
            else:
                steps.append(Step(ais[i].action, ais[i].args, state))
        return Trace(tuple(steps), loop_start=len(lasso.prefix) - 1)


def _assignments(inst: ir.Instance, binders: Sequence[tuple[str, ir.Type]]) -> Iterable[tuple[ir.Value, ...]]:
    return itertools.product(*(inst.domain(t) for _, t in binders))


def _unknown(prop: ir.Property, why: str, t0: float) -> PropertyResult:
    return PropertyResult(prop.name, prop.kind, Verdict.UNKNOWN, ENGINE, time.monotonic() - t0, reason=why)


def check_liveness(inst: ir.Instance, props: Sequence[ir.Property], budget: Budget) -> list[PropertyResult]:
    """Every LIVENESS property of `props`, on one graph of `inst`'s reachable states."""
    sem = Semantics(inst)
    t0 = time.monotonic()
    graph = explore(sem, budget)
    checker = Checker(sem, graph)
    spent = time.monotonic() - t0
    out = []
    for p in props:
        r = checker.check(p, budget.deadline)
        r = PropertyResult(r.prop, r.kind, r.verdict, r.engine, r.time_s + spent, r.depth, r.trace, r.reason)
        if r.verdict is Verdict.PROVED:
            r = _explained(checker, p, r, budget.deadline)
        out.append(r)
    return out


def _explained(checker: Checker, prop: ir.Property, r: PropertyResult, deadline: float | None) -> PropertyResult:
    """`r` with the fairness assumptions its proof needs (checker/explicit/live_depends.py)."""
    from checker.explicit.live_depends import SCOPE, needed_fairness

    t0 = time.monotonic()
    deps = needed_fairness(checker.sem.instance.model.actions, lambda fair: checker.proved_with(prop, fair), deadline)
    note = SCOPE if deps is not None else "not explained: out of time"
    return replace(r, depends_on=deps, depends_note=note, time_s=r.time_s + time.monotonic() - t0)
