"""Re-run a trace in the Python semantics; Trace x Semantics -> ReplayResult.

A trace is accepted iff its first state is an initial state and every later step's state is one
of the outcomes of the named action instance on the state before it; a trace ending in a
`Failure` must end with an action instance (or, for a trace of one step, the init block) that has
that violation among its outcomes (docs/semantics.md, "Replay"). Choose values are not needed:
the interpreter enumerates them.

    result = replay(trace, Semantics(inst))
    if not result.ok:
        result.mismatch.step, result.mismatch.kind, result.mismatch.message

The caller turns a mismatch into an internal error (exit 4): an engine produced a trace the
independent semantics does not accept, so one of the two is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from checker.interp.semantics import FastState, LimitExceeded, Semantics, Violation
from checker.result import Step, Trace, loc_text
from spec import ir

# Candidate initial assignments replay enumerates when the trace's own first state is not one it
# starts from (the init block reads the starting value of a variable without an initialiser).
MAX_CANDIDATES = 10**7


class MismatchKind(Enum):
    MALFORMED = "malformed trace"
    BAD_STATE = "ill-formed state"
    NOT_INITIAL = "not an initial state"
    UNKNOWN_ACTION = "unknown action instance"
    NOT_A_SUCCESSOR = "successor not among the outcomes"
    VIOLATION_NOT_PRODUCED = "expected violation not produced"
    TOO_LARGE = "too many initial states to enumerate"  # unconfirmed, not wrong


@dataclass(frozen=True)
class Mismatch:
    """The first step (index into `Trace.steps`) that does not replay, and why."""

    step: int
    kind: MismatchKind
    message: str

    def __str__(self) -> str:
        return f"step {self.step}: {self.kind.value}: {self.message}"


@dataclass(frozen=True)
class ReplayResult:
    mismatch: Mismatch | None = None

    @property
    def ok(self) -> bool:
        return self.mismatch is None

    def __str__(self) -> str:
        return "replays" if self.mismatch is None else str(self.mismatch)


def replay(trace: Trace, sem: Semantics, initial: bool = True) -> ReplayResult:
    """`initial=False`: the first state may be any state within types (a counterexample to
    induction starts from a state that need not be reachable)."""
    m = _shape(trace) or _replay(trace, sem, initial)
    return ReplayResult(m)


def _shape(trace: Trace) -> Mismatch | None:
    """Structural rules of checker.result.Trace, before any semantics."""
    steps = trace.steps
    if not steps:
        return Mismatch(0, MismatchKind.MALFORMED, "the trace has no steps")
    if steps[0].action is not None or steps[0].args:
        return Mismatch(0, MismatchKind.MALFORMED, "the first step must be the initial state (no action)")
    for i, st in enumerate(steps[1:], 1):
        if st.action is None:
            return Mismatch(i, MismatchKind.MALFORMED, "only the first step may have no action")
    for i, st in enumerate(steps):
        last = i == len(steps) - 1
        if st.state is None and not (last and trace.failure is not None):
            return Mismatch(i, MismatchKind.MALFORMED, "a step without a state must be the last step of a trace "
                            "that ends in a failure")
        if last and trace.failure is not None and st.state is not None:
            return Mismatch(i, MismatchKind.MALFORMED, f"the trace ends in a failure of `{trace.failure.prop}`, "
                            "so its last step must have no state")
    return None


def _replay(trace: Trace, sem: Semantics, initial: bool) -> Mismatch | None:
    failure = None if trace.failure is None else Violation(trace.failure.prop, trace.failure.message)
    first = trace.steps[0]
    if first.state is None:  # a failure of the init block itself
        assert failure is not None
        try:
            outs = sem.initial_fast(limit=MAX_CANDIDATES)
        except LimitExceeded as limit:  # such a trace has no state to start from: every candidate
            return Mismatch(0, MismatchKind.TOO_LARGE, f"could not enumerate the initial states: {limit}")
        if failure not in outs:
            return Mismatch(0, MismatchKind.VIOLATION_NOT_PRODUCED,
                            f"the init block never fails `{failure.prop}` ({failure.message})")
        return None
    prev, err = _decode(sem, first, 0)
    if err is not None:
        return err
    assert prev is not None
    bad = _check_initial(sem, prev) if initial else None
    if bad is not None:
        return bad
    for i, st in enumerate(trace.steps[1:], 1):
        idx = sem.index_of(st.action or "", st.args)
        if idx is None:
            return Mismatch(i, MismatchKind.UNKNOWN_ACTION, _unknown_action(sem, st))
        ai = sem.action_instances()[idx]
        outs = list(dict.fromkeys(sem.runners[idx](prev)))
        if st.state is None:
            assert failure is not None
            if failure not in outs:
                return Mismatch(i, MismatchKind.VIOLATION_NOT_PRODUCED,
                                f"{ai} does not fail `{failure.prop}` ({failure.message}) here; "
                                f"{_outcomes_text(sem, outs)}")
            return None
        nxt, err = _decode(sem, st, i)
        if err is not None:
            return err
        assert nxt is not None
        if nxt not in outs:
            return Mismatch(i, MismatchKind.NOT_A_SUCCESSOR, f"the state after {ai} is not one of its outcomes: "
                            + _why_not(sem, nxt, outs))
        prev = nxt
    return None


def _decode(sem: Semantics, st: Step, i: int) -> tuple[FastState | None, Mismatch | None]:
    assert st.state is not None
    try:
        return sem.from_state(st.state), None
    except ValueError as err:
        return None, Mismatch(i, MismatchKind.BAD_STATE, str(err))


def _check_initial(sem: Semantics, s: FastState) -> Mismatch | None:
    """Is `s` an initial state? First the candidate that is `s` itself (the init block usually
    keeps or overwrites what it starts from): a variable `0..9223372036854775807` without an
    initialiser is never enumerated for that. Else the candidates that agree with `s` on the
    variables the init block never writes (those keep their starting value), up to a limit."""
    free = {k for k, _t in sem.free_slots()}
    if s in sem.initial_fast(pinned={k: s[k] for k in free}):
        return None
    written = sem.init_writes()
    pinned = {}
    for v in sem.instance.model.vars:
        if v.name not in written:
            vl = sem.layout.vars[v.name]
            for k in range(vl.base, vl.base + vl.size):
                pinned[k] = s[k]
    try:
        outs = sem.initial_fast(limit=MAX_CANDIDATES, pinned=pinned)
    except LimitExceeded as err:
        return Mismatch(0, MismatchKind.TOO_LARGE, f"could not enumerate the initial states: {err}")
    if s in outs:
        return None
    return Mismatch(0, MismatchKind.NOT_INITIAL, "the first state is not an initial state: " + _why_not(sem, s, outs))


def _why_not(sem: Semantics, s: FastState, outs: list[Any]) -> str:
    """Why `s` is not among `outs`: nothing enabled, an assume, or the locations that differ from
    the closest outcome."""
    if not sem.assumptions_hold(s):
        names = [a.name for a in sem.instance.model.assumes if not sem.predicate(a.expr)(s)]
        return f"the state falsifies assume {', '.join(names)}"
    states = [o for o in outs if not isinstance(o, Violation)]
    if not states:
        return _outcomes_text(sem, outs)
    best = min(states, key=lambda o: sum(a != b for a, b in zip(o, s, strict=True)))
    diffs = []
    for k, (a, b) in enumerate(zip(s, best, strict=True)):
        if a != b:
            t = sem.layout.slot_types[k]
            diffs.append(f"{loc_text(sem.layout.locs[k])} is {ir.format_value(sem.layout.value(t, a))} in the "
                         f"trace but {ir.format_value(sem.layout.value(t, b))} in the closest outcome")
    more = f" (and {len(diffs) - 3} more)" if len(diffs) > 3 else ""
    return f"{len(states)} possible state(s); " + "; ".join(diffs[:3]) + more


def _outcomes_text(sem: Semantics, outs: list[Any]) -> str:
    if not outs:
        return "it is not enabled (no outcome)"
    viols = sorted({o.prop for o in outs if isinstance(o, Violation)})
    n = sum(1 for o in outs if not isinstance(o, Violation))
    parts = []
    if n:
        parts.append(f"{n} successor state(s)")
    if viols:
        parts.append(f"failures of {', '.join(viols)}")
    return "its outcomes are " + " and ".join(parts)


def _unknown_action(sem: Semantics, st: Step) -> str:
    text = f"{st.action}({', '.join(f'{k}={ir.format_value(v)}' for k, v in st.args)})"
    try:
        action = sem.instance.model.action(st.action or "")
    except KeyError:
        return f"{text}: the model has no action `{st.action}`"
    params = ", ".join(f"{p.name}: {p.type}" for p in action.params)
    return f"{text}: `{action.name}` takes ({params}) and these arguments are not among its instances"
