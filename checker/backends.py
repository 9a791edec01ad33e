"""What the scheduler (checker/schedule.py) sees of an engine, and the real engines behind it.

The interface: `EngineKind`, `Options`, one typed `Engine` protocol (`run(props, budget) ->
EngineRun`), the interpreter as a `TraceChecker`, and a `Backend` that makes both (tests inject
fakes through it). The adapters: each engine keeps its own API; `Symbolic` and `Explicit` turn it
into `Engine.run`, and `checker.interp.replay` + `checker.interp.semantics` into a `TraceChecker`.
Engines are imported where they are made (so that `lint` and `--help` never load z3), by name:
an engine missing from the build is an ImportError, a bug, never a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from checker import memory
from checker.result import UNCONFIRMED, Budget, PropertyResult, SearchStats, State, Step, Trace, Warning_
from spec import ir

if TYPE_CHECKING:
    from checker.explicit.engine import ExplicitEngine
    from checker.interp.semantics import Semantics
    from checker.solver.encode import Encoding

Progress = Callable[[str], None]


class EngineKind(Enum):
    AUTO = "auto"
    BMC = "bmc"
    INDUCTION = "induction"
    PDR = "pdr"
    EXPLICIT = "explicit"
    SIMULATE = "simulate"  # random walks: finds bugs, never proves (not part of auto)


class DeadlockMode(Enum):
    IGNORE = "ignore"
    WARN = "warn"
    ERROR = "error"


@dataclass(frozen=True)
class Options:
    engine: EngineKind = EngineKind.AUTO
    depth: int | None = None  # None: DEFAULT_DEPTH for BMC/induction, unbounded for explicit
    timeout: float | None = None  # seconds for the whole run; None: no limit
    max_states: int | None = None
    symmetry: bool = True
    keep_graph: bool = False
    deadlock: DeadlockMode = DeadlockMode.WARN
    vacuity: bool = True
    strict: bool = False
    stats: bool = False  # explicit engine: also count the states a reduced search stands for
    seed: int = 0  # simulate: the random walks' seed
    walks: int | None = None  # simulate: how many walks (None: checker/explicit/simulate.py's default)
    memory_limit: int | None = None  # bytes of address space for the run (checker/memory.py); None: no limit
    # Try to make every fixed-size proof one for all sizes (checker/all_sizes.py); None: yes with
    # engine auto (what `spec-check FILE` does), no with a chosen engine (decision 0015).
    all_sizes: bool | None = None

    def __post_init__(self) -> None:
        if self.all_sizes is None:  # resolved here, so that equal runs have equal options (cache keys)
            object.__setattr__(self, "all_sizes", self.engine is EngineKind.AUTO)


@dataclass(frozen=True)
class EngineRun:
    """What one engine call produced, whatever the engine."""

    results: tuple[PropertyResult, ...]
    warnings: tuple[Warning_, ...] = ()
    graph: Any = None  # the explicit state graph when it was kept
    stats: tuple[SearchStats, ...] = ()


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during an engine's run, which still reports what it had established (`partial`):
    the scheduler keeps it, then stops the run as for any Ctrl-C."""

    def __init__(self, partial: EngineRun) -> None:
        super().__init__()
        self.partial = partial


class Engine(Protocol):
    name: str

    def run(self, props: Sequence[ir.Property], budget: Budget) -> EngineRun: ...


class TraceChecker(Protocol):
    """The independent interpreter's view of traces (checker/interp/replay.py behind an adapter)."""

    def mismatch(self, trace: Trace) -> str | None:
        """None when the trace replays, else why it does not."""

    def fire(self, state: State, action: str) -> Step | None:
        """A step in which `action` fires from `state` (a successor, not a violation), if any."""

    def lasso(self, prop: ir.Property, trace: Trace) -> str | None:
        """None when the replayed `trace` is a fair lasso that violates liveness property `prop`."""

    def binding(self, expr: ir.Expr, state: State) -> tuple[tuple[str, ir.Value], ...]:
        """The `forall` binding for which invariant `expr` fails in `state` (checker/interp/binding.py)."""

    def attempted(self, trace: Trace) -> tuple[tuple[str, int], ...]:
        """The values the failing step of a replayed range violation tried to store (same module)."""


class ProofChecker(Protocol):
    """A second semantics for proofs: why the claimed proofs are wrong, or None."""

    def refute(self, claims: Sequence[tuple[ir.Property, PropertyResult]], budget: Budget) -> str | None: ...


# (instance, properties, their merged results, deadline) -> the results it replaces
AllSizes = Callable[[ir.Instance, Sequence[ir.Property], Mapping[str, PropertyResult], float | None],
                    dict[str, PropertyResult]]
