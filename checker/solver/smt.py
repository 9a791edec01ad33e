"""The only caller of Z3's `check()`: hard deadlines, unknown reasons, statistics, Horn solving
(Spacer), and decoding models back into IR values (states, traces). Invariants back into the
model's terms and SMT-LIB2 text are checker/solver/decode.py.

Z3's own `timeout` parameter is only advisory (some tactics and Spacer do not poll it), so
every check also runs under the watchdog (checker/solver/watchdog.py), whose thread calls
`Z3_interrupt` on the encoding's private context at the deadline; Z3 releases the GIL while it
works, so the thread runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum

import z3

from checker.result import Failure, State, Trace
from checker.result import Step as TraceStep
from checker.solver import watchdog
from checker.solver.encode import (
    Domains,
    Encoding,
    Formula,
    FunctionEncoding,
    HornSystem,
    StateVars,
    Step,
    Term,
)
from checker.solver.memcap import new_context
from spec import ir
from spec.types import Type


class Status(Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SatResult:
    status: Status
    reason: str | None = None  # set for UNKNOWN
    time_s: float = 0.0


@contextmanager
def _watchdog(ctx: z3.Context, remaining: float | None) -> Iterator[watchdog.Alarm]:
    """Interrupt every Z3 call in `ctx` once `remaining` seconds have passed."""
    if remaining is None:
        yield watchdog.Alarm(float("inf"))
        return
    alarm = watchdog.arm(ctx, remaining)
    try:
        yield alarm
    finally:
        watchdog.disarm(alarm)  # a ring already under way finishes: `alarm.fired` is final from here on


def _user_interrupt(reason: str, alarm: watchdog.Alarm) -> bool:
    """Z3 catches Ctrl-C itself while it solves and returns `unknown` ("canceled"); when our
    watchdog did not fire, that was the user, and the run must stop as Python would."""
    return not alarm.fired and ("cancel" in reason or "interrupt" in reason)


def check_assumptions(solver: z3.Solver, assumptions: list[Formula]) -> z3.CheckSatResult:
    """`solver.check(*assumptions)` without z3's per-assumption coercion, which costs more than
    the solving in Houdini's queries over thousands of lemma literals (tdx: 25 s of Python for
    2,000 checks). The assumptions are Boolean terms of the solver's context already."""
    arr = (z3.Ast * len(assumptions))()
    for i, a in enumerate(assumptions):
        arr[i] = a.as_ast()
    return z3.CheckSatResult(z3.Z3_solver_check_assumptions(solver.ctx.ref(), solver.solver, len(assumptions), arr))


def _run(solver: z3.Solver, ctx: z3.Context, assumptions: list[Formula], deadline: float | None) -> SatResult:
    remaining = None if deadline is None else deadline - time.monotonic()
    if remaining is not None and remaining <= 0:
        return SatResult(Status.UNKNOWN, "timeout: the deadline passed before the query started")
    if remaining is not None:
        solver.set("timeout", max(1, int(remaining * 1000)))
    t0 = time.monotonic()
    try:
        with _watchdog(ctx, remaining) as alarm:
            r = check_assumptions(solver, assumptions)
    except z3.Z3Exception as exc:  # an interrupt can surface as an exception in some tactics
        if _user_interrupt(str(exc).lower(), alarm):
            raise KeyboardInterrupt from None
        return SatResult(Status.UNKNOWN, f"z3 error: {exc}", time.monotonic() - t0)
    elapsed = time.monotonic() - t0
    if r == z3.sat and alarm.fired:
        # The watchdog rang as Z3 answered: the context stays canceled, and reading the model
        # would raise ("canceled") in the middle of decoding a trace. The time is up anyway.
        return SatResult(Status.UNKNOWN, "timeout (z3 was interrupted as it answered sat)", elapsed)
    if r == z3.sat or r == z3.unsat:
        return SatResult(Status.SAT if r == z3.sat else Status.UNSAT, None, elapsed)
    reason = solver.reason_unknown() or "unknown"
    if _user_interrupt(reason.lower(), alarm) and not (deadline is not None and time.monotonic() >= deadline - 0.01):
        raise KeyboardInterrupt
    if deadline is not None and time.monotonic() >= deadline - 0.01:
        reason = f"timeout (z3: {reason})"
    return SatResult(Status.UNKNOWN, f"z3 gave up: {reason}" if not reason.startswith("timeout") else reason,
                     elapsed)


def model_of(solver: z3.Solver) -> z3.ModelRef | None:
    """The model of a `sat` answer, or None when Z3 cannot give it: a watchdog interrupt that
    lands just after `check` returned leaves the context canceled (`model is not available`)."""
    try:
        return solver.model()
    except z3.Z3Exception:
        return None


