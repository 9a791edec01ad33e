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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import z3

from checker.result import Loc, loc_text
from checker.solver.goals import Goal, GoalKind
from checker.solver.intervals import int_width
from checker.solver.symexec import Exec, InputVar
from spec import ir
from spec.types import BoolT, EnumT, FunT, IntT, RangeT, SortT, Type

Formula = z3.BoolRef  # opaque to the engines
Term = z3.ExprRef


class FunctionEncoding(Enum):
    SCALARS = "scalars"  # one constant per location
    ARRAYS = "arrays"  # one array per function-valued variable


# ---------------------------------------------------------------- boolean helpers (fold constants early)


def conj(xs: Sequence[Formula], ctx: z3.Context) -> Formula:
    parts = [x for x in xs if not z3.is_true(x)]
    if any(z3.is_false(x) for x in parts):
        return z3.BoolVal(False, ctx)
    if not parts:
        return z3.BoolVal(True, ctx)
    return parts[0] if len(parts) == 1 else z3.And(parts)


def disj(xs: Sequence[Formula], ctx: z3.Context) -> Formula:
    parts = [x for x in xs if not z3.is_false(x)]
    if any(z3.is_true(x) for x in parts):
        return z3.BoolVal(True, ctx)
    if not parts:
        return z3.BoolVal(False, ctx)
    return parts[0] if len(parts) == 1 else z3.Or(parts)


def neg(x: Formula) -> Formula:
    if z3.is_true(x):
        return z3.BoolVal(False, x.ctx)
    if z3.is_false(x):
        return z3.BoolVal(True, x.ctx)
    if z3.is_not(x):
        return x.arg(0)
    return z3.Not(x)


def ite(c: Formula, a: Term, b: Term) -> Term:
    if z3.is_true(c) or a.eq(b):
        return a
    if z3.is_false(c):
        return b
    return z3.If(c, a, b)


# ---------------------------------------------------------------- values


class Domains(Enum):
    """How enums, sort elements and integers are represented."""

    THEORIES = "theories"  # EnumSorts and unbounded Ints: what Spacer (PDR) works best with
    BITS = "bits"  # bit-vectors wide enough for every integer (checker/solver/intervals.py): BMC and
    # induction bit-blast them with Z3's finite-domain solver, several times faster