EngineFactory = Callable[[EngineKind, ir.Instance, Options, Progress | None], Engine]


@dataclass(frozen=True)
class Backend:
    engine: EngineFactory
    checker: Callable[[ir.Instance], TraceChecker]
    # `auto` may run its symbolic engines in a child process (checker/portfolio.py). Off for
    # scripted engines, whose calls the tests count in this process.
    side_by_side: bool = False
    # Checks every symbolic proof against the interpreter (None: scripted engines, no check).
    proofs: Callable[[ir.Instance, Options], ProofChecker] | None = None
    # Upgrades fixed-size proofs to PROVED ALL SIZES (checker/all_sizes.py; None: not tried).
    all_sizes: AllSizes | None = None




def default_backend() -> Backend:
    """A backend for one run: the symbolic engines share one Z3 encoding of the instance (the
    engines accept one for exactly this), so `auto` encodes the model once, not three times."""
    shared: dict[int, Encoding] = {}

    def engine(kind: EngineKind, inst: ir.Instance, options: Options, progress: Progress | None) -> Engine:
        return make_engine(kind, inst, options, progress, shared)

    return Backend(engine=engine, checker=make_checker, side_by_side=True, proofs=make_proof_checker,
                   all_sizes=upgrade_all_sizes)


class NoReplay(RuntimeError):
    """A counterexample to induction (from the all-sizes encoding) or a refuting run that the
    interpreter does not accept: the encoding and the semantics disagree, a bug in spec-check."""


def upgrade_all_sizes(inst: ir.Instance, props: Sequence[ir.Property], results: Mapping[str, PropertyResult],
                      deadline: float | None) -> dict[str, PropertyResult]:
    from checker.all_sizes import upgrade

    return upgrade(inst, props, results, deadline)


# ---------------------------------------------------------------- interpreter


@dataclass
class InterpChecker:
    sem: Semantics

    def mismatch(self, trace: Trace) -> str | None:
        from checker.interp.replay import MismatchKind, replay

        res = replay(trace, self.sem)
        if res.mismatch is not None and res.mismatch.kind is MismatchKind.TOO_LARGE:
            return UNCONFIRMED + str(res)
        return None if res.ok else str(res)

    def lasso(self, prop: ir.Property, trace: Trace) -> str | None:
        from checker.interp.lasso import lasso_mismatch

        return lasso_mismatch(self.sem, prop, trace)

    def binding(self, expr: ir.Expr, state: State) -> tuple[tuple[str, ir.Value], ...]:
        from checker.interp.binding import failing_binding

        try:
            return failing_binding(self.sem, expr, state)
        except ValueError:  # a quantifier over a domain too large to list: no binding shown
            return ()

    def attempted(self, trace: Trace) -> tuple[tuple[str, int], ...]:
        from checker.interp.binding import attempted_values
        from checker.interp.semantics import LimitExceeded

        try:
            return attempted_values(self.sem, trace)
        except (ValueError, LimitExceeded):  # an init block with too many candidates: no value shown
            return ()

    def fire(self, state: State, action: str) -> Step | None:
        for ai in self.sem.action_instances():
            if ai.action != action:
                continue
            for o in self.sem.outcomes(state, ai):
                if isinstance(o, State):
                    return Step(action, ai.args, o)
        return None


def make_checker(inst: ir.Instance) -> TraceChecker:
    from checker.interp.semantics import Semantics

    return InterpChecker(Semantics(inst))


@dataclass
class InterpProofChecker:
    """Proofs from the symbolic engines rest on the Z3 encoding; traces have the interpreter as a
    second semantics, and so do proofs here: an explicit search with the interpreter, from its
    own initial states and capped by the budget, must reach no state that violates a proved
    property (or reaches a goal proved unreachable). A symbolic executor that wrongly disables
    steps (so that Z3 proves anything) is caught as soon as the search gets past the steps."""

    inst: ir.Instance
    symmetry: bool

    def refute(self, claims: Sequence[tuple[ir.Property, PropertyResult]], budget: Budget) -> str | None:
        from checker.explicit.engine import ExplicitEngine

        # each claim, and the invariant behind it when the engine gave one (it holds in every
        # reachable state, so a reachable state outside it is a wrong proof even if the
        # property itself still holds there)
        checked: dict[str, tuple[PropertyResult, str]] = {}
        props: list[ir.Property] = []
        for p, r in claims:
            checked[p.name] = (r, p.name)
            props.append(p)
            inv = None if r.certificate is None else r.certificate.invariant_ir
            if inv is not None:
                name = f"{p.name} (invariant of its proof)"
                checked[name] = (r, p.name)
                props.append(ir.Property(name, ir.PropKind.INVARIANT, None, inv, span=p.span))
        engine = ExplicitEngine(self.inst, symmetry=self.symmetry, deadlock="ignore")
        for found in engine.check(props, budget).results:
            if found.prop not in checked or found.trace is None:
                continue
            r, prop = checked[found.prop]
            what = ("the invariant it rests on fails" if found.prop != prop else
                    "it is reached" if found.verdict.value == "REACHED" else "it is violated")
            steps = ", ".join(_call(s) for s in found.trace.steps[1:]) or "in an initial state"
            return (f"the {r.engine} engine proved `{prop}` {r.verdict.value}, but in the interpreter {what} "
                    f"after {found.trace.depth} steps: {steps}. This is a bug in spec-check (the encoding and the "
                    f"interpreter disagree)")
        return None


