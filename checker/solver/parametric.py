"""All-sizes checks: is a candidate invariant inductive for EVERY size of every sort?

Each sort is an uninterpreted Z3 sort (any non-empty size, also infinite: an unsat answer covers
every finite size), a state variable a function over those sorts (enums are Z3 enumerations,
bool is Bool, a range is an Int with its bounds as a constraint). Init and each action are
executed symbolically as in checker/solver/symexec.py (docs/semantics.md, "Steps"), but with
their parameters and `choose` values as free constants and with a `forall` statement over a sort
run ONCE on a fresh element `x`: its writes (the front end makes every write of a forall body
indexed by its variable, E0320) become "location args: the run x = args[i] wrote it", a
`require` of some run disables the step (`exists x`), and so does a failing check. Which check
fails first in domain order is not known without an order; each is attributed the failure of
its own run, an over-approximation of the error outcomes (sound for proofs).

The queries (`queries`): initiation, consecution per action, and per property: the invariant
implies it (an invariant), or no step from an invariant state (nor the init block) fails it (an
assert or range property). Each must be unsat. They are checked as SMT-LIB text in a fresh
context (checker/solver/smt.py `check_smtlib`), the same text a certificate carries.
Constructs with no exact encoding here raise `Outside` with the construct and its span: `count`
over a sort, a sort element named by a literal, a quantifier over a range too large to expand.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, assert_never

import z3

from checker.solver.memcap import new_context
from checker.solver.terms import ARITH, conj, disj, ite, neg
from spec import ir
from spec.ops import BinOp, QuantKind, UnOp
from spec.source import Span
from spec.types import BOOL, BoolT, EnumT, FunT, IntT, RangeT, SortT, Type

if TYPE_CHECKING:
    from checker.solver.depends import Tracker

MAX_EXPANDED = 256  # a quantifier or forall over a range of more values is not expanded


class Outside(Exception):
    """A construct this encoding cannot state exactly for all sizes."""

    def __init__(self, construct: str, span: Span):
        super().__init__(construct)
        self.construct = construct
        self.span = span


@dataclass(frozen=True)
class _Write:
    """`f[idx] := value` under `pc`; `binders` are the forall-run elements (const, index position)
    it was made by: at location args, run `const = args[pos]` is the one that wrote it."""

    idx: tuple[z3.ExprRef, ...]
    value: z3.ExprRef
    pc: z3.BoolRef
    binders: tuple[tuple[z3.ExprRef, int], ...] = ()


@dataclass(frozen=True)
class _Store:
    """A state variable's value: a base (function symbol or constant) and the writes since."""

    base: z3.FuncDeclRef | z3.ExprRef
    writes: tuple[_Write, ...] = ()


State = dict[str, _Store]


@dataclass
class _Run:
    w: State
    env: dict[str, z3.ExprRef]
    binders: tuple[z3.ExprRef, ...]  # the elements of the enclosing forall runs
    disabled: z3.BoolRef
    failed: z3.BoolRef
    fails: list[tuple[ir.Check, z3.BoolRef]] = field(default_factory=list)
    log: list[tuple[str, _Write]] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """One action (or the init block) executed: enabled-and-no-failure, errors, the successor."""

    ok: z3.BoolRef
    fails: tuple[tuple[ir.Check, z3.BoolRef], ...]
    post: State
    inputs: z3.BoolRef  # the parameters are within their domains
    params: tuple[tuple[ir.ActionParam, z3.ExprRef], ...] = ()  # the action's parameters as constants


