"""Engines per property, budgets and the verdict merge: Instance x Options -> Report.

`auto` (the default) runs two columns. The explicit-state search, capped at a state count, decides
small instances exhaustively with shortest traces; the symbolic chain runs BMC for a second or so
(shallow bugs), then PDR, then k-induction on whatever is still open, each with a share of the
remaining time. With two cores the columns run side by side (the symbolic chain in a forked child,
checker/portfolio.py), and whichever decides a property first wins; otherwise one after the other,
explicit first. A single engine can be asked for instead. Every trace is replayed by the
independent interpreter before it is believed; a trace that does not replay, an engine that
crashes, or two engines that contradict each other is an `InternalError` (a bug in spec-check),
never a verdict. Vacuity goals (`ACTION:fires`, see checker/vacuity.py) ride along as ordinary
reachable properties; an action that provably never fires becomes a "dead action" warning.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from checker import memory, vacuity
from checker.backends import (
    Backend,
    Engine,
    EngineKind,
    EngineRun,
    Interrupted,
    NoReplay,
    Options,
    Progress,
    TraceChecker,
)
from checker.policy import DEAD_ACTION, DISABLED_ACTION
from checker.result import (
    UNCONFIRMED,
    AllSizesNote,
    Budget,
    PropertyResult,
    Report,
    SearchStats,
    Trace,
    Verdict,
    Warning_,
)
from spec import ir
from spec.printer import print_ir_expr

if TYPE_CHECKING:
    from checker import portfolio

DEFAULT_DEPTH = 10  # BMC depth of auto's bug-finding phase, and k bound of induction
# auto's explicit column is capped (AUTO_EXPLICIT_STATES): on a small instance it decides
# everything exhaustively in well under a second; on a large one it gives up (after 10-40 s at the
# cap) and leaves the rest to the symbolic column. 500,000 stored states (~350 MB) holds tdx.spec
# up to Page=4 Gfn=2 Vcpu=2 (313,342 orbits), where the proof engines run out of time. Run one
# after the other (no second core), it may use EXPLICIT_SHARE of the time budget.
AUTO_EXPLICIT_STATES = 500_000
EXPLICIT_SHARE = 0.2
# The symbolic column: (engine, share of the remaining time, at most this many seconds). BMC only
# looks for shallow bugs briefly, so that proofs are not kept waiting: on gmem.spec at 8 pages a
# 5-step bug takes BMC 0.3 s and PDR 3 s, while BMC to depth 10 on the fixed model takes 6 s and
# PDR proves all of it in 2.5 s. PDR goes before k-induction: it scales with the number of pages
# (it works on a small copy and generalises), k-induction does not.
CHILD_GRACE_S = 1.0  # how long past the deadline the child's last results are waited for
SYMBOLIC_PHASES: tuple[tuple[str, float, float | None], ...] = (
    ("bmc", 0.25, 1.0), ("pdr", 0.6, None), ("induction", 1.0, None))

# The second check of symbolic proofs (Backend.proofs): an interpreter search of at most this
# many states and seconds, past the time budget if need be (a proof is not shown unchecked).
SECOND_CHECK_STATES = 2_000
SECOND_CHECK_S = 1.0


class InternalError(Exception):
    """A bug in spec-check (never bad input): a trace that does not replay, contradicting engines."""


@dataclass(frozen=True)
class Outcome:
    report: Report
    graph: Any = None


def schedule(inst: ir.Instance, props: Sequence[ir.Property], goals: Sequence[vacuity.Goal], options: Options,
             backend: Backend, *, file: str = "", progress: Progress | None = None,
             clock: Callable[[], float] = time.monotonic) -> Outcome:
    """Decide `props` and the vacuity `goals`. Ctrl-C returns what was decided so far."""
    start = clock()
    run = _Run(inst, options, backend, backend.checker(inst), progress, clock,
               None if options.timeout is None else start + options.timeout)
    all_props = list(props) + [g.prop for g in goals]
    interrupted = False
    warnings: list[Warning_] = []
    try:
        run.decide([p for p in all_props if p.kind is not ir.PropKind.LIVENESS])
        run.liveness([p for p in all_props if p.kind is ir.PropKind.LIVENESS])
        results = {p.name: run.merge(p) for p in all_props}
        results.update(run.all_sizes(props, results))
        warnings += vacuity.vacuous_proofs(props, results)
        run.second_check(all_props, results)
        results.update(run.confirm_fires(goals, results))
        warnings += run.dead_actions(goals, results)
    except KeyboardInterrupt:
        interrupted = True
        results = {p.name: run.merge(p, interrupted=True) for p in all_props}
    for g in goals:
        results[g.prop.name] = replace(results[g.prop.name], vacuity_of=g.action)
    for p in props:
        if p.expect is not ir.Expect.REACHED:
            results[p.name] = replace(results[p.name], expect=p.expect)
    results.update(run.bindings(props, results))
    warnings = run.warnings + warnings
    report = Report(inst.model.name, file, inst.describe(), tuple(results[p.name] for p in all_props),
                    tuple(warnings), clock() - start, interrupted, tuple(run.stats))
    return Outcome(report, run.graph)


@dataclass
class _Run:
    """The mutable bookkeeping of one `schedule` call (local to it, never shared)."""

    inst: ir.Instance
    options: Options
    backend: Backend
    checker: TraceChecker
    progress: Progress | None
    clock: Callable[[], float]
    deadline: float | None
    candidates: dict[str, list[PropertyResult]] = field(default_factory=dict)
    engines: dict[EngineKind, Engine] = field(default_factory=dict)
    warnings: list[Warning_] = field(default_factory=list)
    graph: Any = None
    stats: list[SearchStats] = field(default_factory=list)
    purpose: str = "properties"  # what the searches run now are for (SearchStats.purpose)
    sink: portfolio.Send | None = None  # set in _side_by_side's child: where engine runs go

    # -------------------------------------------------------------- strategy

    def decide(self, props: Sequence[ir.Property]) -> None:
        kind = self.options.engine
        if kind is not EngineKind.AUTO:
            self._phase(kind, props, 1.0)
            return
        self._auto(props, skip=())

    def _auto(self, props: Sequence[ir.Property], skip: tuple[EngineKind, ...]) -> None:
        symbolic = [(EngineKind(name), share, cap) for name, share, cap in SYMBOLIC_PHASES
                    if EngineKind(name) not in skip]
        if EngineKind.EXPLICIT in skip:
            self._chain(props, symbolic)
        elif symbolic and self.backend.side_by_side and _portfolio().available():
            self._side_by_side(props, symbolic)
        else:
            self._phase(EngineKind.EXPLICIT, props, EXPLICIT_SHARE)
            self._chain(props, symbolic)

    def _chain(self, props: Sequence[ir.Property], phases: Sequence[tuple[EngineKind, float, float | None]]) -> None:
        for kind, share, cap in phases:
            self._phase(kind, [p for p in props if not self._decided(p.name)], share, cap)
        if any(kind is EngineKind.BMC and cap is not None for kind, _, cap in phases):
            # BMC's first try had a cap: deepen the bound of what is still open to --depth, so
            # that the bound reported does not depend on how fast this machine is
            depth = self._depth(EngineKind.BMC) or 0
            self._phase(EngineKind.BMC, [p for p in props if not self._decided(p.name) and self._bound(p.name) < depth],
                        1.0)

    def liveness(self, props: Sequence[ir.Property]) -> None:
        """Liveness properties: fair cycles in the explicit state graph without symmetry reduction
        (checker/explicit/liveness.py) decide them (`explicit`, and first under `auto`); liveness
        to safety with Spacer (checker/symbolic/live_proof.py) proves them (`pdr`, and under
        `auto` where the explicit search stopped at a limit); lasso-shaped BMC
        (checker/symbolic/lasso.py) finds violations (`bmc`, and after the proof attempt)."""
        if not props or self._expired():
            return
        kind = self.options.engine
        if kind is EngineKind.INDUCTION or kind is EngineKind.SIMULATE:
            why = ("liveness properties are decided by --engine explicit or auto, proved by --engine pdr "
                   "(liveness to safety) and searched for bounded lassos by --engine bmc")
            for p in props:
                self.candidates.setdefault(p.name, []).append(
                    PropertyResult(p.name, p.kind, Verdict.UNKNOWN, kind.value, reason=why))
            return
        if kind in (EngineKind.AUTO, EngineKind.EXPLICIT):
            self._explicit_liveness(props, kind)
        if kind is EngineKind.EXPLICIT:
            return
        left = [p for p in props if not self._decided(p.name)]
        if kind is EngineKind.BMC:
            self._lasso_bmc(left, self.deadline)
            return
        # bugs first, in a share of the time (Spacer can spend all of it on a violated property),
        # then proofs; both within LIVENESS_SYMBOLIC_MAX_S, so that liveness does not hold up a
        # run whose safety properties are decided (the explicit engine is the exhaustive one)
        end = self.clock() + LIVENESS_SYMBOLIC_MAX_S
        end = end if self.deadline is None else min(end, self.deadline)
        self._lasso_bmc(left, self.clock() + LASSO_SHARE * max(0.0, end - self.clock()))
        self._live_proof([p for p in props if not self._decided(p.name)], end)

    def _explicit_liveness(self, props: Sequence[ir.Property], kind: EngineKind) -> None:
        from checker.explicit.liveness import check_liveness

        self._say(f"liveness: {len(props)} properties (explicit, symmetry reduction off)")
        max_states = self.options.max_states or (AUTO_EXPLICIT_STATES if kind is EngineKind.AUTO else None)
        try:
            found = check_liveness(self.inst, props, Budget(self.deadline, None, max_states))
        except MemoryError:
            self._deliver("explicit", props, _out_of_memory("explicit", props, self.options.memory_limit))
            return
        for p, r in zip(props, found, strict=True):
            self._accept("explicit", p, r)

    def _live_proof(self, props: Sequence[ir.Property], deadline: float) -> None:
        if not props or self._expired():
            return
        from checker.solver.memcap import cap_memory, out_of_memory
        from checker.symbolic.live_proof import prove_liveness

        self._say(f"liveness: {len(props)} properties (pdr, liveness to safety)")
        try:
            cap_memory(self.options.memory_limit)
            found = prove_liveness(self.inst, props, Budget(deadline))
        except (InternalError, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001 - Z3 past its cap is an undecided run; anything else a bug
            if not isinstance(err, MemoryError) and not out_of_memory(err):
                raise InternalError(f"liveness to safety crashed: {err!r}\n{traceback.format_exc()}") from err
            self._deliver("pdr", props, _out_of_memory("pdr", props, self.options.memory_limit))
            return
        capped = self.deadline is None or deadline < self.deadline
        for p, r in zip(props, found, strict=True):
            if capped and r.verdict is Verdict.UNKNOWN:
                r = replace(r, reason=f"{r.reason} (symbolic liveness stops after {LIVENESS_SYMBOLIC_MAX_S:.0f} s; "
                                      "--engine explicit decides it exhaustively)")
            self._accept("pdr", p, r)

    def _lasso_bmc(self, props: Sequence[ir.Property], deadline: float | None) -> None:
        if not props or self._expired():
            return
        depth = self._depth(EngineKind.BMC)
        self._say(f"liveness: {len(props)} properties (bmc, lassos up to depth {depth})")
        try:
            engine = self._engine(EngineKind.BMC)
        except MemoryError:
            self._deliver("bmc", props, _out_of_memory("bmc", props, self.options.memory_limit))
            return
        self._run(engine, props, Budget(deadline, depth))

    def _bound(self, prop: str) -> int:
        return max((r.depth or 0 for r in self.candidates.get(prop, []) if r.verdict is Verdict.HOLDS_TO_DEPTH),
                   default=-1)

    def _side_by_side(self, props: Sequence[ir.Property],
                      phases: Sequence[tuple[EngineKind, float, float | None]]) -> None:
        """The symbolic chain in a child process, the explicit search here; stop when every
        property is decided, by either, or the time is up."""

        def work(send: portfolio.Send) -> None:  # in the child, on its copy of this _Run
            self.sink = send
            self._chain(props, phases)

        child = _portfolio().Child(work)

        def absorb(timeout: float | None = 0.0) -> bool:
            for what, body in child.poll(timeout):
                if what == "crash":
                    raise InternalError(f"the symbolic engines crashed (in the child process):\n{body}")
                if what == "run":
                    engine, names, out = body
                    self._take(engine, [p for p in props if p.name in names], out)
            return all(self._decided(p.name) for p in props)

        try:
            self._phase(EngineKind.EXPLICIT, props, 1.0, stop=absorb)
            while not absorb() and not child.done:
                if self.deadline is None:
                    absorb(None)
                elif self.clock() < self.deadline + CHILD_GRACE_S:  # its engines stop at the deadline
                    absorb(self.deadline + CHILD_GRACE_S - self.clock())
                else:
                    break
        finally:
            child.stop()

    def _phase(self, kind: EngineKind, props: Sequence[ir.Property], share: float, cap: float | None = None,
               stop: Callable[[], bool] | None = None) -> None:
        if not props or self._expired():
            return
        held: list[object] = []
        try:
            engine = self._engine(kind)
        except MemoryError as err:  # an encoding too large for --memory-limit: UNKNOWN, like a timeout
            held.append(err)
        if held:
            _drop(held)
            self._deliver(kind.value, props, _out_of_memory(kind.value, props, self.options.memory_limit))
            return
        now = self.clock()
        end = None if self.deadline is None else now + share * (self.deadline - now)
        if cap is not None:
            end = now + cap if end is None else min(end, now + cap)
        max_states = self.options.max_states
        if kind is EngineKind.EXPLICIT and self.options.engine is EngineKind.AUTO:
            max_states = max_states or AUTO_EXPLICIT_STATES
        budget = Budget(end, self._depth(kind), max_states, stop)
        if kind is not EngineKind.INDUCTION:  # the others decide properties jointly (PDR proves them so)
            self._say(f"{kind.value}: {len(props)} properties")
            self._run(engine, props, budget)
            return
        for i, p in enumerate(props):  # induction: one property at a time, time split evenly
            if self._expired():
                return
            self._say(f"{kind.value}: {p.name} ({i + 1}/{len(props)})")
            each = None if end is None else self.clock() + (end - self.clock()) / (len(props) - i)
            self._run(engine, [p], replace(budget, deadline=each))

    def _depth(self, kind: EngineKind) -> int | None:
        if kind is EngineKind.EXPLICIT and self.options.engine is EngineKind.AUTO:
            return None  # auto's --depth is BMC's; the explicit phase is capped by states instead
        if kind in (EngineKind.EXPLICIT, EngineKind.PDR, EngineKind.SIMULATE):
            return self.options.depth  # simulate: None is its own default walk length
        return self.options.depth if self.options.depth is not None else DEFAULT_DEPTH

    def _engine(self, kind: EngineKind) -> Engine:
        if kind not in self.engines:
            self.engines[kind] = self.backend.engine(kind, self.inst, self.options, self.progress)
        return self.engines[kind]

    def _run(self, engine: Engine, props: Sequence[ir.Property], budget: Budget) -> None:
        try:
            out = engine.run(props, budget)
        except Interrupted as stop:  # keep what the engine established, then stop the run
            self._deliver(engine.name, props, stop.partial)
            raise
        except (InternalError, KeyboardInterrupt):
            raise
        except MemoryError:  # past Options.memory_limit (checker/memory.py): not a bug, an undecided run
            out = _out_of_memory(engine.name, props, self.options.memory_limit)
        except Exception as err:  # noqa: BLE001 - an engine crash is a bug, reported as one
            raise InternalError(f"the {engine.name} engine crashed: {err!r}\n{traceback.format_exc()}") from err
        self._deliver(engine.name, props, out)

    def _deliver(self, engine: str, props: Sequence[ir.Property], out: EngineRun) -> None:
        if self.sink is not None:  # a child of _side_by_side: the parent checks and keeps it
            self.sink(("run", (engine, tuple(p.name for p in props), out)))
            for r in out.results:
                self.candidates.setdefault(r.prop, []).append(r)  # for _decided, between phases
            return
        self._take(engine, props, out)

    def _take(self, engine: str, props: Sequence[ir.Property], out: EngineRun) -> None:
        """An engine's run, checked: verdict kinds, every trace replayed; then kept."""
        wanted = {p.name: p for p in props}
        for r in out.results:
            if r.prop in wanted:
                self._accept(engine, wanted[r.prop], r)
        for w in out.warnings:
            if w.code == DEAD_ACTION and self.options.vacuity:
                continue  # the vacuity goals decide dead actions, and name the guard
            if w.trace is not None:
                self._replay(engine, f"the {w.code} warning", w.trace)
            if w not in self.warnings:
                self.warnings.append(w)
        if out.graph is not None:
            self.graph = out.graph
        self.stats.extend(replace(s, purpose=self.purpose) for s in out.stats)

    def _accept(self, engine: str, prop: ir.Property, r: PropertyResult) -> None:
        allowed = _ALLOWED[prop.kind]
        if r.verdict not in allowed:
            raise InternalError(f"the {engine} engine gave {r.verdict.value} for {prop.kind.value} property "
                                f"`{prop.name}`")
        if r.trace is not None:
            why = self._replay(engine, f"property `{r.prop}`", r.trace)
            lasso = self.checker.lasso(prop, r.trace) if why is None and prop.kind is ir.PropKind.LIVENESS else None
            if lasso is not None:
                raise InternalError(f"the {engine} engine produced a lasso for property `{r.prop}` that the "
                                    f"interpreter rejects: {lasso}")
            if why is not None:  # a trace the interpreter cannot confirm is no verdict
                r = PropertyResult(r.prop, r.kind, Verdict.UNKNOWN, engine, r.time_s,
                                   reason=f"{r.verdict.value} by {engine}, but the interpreter {why}",
                                   assumptions=r.assumptions)
        self.candidates.setdefault(r.prop, []).append(r)

    def _replay(self, engine: str, what: str, trace: Trace) -> str | None:
        """None when `trace` replays; why not when it is too large to confirm; else a bug."""
        why = self.checker.mismatch(trace)
        if why is not None and why.startswith(UNCONFIRMED):
            return why
        if why is not None:
            raise InternalError(f"the {engine} engine produced a trace for {what} that does not replay "
                                f"in the interpreter: {why}")
        return None

    def _decided(self, prop: str) -> bool:
        return any(r.verdict.is_definitive for r in self.candidates.get(prop, []))

    def _expired(self) -> bool:
        return self.deadline is not None and self.clock() >= self.deadline

    def _say(self, msg: str) -> None:
        if self.progress is not None:
            self.progress(msg)

    # -------------------------------------------------------------- merge

    def merge(self, prop: ir.Property, interrupted: bool = False) -> PropertyResult:
        return merge(prop, self.candidates.get(prop.name, []), interrupted)

    # -------------------------------------------------------------- proofs

    def all_sizes(self, props: Sequence[ir.Property], results: dict[str, PropertyResult]) -> dict[str, PropertyResult]:
        """Fixed-size proofs made PROVED ALL SIZES where an all-sizes invariant is found
        (checker/all_sizes.py), in this process after every engine has answered: the answer does
        not depend on which engine proved a property first."""
        upgrade = self.backend.all_sizes
        if upgrade is None or not self.options.all_sizes or self._expired():
            return {}
        if not any(results[p.name].verdict is Verdict.PROVED for p in props):
            return {}
        self._say("looking for an invariant that holds for every size")
        try:
            return upgrade(self.inst, props, results, self.deadline)
        except NoReplay as err:
            raise InternalError(f"the all-sizes step produced a step the interpreter does not accept: {err}") from err
        except MemoryError as err:  # keep the fixed-size verdicts, say why
            note = AllSizesNote(f"out of memory while looking for an all-sizes invariant ({err})")
            return {p.name: replace(results[p.name], all_sizes=note) for p in props
                    if results[p.name].verdict is Verdict.PROVED}

    def second_check(self, props: Sequence[ir.Property], results: dict[str, PropertyResult]) -> None:
        """Every proof the symbolic engines gave, against the interpreter (Backend.proofs): a
        state the interpreter reaches that refutes one is a bug in spec-check, never a verdict."""
        claims = [(p, results[p.name]) for p in props if results[p.name].verdict in _PROOF
                  and (results[p.name].engine != "explicit" or results[p.name].verdict is Verdict.PROVED_ALL_SIZES)]
        if not claims or self.backend.proofs is None:
            return
        self._say(f"second check of {len(claims)} proofs with the interpreter")
        end = time.monotonic() + SECOND_CHECK_S
        why = self.backend.proofs(self.inst, self.options).refute(claims, Budget(end, None, SECOND_CHECK_STATES))
        if why is not None:
            raise InternalError(why)

    def bindings(self, props: Sequence[ir.Property],
                 results: dict[str, PropertyResult]) -> dict[str, PropertyResult]:
        """Each violated invariant with the `forall` binding it fails for in its trace's last state;
        each range violation with the value its assignment tried to store."""
        out = {}
        for p in props:
            r = results[p.name]
            if p.kind is ir.PropKind.RANGE and r.trace is not None and r.trace.failure is not None:
                tried = self.checker.attempted(r.trace)
                if tried:
                    out[p.name] = replace(r, trace=replace(r.trace, failure=replace(r.trace.failure, attempted=tried)))
                continue
            last = r.trace.steps[-1].state if r.trace is not None else None
            if p.kind is ir.PropKind.INVARIANT and r.verdict is Verdict.VIOLATED and last is not None \
                    and p.expr is not None:
                binding = self.checker.binding(p.expr, last)
                if binding:
                    out[p.name] = replace(r, binding=binding)
        return out

    # -------------------------------------------------------------- vacuity

    def confirm_fires(self, goals: Sequence[vacuity.Goal],
                      results: dict[str, PropertyResult]) -> dict[str, PropertyResult]:
        """A fires witness ends where the action is enabled; the interpreter takes the step, so the
        shown trace ends with the action firing (and an inexact goal is confirmed, not trusted)."""
        out = {}
        for g in goals:
            r = results[g.prop.name]
            if r.verdict is not Verdict.REACHED or r.trace is None:
                continue
            last = r.trace.steps[-1].state
            step = None if last is None else self.checker.fire(last, g.action)
            if step is None and g.exact:
                raise InternalError(f"action `{g.action}` is enabled at the end of the trace the {r.engine} "
                                    "engine found, but the interpreter cannot fire it there")
            if step is None:
                out[g.prop.name] = PropertyResult(
                    r.prop, r.kind, Verdict.UNKNOWN, r.engine, r.time_s,
                    reason="the enabling condition of this action is approximate and its witness did not fire it")
                continue
            trace = Trace(r.trace.steps + (step,))
            self._replay(r.engine, f"goal `{r.prop}`", trace)
            out[g.prop.name] = replace(r, trace=trace, depth=trace.depth)
        return out

    def dead_actions(self, goals: Sequence[vacuity.Goal], results: dict[str, PropertyResult]) -> list[Warning_]:
        """A warning per dead action, naming the first top-level `require` that no reachable state
        gets past (found with the proof engines, all dead actions' guards in one batch)."""
        dead = [self.inst.model.action(g.action) for g in goals if results[g.prop.name].verdict is Verdict.UNREACHABLE]
        guards = {a.name: vacuity.guard_goals(a) for a in dead}
        todo = [g.prop for a in dead for g in guards[a.name] if not _false(g.prop.expr)]
        searched = self.options.engine is not EngineKind.BMC and not self._expired()
        if todo and searched:
            self.purpose = "dead-action guards"
            if self.options.engine is EngineKind.AUTO:  # a bounded search cannot show a guard is dead
                # nor can the explicit search again, if a limit already stopped it on this state space
                capped = any(s.limited for s in self.stats)
                self._auto(todo, skip=(EngineKind.BMC, EngineKind.EXPLICIT) if capped else (EngineKind.BMC,))
            else:
                self._phase(self.options.engine, todo, 1.0)
        return [self._dead_warning(a, guards[a.name], searched or not todo) for a in dead]

    def _dead_warning(self, action: ir.Action, guards: Sequence[vacuity.Goal], searched: bool) -> Warning_:
        for g in guards:
            if g.require is not None and _false(g.require.cond):
                return Warning_(DISABLED_ACTION, f"action `{action.name}` is disabled by this configuration's "
                                "parameters (a guard is false for these values)", g.require.span)
            if g.require is not None and (_false(g.prop.expr) or self.merge(g.prop).verdict is Verdict.UNREACHABLE):
                text = print_ir_expr(g.require.cond)
                return Warning_(DEAD_ACTION, f"action `{action.name}` can never fire: its guard "
                                f"`require {text}` is never satisfied", g.require.span)
        if not guards:
            why = "it has no top-level `require`; look at its choose, assert and nested require statements " \
                  "and at the assumes"
        elif searched:
            why = "no single top-level `require` blocks it; look at its choose, assert and nested require " \
                  "statements and at the assumes"
        else:
            why = "the guard that blocks it was not searched for: the time budget ran out"
        return Warning_(DEAD_ACTION, f"action `{action.name}` can never fire ({why})", action.span)