def _call(step: Step) -> str:
    return f"{step.action}({', '.join(f'{k}={v}' for k, v in step.args)})"


def make_proof_checker(inst: ir.Instance, options: Options) -> ProofChecker:
    return InterpProofChecker(inst, options.symmetry)


# ---------------------------------------------------------------- engines


class Checks(Protocol):
    """The API of bmc, induction, pdr and simulate."""

    def check(self, props: Sequence[ir.Property], budget: Budget) -> list[PropertyResult]: ...


@dataclass
class Symbolic:
    """bmc / induction / pdr, and simulate: `check(props, budget) -> list[PropertyResult]`."""

    name: str
    impl: Checks

    def run(self, props: Sequence[ir.Property], budget: Budget) -> EngineRun:
        try:
            return EngineRun(tuple(self.impl.check(list(props), budget)))
        except Exception as err:
            if _solver_out_of_memory(err):  # the scheduler reports it as UNKNOWN, like Python's own
                raise MemoryError(str(err)) from err
            raise


@dataclass
class Explicit:
    name: str
    impl: ExplicitEngine
    memory_limit: int | None = None  # the process's address space while it searches (checker/memory.py)

    def run(self, props: Sequence[ir.Property], budget: Budget) -> EngineRun:
        # only while it searches: replay, merge and the report need a little memory (and lazy
        # imports) beside the states it keeps for traces
        with memory.limited(self.memory_limit):
            out = self.impl.check(list(props), budget)
        run = EngineRun(tuple(out.results), tuple(out.warnings), out.graph, () if out.stats is None else (out.stats,))
        if out.interrupted:
            raise Interrupted(run)
        return run


def make_engine(kind: EngineKind, inst: ir.Instance, options: Options, progress: Progress | None,
                encodings: dict[int, Encoding] | None = None) -> Engine:
    if kind is EngineKind.EXPLICIT:
        from checker.explicit.engine import ExplicitEngine

        def tick(states: int, depth: int, rate: float) -> None:
            if progress is not None:
                progress(f"explicit: {states} states, depth {depth}, {rate:,.0f} states/s")

        return Explicit("explicit", ExplicitEngine(inst, symmetry=options.symmetry, keep_graph=options.keep_graph,
                                                   deadlock=options.deadlock.value, progress=tick,
                                                   count_orbits=options.stats), options.memory_limit)
    if kind is EngineKind.SIMULATE:
        from checker.explicit.simulate import Simulator

        return Symbolic("simulate", Simulator(inst, seed=options.seed, walks=options.walks, progress=progress))
    from checker.solver.encode import Encoding
    from checker.solver.memcap import cap_memory
    from checker.symbolic.bmc import Bmc
    from checker.symbolic.induction import Induction
    from checker.symbolic.pdr import Pdr

    symbolic: dict[EngineKind, type[Bmc] | type[Induction] | type[Pdr]] = {
        EngineKind.BMC: Bmc, EngineKind.INDUCTION: Induction, EngineKind.PDR: Pdr}
    cls = symbolic.get(kind)
    if cls is None:
        raise ValueError(f"no engine for {kind}")  # AUTO is the scheduler's, not an engine
    cap_memory(options.memory_limit)
    try:
        if encodings is None:
            return Symbolic(kind.value, cls(inst))
        if id(inst) not in encodings:
            encodings[id(inst)] = Encoding(inst)
        return Symbolic(kind.value, cls(inst, encodings[id(inst)]))
    except Exception as err:
        if _solver_out_of_memory(err):
            raise MemoryError(str(err)) from err
        raise


def _solver_out_of_memory(err: Exception) -> bool:
    from checker.solver.memcap import out_of_memory

    return out_of_memory(err)