class Sig:
    """Z3 sorts and the symbolic executor for one instance (its sizes are ignored)."""

    def __init__(self, inst: ir.Instance):
        self.inst = inst
        self.ctx = new_context()
        self._fresh = itertools.count()
        self._sorts: dict[str, z3.SortRef] = {}
        self._enum: dict[ir.EnumVal, z3.ExprRef] = {}
        for e in inst.model.enums:
            sort, consts = z3.EnumSort(e.name, [f"{e.name}.{m}" for m in e.members], ctx=self.ctx)
            self._sorts[e.name] = sort
            self._enum.update(zip(e.values(), consts, strict=True))
        for name, _ in inst.sizes:
            self._sorts[name] = z3.DeclareSort(name, self.ctx)
        # Why PROVED (checker/solver/depends.py): with a tracker, each guard, `if` condition,
        # assignment and initial value is enforced only under its own Boolean literal; left free,
        # the element is weakened (no guard, either branch, any value).
        self.tracker: Tracker | None = None
        self.where = "init"  # the action being executed, for the tracker

    def tracked(self, kind: str, span: Span, disabled: bool = False) -> z3.BoolRef | None:
        return None if self.tracker is None else self.tracker.literal(self.ctx, kind, self.where, span, disabled)

    def sort(self, t: Type) -> z3.SortRef:
        if isinstance(t, BoolT):
            return z3.BoolSort(self.ctx)
        if isinstance(t, IntT | RangeT):
            return z3.IntSort(self.ctx)
        if isinstance(t, EnumT | SortT):
            return self._sorts[t.name]
        raise TypeError(f"no sort for {t}")

    def sorts(self) -> dict[str, z3.SortRef]:
        return dict(self._sorts)

    def value_term(self, v: ir.Value) -> z3.ExprRef:
        """The term of a value that is not a sort element."""
        if isinstance(v, bool):
            return z3.BoolVal(v, self.ctx)
        if isinstance(v, int):
            return z3.IntVal(v, self.ctx)
        if isinstance(v, ir.EnumVal):
            return self._enum[v]
        raise TypeError(f"no term for {v}")

    def enum_names(self) -> dict[str, ir.EnumVal]:
        """Z3's name of each enum constant -> the value."""
        return {str(c): v for v, c in self._enum.items()}

    def fresh(self, name: str, t: Type) -> z3.ExprRef:
        return z3.Const(f"{name}!{next(self._fresh)}", self.sort(t))

    def true(self) -> z3.BoolRef:
        return z3.BoolVal(True, self.ctx)

    def in_domain(self, x: z3.ExprRef, t: Type) -> z3.BoolRef:
        if isinstance(t, RangeT):
            lo, hi = ir.range_bounds(t)
            return z3.And(x >= lo, x <= hi)
        return self.true()

    # ------------------------------------------------------------ states

    def state(self, tag: str) -> State:
        """Every variable a fresh function symbol `var@tag`."""
        out: State = {}
        for v in self.inst.model.vars:
            if isinstance(v.type, FunT):
                out[v.name] = _Store(z3.Function(f"{v.name}@{tag}", *[self.sort(a) for a in v.type.args],
                                                 self.sort(v.type.result)))
            else:
                out[v.name] = _Store(z3.Const(f"{v.name}@{tag}", self.sort(v.type)))
        return out

    def read(self, w: State, name: str, args: tuple[z3.ExprRef, ...]) -> z3.ExprRef:
        st = w[name]
        v = st.base(*args) if isinstance(st.base, z3.FuncDeclRef) else st.base
        for wr in st.writes:
            sub = [(c, args[pos]) for c, pos in wr.binders]
            bound = {pos for _, pos in wr.binders}

            def s(t: z3.ExprRef, sub: list[tuple[z3.ExprRef, z3.ExprRef]] = sub) -> z3.ExprRef:
                return z3.substitute(t, *sub) if sub else t

            eqs = [s(i) == a for j, (i, a) in enumerate(zip(wr.idx, args, strict=True)) if j not in bound]
            v = ite(conj([s(wr.pc), *eqs], self.ctx), s(wr.value), v)
        return v

    def ranges_ok(self, w: State, only: Sequence[str] | None = None) -> z3.BoolRef:
        """Every range-typed location within its range (for all arguments)."""
        parts = []
        for v in self.inst.model.vars:
            entry = ir.domain_type(v.type)
            if not isinstance(entry, RangeT) or (only is not None and v.name not in only):
                continue
            args = [self.fresh("a", t) for t in v.type.args] if isinstance(v.type, FunT) else []
            body = self.in_domain(self.read(w, v.name, tuple(args)), entry)
            parts.append(z3.ForAll(args, body) if args else body)
        return conj(parts, self.ctx)

    def state_ok(self, w: State) -> z3.BoolRef:
        """Within types and assumptions."""
        return conj([self.ranges_ok(w), *[self.expr(a.expr, w, {}) for a in self.inst.model.assumes]], self.ctx)

    def initial(self) -> tuple[State, z3.BoolRef]:
        """The state before the init block: initialisers, else arbitrary values within range."""
        w = self.state("init")
        free = [v.name for v in self.inst.model.vars if v.init is None]
        weak = []  # tracked initial values: `t -> v[args] == init` for every entry
        for v in self.inst.model.vars:
            if v.init is None:
                continue
            t = self.tracked("init", v.span)
            if t is None:
                w[v.name] = _Store(self.expr(v.init, w, {}))
                continue
            free.append(v.name)
            args = [self.fresh("a", a) for a in v.type.args] if isinstance(v.type, FunT) else []
            eq = self.read(w, v.name, tuple(args)) == self.expr(v.init, w, {})
            weak.append(z3.Implies(t, z3.ForAll(args, eq) if args else eq))
        return w, conj([self.ranges_ok(w, free), *weak], self.ctx)

    # ------------------------------------------------------------ expressions

    def expr(self, e: ir.Expr, w: State, env: Mapping[str, z3.ExprRef]) -> z3.ExprRef:
        match e:
            case ir.Lit():
                return self._lit(e)
            case ir.Var():
                return self.read(w, e.name, ())
            case ir.Read():
                return self.read(w, e.name, tuple(self.expr(a, w, env) for a in e.args))
            case ir.Local():
                return env[e.name]
            case ir.Param():
                raise Outside(f"unbound parameter `{e.name}`", e.span)
            case ir.Unary():
                a = self.expr(e.arg, w, env)
                return neg(a) if e.op is UnOp.NOT else -a
            case ir.Binary():
                return self._binary(e.op, self.expr(e.lhs, w, env), self.expr(e.rhs, w, env))
            case ir.Ite():
                return ite(self.expr(e.cond, w, env), self.expr(e.then, w, env), self.expr(e.else_, w, env))
            case ir.Quant():
                return self._quant(e, w, env)
            case _:
                assert_never(e)

    def _lit(self, e: ir.Lit) -> z3.ExprRef:
        if isinstance(e.value, ir.Elem):
            raise Outside(f"the sort element `{e.value}` named in an expression (it exists only at some sizes)",
                          e.span)
        return self.value_term(e.value)

    def _binary(self, op: BinOp, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
        match op:
            case BinOp.AND:
                return conj([a, b], self.ctx)
            case BinOp.OR:
                return disj([a, b], self.ctx)
            case BinOp.IMPLIES:
                return disj([neg(a), b], self.ctx)
            case BinOp.IFF | BinOp.EQ:
                return a == b
            case BinOp.NE:
                return neg(a == b)
            case BinOp.LT | BinOp.LE | BinOp.GT | BinOp.GE | BinOp.ADD | BinOp.SUB | BinOp.MUL:
                return ARITH[op](a, b)
            case _:
                assert_never(op)

    def _quant(self, e: ir.Quant, w: State, env: Mapping[str, z3.ExprRef]) -> z3.ExprRef:
        """Over a sort: a Z3 quantifier; over a finite domain: expanded (exactly)."""
        if isinstance(e.domain, SortT):
            if e.kind is QuantKind.COUNT:
                raise Outside(f"`count` over the sort {e.domain.name} (its value depends on the size)", e.span)
            x = self.fresh(e.var, e.domain)
            body = self.expr(e.body, w, {**env, e.var: x})
            return z3.ForAll([x], body) if e.kind is QuantKind.FORALL else z3.Exists([x], body)
        terms = [self.expr(e.body, w, {**env, e.var: c}) for c in self.values(e.domain, e.span)]
        if e.kind is QuantKind.FORALL:
            return conj(terms, self.ctx)
        if e.kind is QuantKind.EXISTS:
            return disj(terms, self.ctx)
        one, zero = z3.IntVal(1, self.ctx), z3.IntVal(0, self.ctx)
        return z3.Sum([ite(t, one, zero) for t in terms]) if terms else zero

    def values(self, t: Type, span: Span) -> list[z3.ExprRef]:
        """Every value of a finite domain that is not a sort."""
        if isinstance(t, BoolT):
            return [z3.BoolVal(False, self.ctx), z3.BoolVal(True, self.ctx)]
        if isinstance(t, EnumT):
            return [self._enum[v] for v in self.inst.model.enum(t.name).values()]
        if isinstance(t, RangeT) and self.inst.card(t) <= MAX_EXPANDED:
            lo, hi = ir.range_bounds(t)
            return [z3.IntVal(i, self.ctx) for i in range(lo, hi + 1)]
        raise Outside(f"a quantifier or forall over {t} (more than {MAX_EXPANDED} values)", span)

    # ------------------------------------------------------------ statements

    def run(self, body: Sequence[ir.Stmt], w: State, env: Mapping[str, z3.ExprRef]) -> _Run:
        f = z3.BoolVal(False, self.ctx)
        r = _Run(dict(w), dict(env), (), f, f)
        self.block(body, r, self.true())
        return r

    def block(self, stmts: Sequence[ir.Stmt], run: _Run, pc: z3.BoolRef) -> None:
        for s in stmts:
            self.stmt(s, run, pc)

    def stmt(self, s: ir.Stmt, run: _Run, pc: z3.BoolRef) -> None:
        c = self.ctx
        match s:
            case ir.Require():
                cond = self._weak_guard("require", s, self.expr(s.cond, run.w, run.env))
                run.disabled = disj([run.disabled, conj([pc, neg(run.failed), neg(cond)], c)], c)
            case ir.Check():
                cond = self.expr(s.cond, run.w, run.env)
                f = conj([pc, neg(run.disabled), neg(run.failed), neg(cond)], c)
                if not z3.is_false(f):
                    run.fails.append((s, f))
                    run.failed = disj([run.failed, f], c)
            case ir.Assign():
                idx = tuple(self.expr(i, run.w, run.env) for i in s.index)
                value = self.expr(s.value, run.w, run.env)
                t = self.tracked("assign", s.span)
                if t is not None:  # weakened: any value of the variable's type (a range: in range, or no step)
                    value = ite(t, value, self._choice(f"{s.var}$any", ir.domain_type(self.inst.model.var(s.var).type),
                                                       run.binders))
                wr = _Write(idx, value, pc)
                self._write(run, s.var, wr)
            case ir.SetLocal():
                v = self.expr(s.value, run.w, run.env)
                run.env[s.name] = ite(pc, v, run.env[s.name]) if s.name in run.env else v
            case ir.If():
                cond = self.expr(s.cond, run.w, run.env)
                t = self.tracked("if", s.span)
                if t is not None:  # weakened: either branch
                    cond = ite(t, cond, self._choice("if$any", BOOL, run.binders))
                outer = set(run.env)
                self.block(s.then, run, conj([pc, cond], c))
                run.env = {k: v for k, v in run.env.items() if k in outer}
                self.block(s.else_, run, conj([pc, neg(cond)], c))
                run.env = {k: v for k, v in run.env.items() if k in outer}
            case ir.Choose():
                x = self._choice(s.var, s.domain, run.binders)
                run.env[s.var] = x
                cond = self._weak_guard("choose", s, self.expr(s.cond, run.w, run.env))
                run.disabled = disj([run.disabled, neg(self.in_domain(x, s.domain)),
                                     conj([pc, neg(run.failed), neg(cond)], c)], c)
            case ir.Forall():
                if isinstance(s.domain, SortT):
                    self._forall_sort(s, run, pc)
                else:
                    self._forall_finite(s, run, pc)
            case _:
                assert_never(s)

    def _weak_guard(self, kind: str, s: ir.Require | ir.Choose, cond: z3.BoolRef) -> z3.BoolRef:
        t = self.tracked(kind, s.span, disabled=isinstance(s.cond, ir.Lit) and s.cond.value is False)
        return cond if t is None else z3.Or(z3.Not(t), cond)

    def _write(self, run: _Run, var: str, wr: _Write) -> None:
        st = run.w[var]
        run.w[var] = _Store(st.base, st.writes + (wr,))
        run.log.append((var, wr))

    def _choice(self, name: str, domain: Type, binders: tuple[z3.ExprRef, ...]) -> z3.ExprRef:
        """A choose value: a constant, or inside forall runs a function of their elements."""
        if not binders:
            return self.fresh(name, domain)
        f = z3.Function(f"{name}!{next(self._fresh)}", *[b.sort() for b in binders], self.sort(domain))
        return f(*binders)

    def _forall_finite(self, s: ir.Forall, run: _Run, pc: z3.BoolRef) -> None:
        """As symexec: one run per value, in domain order (exact)."""
        c = self.ctx
        runs = []
        for d in self.values(s.domain, s.span):
            sub = _Run(dict(run.w), {**run.env, s.var: d}, run.binders, z3.BoolVal(False, c), z3.BoolVal(False, c))
            self.block(s.body, sub, pc)
            runs.append(sub)
        any_disabled = disj([r.disabled for r in runs], c)
        before_ok = conj([neg(run.disabled), neg(run.failed)], c)
        earlier = z3.BoolVal(False, c)
        for r in runs:
            for chk, f in r.fails:
                run.fails.append((chk, conj([f, before_ok, neg(any_disabled), neg(earlier)], c)))
            earlier = disj([earlier, r.failed], c)
        run.disabled = disj([run.disabled, conj([before_ok, any_disabled], c)], c)
        run.failed = disj([run.failed, conj([before_ok, neg(any_disabled), earlier], c)], c)
        for r in runs:
            for var, wr in r.log:
                self._write(run, var, wr)

    def _forall_sort(self, s: ir.Forall, run: _Run, pc: z3.BoolRef) -> None:
        """One run on a fresh element x; any run disabled disables the step; each failing run is
        a violation of its check (no domain order: an over-approximation when the body checks
        several properties); writes are indexed by x, so runs write disjoint locations."""
        c = self.ctx
        x = self.fresh(s.var, s.domain)
        sub = _Run(dict(run.w), {**run.env, s.var: x}, run.binders + (x,), z3.BoolVal(False, c), z3.BoolVal(False, c))
        self.block(s.body, sub, pc)
        any_disabled = _exists(x, sub.disabled)
        before_ok = conj([neg(run.disabled), neg(run.failed)], c)
        for chk, f in sub.fails:
            run.fails.append((chk, conj([_exists(x, f), before_ok, neg(any_disabled)], c)))
        failed = _exists(x, sub.failed)
        run.disabled = disj([run.disabled, conj([before_ok, any_disabled], c)], c)
        run.failed = disj([run.failed, conj([before_ok, neg(any_disabled), failed], c)], c)
        at: dict[str, int] = {}
        for var, wr in sub.log:
            pos = next((i for i, t in enumerate(wr.idx) if t.eq(x)), None)
            if pos is None:
                raise Outside(f"a write to `{var}` inside `forall {s.var}` not indexed by `{s.var}`", s.span)
            # two runs could write one location through writes with `x` at different positions,
            # and then the domain order, which an uninterpreted sort does not have, decides
            if at.setdefault(var, pos) != pos:
                raise Outside(f"writes to `{var}` with `{s.var}` at different argument positions "
                              f"inside `forall {s.var}` (runs may write the same entry)", s.span)
            self._write(run, var, _Write(wr.idx, wr.value, wr.pc, wr.binders + ((x, pos),)))

    # ------------------------------------------------------------ actions

    def action(self, a: ir.Action, w: State) -> Outcome:
        self.where = a.name
        env = {p.name: self.fresh(f"{a.name}${p.name}", p.type) for p in a.params}
        inputs = conj([self.in_domain(env[p.name], p.type) for p in a.params], self.ctx)
        out = self._outcome(self.run(a.body, w, env), inputs)
        return replace(out, params=tuple((p, env[p.name]) for p in a.params))

    def init(self, w: State) -> Outcome:
        self.where = "init"
        return self._outcome(self.run(self.inst.model.init, w, {}), self.true())

    def _outcome(self, r: _Run, inputs: z3.BoolRef) -> Outcome:
        ok = conj([neg(r.disabled), neg(r.failed), self.state_ok(r.w)], self.ctx)
        return Outcome(ok, tuple(r.fails), r.w, inputs)


def _exists(x: z3.ExprRef, f: z3.BoolRef) -> z3.BoolRef:
    if z3.is_true(f) or z3.is_false(f):
        return f
    return z3.Exists([x], f)


# ---------------------------------------------------------------- the check


@dataclass(frozen=True)
class AllSizes:
    """The answer: PROVED (the invariant is initial and inductive for all sizes; `proved` are the
    properties it implies), CTI (a query is sat: `query`, and the action when it is one), UNKNOWN
    (`reason`) or OUTSIDE (a construct this encoding cannot state: `reason`, `span`)."""

    status: str
    proved: tuple[str, ...] = ()
    reason: str | None = None
    action: str | None = None
    span: Span | None = None
    smt2: Mapping[str, str] = field(default_factory=dict)


PROVED, CTI, UNKNOWN, OUTSIDE = "proved", "cti", "unknown", "outside"
COVERED = (ir.PropKind.INVARIANT, ir.PropKind.ASSERT, ir.PropKind.RANGE)


def queries(sig: Sig, inv: ir.Expr, props: Sequence[ir.Property]) -> dict[str, z3.BoolRef]:
    """Each must be unsat: `initiation`, `consecution:<action>`, `safety:<prop>` (and
    `init_safety:<prop>` for an assert or range property). Raises Outside."""
    c = sig.ctx
    w0, free_ok = sig.initial()
    it = sig.init(w0)
    out = {"initiation": conj([free_ok, it.ok, neg(sig.expr(inv, it.post, {}))], c)}
    pre = sig.state("0")
    hyp = conj([sig.state_ok(pre), sig.expr(inv, pre, {})], c)
    steps = [(a.name, sig.action(a, pre)) for a in sig.inst.model.actions]
    for name, o in steps:
        out[f"consecution:{name}"] = conj([hyp, o.inputs, o.ok, neg(sig.expr(inv, o.post, {}))], c)
    for p in props:
        if p.kind is ir.PropKind.INVARIANT:
            assert p.expr is not None
            out[f"safety:{p.name}"] = conj([hyp, neg(sig.expr(p.expr, pre, {}))], c)
            continue
        errors = [conj([o.inputs, disj([f for chk, f in o.fails if chk.prop == p.name], c)], c) for _, o in steps]
        out[f"safety:{p.name}"] = conj([hyp, disj(errors, c)], c)
        out[f"init_safety:{p.name}"] = conj([free_ok, disj([f for chk, f in it.fails if chk.prop == p.name], c)], c)
    return out


def check_all_sizes(inst: ir.Instance, inv: ir.Expr, props: Sequence[ir.Property],
                    deadline: float | None) -> AllSizes:
    """Is `inv` initial and inductive for every size of every sort, and which of `props`
    (invariant, assert and range properties) does it imply? A solver unknown is UNKNOWN."""
    from checker.solver import smt, smtlib  # smt imports the encoder: only when a check runs

    props = [p for p in props if p.kind in COVERED]
    sig = Sig(inst)
    try:
        fs = queries(sig, inv, props)
    except Outside as exc:
        return AllSizes(OUTSIDE, reason=exc.construct, span=exc.span)
    texts: dict[str, str] = {}
    failed: set[str] = set()
    ctx = new_context()  # not sig.ctx: each query is read back from its text, as a certificate is
    for name, f in fs.items():
        texts[name] = smtlib.to_smtlib(sig.ctx, f)
        res = smt.check_smtlib(texts[name], deadline, ctx)
        if res.status is smt.Status.UNSAT:
            continue
        if not name.startswith(("safety:", "init_safety:")):
            if res.status is smt.Status.SAT:
                action = name.split(":", 1)[1] if ":" in name else None
                return AllSizes(CTI, reason=f"{name} is sat", action=action)
            return AllSizes(UNKNOWN, reason=f"{name}: {res.reason}")
        failed.add(name.split(":", 1)[1])
    return AllSizes(PROVED, tuple(p.name for p in props if p.name not in failed), smt2=texts)