def _drop(held: list[object]) -> None:
    """Release what an engine left when it hit Z3's cap, with the cap lifted (solver/memcap.py)."""
    from checker.solver.memcap import drop

    drop(held)


def _out_of_memory(engine: str, props: Sequence[ir.Property], limit: int | None) -> EngineRun:
    why = memory.exhausted(limit)
    return EngineRun(tuple(PropertyResult(p.name, p.kind, Verdict.UNKNOWN, engine, reason=why) for p in props))


def _portfolio():
    """checker/portfolio.py, imported when `auto` first needs it (multiprocessing costs `lint` 20 ms)."""
    from checker import portfolio

    return portfolio


def _false(e: ir.Expr | None) -> bool:
    return isinstance(e, ir.Lit) and e.value is False


LASSO_SHARE = 0.3  # of the window: lasso BMC before the liveness proofs of pdr and auto
LIVENESS_SYMBOLIC_MAX_S = 60.0  # the window of those two (bmc alone has the whole --timeout)
_ALLOWED: dict[ir.PropKind, frozenset[Verdict]] = {
    ir.PropKind.REACHABLE: frozenset({Verdict.REACHED, Verdict.UNREACHABLE, Verdict.HOLDS_TO_DEPTH,
                                      Verdict.UNKNOWN}),
    **{k: frozenset({Verdict.PROVED, Verdict.PROVED_ALL_SIZES, Verdict.VIOLATED, Verdict.HOLDS_TO_DEPTH,
                     Verdict.UNKNOWN})
       for k in (ir.PropKind.INVARIANT, ir.PropKind.ASSERT, ir.PropKind.RANGE)},
    ir.PropKind.LIVENESS: frozenset({Verdict.PROVED, Verdict.VIOLATED, Verdict.HOLDS_TO_DEPTH, Verdict.UNKNOWN}),
}
_WITNESS = (Verdict.VIOLATED, Verdict.REACHED)
_PROOF = (Verdict.PROVED, Verdict.PROVED_ALL_SIZES, Verdict.UNREACHABLE)
_PREFERENCE = {"explicit": 0, "bmc": 1, "pdr": 2, "induction": 3, "simulate": 4}


