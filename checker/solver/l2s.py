"""Liveness to safety (Biere, Artho, Schuppan 2002) as constrained Horn clauses: a liveness
property at one value of its binders -> a HornSystem whose satisfiability means no fair lasso
violates it; and the check of Spacer's answer in a fresh solver.

The monitored system is the model plus, over one extra copy of the state: `saved` (a state was
saved: the loop's first state), the copy itself, and per fair action instance `took` (taken by a
step since the save), `off` (disabled in a state left since the save; weak fairness) or `on`
(enabled in one; strong fairness), and `qseen` (Q held in a state since the save, that one
included). A save may happen in any state (for `always (P -> eventually Q)` only while an
obligation is pending: P held, Q has not since). The bad states: saved, back at the copy, every
weakly fair instance taken or disabled in a loop state (the current one included, which covers
a state that stutters forever), every strongly fair instance taken or disabled in every loop
state, Q false throughout (for `eventually Q`, since the initial state). In a finite instance a
fair violating lasso exists iff a bad state is reachable, so an inductive invariant (Spacer's
answer) is a proof; `check_solution` re-checks every clause with it in a fresh solver before
anyone believes it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import z3

from checker.solver.encode import Encoding, HornSystem, StateVars, forall_consts
from checker.solver.smt import Status, check_formula
from spec import ir
from spec.ops import Fairness

Instance = tuple[str, tuple[ir.Value, ...]]


@dataclass(frozen=True)
class L2sSystem:
    horn: HornSystem
    clauses: tuple[tuple[str, list[z3.ExprRef], z3.BoolRef, z3.BoolRef | None], ...]  # (name, consts, body, head args)


def fair_instances(inst: ir.Instance) -> tuple[list[Instance], list[Instance]]:
    weak: list[Instance] = []
    strong: list[Instance] = []
    for a in inst.model.actions:
        if a.fairness is None:
            continue
        group = weak if a.fairness is Fairness.WEAK else strong
        group += [(a.name, args) for args in itertools.product(*(inst.domain(p.type) for p in a.params))]
    return weak, strong


class _Monitor:
    """The monitor's constants before a step."""

    def __init__(self, enc: Encoding, tag: str, n_weak: int, n_strong: int):
        b = lambda name: z3.Bool(f"$l2s.{name}@{tag}", enc.ctx)  # noqa: E731
        self.saved, self.qseen, self.pend, self.qever = b("saved"), b("qseen"), b("pending"), b("qever")
        self.took = [b(f"took{i}") for i in range(n_weak + n_strong)]
        self.flag = [b(f"flag{i}") for i in range(n_weak + n_strong)]  # off (weak) / on (strong)

    def terms(self) -> list[z3.ExprRef]:
        return [self.saved, self.qseen, self.pend, self.qever, *self.took, *self.flag]


