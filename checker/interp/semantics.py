"""The Python semantics of an Instance, written from docs/semantics.md; ir.Instance -> Semantics.

This is the second, independent semantics (the first is the Z3 encoding): every trace any engine
shows is replayed here (checker/interp/replay.py), and the explicit engine (checker/explicit/engine.py) runs on it.

Public API (IR values at the boundary):
    sem = Semantics(inst)
    sem.initial_outcomes()            -> Iterator[State | Violation]   (initial states, init-block failures)
    sem.action_instances()            -> tuple[ActionInstance, ...]    (every action x every argument)
    sem.outcomes(state, ai)           -> Iterator[State | Violation]
    sem.holds(expr, state)            -> bool   (invariants, goals, assumes)
    sem.satisfies_assumptions(state)  -> bool

Fast API (for engines; states are flat int tuples, see checker/interp/expr.py):
    sem.runners[i](s) -> list[tuple | Violation]   outcomes of action instance i on s
    sem.expanders[a](s) -> [(i, outcomes), ...]    every instance of action a that has outcomes
    sem.initial_fast(limit=..., deadline=...)     initial outcomes, deduplicated (refused past the limit,
                                                   counted first: a range without initialiser is never listed)
    sem.predicate(expr)(s) -> bool
    sem.to_state(s) / sem.from_state(state)        conversion at the boundary
The IR is compiled once into closures (no eval/exec). Outcome lists may contain duplicates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import product
from typing import Any

from checker.interp.expand import Expander, level_filters, make_expander
from checker.interp.expr import FIRST_LOCAL, Fn, Layout, conjoin
from checker.interp.footprint import action_footprints
from checker.interp.stmt import Cont, Coverage, StmtCompiler, Violation, run
from checker.result import State
from spec import ir
from spec.irutil import free_locals
from spec.types import RangeT, Type

FastState = bytes | tuple[int, ...]  # see checker/interp/expr.py
Runner = Callable[[FastState], list[Any]]


@dataclass(frozen=True)
class ActionInstance:
    """An action with a value for each parameter (in declaration order)."""

    action: str
    args: tuple[tuple[str, ir.Value], ...]

    def __str__(self) -> str:
        inner = ", ".join(f"{k}={ir.format_value(v)}" for k, v in self.args)
        return f"{self.action}({inner})"


class LimitExceeded(Exception):
    """Enumerating initial states would exceed a limit (state count or deadline)."""


class Semantics:
    def __init__(self, inst: ir.Instance) -> None:
        from checker.interp.expr import ExprCompiler

        self.instance = inst
        self.layout = Layout(inst)
        # the state type (bytes or tuple) and the working-copy type (bytearray or list)
        self.freeze: Callable[[Any], Any] = bytes if self.layout.compact else tuple
        self.thaw: Callable[[Any], Any] = bytearray if self.layout.compact else list
        self._exprs = ExprCompiler(self.layout)
        self.coverage = Coverage()
        self._assume: Fn | None = self._conjunction([a.expr for a in inst.model.assumes])
        self._finish = self._terminal()
        ais: list[ActionInstance] = []
        runners: list[Runner] = []
        expanders: list[Expander] = []
        self.action_of: list[int] = []  # action index of each action instance
        # per action, the coverage ids its outcomes count: [lo, hi) (the action, then its branches)
        self.coverage_spans: list[tuple[int, int]] = []
        for n, action in enumerate(inst.model.actions):
            lo = len(self.coverage.labels)
            instances, expander = self._compile_action(action, len(ais))
            self.coverage_spans.append((lo, len(self.coverage.labels)))
            for ai, runner in instances:
                ais.append(ai)
                runners.append(runner)
                self.action_of.append(n)
            expanders.append(expander)
        self._ais = tuple(ais)
        self.runners: tuple[Runner, ...] = tuple(runners)
        self.expanders: tuple[Expander, ...] = tuple(expanders)
        self._ai_index = {(ai.action, ai.args): i for i, ai in enumerate(ais)}
        init_bid = self.coverage.register("init")
        self._init = StmtCompiler(self._exprs, self.coverage, "init").block(inst.model.init, {}, self._finish, False)
        self._init_env = [(), (init_bid,)] + [None] * (self._exprs.nslots - FIRST_LOCAL)
        self._fixed, self._free = self._initial_slots()
        self._sample_codes: dict[Type, Sequence[int]] = {}  # initial_sample's choices per type
        self._env_size = self._exprs.nslots

    # ------------------------------------------------------------------ compilation

    def _conjunction(self, exprs: list[ir.Expr], scope: dict[str, int] | None = None) -> Fn | None:
        return conjoin([self._exprs.compile(e, scope or {}) for e in exprs])

    def _terminal(self) -> Cont:
        """End of a body: the successor, unless an assume is false in it."""
        assume = self._assume
        counts = self.coverage.counts
        scratch: list[Any] = [None] * self._exprs.nslots  # the assumes are compiled already
        freeze = self.freeze

        def finish(w: list[int], env: list[Any], out: list[Any]) -> None:
            t = freeze(w)
            if assume is not None and not assume(t, scratch):
                return None
            out.append(t)
            for b in env[1]:
                counts[b] += 1
            return None
        return finish

    def _compile_action(self, action: ir.Action,
                        first: int) -> tuple[list[tuple[ActionInstance, Runner]], Expander]:
        bid = self.coverage.register(action.name)
        scope: dict[str, int] = {}
        for p in action.params:
            scope[p.name] = self._exprs.alloc()
        # leading requires that read only the state and parameters run before anything is copied
        n = 0
        while n < len(action.body) and isinstance(action.body[n], ir.Require):
            n += 1
        guards = [s.cond for s in action.body[:n]]  # type: ignore[union-attr]
        guard = self._conjunction(guards, scope)
        filters = level_filters(self._exprs, action, guards, scope)
        body = StmtCompiler(self._exprs, self.coverage, action.name).block(action.body[n:], scope,
                                                                           self._finish, False)
        size = self._exprs.nslots
        domains = [self.instance.domain(p.type) for p in action.params]
        template: list[Any] = [None] * size
        template[0], template[1] = (), (bid,)
        expander = make_expander(filters, body, template, [scope[p.name] for p in action.params],
                                 [self.layout.codes(p.type) for p in action.params], first, self.thaw)
        out = []
        for values in product(*domains):
            args = tuple((p.name, v) for p, v in zip(action.params, values, strict=True))
            codes = [self.layout.code(p.type, v) for p, v in zip(action.params, values, strict=True)]
            env: list[Any] = [None] * size
            env[0], env[1] = (), (bid,)
            for p, c in zip(action.params, codes, strict=True):
                env[scope[p.name]] = c
            out.append((ActionInstance(action.name, args), _runner(guard, body, env, self.thaw)))
        return out, expander

    def _initial_slots(self) -> tuple[dict[int, int], list[tuple[int, Type]]]:
        """Slots fixed by an initialiser, and the free slots with the type of their values. The
        values of a free slot are listed only when the initial states are enumerated, after their
        number was checked against the caller's limit (a range may have 2^63 values)."""
        fixed: dict[int, int] = {}
        free: list[tuple[int, Type]] = []
        for v in self.instance.model.vars:
            vl = self.layout.vars[v.name]
            if v.init is not None:
                c = self._exprs.compile(v.init, {})((), [])
                for k in range(vl.base, vl.base + vl.size):
                    fixed[k] = c
            else:
                free.extend((k, vl.entry) for k in range(vl.base, vl.base + vl.size))
        return fixed, free

    # ------------------------------------------------------------------ fast API

    def free_slots(self) -> list[tuple[int, Type]]:
        """The slots of the variables without an initialiser, with the type of their values."""
        return list(self._free)

    def candidate_count(self, pinned: dict[int, int] | None = None) -> int:
        """How many assignments the initial-state enumeration starts from (`pinned` slots count
        once); computed, not enumerated."""
        n = 1
        for k, t in self._free:
            if pinned is None or k not in pinned:
                n *= self.instance.card(t)
        return n

    def initial_fast(self, limit: int | None = None, deadline: float | None = None,
                     pinned: dict[int, int] | None = None) -> list[Any]:
        """Initial states (deduplicated tuples) and init-block violations. `pinned` restricts free
        slots that the init block never writes (for replay). Raises LimitExceeded past `limit`
        candidate assignments (at most ir.MAX_LISTED; checked before anything is listed) or past
        `deadline`."""
        count = self.candidate_count(pinned)
        limit = ir.MAX_LISTED if limit is None else min(limit, ir.MAX_LISTED)  # no machine holds more
        if count > limit:
            raise LimitExceeded(f"{count_text(count)} candidate initial assignments exceed the limit of "
                                f"{count_text(limit)} states ({self._free_text(pinned)}), or use --engine bmc, "
                                "pdr or simulate")
        listed: dict[Type, tuple[int, ...]] = {}  # one list per type, however many slots have it
        free: list[tuple[int, tuple[int, ...]]] = []
        for k, t in self._free:
            if pinned is not None and k in pinned:
                free.append((k, (pinned[k],)))
                continue
            if t not in listed:
                listed[t] = self.layout.codes(t)
            free.append((k, listed[t]))
        base = self.thaw([0] * self.layout.width)
        for k, c in self._fixed.items():
            base[k] = c
        keys = [k for k, _ in free]
        out: list[Any] = []
        for n, values in enumerate(product(*(codes for _, codes in free))):
            if deadline is not None and n % 4096 == 4095 and time.monotonic() > deadline:
                raise LimitExceeded("the deadline passed while enumerating initial states")
            w = base.copy()
            for k, v in zip(keys, values, strict=True):
                w[k] = v
            run(self._init, w, self._init_env.copy(), out)
        return list(dict.fromkeys(out))

    def _free_counts(self, pinned: dict[int, int] | None) -> dict[str, int]:
        """Per variable without an initialiser, its candidate assignments (largest first)."""
        out: dict[str, int] = {}
        for k, t in self._free:
            if pinned is None or k not in pinned:
                name = self.layout.locs[k][0]
                out[name] = out.get(name, 1) * self.instance.card(t)
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def _free_text(self, pinned: dict[int, int] | None) -> str:
        """Which variables make the initial states many, and the fix: `y` has no initialiser and
        takes 100,000,001 values; give it an initial value. Several: the three largest."""
        counts = [(name, n) for name, n in self._free_counts(pinned).items() if n > 1]
        if not counts:
            return "every variable has an initial value"
        if len(counts) == 1:
            name, n = counts[0]
            what = "values" if self.layout.vars[name].size == 1 else "assignments of its locations"
            return f"`{name}` has no initialiser and takes {count_text(n)} {what}; give it an initial value"
        parts = [f"`{name}` {count_text(n)}" for name, n in counts[:3]]
        more = f" and {len(counts) - 3} more" if len(counts) > 3 else ""
        return (f"the largest of the variables without an initialiser: {', '.join(parts)}{more}; give more of "
                "them an initial value")

    def initial_sample(self, pick: Callable[[Sequence[int]], int]) -> list[Any]:
        """The initial states and init-block violations of one assignment of the variables without
        an initialiser, each value chosen by `pick(codes)` (random walks on instances whose initial
        assignments are too many to enumerate). A range's codes are a `range`: it is never listed."""
        w = self.thaw([0] * self.layout.width)
        for k, c in self._fixed.items():
            w[k] = c
        for k, t in self._free:
            if t not in self._sample_codes:  # a range is a lazy `range`; the rest are short tuples
                self._sample_codes[t] = _code_range(t) if isinstance(t, RangeT) else self.layout.codes(t)
            w[k] = pick(self._sample_codes[t])
        out: list[Any] = []
        run(self._init, w, self._init_env.copy(), out)
        return list(dict.fromkeys(out))

    @cached_property
    def footprints(self) -> tuple[tuple[int, int] | None, ...]:
        """Per action, the slot masks the explicit engine's transition cache is keyed by (see
        checker/interp/footprint.py); computed once."""
        return action_footprints(self.layout, self.instance.model)

    def init_writes(self) -> frozenset[str]:
        """Variables the init block may assign."""
        return frozenset(_assigned(self.instance.model.init))

    def predicate(self, expr: ir.Expr) -> Callable[[FastState], Any]:
        if free_locals(expr):
            raise ValueError(f"expression has free locals {sorted(free_locals(expr))}")
        fn = self._exprs.compile(expr, {})
        env: list[Any] = [None] * self._exprs.nslots
        return lambda s: fn(s, env)  # truthy or falsy (a bool, or a 0/1 slot value)

    def assumptions_hold(self, s: FastState) -> bool:
        if self._assume is None:
            return True
        return bool(self._assume(s, [None] * self._exprs.nslots))

    def to_state(self, s: FastState) -> State:
        value = self.layout.value
        return State(tuple((loc, value(t, c)) for loc, t, c in zip(self.layout.locs, self.layout.slot_types, s,
                                                                  strict=True)))

    def from_state(self, state: State) -> FastState:
        """The fast form of a State; ValueError if a location is missing, extra, or out of its domain."""
        if len(state.values) != self.layout.width:
            raise ValueError(f"state has {len(state.values)} locations, the instance has {self.layout.width}")
        out = []
        for (loc, v), want, t in zip(state.values, self.layout.locs, self.layout.slot_types, strict=True):
            if loc != want:
                raise ValueError(f"location {loc} where {want} was expected")
            try:
                out.append(self.layout.code(t, v))
            except ValueError as err:
                raise ValueError(f"{_loc_text(loc)}: {err}") from None
        return self.freeze(out)

    def index_of(self, action: str, args: tuple[tuple[str, ir.Value], ...]) -> int | None:
        return self._ai_index.get((action, tuple(args)))

    # ------------------------------------------------------------------ public API

    def initial_outcomes(self) -> Iterator[State | Violation]:
        for o in self.initial_fast():
            yield o if isinstance(o, Violation) else self.to_state(o)

    def action_instances(self) -> tuple[ActionInstance, ...]:
        return self._ais

    def outcomes(self, state: State, ai: ActionInstance) -> Iterator[State | Violation]:
        i = self.index_of(ai.action, ai.args)
        if i is None:
            raise KeyError(f"no action instance {ai}")
        for o in dict.fromkeys(self.runners[i](self.from_state(state))):
            yield o if isinstance(o, Violation) else self.to_state(o)

    def holds(self, expr: ir.Expr, state: State) -> bool:
        return bool(self.predicate(expr)(self.from_state(state)))

    def satisfies_assumptions(self, state: State) -> bool:
        return self.assumptions_hold(self.from_state(state))


