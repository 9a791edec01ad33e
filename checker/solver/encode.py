"""Instance -> Z3 terms: state variables, initial states, the transition template, goals, CHCs.

With checker/solver/smt.py this is the only module that imports z3; engines hold the terms it returns
as opaque `Formula` handles (checker/solver/symexec.py executes statements with its term algebra).
It implements docs/semantics.md; docs/engines.md and docs/decisions/0004-function-encoding.md
say which representation each engine uses and why:
- a state is one Z3 constant per location (SCALARS) or one array per function (ARRAYS);
- enums, sort elements and integers are EnumSorts and Ints (THEORIES) or bit-vectors wide
  enough for every integer of the instance (BITS, checker/solver/intervals.py);
- one step is a symbolic action selector `$act@i` plus symbolic parameters and choose locals,
  built once as a template over placeholder states and instantiated by substitution;
- a failing `Check` is an error outcome: a per-property formula over (state, step inputs).
Building terms stops at the current run's deadline (`Encoding.until`, checker/solver/deadline.py):
`EncodingTimeout`, which the engines turn into UNKNOWN; nothing half-built is cached.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import z3

from checker.result import Loc, loc_text
from checker.solver.deadline import Deadline
from checker.solver.goals import Goal, GoalKind
from checker.solver.memcap import new_context
from checker.solver.symexec import Exec, InputVar
from checker.solver.terms import (
    Domains,
    Formula,
    FunctionEncoding,
    Layout,
    Term,
    Values,
    conj,
    disj,
    ite,
    make_layout,
    neg,
)
from spec import ir
from spec.types import FunT

ENABLED_MAX_CHOICES = 4096  # choose-local combinations expanded in an enabledness term

# ---------------------------------------------------------------- states, steps, init


@dataclass(frozen=True)
class StateVars:
    """The constants of one state (`tag` is its index in an unrolling, or a template name)."""

    tag: str
    consts: Mapping[Loc, Term]

    def terms(self) -> list[Term]:
        return list(self.consts.values())


@dataclass(frozen=True)
class ActionInputs:
    action: str
    params: tuple[InputVar, ...]
    choices: tuple[InputVar, ...]


@dataclass(frozen=True)
class StepInputs:
    """The inputs of one step: the action selector, every action's parameters and choose locals."""

    act: Term | None
    actions: Mapping[str, ActionInputs]

    def consts(self) -> list[Term]:
        out = [] if self.act is None else [self.act]
        for a in self.actions.values():
            out += [v.const for v in a.params + a.choices]
        return out


Sites = tuple[tuple[ir.Check, Formula], ...]  # the checks of one property that can fail, with when


class Step:
    """The step S_i -> S_{i+1} under the inputs of step i. Error formulas are built on demand."""

    def __init__(self, index: int, inputs: StepInputs, trans: Formula, template: _Template,
                 pairs: list[tuple[Term, Term]]):
        self.index = index
        self.inputs = inputs
        self.trans = trans  # a successful step: a successor exists and satisfies the assumes
        self._template = template
        self._pairs = pairs
        self._errors: dict[str, Sites] = {}

    def sites(self, prop: str) -> Sites:
        """The checks of `prop` this step can fail (each with its condition over S_i and inputs)."""
        if prop not in self._errors:
            self._errors[prop] = tuple((c, z3.substitute(f, *self._pairs))
                                       for c, f in self._template.errors.get(prop, ()))
        return self._errors[prop]


@dataclass(frozen=True)
class _Template:
    cur: StateVars
    nxt: StateVars
    inputs: StepInputs
    trans: Formula
    errors: Mapping[str, Sites]


@dataclass(frozen=True)
class InitTerms:
    formula: Formula  # the state is initial
    errors: Mapping[str, Sites]  # init-block checks that can fail (over `pre`)
    pre: tuple[Term, ...]  # existential constants: pre-init values and init choose locals


@dataclass(frozen=True)
class HornSystem:
    rules: tuple[Formula, ...]
    pred: z3.FuncDeclRef
    state: StateVars  # the invariant is stated over these constants