def l2s_system(enc: Encoding, live: ir.Live, q: ir.Expr, p: ir.Expr | None) -> L2sSystem:
    """The CHCs for one value of the binders (`q`, `p` with the binders substituted)."""
    weak, strong = fair_instances(enc.inst)
    fair = weak + strong
    s0, s1, st, it = enc.state(0), enc.state(1), enc.step(0), enc.init(enc.state(0))
    copy = enc.state("copy")
    m0 = _Monitor(enc, "0", len(weak), len(strong))  # the monitor after a step is given by expressions
    sorts = [t.sort() for t in s0.terms() + copy.terms() + m0.terms()]
    pred = z3.Function("Live", *sorts, z3.BoolSort(enc.ctx))
    monitored = s0.terms() + copy.terms() + m0.terms()
    state = StateVars("l2s", {(f"$l2s{i}", ()): t for i, t in enumerate(monitored)})
    q0, q1 = enc.holds(q, s0), enc.holds(q, s1)
    p1 = enc.holds(p, s1) if p is not None else None
    p0 = enc.holds(p, s0) if p is not None else None
    F, T = z3.BoolVal(False, enc.ctx), z3.BoolVal(True, enc.ctx)
    en0 = [enc.enabled(a, s0, args) for a, args in fair]
    taken = [enc.taken(st, a, args) for a, args in fair]

    def inv(s: StateVars, c: StateVars, mon: list[z3.ExprRef]) -> z3.BoolRef:
        return pred(*s.terms(), *c.terms(), *mon)

    leads_to = live.form is ir.LiveForm.LEADS_TO
    init_mon = [F, F, z3.And(p0, z3.Not(q0)) if leads_to and p0 is not None else F, q0,
                *[F] * len(fair), *[F] * len(fair)]
    step_mon = [m0.saved, z3.Or(m0.qseen, z3.And(m0.saved, q1)),
                z3.And(z3.Or(m0.pend, p1), z3.Not(q1)) if leads_to and p1 is not None else F,
                z3.Or(m0.qever, q1),
                *[z3.Or(m0.took[i], z3.And(m0.saved, taken[i])) for i in range(len(fair))],
                *[z3.Or(m0.flag[i], z3.And(m0.saved, z3.Not(en0[i]) if i < len(weak) else en0[i]))
                  for i in range(len(fair))]]
    save_mon = [T, q0, m0.pend, m0.qever, *[F] * len(fair), *[F] * len(fair)]
    save_when = m0.pend if leads_to else T
    fair_now = [z3.Or(m0.took[i], m0.flag[i], z3.Not(en0[i])) if i < len(weak)
                else z3.Or(m0.took[i], z3.And(z3.Not(m0.flag[i]), z3.Not(en0[i]))) for i in range(len(fair))]
    back = z3.And([a == b for a, b in zip(s0.terms(), copy.terms(), strict=True)]) if s0.terms() else T
    bad = z3.And(m0.saved, back, *fair_now, z3.Not(m0.qseen),
                 z3.Not(m0.qever) if live.form is ir.LiveForm.EVENTUALLY else T)
    here = s0.terms() + copy.terms() + m0.terms()
    clauses = (
        ("initiation", s0.terms() + copy.terms() + list(it.pre), it.formula, inv(s0, copy, init_mon)),
        ("step", here + s1.terms() + st.inputs.consts(), z3.And(inv(s0, copy, m0.terms()), st.trans),
         inv(s1, copy, step_mon)),
        ("save", here, z3.And(inv(s0, copy, m0.terms()), z3.Not(m0.saved), save_when), inv(s0, s0, save_mon)),
        ("no fair loop", here, z3.And(inv(s0, copy, m0.terms()), bad), None),
    )
    rules = tuple(forall_consts(consts, z3.Implies(body, head if head is not None else F)) for _, consts, body, head in clauses)
    return L2sSystem(HornSystem(rules, pred, state), clauses)


def check_solution(enc: Encoding, system: L2sSystem, invariant: z3.BoolRef, deadline: float | None) -> str | None:
    """None when `invariant` (over `system.horn.state`) satisfies every clause, checked with a
    fresh (non-Horn) solver; else the clause that fails or why it could not be checked."""
    args = system.horn.state.terms()
    for name, _consts, body, head in system.clauses:
        def plug(f: z3.ExprRef) -> z3.ExprRef:
            return _replace_pred(f, system.horn.pred, args, invariant)
        claim = z3.And(plug(body), z3.Not(plug(head))) if head is not None else plug(body)
        res = check_formula(enc, claim, deadline)
        if res.status is Status.SAT:
            return f"the invariant fails the {name} clause"
        if res.status is not Status.UNSAT:
            return f"the {name} clause could not be checked: {res.reason}"
    return None


def _replace_pred(f: z3.ExprRef, pred: z3.FuncDeclRef, args: list[z3.ExprRef], inv: z3.BoolRef) -> z3.ExprRef:
    """`f` with every application pred(t1..tn) replaced by `inv` with args := t1..tn."""
    if z3.is_app(f) and f.decl().eq(pred):
        return z3.substitute(inv, *zip(args, f.children(), strict=True))
    if z3.is_app(f) and f.num_args() > 0:
        return f.decl()(*[_replace_pred(c, pred, args, inv) for c in f.children()])
    return f