def _solver(enc: Encoding) -> z3.Solver:
    """Bit-vector state without arrays is a finite-domain problem: Z3's QF_FD solver bit-blasts it
    to its SAT core (incremental, with assumptions), which is much faster than the SMT core here."""
    if enc.domains is Domains.BITS and enc.functions is FunctionEncoding.SCALARS:
        return z3.SolverFor("QF_FD", ctx=enc.ctx)
    return z3.Solver(ctx=enc.ctx)


class Packed:
    """Formulas packed into one bit-vector (bit i: formula i holds), so that a model says which
    of thousands hold in one evaluation rather than one Python round trip each (Houdini)."""

    def __init__(self, fs: Sequence[Formula], ctx: z3.Context):
        one, zero = z3.BitVecVal(1, 1, ctx), z3.BitVecVal(0, 1, ctx)
        bits = [z3.If(f, one, zero) for f in fs] or [zero]
        self.term = bits[0] if len(bits) == 1 else z3.Concat(bits)  # formula 0 is the top bit
        self.count = len(fs)


class Session:
    """One incremental solver over an Encoding; remembers the last model for decoding."""

    def __init__(self, enc: Encoding):
        self.enc = enc
        self._solver = _solver(enc)
        self._model: z3.ModelRef | None = None
        self.checks = 0
        self.solver_time = 0.0

    def add(self, *fs: Formula) -> None:
        for f in fs:
            if not z3.is_true(f):
                self._solver.add(f)

    def check(self, *assumptions: Formula, deadline: float | None = None) -> SatResult:
        res = _run(self._solver, self.enc.ctx, list(assumptions), deadline)
        self.checks += 1
        self.solver_time += res.time_s
        self._model = model_of(self._solver) if res.status is Status.SAT else None
        if res.status is Status.SAT and self._model is None:
            return SatResult(Status.UNKNOWN, "z3 answered sat but could not give the model (interrupted)", res.time_s)
        return res

    def solve_preferring(self, goal: Formula, prefs: list[Formula], deadline: float | None) -> bool:
        """A model of `goal` that keeps as many of `prefs` as a few rounds of dropping unsat-core
        members allow (for readable traces). True when the session then holds a model of `goal`."""
        keep = list(prefs)
        for _ in range(4):
            res = self.check(goal, *keep, deadline=deadline)
            if res.status is not Status.UNSAT or not keep:
                return res.status is Status.SAT
            core = {c.get_id() for c in self._solver.unsat_core()}
            if not any(p.get_id() in core for p in keep):
                break
            keep = [p for p in keep if p.get_id() not in core]
        return self.check(goal, deadline=deadline).status is Status.SAT

    # ------------------------------------------------------------ decoding the last model

    def _eval(self, t: Term) -> Term:
        assert self._model is not None, "no model: the last check was not sat"
        return self._model.evaluate(t, model_completion=True)

    def holds(self, f: Formula) -> bool:
        return z3.is_true(self._eval(f))

    def truths(self, packed: Packed) -> list[bool]:
        """The value of each formula of `packed` in the last model, in one evaluation."""
        v = self._eval(packed.term).as_long()
        return [bool(v >> (packed.count - 1 - i) & 1) for i in range(packed.count)]

    def value(self, t: Term, typ: Type) -> ir.Value:
        return self.enc.values.decode(self._eval(t), typ)

    def state(self, s: StateVars) -> State:
        terms = self.enc.locations(s)
        inst = self.enc.inst
        return State(tuple(((v.name, i), self.value(terms[(v.name, i)], ir.domain_type(v.type)))
                           for v in inst.model.vars for i in inst.locations(v)))

    def _action(self, step: Step) -> tuple[str, tuple[tuple[str, ir.Value], ...], tuple[tuple[str, ir.Value], ...]]:
        assert step.inputs.act is not None
        name = self.enc.action_name(self._eval(step.inputs.act))
        ai = step.inputs.actions[name]
        # A choose off the path taken (or after the check that failed) is unconstrained and may
        # hold a value outside its domain: it is no part of the step, so it is not shown.
        choices = tuple((v.name, self.value(v.const, v.type)) for v in ai.choices
                        if self.holds(self.enc.values.in_domain(v.const, v.type)))
        return name, tuple((v.name, self.value(v.const, v.type)) for v in ai.params), choices

    def trace(self, depth: int, failure: str | None = None) -> Trace:
        """States 0..depth and the actions between them; with `failure`, the last step fails a
        check of that property instead (it has no state; at depth 0 the init block fails)."""
        enc = self.enc
        if failure is not None and depth == 0:
            sites = enc.init(enc.state(0)).errors.get(failure, ())
            return Trace((TraceStep(None, (), None),), self._failure(failure, sites))
        steps = [TraceStep(None, (), self.state(enc.state(0)))]
        for i in range(1, depth + 1):
            name, args, choices = self._action(enc.step(i - 1))
            last_fails = failure is not None and i == depth
            state = None if last_fails else self.state(enc.state(i))
            steps.append(TraceStep(name, args, state, choices))
        fail = self._failure(failure, enc.step(depth - 1).sites(failure)) if failure is not None else None
        return Trace(tuple(steps), fail)

    def _failure(self, prop: str, sites: tuple[tuple[ir.Check, Formula], ...]) -> Failure:
        for chk, f in sites:
            if self.holds(f):
                return Failure(prop, chk.message, chk.span)
        raise AssertionError(f"the model fails no check of {prop}")