def _runner(guard: Fn | None, body: Cont, template: list[Any], thaw: Callable[[Any], Any]) -> Runner:
    """The outcomes of one action instance; `template` is its initial env (reserved slots, the
    parameter codes, scratch slots for binders)."""

    if guard is None:
        def run_unguarded(s: FastState) -> list[Any]:
            out: list[Any] = []
            run(body, thaw(s), template.copy(), out)
            return out
        return run_unguarded

    def run_guarded(s: FastState) -> list[Any]:
        if not guard(s, template):  # binder slots are scratch: writing them here is harmless
            return []
        out: list[Any] = []
        run(body, thaw(s), template.copy(), out)
        return out
    return run_guarded


def count_text(n: int) -> str:
    """`100,000,001`; `about 10^40` past a trillion (an exact product of domain sizes can have
    more digits than Python converts to text)."""
    if n < 10**12:
        return f"{n:,}"
    return f"about 10^{int(n.bit_length() * 0.30103)}"


def _code_range(t: RangeT) -> range:
    """The codes of a range type (an integer is its own code), as a lazy sequence."""
    lo, hi = ir.range_bounds(t)
    return range(lo, hi + 1)


def _assigned(stmts: tuple[ir.Stmt, ...]) -> set[str]:
    out: set[str] = set()
    for s in stmts:
        if isinstance(s, ir.Assign):
            out.add(s.var)
        elif isinstance(s, ir.If):
            out |= _assigned(s.then) | _assigned(s.else_)
        elif isinstance(s, ir.Forall):
            out |= _assigned(s.body)
    return out


def _loc_text(loc: tuple[str, tuple[ir.Value, ...]]) -> str:
    from checker.result import loc_text

    return loc_text(loc)


__all__ = ["ActionInstance", "LimitExceeded", "Semantics", "Violation"]