class Values:
    """IR domain types and values <-> Z3 sorts and constants, for one context."""

    def __init__(self, inst: ir.Instance, ctx: z3.Context, domains: Domains):
        self.inst = inst
        self.ctx = ctx
        self.domains = domains
        self.width = int_width(inst) if domains is Domains.BITS else 0
        self._sorts: dict[str, z3.SortRef] = {}
        self._sizes: dict[str, int] = {}
        self._consts: dict[ir.EnumVal | ir.Elem, Term] = {}
        self._by_name: dict[str, ir.EnumVal | ir.Elem] = {}
        self._by_index: dict[tuple[str, int], ir.EnumVal | ir.Elem] = {}
        for e in inst.model.enums:
            self._declare(e.name, e.values(), [f"{e.name}.{m}" for m in e.members])
        for name, size in inst.sizes:
            elems = tuple(ir.Elem(name, i) for i in range(size))
            self._declare(name, elems, [f"{name}.{ir.elem_name(name, i)}" for i in range(size)])

    def _declare(self, name: str, vals: Sequence[ir.EnumVal | ir.Elem], names: list[str]) -> None:
        self._sizes[name] = len(vals)
        if self.domains is Domains.THEORIES:
            sort, consts = z3.EnumSort(name, names, ctx=self.ctx)
        else:
            sort = z3.BitVecSort(max(1, (len(vals) - 1).bit_length()), self.ctx)
            consts = [z3.BitVecVal(i, sort.size(), self.ctx) for i in range(len(vals))]
        self._sorts[name] = sort
        for i, (v, c, n) in enumerate(zip(vals, consts, names, strict=True)):
            self._consts[v] = c
            self._by_name[n] = v
            self._by_index[(name, i)] = v

    def sort(self, t: Type) -> z3.SortRef:
        if isinstance(t, BoolT):
            return z3.BoolSort(self.ctx)
        if isinstance(t, IntT | RangeT):
            return z3.IntSort(self.ctx) if self.width == 0 else z3.BitVecSort(self.width, self.ctx)
        if isinstance(t, EnumT | SortT):
            return self._sorts[t.name]
        raise TypeError(f"no Z3 sort for {t}")

    def const(self, v: ir.Value) -> Term:
        if isinstance(v, bool):
            return z3.BoolVal(v, self.ctx)
        if isinstance(v, int):
            return z3.IntVal(v, self.ctx) if self.width == 0 else z3.BitVecVal(v, self.width, self.ctx)
        return self._consts[v]

    @staticmethod
    def is_literal(t: Term) -> bool:
        return (z3.is_true(t) or z3.is_false(t) or z3.is_int_value(t) or z3.is_bv_value(t)
                or (z3.is_const(t) and t.decl().kind() == z3.Z3_OP_DT_CONSTRUCTOR))

    def decode(self, t: Term, typ: Type) -> ir.Value:
        """The IR value of a literal (a model value) of type `typ`."""
        if isinstance(typ, BoolT):
            return z3.is_true(t)
        if isinstance(typ, IntT | RangeT):
            return t.as_long() if self.width == 0 else t.as_signed_long()
        if isinstance(typ, EnumT | SortT):
            if self.domains is Domains.THEORIES:
                return self._by_name[t.decl().name()]
            return self._by_index[(typ.name, t.as_long())]
        raise TypeError(f"cannot decode a value of type {typ}")

    def literal(self, t: Term) -> ir.Value | None:
        """The IR value of a literal when its type is evident (bool, int, constructor), else None."""
        if z3.is_true(t) or z3.is_false(t):
            return z3.is_true(t)
        if z3.is_int_value(t):
            return t.as_long()
        if z3.is_bv_value(t) and t.size() == self.width:
            return t.as_signed_long()
        if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_DT_CONSTRUCTOR:
            return self._by_name.get(t.decl().name())
        return None

    def named(self, decl_name: str) -> ir.Value | None:
        """The enum value or sort element of a constructor name (`PageState.Free`)."""
        return self._by_name.get(decl_name)

    # the term algebra checker/solver/symexec.py builds with (it does not import z3)

    def boolean(self, b: bool) -> Formula:
        return z3.BoolVal(b, self.ctx)

    def conj(self, xs: Sequence[Formula]) -> Formula:
        return conj(xs, self.ctx)

    def disj(self, xs: Sequence[Formula]) -> Formula:
        return disj(xs, self.ctx)

    @staticmethod
    def neg(x: Formula) -> Formula:
        return neg(x)

    @staticmethod
    def ite(c: Formula, a: Term, b: Term) -> Term:
        return ite(c, a, b)

    @staticmethod
    def is_false(x: Formula) -> bool:
        return z3.is_false(x)

    def eq(self, a: Term, b: Term) -> Formula:
        if self.is_literal(a) and self.is_literal(b):
            return z3.BoolVal(a.eq(b), self.ctx)
        return a == b

    def total(self, terms: Sequence[Term]) -> Term:
        return z3.Sum(list(terms)) if terms else self.const(0)

    def fresh(self, name: str, typ: Type) -> Term:
        return z3.Const(name, self.sort(typ))

    def in_domain(self, t: Term, typ: Type) -> Formula:
        if isinstance(typ, RangeT):
            lo, hi = ir.range_bounds(typ)
            return z3.And(t >= lo, t <= hi)
        if isinstance(typ, EnumT | SortT) and self.domains is Domains.BITS:
            n = self._sizes[typ.name]
            return z3.ULT(t, n) if n < 2 ** t.size() else z3.BoolVal(True, self.ctx)
        return z3.BoolVal(True, self.ctx)


# ---------------------------------------------------------------- state layouts


class Layout:
    """Where a state keeps its locations. Keys are locations (SCALARS) or `(var, ())` (ARRAYS)."""

    def __init__(self, inst: ir.Instance, values: Values):
        self.inst = inst
        self.values = values
        self.locs = {v.name: inst.locations(v) for v in inst.model.vars}
        self.vars = {v.name: v for v in inst.model.vars}

    def keys(self) -> tuple[Loc, ...]:
        raise NotImplementedError

    def key_sort(self, key: Loc) -> z3.SortRef:
        raise NotImplementedError

    def read(self, w: Mapping[Loc, Term], var: str, idx: tuple[Term, ...]) -> Term:
        raise NotImplementedError

    def write(self, w: dict[Loc, Term], var: str, idx: tuple[Term, ...], value: Term, pc: Formula) -> None:
        raise NotImplementedError

    def locations(self, w: Mapping[Loc, Term]) -> dict[Loc, Term]:
        """Every location's term (for decoding and for range bounds)."""
        raise NotImplementedError

class _Scalars(Layout):
    def keys(self) -> tuple[Loc, ...]:
        return tuple((v, i) for v, idxs in self.locs.items() for i in idxs)

    def key_sort(self, key: Loc) -> z3.SortRef:
        return self.values.sort(ir.domain_type(self.vars[key[0]].type))

    def _matching(self, var: str, idx: tuple[Term, ...]) -> list[tuple[Loc, Formula]]:
        known = [self.values.is_literal(t) for t in idx]
        out = []
        for loc_idx in self.locs[var]:
            conds = []
            for t, k, v in zip(idx, known, loc_idx, strict=True):
                c = self.values.const(v)
                if not k:
                    conds.append(t == c)
                elif not t.eq(c):
                    break
            else:
                out.append(((var, loc_idx), conj(conds, self.values.ctx)))
        return out

    def read(self, w: Mapping[Loc, Term], var: str, idx: tuple[Term, ...]) -> Term:
        cands = self._matching(var, idx)
        result = w[cands[-1][0]]  # type checking keeps indices in the domain: the last needs no test
        for loc, cond in reversed(cands[:-1]):
            result = ite(cond, w[loc], result)
        return result

    def write(self, w: dict[Loc, Term], var: str, idx: tuple[Term, ...], value: Term, pc: Formula) -> None:
        for loc, cond in self._matching(var, idx):
            w[loc] = ite(conj([pc, cond], self.values.ctx), value, w[loc])

    def locations(self, w: Mapping[Loc, Term]) -> dict[Loc, Term]:
        return dict(w)

