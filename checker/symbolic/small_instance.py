"""Invariants from a small instance: Spacer on a copy with few elements per sort, generalized
by symmetry (checker/symbolic/generalize.py) and filtered by Houdini in the real instance.

Spacer's cost grows quickly with the number of pages; the invariant it finds with two pages
usually says, page by page and pair by pair, everything needed with sixteen. Nothing here is
trusted: the caller (checker/symbolic/pdr.py) proves a property with the kept lemmas only once the
certificate re-checks in a fresh Z3 context.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.solver import decode, smt
from checker.solver.deadline import EncodingTimeout
from checker.solver.encode import Domains, Encoding, Formula
from checker.solver.goals import Goal, GoalKind
from checker.symbolic.generalize import candidates, conjunction, smaller
from spec import ir


@dataclass(frozen=True)
class SmallResult:
    """`status` of Spacer on the small instance; when SAT, the kept lemmas (`invariant`, an IR
    formula over the real instance) and the goals it excludes there (`excluded`)."""

    status: smt.Status
    invariant: ir.Expr | None = None
    excluded: tuple[Goal, ...] = ()


def houdini(enc: Encoding, lemmas: list[ir.Expr], deadline: float | None) -> list[ir.Expr] | None:
    """The largest subset of `lemmas` that holds initially and is inductive (None on timeout):
    drop every lemma that an initial state, or a step from a state satisfying all kept lemmas,
    falsifies, until nothing changes."""
    s0, s1 = enc.state(0), enc.state(1)
    at0 = [enc.holds(x, s0) for x in lemmas]
    at1 = [enc.holds(x, s1) for x in lemmas]
    keep = list(range(len(lemmas)))
    init = smt.Session(enc)
    init.add(enc.init(s0).formula)
    step = smt.Session(enc)
    step.add(enc.state_ok(s0), enc.step(0).trans)
    lits = [enc.literal(f"lemma{i}") for i in keep]
    step.add(*[enc.disj([enc.neg(lit), f]) for lit, f in zip(lits, at0, strict=True)])
    for session, now, guarded in ((init, at0, False), (step, at1, True)):
        broken = [enc.neg(f) for f in now]
        packed = smt.Packed(now, enc.ctx)
        while keep:
            assume = [lits[i] for i in keep] if guarded else []
            res = session.check(*assume, enc.disj([broken[i] for i in keep]), deadline=deadline)
            if res.status is smt.Status.UNKNOWN:
                return None
            if res.status is smt.Status.UNSAT:
                break
            held = session.truths(packed)
            keep = [i for i in keep if held[i]]
    return [lemmas[i] for i in keep]


def prune(enc: Encoding, lemmas: list[ir.Expr], deadline: float | None) -> list[ir.Expr]:
    """`lemmas` without those the others imply (in states within types and assumes): the same
    invariant, shorter to read."""
    s0 = enc.state(0)
    at0 = [enc.holds(x, s0) for x in lemmas]
    session = smt.Session(enc)
    session.add(enc.state_ok(s0))
    lits = [enc.literal(f"kept{i}") for i in range(len(lemmas))]
    session.add(*[enc.disj([enc.neg(lit), f]) for lit, f in zip(lits, at0, strict=True)])
    keep = list(range(len(lemmas)))
    for i in reversed(range(len(lemmas))):
        others = [lits[j] for j in keep if j != i]
        if session.check(*others, enc.neg(at0[i]), deadline=deadline).status is smt.Status.UNSAT:
            keep.remove(i)
    return [lemmas[i] for i in keep]


def bad_at_zero(enc: Encoding, goal: Goal) -> Formula:
    """`goal` happening at state 0 (a state goal, or a failing step or init block)."""
    s0 = enc.state(0)
    if goal.kind is GoalKind.STATE:
        return enc.state_goal(goal, s0)
    return enc.disj([enc.error_goal(goal, enc.step(0)), enc.init_error_goal(goal, enc.init(s0))])


def anywhere(enc: Encoding, goal: Goal) -> Formula:
    """`goal` happening at state 0 with no reachability premise (only types and assumes):
    unsatisfiable means `true` is an inductive invariant that excludes it."""
    s0 = enc.state(0)
    if goal.kind is GoalKind.STATE:
        return enc.conj([enc.state_ok(s0), enc.state_goal(goal, s0)])
    return enc.disj([enc.conj([enc.state_ok(s0), enc.error_goal(goal, enc.step(0))]),
                     enc.init_error_goal(goal, enc.init(s0))])


def from_small_instance(enc: Encoding, goals: list[Goal], size: int, spacer_deadline: float | None,
                        deadline: float | None) -> SmallResult:
    """Spacer on `enc`'s instance cut to `size` elements per sort, its invariant generalized and
    filtered in `enc` (a BITS encoding of the real instance)."""
    small = smaller(enc.inst, size)
    if small is None:
        return SmallResult(smt.Status.UNKNOWN)
    senc = Encoding(small, deadline=enc.deadline)  # building its terms stops at the run's deadline
    res = smt.solve_horn(senc, senc.horn(goals), spacer_deadline)
    if res.status is not smt.Status.SAT or res.invariant is None:
        return SmallResult(res.status)
    try:
        lemmas = candidates(decode.to_ir(senc, res.invariant))
        assert enc.domains is Domains.BITS
        kept = houdini(enc, lemmas, deadline)
        if kept is None:
            return SmallResult(smt.Status.UNKNOWN)
        inv = conjunction(prune(enc, kept, deadline))
    except (ValueError, RecursionError):
        # Spacer said something the IR cannot, or something nested too deeply for Python to
        # rewrite (a generated model's invariant did): nothing to generalize, PDR goes on without it
        return SmallResult(smt.Status.UNKNOWN)
    s0 = enc.state(0)
    at0 = enc.conj([enc.holds(inv, s0), enc.state_ok(s0)])
    excluded = tuple(g for g in goals if smt.check_formula(enc, enc.conj([at0, bad_at_zero(enc, g)]), deadline).status
                     is smt.Status.UNSAT)
    return SmallResult(smt.Status.SAT, inv, excluded)


def small_candidates(inst: ir.Instance, props: Sequence[ir.Property], size: int,
                     deadline: float | None) -> list[ir.Expr]:
    """Candidate lemmas for an all-sizes proof (checker/symbolic/all_sizes.py): Spacer's invariant
    for `props` on `inst` cut to `size` elements per sort, generalized; [] when Spacer gives none."""
    from checker.solver.goals import goal_of

    small = smaller(inst, size) or inst
    senc = Encoding(small)
    try:
        with senc.until(deadline):
            res = smt.solve_horn(senc, senc.horn([goal_of(p) for p in props]), deadline)
            if res.status is not smt.Status.SAT or res.invariant is None:
                return []
            return candidates(decode.to_ir(senc, res.invariant))
    except (ValueError, EncodingTimeout, RecursionError):  # an invariant the IR cannot say (or too
        return []                                          # deeply nested to rewrite), or out of time
