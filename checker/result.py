"""What engines produce and reports consume; data only, no Z3 objects.

A Verdict is a closed enum: UNKNOWN always carries a reason, and `None` never stands for
"unknown". States and traces hold IR values (`spec.ir.Value`), so every engine's traces look
the same and the interpreter can replay any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum

from spec.ir import Expect, Expr, PropKind, Value, format_value
from spec.source import NO_SPAN, Span


class Verdict(Enum):
    PROVED = "PROVED"
    PROVED_ALL_SIZES = "PROVED ALL SIZES"
    HOLDS_TO_DEPTH = "HOLDS TO DEPTH"
    VIOLATED = "VIOLATED"
    REACHED = "REACHED"
    UNREACHABLE = "UNREACHABLE"
    UNKNOWN = "UNKNOWN"

    @property
    def is_pass(self) -> bool:
        """Only a proof (or a found witness of a cover goal) passes. HOLDS TO DEPTH is not a pass
        for a pre-merge gate, but it is not a failure either; see `is_failure`."""
        return self in (Verdict.PROVED, Verdict.PROVED_ALL_SIZES, Verdict.REACHED)

    @property
    def is_failure(self) -> bool:
        return self in (Verdict.VIOLATED, Verdict.UNREACHABLE)

    @property
    def is_definitive(self) -> bool:
        return self not in (Verdict.HOLDS_TO_DEPTH, Verdict.UNKNOWN)


def as_expected(verdict: Verdict, expect: Expect = Expect.REACHED) -> bool | None:
    """True: the answer passes (a proof; a goal answered as its `expect` says); False: it fails
    (a violation; a goal answered the other way); None: not decided (bounded, unknown). An open
    question (`expect any`) passes whichever way it is answered."""
    if verdict in (Verdict.REACHED, Verdict.UNREACHABLE):
        return expect is Expect.ANY or verdict.value.lower() == expect.value
    return True if verdict.is_pass else False if verdict.is_failure else None


Loc = tuple[str, tuple[Value, ...]]  # (variable, index); index () for a scalar


@dataclass(frozen=True)
class State:
    """A full assignment of every location; hashable, ordered as `Instance.locations`."""

    values: tuple[tuple[Loc, Value], ...]

    def get(self, var: str, index: tuple[Value, ...] = ()) -> Value:
        for loc, v in self.values:
            if loc == (var, index):
                return v
        raise KeyError((var, index))

    def as_dict(self) -> dict[Loc, Value]:
        return dict(self.values)

    def __iter__(self) -> Iterator[tuple[Loc, Value]]:
        return iter(self.values)


def loc_text(loc: Loc) -> str:
    var, index = loc
    if not index:
        return var
    return f"{var}[{', '.join(format_value(v) for v in index)}]"


@dataclass(frozen=True)
class Failure:
    """An ASSERT or RANGE violation: the check that failed in the trace's last step."""

    prop: str
    message: str
    span: Span = field(default=NO_SPAN, compare=False)
    # a range violation: each location and the value the failing assignment tried to store there
    # (more than one where a `choose` in the step leads to different ones); found by the
    # interpreter after the trace replayed (checker/interp/binding.py)
    attempted: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    @property
    def text(self) -> str:
        """The message, with the refused values of a range violation."""
        tried = " or ".join(f"{loc} := {v}" for loc, v in self.attempted)
        return f"{self.message} ({tried})" if tried else self.message


