"""The breadth-first search behind the explicit engine; Semantics x Goals x Budget -> Search.

States are the interpreter's flat int tuples (canonical representatives when symmetry is on),
kept in one dict `state -> (parent, action instance index)` (None for an initial state), which
gives shortest traces. Invariants and goals are evaluated on each state when it is first
discovered, so when level L has been expanded every state at depth <= L+1 has been checked: that
is the depth a stopped search reports (`depth_done`). Violations found: `found[prop]` is the
state (and, for a failing check, the action instance) where it happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from checker.explicit.symmetry import Perm, inverse
from checker.explicit.transitions import Transitions
from checker.interp.semantics import FastState, LimitExceeded, Semantics, Violation
from checker.result import Budget
from spec import ir

S = FastState


class Renamer(Protocol):
    """What trace concretisation needs of a canonical form (checker/explicit/symmetry.py)."""

    def permutation(self, s: S) -> Perm: ...

    def rename(self, s: S, perm: Perm) -> S: ...
INIT = -1  # "action index" of a violation raised by the init block
CANON_CACHE = 1 << 18  # canonical forms remembered (then forgotten all at once)
VALUE_CACHE = 1 << 16  # property values remembered per property
# Without a state limit, initial assignments are still not enumerated past this many: one variable
# `0..9999999` without an initialiser already takes a minute and 1.5 GB to search. The count is
# computed, not enumerated, so the search says so at once (and `auto`'s symbolic engines decide).
MAX_INITIAL_CANDIDATES = 10**7
Progress = Callable[[int, int, float], None]
DECIDED = "every property was decided"  # the one stop reason that is not a limit
OVERTAKEN = "the engines running beside it decided every property"  # Budget.stop said so
OUT_OF_MEMORY = "the memory limit (--memory-limit) was reached"
INTERRUPTED = "the search was interrupted (Ctrl-C)"


@dataclass
class Goals:
    """What the search looks for: invariants (found when false), reachable goals (found when
    true), check properties (found when a step fails them). Each predicate comes with the mask
    of the slots it reads (see checker/explicit/transitions.py; -1: any slot): a pending predicate has
    the same value on a state as on its parent when they agree there, so it is not evaluated."""

    invariants: list[tuple[str, Callable[[S], bool], int]] = field(default_factory=list)
    reachables: list[tuple[str, Callable[[S], bool], int]] = field(default_factory=list)
    checks: set[str] = field(default_factory=set)

    def pending(self) -> int:
        return len(self.invariants) + len(self.reachables) + len(self.checks)


@dataclass(frozen=True)
class Found:
    state: S | None  # None: the init block failed
    action: int | None = None  # the failing action instance, for a check
    violation: Violation | None = None


@dataclass
class GraphSink:
    """Collects every node and edge when the caller keeps the state graph."""

    ids: dict[S, int] = field(default_factory=dict)
    depth: dict[S, int] = field(default_factory=dict)
    edges: dict[tuple[S, S], list[int]] = field(default_factory=dict)
    fails: dict[S, set[str]] = field(default_factory=dict)
    dead: set[S] = field(default_factory=set)


class Search:
    def __init__(self, sem: Semantics, canon: Callable[[S], S] | None, goals: Goals, budget: Budget, *,
                 graph: GraphSink | None, deadlocks: bool, progress: Progress | None,
                 stop_when_found: bool, progress_interval: float = 0.25, cache: bool = True,
                 renamer: Renamer | None = None) -> None:
        self.sem = sem
        self.renamer = renamer  # how `canon` renamed a state; needed for traces when canon is not identity
        self.canon = canon if canon is not None else _identity
        self._canon_or_none = canon
        self._limit = budget.max_states if budget.max_states is not None else -1
        self.goals = goals
        self.budget = budget
        self.graph = graph
        self.want_deadlocks = deadlocks
        self.progress = progress
        self.progress_interval = progress_interval
        self.stop_when_found = stop_when_found
        self.visited: dict[S, tuple[S, int] | None] = {}
        self.found: dict[str, Found] = {}
        self._found_count = 0
        self.deadlock: S | None = None
        self.transitions = 0
        self.depth_done = -1  # every state at depth <= depth_done is discovered and checked
        self.max_depth_seen = 0
        self.stop_reason: str | None = None
        self.interrupted = False  # Ctrl-C ended the search (stop_reason says so too)
        self.exhaustive = False
        self._t0 = time.monotonic()
        self._last_progress = self._t0
        self._expanded = 0  # states expanded so far (limits and progress are checked every 256)
        # the transition cache (byte states only); `cache=False` runs every body (tests compare)
        self.steps = Transitions(sem) if cache and sem.layout.compact else None
        self._canons: dict[S, S] = {}  # successor -> canonical form, for this search
        self._values: dict[str, dict[int, bool]] = {}  # property -> its value by the slots it reads

    @property
    def limited(self) -> bool:
        """A limit (states, depth, time) stopped the search before it was exhaustive."""
        return not self.exhaustive and self.stop_reason != DECIDED

    def release_caches(self) -> None:
        """Drop what only the search itself needs (transition, canonical-form and value caches);
        visited states, parents and findings stay for traces."""
        self.steps = None
        self._canons = {}
        self._values = {}

    # ------------------------------------------------------------------ driver

    def run(self) -> None:
        try:
            self._run()
        except MemoryError:
            # the process's memory limit (checker/memory.py): the stored states stay for traces and
            # what was fully checked stands (depth_done); the caches go, so the report can be made
            if self.steps is not None:
                self.steps.flush()
            self.release_caches()
            self.stop_reason = OUT_OF_MEMORY
        except KeyboardInterrupt:
            # what was fully checked stands, as after a time limit: the engine reports it (HOLDS
            # TO DEPTH depth_done, violations found) and the scheduler then stops the run
            self.stop_reason = INTERRUPTED
            self.interrupted = True
        finally:
            if self.steps is not None:
                self.steps.flush()

    def _run(self) -> None:
        level = self._initial()
        if level is None:
            return
        self.depth_done = 0
        depth = 0
        max_depth = self.budget.max_depth
        while level:
            if self.stop_when_found and not self.goals.pending():
                self.stop_reason = DECIDED
                return
            if max_depth is not None and depth >= max_depth:
                self.stop_reason = f"the depth limit {max_depth} was reached"
                return
            nxt = self._expand_level(level, depth)
            if nxt is None:
                return
            depth += 1
            self.depth_done = depth
            if nxt:
                self.max_depth_seen = depth
            level = nxt
        self.exhaustive = True

    def _initial(self) -> list[S] | None:
        b = self.budget
        try:
            limit = b.max_states if b.max_states is not None else MAX_INITIAL_CANDIDATES
            outs = self.sem.initial_fast(limit=limit, deadline=b.deadline)
        except LimitExceeded as err:
            self.stop_reason = str(err)
            return None
        level = []
        for count, o in enumerate(outs, 1):
            if count & 255 == 0 and self._tick(0):
                return None
            if isinstance(o, Violation):
                if o.prop in self.goals.checks:
                    self.goals.checks.discard(o.prop)
                    self.found[o.prop] = Found(None, INIT, o)
                continue
            c = self.canon(o)
            if c in self.visited:
                continue
            if b.max_states is not None and len(self.visited) >= b.max_states:
                self.stop_reason = f"the initial states alone exceed the state limit of {b.max_states}"
                return None
            self.visited[c] = None
            level.append(c)
            self._discovered(c, 0)
        return level

    def _discovered(self, c: S, depth: int, changed: int = -1, ci: int | None = None) -> None:
        """Check the pending properties on a new state. `changed`: the bits where `c` differs from
        the state it was reached from (-1: unknown). That state was checked when it was found, so
        a property still pending holds there (an invariant) or is false there (a goal): only
        those reading a changed slot can differ. `ci`: `c` as an int (byte states), to look the
        value up by the slots the property reads."""
        g = self.goals
        if g.invariants:
            for n, p, m in g.invariants:
                if changed & m and not (p(c) if ci is None else self._value(n, p, m, c, ci)):
                    self.found[n] = Found(c)
            if len(self.found) > self._found_count:
                g.invariants = [x for x in g.invariants if x[0] not in self.found]
        if g.reachables:
            for n, p, m in g.reachables:
                if changed & m and (p(c) if ci is None else self._value(n, p, m, c, ci)):
                    self.found[n] = Found(c)
            if len(self.found) > self._found_count:
                g.reachables = [x for x in g.reachables if x[0] not in self.found]
        self._found_count = len(self.found)
        if self.graph is not None:
            self.graph.ids[c] = len(self.graph.ids)
            self.graph.depth[c] = depth

    def _value(self, name: str, p: Callable[[S], Any], mask: int, c: S, ci: int) -> bool:
        """`p(c)`, remembered by the values of the slots `p` reads."""
        memo = self._values.get(name)
        if memo is None:
            memo = self._values[name] = {}
        key = ci & mask
        v = memo.get(key)
        if v is None:
            v = bool(p(c))
            if len(memo) >= VALUE_CACHE:
                memo.clear()
            memo[key] = v
        return v

    # ------------------------------------------------------------------ one level

    def _expand_level(self, level: list[S], depth: int) -> list[S] | None:
        """Expand every state of `level`; the next level, or None when a limit stopped the search."""
        nxt: list[S] = []
        # The transition cache works on byte states only (checker/explicit/transitions.py).
        expand: Callable[[Any, int, list[S]], bool] = (self._expand_state if self.steps is None
                                                         else self._expand_cached)
        for count, s in enumerate(level, self._expanded + 1):
            if count & 255 == 0 and self._tick(depth):
                return None
            if not expand(s, depth, nxt):
                return None
        self._expanded += len(level)
        return nxt

    def _expand_state(self, s: S, depth: int, nxt: list[S]) -> bool:
        """Every outcome of every action instance on `s`: new states go to `nxt` (and are
        checked), failing checks are recorded. False when the state limit stops the search."""
        canon = self._canon_or_none
        visited = self.visited
        graph = self.graph
        enabled = False
        for expand in self.sem.expanders:
            for i, outs in expand(s):
                enabled = True
                if len(outs) > 1:
                    outs = list(dict.fromkeys(outs))
                for o in outs:
                    if o.__class__ is Violation:
                        self._failed(s, i, o)
                        continue
                    self.transitions += 1
                    # Canonical forms can be costly: look at the clock by transitions too.
                    if self.transitions & 15 == 0 and self._tick(depth):
                        return False
                    c = o if canon is None else canon(o)
                    if c not in visited:
                        if not self._admit(c, s, i, nxt):
                            return False
                        self._discovered(c, depth + 1)
                    if graph is not None:
                        graph.edges.setdefault((s, c), []).append(i)
        if not enabled and self.want_deadlocks:
            self._dead_end(s)
        return True

    def _expand_cached(self, s: bytes, depth: int, nxt: list[S]) -> bool:
        """`_expand_state` through the transition cache (byte states): the same outcomes in the
        same order, most of them without running an action body. (The two loops are kept apart,
        and inlined, on purpose: this is where the engine spends its time.)"""
        assert self.steps is not None
        canon = self._canon_or_none
        visited = self.visited
        graph = self.graph
        width = self.steps.width
        si = int.from_bytes(s, "little")
        enabled = False
        for key, keep, cache, miss in self.steps.plans:
            entry = cache.get(si & key)
            if entry is None:
                entry = miss(s, si)
            entry[2] += 1
            outs = entry[0]
            if not outs:
                continue
            enabled = True
            base = si & keep
            for i, o in outs:
                if o.__class__ is int:
                    t = (base | o).to_bytes(width, "little")
                elif o is None:
                    t = s
                elif o.__class__ is Violation:
                    self._failed(s, i, o)
                    continue
                else:  # a successor as it is (an action that does not cache)
                    t = o
                self.transitions += 1
                if self.transitions & 15 == 0 and self._tick(depth):
                    return False
                c = t if canon is None else self._canonical(t)
                if c not in visited:
                    if not self._admit(c, s, i, nxt):
                        return False
                    ci = int.from_bytes(c, "little")
                    self._discovered(c, depth + 1, ci ^ si, ci)
                if graph is not None:
                    graph.edges.setdefault((s, c), []).append(i)
        if not enabled and self.want_deadlocks:
            self._dead_end(s)
        return True

    def _admit(self, c: S, s: S, i: int, nxt: list[S]) -> bool:
        """Store the new state `c`, reached from `s` by action instance `i`, for the next level;
        False when the state limit stops the search instead."""
        if len(self.visited) == self._limit:
            self.stop_reason = f"the state limit {self._limit} was reached"
            return False
        self.visited[c] = (s, i)
        nxt.append(c)
        return True

    def _dead_end(self, s: S) -> None:
        """`s` has no outcome at all: the first such state is the deadlock to report."""
        if self.deadlock is None:
            self.deadlock = s
        if self.graph is not None:
            self.graph.dead.add(s)

    def _canonical(self, t: S) -> S:
        """`canon(t)`; successors repeat, so most canonical forms are looked up, not computed."""
        c = self._canons.get(t)
        if c is None:
            c = self.canon(t)
            if len(self._canons) >= CANON_CACHE:
                self._canons.clear()
            self._canons[t] = c
        return c

    def _failed(self, s: S, i: int, v: Violation) -> None:
        if v.prop in self.goals.checks:
            self.goals.checks.discard(v.prop)
            self.found[v.prop] = Found(s, i, v)
        if self.graph is not None:
            self.graph.fails.setdefault(s, set()).add(v.prop)

    def _tick(self, depth: int) -> bool:
        """Deadline and progress, every few hundred states; True when the search must stop."""
        now = time.monotonic()
        if self.budget.deadline is not None and now > self.budget.deadline:
            self.stop_reason = "the time limit was reached"
            return True
        if self.budget.stop is not None and self.budget.stop():
            self.stop_reason = OVERTAKEN
            return True
        if self.progress is not None and now - self._last_progress >= self.progress_interval:
            self._last_progress = now
            elapsed = now - self._t0
            self.progress(len(self.visited), depth, len(self.visited) / elapsed if elapsed > 0 else 0.0)
        return False

    # ------------------------------------------------------------------ traces

    def path_to(self, s: S) -> tuple[list[S], list[int]]:
        """The stored states from an initial state to `s`, and the action instance of each step."""
        states = [s]
        ais: list[int] = []
        entry = self.visited[s]
        while entry is not None:
            parent, i = entry
            states.append(parent)
            ais.append(i)
            entry = self.visited[parent]
        states.reverse()
        ais.reverse()
        return states, ais

    def concretize(self, reps: list[S], ais: list[int], final: Violation | None,
                   final_ai: int | None) -> list[tuple[int | None, S | None]]:
        """A concrete trace through the orbits of `reps`, ending with `final` when given.

        Step k re-runs the recorded action instance on the stored representative `reps[k]` and
        takes the outcome `t` whose canonical form is `reps[k+1]` (as the search did). The trace
        shows `P(t)`, where `P` renames the representatives into the trace's own states: it starts
        as the identity and after each step absorbs the renaming that took `t` to `reps[k+1]`.
        Nothing here needs the representative to be a function of the orbit."""
        out: list[tuple[int | None, S | None]] = [(None, reps[0])]  # the set of initial states is symmetric
        names: Perm = {}  # P: element renaming from representatives to trace states (identity: empty)
        for cur, nxt, i in zip(reps[:-1], reps[1:], ais, strict=True):
            t = self._outcome(cur, i, partial(self._leads_to, nxt))
            out.append((self._renamed_instance(i, names), self._rename(t, names)))
            if self.renamer is not None and t != nxt:
                pi = self.renamer.permutation(t)
                if self.renamer.rename(t, pi) != nxt:
                    raise AssertionError("the canonical form is not the renaming it reports")
                sigma = {sort: inverse(p) for sort, p in pi.items()}  # nxt -> t
                names = {sort: tuple(names[sort][x] if sort in names else x for x in sigma[sort])
                         for sort in sigma} | {sort: p for sort, p in names.items() if sort not in sigma}
        if final is not None and final_ai is not None:
            self._outcome(reps[-1], final_ai, lambda o: o == final)  # as the search found it
            j = self._renamed_instance(final_ai, names)
            state = out[-1][1]
            assert state is not None
            if not any(o.__class__ is Violation and o.prop == final.prop for o in self.sem.runners[j](state)):
                raise AssertionError("the renamed step does not fail as the recorded one does")
            out.append((j, None))
        return out

    def _leads_to(self, rep: S, o: Any) -> bool:
        return o.__class__ is not Violation and self.canon(o) == rep

    def _outcome(self, s: S, i: int, ok: Callable[[Any], bool]) -> Any:
        for o in self.sem.runners[i](s):
            if ok(o):
                return o
        raise AssertionError("the recorded step does not lead to the recorded state")

    def _rename(self, s: S, names: Perm) -> S:
        return s if not names or self.renamer is None else self.renamer.rename(s, names)

    def _renamed_instance(self, i: int, names: Perm) -> int:
        if not names:
            return i
        ai = self.sem.action_instances()[i]
        args = tuple((k, ir.Elem(v.sort, names[v.sort][v.index]) if isinstance(v, ir.Elem) and v.sort in names
                      else v) for k, v in ai.args)
        j = self.sem.index_of(ai.action, args)
        if j is None:
            raise AssertionError(f"no action instance {ai.action}{args}")
        return j


def _identity(s: S) -> S:
    return s