def merge(prop: ir.Property, cands: Sequence[PropertyResult], interrupted: bool = False) -> PropertyResult:
    """One verdict from every engine's: a replayed witness (the shortest), else a proof (one for
    all sizes first), else the deepest bound, else UNKNOWN with every engine's reason. A witness
    and a proof together is a bug."""
    total = sum(c.time_s for c in cands)
    # Engines running side by side finish in any order: pick by engine, not by arrival.
    ranked = sorted(cands, key=lambda c: _PREFERENCE.get(c.engine, len(_PREFERENCE)))
    witnesses = [c for c in ranked if c.verdict in _WITNESS]
    proofs = sorted((c for c in ranked if c.verdict in _PROOF), key=lambda c: c.verdict is not Verdict.PROVED_ALL_SIZES)
    if witnesses and proofs:
        raise InternalError(f"engines disagree on `{prop.name}`: {witnesses[0].engine} found "
                            f"{witnesses[0].verdict.value} but {proofs[0].engine} found {proofs[0].verdict.value}")
    if witnesses:
        return replace(min(witnesses, key=lambda c: c.depth if c.depth is not None else 1 << 30), time_s=total)
    if proofs:
        return replace(proofs[0], time_s=total)
    reasons = "; ".join(f"{c.engine}: {c.reason}" for c in cands if c.reason and c.verdict is Verdict.UNKNOWN)
    bounded = [c for c in cands if c.verdict is Verdict.HOLDS_TO_DEPTH]
    if bounded:  # the reason says why no proof came after the bound, if an engine tried
        best = max(bounded, key=lambda c: c.depth or 0)
        return replace(best, time_s=total, reason=reasons or None)
    if cands:
        return replace(cands[-1], time_s=total, reason=reasons or "no engine decided it")
    why = "interrupted before any engine decided it" if interrupted else \
        "the time budget (--timeout) ran out before any engine got to it"
    return PropertyResult(prop.name, prop.kind, Verdict.UNKNOWN, "none", 0.0, reason=why)