class Encoding:
    """All Z3 terms of one Instance, in one private Z3 context (so it can be interrupted).
    `deadline` is shared with its variants (and may be with other encodings of a run)."""

    def __init__(self, inst: ir.Instance, functions: FunctionEncoding = FunctionEncoding.SCALARS,
                 domains: Domains = Domains.THEORIES, deadline: Deadline | None = None):
        self.inst = inst
        self.functions = functions
        self.domains = domains
        self.deadline = deadline or Deadline()
        self.ctx = new_context()  # not z3.Context(): see memcap.py
        self.values = Values(inst, self.ctx, domains)
        self.layout: Layout = make_layout(functions, inst, self.values)
        self.keys = self.layout.keys()
        self._key_by_text = {loc_text(k) if functions is FunctionEncoding.SCALARS else k[0]: k for k in self.keys}
        self.action_names = [a.name for a in inst.model.actions]
        self.actions: dict[str, Term] = {}
        if self.action_names and domains is Domains.THEORIES:
            _, consts = z3.EnumSort("Action$", [f"act${n}" for n in self.action_names], ctx=self.ctx)
            self.actions = dict(zip(self.action_names, consts, strict=True))
        elif self.action_names:
            bits = max(1, (len(self.action_names) - 1).bit_length())
            self.actions = {n: z3.BitVecVal(i, bits, self.ctx) for i, n in enumerate(self.action_names)}
        self._siblings: dict[tuple[FunctionEncoding, Domains], Encoding] = {(functions, domains): self}
        self._states: dict[str, StateVars] = {}
        self._steps: dict[int, Step] = {}
        self._inits: dict[str, InitTerms] = {}
        self._tmpl: _Template | None = None
        self._enabled: dict[str, tuple[StateVars, tuple[InputVar, ...], tuple[InputVar, ...], Formula]] = {}

    # ------------------------------------------------------------ small helpers for engines

    def true(self) -> Formula:
        return z3.BoolVal(True, self.ctx)

    def conj(self, xs: Sequence[Formula]) -> Formula:
        return conj(xs, self.ctx)

    def disj(self, xs: Sequence[Formula]) -> Formula:
        return disj(xs, self.ctx)

    def neg(self, x: Formula) -> Formula:
        return neg(x)

    def literal(self, name: str) -> Formula:
        """A fresh boolean (an activation literal for guarded assertions)."""
        return z3.Bool(f"${name}", self.ctx)

    @contextmanager
    def until(self, deadline: float | None) -> Iterator[None]:
        """Building terms (here and in every variant) raises EncodingTimeout past `deadline` in
        this block: each engine run sets its own, as this encoding outlives the run."""
        with self.deadline.until(deadline):
            yield

    def _exec(self, prefix: str, suffix: str) -> Exec:
        return Exec(self.values, self.layout, prefix, suffix, self.deadline)

    # ------------------------------------------------------------ states

    def state(self, i: int | str) -> StateVars:
        tag = str(i)
        if tag not in self._states:
            self.deadline.check()
            self._states[tag] = StateVars(tag, {k: z3.Const(f"{self._key_text(k)}@{tag}", self.layout.key_sort(k))
                                                for k in self.keys})
        return self._states[tag]

    def _key_text(self, k: Loc) -> str:
        return loc_text(k) if self.functions is FunctionEncoding.SCALARS else k[0]

    def loc_of(self, const: Term) -> Loc | None:
        """The key a state constant stands for (None for other constants)."""
        text, _, _ = const.decl().name().rpartition("@")
        return self._key_by_text.get(text)

    def locations(self, s: StateVars) -> dict[Loc, Term]:
        """Every location of `s` as a term (a constant, or a select on an array)."""
        return self.layout.locations(s.consts)

    def state_ok(self, s: StateVars) -> Formula:
        """Every range-typed location is within its range and every `assume` holds."""
        parts = [self.values.in_domain(t, ir.domain_type(self.layout.vars[loc[0]].type))
                 for loc, t in self.locations(s).items()]
        parts += [self.holds(a.expr, s) for a in self.inst.model.assumes]
        return self.conj(parts)

    def initial_defaults(self) -> list[Formula]:
        """`loc@0 == first value of its type` for each location without an initialiser: what a
        readable trace starts from when nothing forces another value."""
        out = []
        for loc, t in self.locations(self.state(0)).items():
            var = self.layout.vars[loc[0]]
            if var.init is None:
                out.append(t == self.values.const(self.inst.first(ir.domain_type(var.type))))
        return out

    def holds(self, e: ir.Expr, s: StateVars) -> Formula:
        return self._exec("prop", s.tag).expr(e, s.consts, {})

    def distinct(self, s: StateVars, t: StateVars) -> Formula:
        return self.disj([neg(s.consts[k] == t.consts[k]) for k in self.keys])

    def rename(self, f: Formula, s: StateVars, t: StateVars) -> Formula:
        """`f` over the constants of `s`, restated over those of `t`."""
        return z3.substitute(f, *[(s.consts[k], t.consts[k]) for k in self.keys]) if self.keys else f

    def variant(self, functions: FunctionEncoding | None = None, domains: Domains | None = None) -> Encoding:
        """This instance in another representation (built once, then shared by whoever asks)."""
        key = (functions or self.functions, domains or self.domains)
        if key not in self._siblings:
            sibling = Encoding(self.inst, *key, deadline=self.deadline)
            sibling._siblings = self._siblings
            self._siblings[key] = sibling
        return self._siblings[key]

    def with_domains(self, domains: Domains) -> Encoding:
        return self.variant(domains=domains)

    def action_name(self, value: Term) -> str:
        """The action a model value of the selector stands for."""
        if self.domains is Domains.BITS:
            return self.action_names[value.as_long()]
        return self.action_names[[str(c) for c in self.actions.values()].index(value.decl().name())]

    def act_is(self, step: Step, action: str) -> Formula:
        if step.inputs.act is None:
            return z3.BoolVal(False, self.ctx)
        return step.inputs.act == self.actions[action]

    def taken(self, step: Step, action: str, args: Sequence[ir.Value]) -> Formula:
        """`step` is a step of the instance `action(args)` (for fairness)."""
        params = step.inputs.actions[action].params
        return self.conj([self.act_is(step, action),
                          *[p.const == self.values.const(v) for p, v in zip(params, args, strict=True)]])

    # ------------------------------------------------------------ initial states

    def init(self, s: StateVars) -> InitTerms:
        """`s` is an initial state; errors of the init block (docs/semantics.md, "Initial states")."""
        if s.tag in self._inits:
            return self._inits[s.tag]
        self.deadline.check()
        pre, fresh = self._pre_state(s)
        ex = self._exec("init", f"pre{s.tag}")
        run = ex.new_run(pre, {})
        ex.block(self.inst.model.init, run, self.true())
        pre_ok = self.conj([self.values.in_domain(t, ir.domain_type(self.layout.vars[loc[0]].type))
                            for loc, t in self.layout.locations(pre).items()
                            if self.layout.vars[loc[0]].init is None])
        eqs = [s.consts[k] == run.w[k] for k in self.keys if not s.consts[k].eq(run.w[k])]
        formula = self.conj([pre_ok, neg(run.disabled), neg(run.failed), *eqs, self.state_ok(s)])
        errors: dict[str, list[tuple[ir.Check, Formula]]] = {}
        for chk, f in run.fails:
            errors.setdefault(chk.prop, []).append((chk, self.conj([pre_ok, f])))
        terms = InitTerms(formula, {p: tuple(v) for p, v in errors.items()},
                          tuple(fresh) + tuple(c.const for c in ex.choices))
        self._inits[s.tag] = terms
        return terms

    def _pre_state(self, s: StateVars) -> tuple[dict[Loc, Term], list[Term]]:
        """The valuation before the init block: initialisers, else fresh constants (or the state's
        own constants when there is no init block to change them)."""
        pre: dict[Loc, Term] = {}
        fresh: list[Term] = []
        for k in self.keys:
            var = self.layout.vars[k[0]]
            sort = self.layout.key_sort(k)
            if var.init is not None:
                pre[k] = self._constant_of(var, self.values.const(var.init.value))  # type: ignore[union-attr]
            elif not self.inst.model.init:
                pre[k] = s.consts[k]
            else:
                pre[k] = z3.Const(f"{self._key_text(k)}@pre{s.tag}", sort)
                fresh.append(pre[k])
        return pre, fresh

    def _constant_of(self, var: ir.VarDef, value: Term) -> Term:
        if self.functions is FunctionEncoding.SCALARS or not isinstance(var.type, FunT):
            return value
        sorts = [self.values.sort(a) for a in var.type.args]
        if len(sorts) == 1:
            return z3.K(sorts[0], value)
        bound = [z3.Const(f"$x{i}", srt) for i, srt in enumerate(sorts)]
        return z3.Lambda(bound, value)

    # ------------------------------------------------------------ steps

    def _template(self) -> _Template:
        if self._tmpl is not None:
            return self._tmpl
        cur, nxt = self.state("cur"), self.state("nxt")
        act = z3.Const("$act@in", next(iter(self.actions.values())).sort()) if self.actions else None
        oks: list[Formula] = []
        writes: dict[Loc, list[tuple[Formula, Term]]] = {}
        errors: dict[str, list[tuple[ir.Check, Formula]]] = {}
        inputs: dict[str, ActionInputs] = {}
        for a in self.inst.model.actions:
            assert act is not None
            self.deadline.check()
            ex = self._exec(a.name, "in")
            params = tuple(InputVar(p.name, z3.Const(f"{a.name}${p.name}@in", self.values.sort(p.type)), p.type)
                           for p in a.params)
            run = ex.new_run(cur.consts, {v.name: v.const for v in params})
            ex.block(a.body, run, self.true())
            sel = self.conj([act == self.actions[a.name], *[self.values.in_domain(v.const, v.type) for v in params]])
            oks.append(self.conj([sel, neg(run.disabled), neg(run.failed)]))
            for k in self.keys:
                if not run.w[k].eq(cur.consts[k]):
                    writes.setdefault(k, []).append((sel, run.w[k]))
            for chk, f in run.fails:
                errors.setdefault(chk.prop, []).append((chk, self.conj([sel, f])))
            inputs[a.name] = ActionInputs(a.name, params, tuple(ex.choices))
        eqs = []
        for k in self.keys:
            self.deadline.tick()
            value = cur.consts[k]
            for sel, v in reversed(writes.get(k, [])):
                value = ite(sel, v, value)
            eqs.append(nxt.consts[k] == value)
        trans = self.conj([self.disj(oks), *eqs, self.state_ok(nxt)])
        self._tmpl = _Template(cur, nxt, StepInputs(act, inputs), trans,
                               {p: tuple(v) for p, v in errors.items()})
        return self._tmpl

    def step(self, i: int) -> Step:
        """The step from state i to state i+1 (inputs named `...@i`)."""
        if i in self._steps:
            return self._steps[i]
        t = self._template()
        self.deadline.check()
        s, n = self.state(i), self.state(i + 1)
        pairs: list[tuple[Term, Term]] = [(t.cur.consts[k], s.consts[k]) for k in self.keys]
        pairs += [(t.nxt.consts[k], n.consts[k]) for k in self.keys]

        def inst(v: InputVar) -> InputVar:
            c = z3.Const(v.const.decl().name().rpartition("@")[0] + f"@{i}", v.const.sort())
            pairs.append((v.const, c))
            return InputVar(v.name, c, v.type)

        act = None
        if t.inputs.act is not None:
            act = z3.Const(f"$act@{i}", t.inputs.act.sort())
            pairs.append((t.inputs.act, act))
        actions = {a: ActionInputs(a, tuple(inst(v) for v in ai.params), tuple(inst(v) for v in ai.choices))
                   for a, ai in t.inputs.actions.items()}
        trans = z3.substitute(t.trans, *pairs) if pairs else t.trans
        step = Step(i, StepInputs(act, actions), trans, t, pairs)
        self._steps[i] = step
        return step

    # ------------------------------------------------------------ enabledness (fairness)

    def enabled(self, action: str, s: StateVars, args: Sequence[ir.Value]) -> Formula:
        """The instance `action(args)` has a successful step from `s`: for some values of its
        choose locals no `require` fails, no check fails and the successor is within types and
        assumes; what fairness calls enabled (docs/semantics.md, Liveness). The choose locals'
        finite domains are expanded into a disjunction, so no quantifier reaches the solver (past
        ENABLED_MAX_CHOICES combinations: an `Exists` over them)."""
        cur, params, choices, ok = self._enabled_template(action)
        pairs = [(cur.consts[k], s.consts[k]) for k in self.keys if not cur.consts[k].eq(s.consts[k])]
        pairs += [(p.const, self.values.const(v)) for p, v in zip(params, args, strict=True)]
        body = z3.substitute(ok, *pairs) if pairs else ok
        if not choices:
            return body
        domains = [self.inst.domain(c.type) for c in choices]
        combos = 1
        for d in domains:
            combos *= len(d)
        if combos > ENABLED_MAX_CHOICES:
            return z3.Exists([c.const for c in choices], body)
        out = []
        for values in itertools.product(*domains):
            self.deadline.tick()
            out.append(z3.substitute(body, *[(c.const, self.values.const(v)) for c, v in zip(choices, values, strict=True)]))
        return self.disj(out)

    def _enabled_template(self, action: str) -> tuple[StateVars, tuple[InputVar, ...], tuple[InputVar, ...], Formula]:
        if action not in self._enabled:
            self.deadline.check()
            a = self.inst.model.action(action)
            cur = self.state("en")
            ex = self._exec(f"en${a.name}", "en")
            params = tuple(InputVar(p.name, z3.Const(f"{a.name}${p.name}@en", self.values.sort(p.type)), p.type)
                           for p in a.params)
            run = ex.new_run(cur.consts, {v.name: v.const for v in params})
            ex.block(a.body, run, self.true())
            succ = StateVars(f"en${a.name}$succ", {k: run.w[k] for k in self.keys})
            ok = self.conj([neg(run.disabled), neg(run.failed), self.state_ok(succ)])
            self._enabled[action] = (cur, params, tuple(ex.choices), ok)
        return self._enabled[action]

    # ------------------------------------------------------------ goals

    def state_goal(self, goal: Goal, s: StateVars) -> Formula:
        assert goal.kind is GoalKind.STATE and goal.expr is not None
        return self.holds(goal.expr, s)

    def error_goal(self, goal: Goal, step: Step) -> Formula:
        return self.disj([f for _, f in step.sites(goal.name)])

    def init_error_goal(self, goal: Goal, init: InitTerms) -> Formula:
        return self.disj([f for _, f in init.errors.get(goal.name, ())])

    # ------------------------------------------------------------ constrained Horn clauses

    def horn(self, goals: Sequence[Goal]) -> HornSystem:
        """Constrained Horn clauses whose satisfiability means none of `goals` ever happens (one
        system for several goals: their proofs share one invariant and one Spacer run)."""
        s0, s1 = self.state(0), self.state(1)
        sorts = [self.layout.key_sort(k) for k in self.keys]
        pred = z3.Function("Inv", *sorts, z3.BoolSort(self.ctx))
        it, st = self.init(s0), self.step(0)
        false = z3.BoolVal(False, self.ctx)
        inv0 = pred(*s0.terms())
        rules = [forall_consts(s0.terms() + list(it.pre), z3.Implies(it.formula, inv0)),
                 forall_consts(s0.terms() + s1.terms() + st.inputs.consts(),
                         z3.Implies(z3.And(inv0, st.trans), pred(*s1.terms())))]
        for goal in goals:
            if goal.kind is GoalKind.STATE:
                rules.append(forall_consts(s0.terms(), z3.Implies(z3.And(inv0, self.state_goal(goal, s0)), false)))
                continue
            bad = z3.And(inv0, self.error_goal(goal, st))
            rules.append(forall_consts(s0.terms() + st.inputs.consts(), z3.Implies(bad, false)))
            rules.append(forall_consts(s0.terms() + list(it.pre), z3.Implies(self.init_error_goal(goal, it), false)))
        return HornSystem(tuple(rules), pred, s0)


def forall_consts(consts: list[Term], body: Formula) -> Formula:
    """`body` universally closed over `consts` (each once)."""
    seen: dict[int, Term] = {}
    for c in consts:
        seen.setdefault(c.get_id(), c)
    return z3.ForAll(list(seen.values()), body) if seen else body