def check_formula(enc: Encoding, f: Formula, deadline: float | None) -> SatResult:
    """A one-off satisfiability check in a fresh solver."""
    s = _solver(enc)
    s.add(f)
    return _run(s, enc.ctx, [], deadline)


def check_solver(solver: z3.Solver, assumptions: list[Formula], deadline: float | None) -> SatResult:
    """`solver.check(*assumptions)` under the deadline watchdog (a solver built outside an
    Encoding, e.g. checker/solver/houdini_all.py's quantified queries)."""
    return _run(solver, solver.ctx, assumptions, deadline)


# ---------------------------------------------------------------- Horn clauses (Spacer)


@dataclass(frozen=True)
class HornResult:
    """SAT: an inductive invariant exists (`invariant`, over the system's state); UNSAT: the goal
    is reachable; UNKNOWN: with a reason."""

    status: Status
    reason: str | None
    time_s: float
    invariant: Formula | None = None


def solve_horn(enc: Encoding, system: HornSystem, deadline: float | None) -> HornResult:
    s = z3.SolverFor("HORN", ctx=enc.ctx)
    s.add(*system.rules)
    res = _run(s, enc.ctx, [], deadline)
    if res.status is not Status.SAT:
        return HornResult(res.status, res.reason, res.time_s)
    model = model_of(s)
    if model is None:
        return HornResult(Status.UNKNOWN, "z3 answered sat but could not give the model (interrupted)", res.time_s)
    inv = _interpretation(model, system)
    if _has_quantifier(inv):  # Spacer's model converters can leave `exists`: eliminate them
        inv = _eliminate_quantifiers(inv, enc.ctx, deadline)
        if inv is None:
            return HornResult(Status.UNKNOWN, "Spacer's invariant has quantifiers that could not be eliminated",
                              res.time_s)
    return HornResult(res.status, None, res.time_s, inv)


def _has_quantifier(f: Term) -> bool:
    todo, seen = [f], set()
    while todo:
        t = todo.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_quantifier(t):
            return True
        if z3.is_app(t):
            todo.extend(t.children())
    return False


def _eliminate_quantifiers(f: Formula, ctx: z3.Context, deadline: float | None) -> Formula | None:
    remaining = None if deadline is None else deadline - time.monotonic()
    if remaining is not None and remaining <= 0:
        return None
    try:
        with _watchdog(ctx, remaining) as alarm:
            goals = z3.Tactic("qe", ctx=ctx)(f)
    except z3.Z3Exception as exc:
        if _user_interrupt(str(exc).lower(), alarm):
            raise KeyboardInterrupt from None
        return None
    if len(goals) != 1:
        return None
    out = goals[0].as_expr()
    return None if _has_quantifier(out) else out


def _interpretation(m: z3.ModelRef, system: HornSystem) -> Formula:
    """The predicate's interpretation applied to the system's state constants. (Evaluating the
    application in the model does not expand it, so read the function table: Var(i) is arg i.)
    A predicate the model leaves open (no states at all) reads as false; the certificate check
    decides whether that is right."""
    args = system.state.terms()
    false = z3.BoolVal(False, system.pred.ctx)
    if all(d.name() != system.pred.name() for d in m.decls()):
        return false
    interp = m[system.pred]
    if isinstance(interp, z3.QuantifierRef):  # a lambda
        return z3.substitute_vars(interp.body(), *reversed(args))
    try:
        default = interp.else_value()
        entries = [(interp.entry(i).value(), [interp.entry(i).arg_value(j) for j in range(len(args))])
                   for i in range(interp.num_entries())]
    except z3.Z3Exception:
        return false
    out = z3.substitute_vars(default, *args) if args else default
    for value, vals in reversed(entries):
        out = z3.If(z3.And([a == v for a, v in zip(args, vals, strict=True)]), value, out)
    return out


# ---------------------------------------------------------------- SMT-LIB2 texts


def check_smtlib(text: str, deadline: float | None, ctx: z3.Context | None = None) -> SatResult:
    """Check an SMT-LIB2 text in a fresh solver (used to re-check certificates), in a fresh
    context unless given one: the texts of one certificate share one, since a context costs more
    to make than most of its queries take (gmem: 43 contexts, 0.3 s), and a solver sees only
    what its own text asserts."""
    ctx = ctx or new_context()
    s = z3.Solver(ctx=ctx)
    try:
        s.from_string(text)
    except z3.Z3Exception as exc:
        return SatResult(Status.UNKNOWN, f"cannot parse SMT-LIB2: {exc}")
    return _run(s, ctx, [], deadline)