@dataclass(frozen=True)
class Step:
    """One step of a trace. `action` is None for the initial state. `state` is None only for
    the last step of a trace that ends in a `Failure` (the step that failed has no successor)."""

    action: str | None
    args: tuple[tuple[str, Value], ...]
    state: State | None
    # choose values, when the engine knows them (display only; replay does not need them)
    choices: tuple[tuple[str, Value], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Trace:
    steps: tuple[Step, ...]
    failure: Failure | None = None
    # A lasso (a liveness violation): the behaviour runs steps[0..], then repeats
    # steps[loop_start + 1..] forever; the last state is steps[loop_start]'s state again. When
    # loop_start is the last index the loop is empty: that state stutters forever.
    loop_start: int | None = None

    @property
    def depth(self) -> int:
        """Number of actions taken (the initial state is depth 0)."""
        return len(self.steps) - 1


# How a trace checker (checker/backends.py TraceChecker.mismatch) starts its answer when the trace
# is too large to confirm (e.g. more initial states than replay may enumerate): not a wrong trace,
# an unconfirmed one, which the scheduler reports as UNKNOWN rather than as a bug.
UNCONFIRMED = "cannot confirm it: "


@dataclass(frozen=True)
class Certificate:
    """Why a PROVED verdict holds: an inductive invariant, in the model's terms and as SMT-LIB2
    queries whose unsatisfiability is the proof (filled in by the engine that proved it)."""

    engine: str
    invariant: str  # readable, in the model's own terms
    smt2: Mapping[str, str] = field(default_factory=dict)  # name -> SMT-LIB2 text (must be unsat)
    # The invariant as an IR expression, when the engine has one: the interpreter checks it on the
    # states it reaches (checker/backends.py InterpProofChecker). Not stored in the result cache.
    invariant_ir: Expr | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AllSizesNote:
    """Why a proof at the instance's sizes did not become PROVED ALL SIZES (checker/symbolic/
    all_sizes.py): `why` in words; when the property's own lemma was broken by a step, that step
    as `cti`, a counterexample to induction: a state satisfying every lemma kept at the time,
    the action, and the state after it, at the sizes `sizes` (e.g. `Page=3 Gfn=2`) the solver
    chose, which need not be the instance's. With `reachable`, `cti` is instead a run from an
    initial state at `sizes` that violates the property: it does not hold for every size."""

    why: str
    cti: Trace | None = None
    sizes: str = ""
    reachable: bool = False


# Why a proof has no `depends_on` when nothing more specific was said.
NOT_EXPLAINED = "only proofs for every size (PROVED ALL SIZES) are explained"
# What a proof may rest on (checker/solver/depends.py): a guard, the condition of a `choose` or an
# `if`, an assignment, an initial value, or the value of a parameter that binding substituted.
DEPENDENCY_KINDS = ("require", "choose", "if", "assign", "init", "param", "fair")


@dataclass(frozen=True)
class Dependency:
    """One model element a proof rests on: `kind` (DEPENDENCY_KINDS), the action it is in (`init`
    for the init block and initial values; for a `param`, the element that mentions it), where,
    and its source line. `disabled`: a guard that is false under this configuration."""

    kind: str
    action: str
    span: Span
    text: str
    disabled: bool = False


@dataclass(frozen=True)
class PropertyResult:
    prop: str
    kind: PropKind
    verdict: Verdict
    engine: str
    time_s: float = 0.0
    depth: int | None = None  # trace length, bound reached, or k of k-induction
    trace: Trace | None = None
    reason: str | None = None  # why UNKNOWN / HOLDS TO DEPTH (required for UNKNOWN)
    certificate: Certificate | None = None
    assumptions: tuple[str, ...] = ()  # assumes this verdict depends on
    # For a generated vacuity goal (`ACTION:fires`, checker/vacuity.py): the action it is about.
    # None for the model's own properties. Set by the scheduler, which made the goals.
    vacuity_of: str | None = None
    all_sizes: AllSizesNote | None = None  # a PROVED that is not PROVED ALL SIZES: why not
    lemmas: tuple[str, ...] = ()  # the user's `lemma`s a PROVED ALL SIZES rests on
    # Why PROVED: the model elements the proof rests on (checker/solver/depends.py; for liveness
    # the fairness assumptions, checker/explicit/live_depends.py); None when not computed
    # (`depends_note` says why), () when it rests on nothing in the model. With `depends_on`,
    # `depends_note` says what it does not cover ("" : every kind of element).
    depends_on: tuple[Dependency, ...] | None = None
    depends_note: str = ""
    expect: Expect = Expect.REACHED  # a goal's expected answer (spec.ir.Expect); set by the scheduler
    # A VIOLATED invariant: the `forall` values it fails for in the trace's last state (`p=page1`),
    # outermost first; () when it has none. Found by the interpreter (checker/interp/binding.py).
    binding: tuple[tuple[str, Value], ...] = ()

    @property
    def generated(self) -> bool:
        return self.vacuity_of is not None

    @property
    def passes(self) -> bool:
        """A proof, or a goal answered as expected (`as_expected`)."""
        return as_expected(self.verdict, self.expect) is True

    @property
    def fails(self) -> bool:
        """A violation, or a goal answered against its expectation."""
        return as_expected(self.verdict, self.expect) is False

    @property
    def vacuous_proof(self) -> bool:
        """A proof that rests only on initial values, parameter values and guards false under the
        configuration (or on nothing at all): no action's mechanism takes part in it."""
        deps = self.depends_on
        return deps is not None and not self.depends_note and self.verdict.is_pass and \
            all(d.kind in ("init", "param") or d.disabled for d in deps)

    @property
    def why_unexplained(self) -> str | None:
        """Why a proof lists no elements it rests on because none were computed (None: not a
        proof, or explained)."""
        if not self.verdict.is_pass or self.trace is not None or self.depends_on is not None:
            return None
        return self.depends_note or NOT_EXPLAINED

    def __post_init__(self) -> None:
        if self.verdict is Verdict.UNKNOWN and not self.reason:
            raise ValueError(f"UNKNOWN verdict for {self.prop} without a reason")
        if self.verdict in (Verdict.VIOLATED, Verdict.REACHED) and self.trace is None:
            raise ValueError(f"{self.verdict.value} verdict for {self.prop} without a trace")


@dataclass(frozen=True)
class Budget:
    """Limits for one engine run. `deadline` is a time.monotonic() value (None: no limit).
    `stop`, polled by the explicit search, says when other engines have made it unnecessary
    (`auto` running engines side by side, checker/portfolio.py)."""

    deadline: float | None = None
    max_depth: int | None = None
    max_states: int | None = None
    stop: Callable[[], bool] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Warning_:
    """A non-fatal finding: a dead action, a deadlock, a vacuous property."""

    code: str
    message: str
    span: Span = field(default=NO_SPAN, compare=False)
    trace: Trace | None = None


@dataclass(frozen=True)
class SearchStats:
    """What an explicit-state search covered (`--stats`). With symmetry reduction, `states` counts
    orbit representatives under renaming of `symmetry`'s sorts (`group` permutations), and
    `represented` the states they stand for (None: not counted; `represented_note` says why)."""

    engine: str
    states: int
    transitions: int
    depth: int
    exhaustive: bool
    time_s: float
    symmetry: tuple[str, ...] = ()
    group: int = 1
    represented: int | None = None
    represented_note: str = ""
    purpose: str = "properties"  # or "dead-action guards" (the search naming the require that blocks)
    limited: bool = False  # a limit (states, depth, time) stopped it before it was exhaustive
    stop_reason: str = ""  # why it stopped before it was exhaustive ("" when it was)


@dataclass(frozen=True)
class Report:
    """Everything one run found for one configuration of one model."""

    model: str
    file: str
    config: str  # Instance.describe()
    results: tuple[PropertyResult, ...]
    warnings: tuple[Warning_, ...] = ()
    time_s: float = 0.0
    interrupted: bool = False
    stats: tuple[SearchStats, ...] = ()  # one per explicit search run

    def result(self, prop: str) -> PropertyResult:
        for r in self.results:
            if r.prop == prop:
                return r
        raise KeyError(prop)