class _Arrays(Layout):
    def keys(self) -> tuple[Loc, ...]:
        return tuple((v, ()) for v in self.locs)

    def key_sort(self, key: Loc) -> z3.SortRef:
        t = self.vars[key[0]].type
        if isinstance(t, FunT):
            return z3.ArraySort(*[self.values.sort(a) for a in t.args], self.values.sort(t.result))
        return self.values.sort(t)

    def read(self, w: Mapping[Loc, Term], var: str, idx: tuple[Term, ...]) -> Term:
        return z3.Select(w[(var, ())], *idx) if idx else w[(var, ())]

    def write(self, w: dict[Loc, Term], var: str, idx: tuple[Term, ...], value: Term, pc: Formula) -> None:
        old = w[(var, ())]
        w[(var, ())] = ite(pc, z3.Store(old, *idx, value) if idx else value, old)

    def locations(self, w: Mapping[Loc, Term]) -> dict[Loc, Term]:
        out: dict[Loc, Term] = {}
        for var, idxs in self.locs.items():
            for i in idxs:
                arr = w[(var, ())]
                out[(var, i)] = z3.Select(arr, *[self.values.const(v) for v in i]) if i else arr
        return out


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
    """All Z3 terms of one Instance, in one private Z3 context (so it can be interrupted)."""

    def __init__(self, inst: ir.Instance, functions: FunctionEncoding = FunctionEncoding.SCALARS,
                 domains: Domains = Domains.THEORIES):
        self.inst = inst
        self.functions = functions
        self.domains = domains
        self.ctx = z3.Context()
        self.values = Values(inst, self.ctx, domains)
        cls = _Scalars if functions is FunctionEncoding.SCALARS else _Arrays
        self.layout: Layout = cls(inst, self.values)
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

    # ------------------------------------------------------------ states

    def state(self, i: int | str) -> StateVars:
        tag = str(i)
        if tag not in self._states:
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
                out.append(t == self.values.const(self.inst.domain(ir.domain_type(var.type))[0]))
        return out

    def holds(self, e: ir.Expr, s: StateVars) -> Formula:
        return Exec(self.values, self.layout, "prop", s.tag).expr(e, s.consts, {})

    def distinct(self, s: StateVars, t: StateVars) -> Formula:
        return self.disj([neg(s.consts[k] == t.consts[k]) for k in self.keys])

    def rename(self, f: Formula, s: StateVars, t: StateVars) -> Formula:
        """`f` over the constants of `s`, restated over those of `t`."""
        return z3.substitute(f, *[(s.consts[k], t.consts[k]) for k in self.keys]) if self.keys else f

    def variant(self, functions: FunctionEncoding | None = None, domains: Domains | None = None) -> Encoding:
        """This instance in another representation (built once, then shared by whoever asks)."""
        key = (functions or self.functions, domains or self.domains)
        if key not in self._siblings:
            sibling = Encoding(self.inst, *key)
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

    # ------------------------------------------------------------ initial states

    def init(self, s: StateVars) -> InitTerms:
        """`s` is an initial state; errors of the init block (docs/semantics.md, "Initial states")."""
        if s.tag in self._inits:
            return self._inits[s.tag]
        pre, fresh = self._pre_state(s)
        ex = Exec(self.values, self.layout, "init", f"pre{s.tag}")
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
            ex = Exec(self.values, self.layout, a.name, "in")
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
        rules = [_forall(s0.terms() + list(it.pre), z3.Implies(it.formula, inv0)),
                 _forall(s0.terms() + s1.terms() + st.inputs.consts(),
                         z3.Implies(z3.And(inv0, st.trans), pred(*s1.terms())))]
        for goal in goals:
            if goal.kind is GoalKind.STATE:
                rules.append(_forall(s0.terms(), z3.Implies(z3.And(inv0, self.state_goal(goal, s0)), false)))
                continue
            bad = z3.And(inv0, self.error_goal(goal, st))
            rules.append(_forall(s0.terms() + st.inputs.consts(), z3.Implies(bad, false)))
            rules.append(_forall(s0.terms() + list(it.pre), z3.Implies(self.init_error_goal(goal, it), false)))
        return HornSystem(tuple(rules), pred, s0)


def _forall(consts: list[Term], body: Formula) -> Formula:
    seen: dict[int, Term] = {}
    for c in consts:
        seen.setdefault(c.get_id(), c)
    return z3.ForAll(list(seen.values()), body) if seen else body
