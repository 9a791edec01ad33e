"""Houdini for all sizes: the largest subset of candidate lemmas that holds initially and is
inductive with every sort uninterpreted (checker/solver/parametric.py's encoding).

One incremental solver per query (the init block, each action). Each round asks for a state that
satisfies every kept lemma and a step from it that falsifies at least one; the lemmas the model
falsifies (checker/solver/universe.py evaluates quantifiers over its finite universes) are
dropped, until every query is unsat. What is left is the maximal inductive subset; the caller
still checks it (and which properties it implies) with `parametric.check_all_sizes`, whose
queries become the certificate: this search is not trusted.

When a property's own lemma falls, the step that broke it is kept (`Cti`): two concrete states
of the sizes the model chose and the action between them, which is what a user reads to see why
no all-sizes proof was found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import z3

from checker.result import State
from checker.solver import parametric as par
from checker.solver.terms import conj, disj, neg
from checker.solver.universe import Universes, location_state, sized
from spec import ir
from spec.printer import print_ir_expr
from spec.types import FunT

DONE, UNKNOWN, OUTSIDE = "done", "unknown", "outside"
SMALL = 3  # models are first looked for with at most this many elements per sort


@dataclass(frozen=True)
class Cti:
    """A counterexample to induction in model terms: in `inst` (the model's universe sizes), a
    state `pre` satisfying every lemma kept at the time, the action `action(args)` (None: the init
    block, and `pre` is None) and the state `post` after it, where the lemmas `broken` fail."""

    inst: ir.Instance
    action: str | None
    args: tuple[tuple[str, ir.Value], ...]
    pre: State | None
    post: State
    broken: tuple[str, ...]


@dataclass(frozen=True)
class HoudiniResult:
    """DONE: `kept` is initial and inductive for all sizes (as far as this untrusted search can
    tell). UNKNOWN / OUTSIDE: nothing is known (`reason`, and `span` for OUTSIDE). `dropped`
    pairs each dropped lemma with why; `ctis` are the steps that broke the lemmas listed in
    `watch`."""

    status: str
    kept: tuple[ir.Expr, ...] = ()
    dropped: tuple[tuple[ir.Expr, str], ...] = ()
    ctis: tuple[Cti, ...] = ()
    reason: str | None = None
    span: object = None
    rounds: int = 0


@dataclass
class _Query:
    name: str  # "init" or the action's name
    solver: z3.Solver
    post: list[z3.BoolRef]  # each lemma over the step's successor
    outcome: par.Outcome
    goals: int = 0


@dataclass
class _Search:
    sig: par.Sig
    lemmas: list[ir.Expr]
    lits: list[z3.BoolRef]
    pre: par.State
    keep: list[int]
    small: z3.BoolRef  # assumed: every sort has at most SMALL elements
    bounded: bool  # only look for counterexamples with at most SMALL elements per sort
    dropped: list[tuple[ir.Expr, str]] = field(default_factory=list)
    ctis: list[Cti] = field(default_factory=list)


def houdini(inst: ir.Instance, lemmas: Sequence[ir.Expr], deadline: float | None,
            watch: Sequence[ir.Expr] = ()) -> HoudiniResult:
    """The maximal subset of `lemmas` that is initial and inductive for every size. A solver
    unknown (or the deadline) is UNKNOWN: a smaller set is no answer then."""
    sig = par.Sig(inst)
    pre = sig.state("0")
    usable, dropped = [], []
    for lemma in dict.fromkeys(lemmas):
        try:
            sig.expr(lemma, pre, {})
            usable.append(lemma)
        except par.Outside as exc:
            dropped.append((lemma, f"outside the all-sizes encoding: {exc.construct}"))
    watched = {print_ir_expr(w) for w in watch}
    ctis: list[Cti] = []
    rounds = 0
    # Bounded first: with at most SMALL elements per sort the quantifiers are finite and the
    # queries cheap, and most wrong lemmas fall there; then every size, on fresh solvers that
    # carry only the lemmas still kept (dropped ones would still cost instantiations).
    for phase, bounded in enumerate((True, False)):
        try:
            s = _Search(sig, usable, [z3.Bool(f"lemma!{phase}!{i}", sig.ctx) for i in range(len(usable))], pre,
                        list(range(len(usable))), z3.Bool("small!", sig.ctx), bounded, dropped, ctis)
            queries = _queries(s)
        except par.Outside as exc:
            return HoudiniResult(OUTSIDE, reason=exc.construct, span=exc.span, dropped=tuple(dropped))
        n, stuck = _fixpoint(s, queries, deadline, watched)
        rounds += n
        if stuck is not None:
            return HoudiniResult(UNKNOWN, dropped=tuple(dropped), ctis=tuple(ctis), rounds=rounds,
                                 reason=f"the solver gave no answer for {stuck}")
        usable = [usable[i] for i in s.keep]
    return HoudiniResult(DONE, tuple(usable), tuple(dropped), tuple(ctis), rounds=rounds)


def _fixpoint(s: _Search, queries: list[_Query], deadline: float | None, watched: set[str]) -> tuple[int, str | None]:
    """Prune until a round drops nothing: (rounds, None), or the query the solver could not answer."""
    rounds = 0
    changed = True
    while changed and s.keep:
        changed = False
        rounds += 1
        for q in queries:
            status = _prune(s, q, deadline, watched)
            if status == UNKNOWN:
                return rounds, q.name
            changed |= status == "changed"
        queries = [q for q in queries if q.name != "init"]  # its answer does not depend on the kept set
    return rounds, None


def _queries(s: _Search) -> list[_Query]:
    sig, c = s.sig, s.sig.ctx
    w0, free_ok = sig.initial()
    it = sig.init(w0)
    init = z3.Solver(ctx=c)
    init.add(conj([free_ok, it.ok], c))
    out = [_Query("init", init, [sig.expr(x, it.post, {}) for x in s.lemmas], it)]
    at_pre = [sig.expr(x, s.pre, {}) for x in s.lemmas]
    for a in sig.inst.model.actions:
        o = sig.action(a, s.pre)
        if z3.is_false(o.ok):
            continue
        solver = z3.Solver(ctx=c)
        solver.add(conj([sig.state_ok(s.pre), o.inputs, o.ok], c))
        for lit, f in zip(s.lits, at_pre, strict=True):
            solver.add(z3.Implies(lit, f))
        out.append(_Query(a.name, solver, [sig.expr(x, o.post, {}) for x in s.lemmas], o))
    for q in out:
        q.solver.add(z3.Implies(s.small, _at_most(sig, SMALL)))
    return out


def _at_most(sig: par.Sig, n: int) -> z3.BoolRef:
    """Every sort has at most `n` elements."""
    parts = []
    for name, _ in sig.inst.sizes:
        sort = sig.sorts()[name]
        x = z3.Const(f"{name}!any", sort)
        es = [z3.Const(f"{name}!small{i}", sort) for i in range(n)]
        parts.append(z3.ForAll([x], z3.Or([x == e for e in es])))
    return conj(parts, sig.ctx)


def _prune(s: _Search, q: _Query, deadline: float | None, watched: set[str]) -> str:
    """Drop the kept lemmas that steps of `q` falsify until none does: "same", "changed" or UNKNOWN."""
    from checker.solver import smt

    c = s.sig.ctx
    changed = False
    while s.keep:
        q.goals += 1
        goal = z3.Bool(f"goal!{q.name}!{q.goals}", c)
        q.solver.add(z3.Implies(goal, disj([neg(q.post[i]) for i in s.keep], c)))
        assume = ([s.lits[i] for i in s.keep] if q.name != "init" else []) + [goal]
        # small universes first: models that are cheap to read and to show
        res = smt.check_solver(q.solver, [*assume, s.small], deadline)
        if res.status is smt.Status.UNSAT and not s.bounded:
            res = smt.check_solver(q.solver, assume, deadline)
        if res.status is smt.Status.UNSAT:
            break
        if res.status is smt.Status.UNKNOWN:
            return UNKNOWN
        model = smt.model_of(q.solver)
        if model is None:
            return UNKNOWN
        u: Universes | None = Universes(model, s.sig.sorts())
        false = [i for i in s.keep if u is not None and u.evaluate(q.post[i]) is False]
        if not false:  # the evaluator could not tell: ask lemma by lemma
            u = None
            one = _one_by_one(s, q, deadline)
            if not one:  # None: unknown; []: none fails alone, which a sat disjunction rules out
                return UNKNOWN
            false = one
        why = "fails initially" if q.name == "init" else f"not preserved by {q.name}"
        broken = [print_ir_expr(s.lemmas[i]) for i in false]
        if u is not None and watched & set(broken):
            cti = _cti(s, q, u, tuple(b for b in broken if b in watched))
            if cti is not None:
                s.ctis.append(cti)
        s.dropped += [(s.lemmas[i], why) for i in false]
        s.keep = [i for i in s.keep if i not in false]
        changed = True
    return "changed" if changed else "same"


def _one_by_one(s: _Search, q: _Query, deadline: float | None) -> list[int] | None:
    from checker.solver import smt

    assume = [s.lits[i] for i in s.keep] if q.name != "init" else []
    out = []
    for i in s.keep:
        res = smt.check_solver(q.solver, [*assume, neg(q.post[i])], deadline)
        if res.status is smt.Status.UNKNOWN:
            return None
        if res.status is smt.Status.SAT:
            out.append(i)
    return out


# ---------------------------------------------------------------- counterexamples to induction


def _cti(s: _Search, q: _Query, u: Universes, broken: tuple[str, ...]) -> Cti | None:
    """The step as concrete states (None when the model leaves a sort without elements to show)."""
    if any(not es for es in u.elements.values()):
        return None
    inst = sized(s.sig.inst, u)
    args = tuple((p.name, u.value(t, p.type, s.sig.enum_names())) for p, t in q.outcome.params)
    pre = None if q.name == "init" else _state(s.sig, inst, u, s.pre)
    return Cti(inst, None if q.name == "init" else q.name, args, pre, _state(s.sig, inst, u, q.outcome.post), broken)


def _state(sig: par.Sig, inst: ir.Instance, u: Universes, w: par.State) -> State:
    values: dict[tuple[str, tuple[ir.Value, ...]], ir.Value] = {}
    names = sig.enum_names()
    for v in inst.model.vars:
        result = v.type.result if isinstance(v.type, FunT) else v.type
        combos: list[list[tuple[z3.ExprRef | None, ir.Value]]] = [[]]
        for t in (v.type.args if isinstance(v.type, FunT) else ()):
            combos = [c + [x] for c in combos for x in u.args(t, inst)]
        for combo in combos:
            terms = tuple(t if t is not None else sig.value_term(val) for t, val in combo)
            values[(v.name, tuple(val for _, val in combo))] = u.value(sig.read(w, v.name, terms), result, names)
    return location_state(inst, values)
