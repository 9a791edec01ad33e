"""Symbolic execution of IR statements (docs/semantics.md, "Steps") into Z3 terms.

Works on the terms and the term algebra of checker/solver/encode.py (`Values`: constants, `conj`,
`ite`, fresh constants; a layout: reads and writes of locations) and imports no z3 itself. One
`Exec` runs one action body (or the init block) on a working copy of the state:
- `require` disables the run; a failing `Check` is an error outcome of its property, guarded
  by "every earlier require passed and no earlier check failed"; nothing after it matters;
- `choose` binds a fresh constant (a step input) and disables the run when its condition fails;
- `forall` runs its body once per element, each run reading the pre-forall state: any disabled
  run disables the step, otherwise the first failing run in domain order is the violation, and
  the writes of all runs are replayed in domain order.

The work grows with the model (a quantifier is one term per element), so every expression node,
statement and `forall` run ticks the encoding's `Deadline` (checker/solver/deadline.py), which
raises `EncodingTimeout` once the current run's deadline has passed. A quantifier whose body does
not use its variable is expanded once, and within one expression a quantifier is expanded once
per value of the locals it uses (so `forall p :: v[p] -> exists q :: w[q]` builds the `exists`
once, not once per page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, assert_never

from checker.result import Loc
from checker.solver.deadline import Deadline
from checker.solver.terms import ARITH
from spec import ir
from spec.irutil import free_locals
from spec.ops import BinOp, QuantKind, UnOp
from spec.types import Type

if TYPE_CHECKING:
    from checker.solver.encode import Layout, Values

Term = Any  # a z3 term (opaque here)
Formula = Any  # a z3 boolean term


@dataclass(frozen=True)
class InputVar:
    """A step input: an action parameter or a choose local (`name` is for display)."""

    name: str
    const: Term
    type: Type


@dataclass
class Run:
    """One run of a statement list (mutable while it is being executed)."""

    w: dict[Loc, Term]
    env: dict[str, Term]
    disabled: Formula  # a `require` failed (before any check failed)
    failed: Formula  # a `Check` failed (before any require failed)
    fails: list[tuple[ir.Check, Formula]]
    log: list[tuple[str, tuple[Term, ...], Term, Formula]]  # writes, in order


class Exec:
    """Runs IR statements symbolically (docs/semantics.md, "Steps") for one action or init."""

    def __init__(self, values: Values, layout: Layout, prefix: str, suffix: str, deadline: Deadline | None = None):
        self.values = values
        self.layout = layout
        self.prefix = prefix
        self.suffix = suffix
        self.deadline = deadline or Deadline()
        self.choices: list[InputVar] = []
        self.binders: list[str] = []  # `v=vcpu1` for each forall run being executed
        # quantifier expansions of the expression being built, by node and the values of the
        # locals it uses (valid for one call of `expr`: the state it reads is fixed during it);
        # with those values, which keeps them alive (Z3 reuses the id of a freed term)
        self._memo: dict[tuple[int, tuple[int, ...]], tuple[Term, tuple[Term, ...]]] | None = None
        self._uses: dict[int, tuple[ir.Quant, frozenset[str]]] = {}  # free locals of each body

    def new_run(self, w: Mapping[Loc, Term], env: Mapping[str, Term]) -> Run:
        f = self.values.boolean(False)
        return Run(dict(w), dict(env), f, f, [], [])

    def expr(self, e: ir.Expr, w: Mapping[Loc, Term], env: Mapping[str, Term]) -> Term:
        """The term of `e` in the valuation `w` with the locals `env`."""
        if self._memo is not None:
            return self._expr(e, w, env)
        self._memo = {}
        try:
            return self._expr(e, w, env)
        finally:
            self._memo = None

    def _expr(self, e: ir.Expr, w: Mapping[Loc, Term], env: Mapping[str, Term]) -> Term:
        self.deadline.tick()
        match e:
            case ir.Lit():
                return self.values.const(e.value)
            case ir.Var():
                return self.layout.read(w, e.name, ())
            case ir.Read():
                return self.layout.read(w, e.name, tuple(self._expr(a, w, env) for a in e.args))
            case ir.Local():
                return env[e.name]
            case ir.Param():
                raise ValueError(f"unbound parameter {e.name} in an Instance")
            case ir.Unary():
                a = self._expr(e.arg, w, env)
                return self.values.neg(a) if e.op is UnOp.NOT else -a
            case ir.Binary():
                return self._binary(e.op, self._expr(e.lhs, w, env), self._expr(e.rhs, w, env))
            case ir.Ite():
                return self.values.ite(self._expr(e.cond, w, env), self._expr(e.then, w, env), self._expr(e.else_, w, env))
            case ir.Quant():
                return self._quant(e, w, env)
            case _:
                assert_never(e)

    def _quant(self, e: ir.Quant, w: Mapping[Loc, Term], env: Mapping[str, Term]) -> Term:
        """One term per element of the domain; once if the body does not use the variable; and
        once per expression for the same values of the locals the body uses."""
        if id(e) not in self._uses:
            self._uses[id(e)] = (e, frozenset(free_locals(e.body)))
        uses = self._uses[id(e)][1]
        assert self._memo is not None
        args = tuple(env[x] for x in sorted(uses - {e.var}))
        key = (id(e), tuple(self.values.ident(a) for a in args))
        if key in self._memo:
            return self._memo[key][0]
        domain = self.values.inst.domain(e.domain)
        if e.var in uses:
            terms = [self._expr(e.body, w, {**env, e.var: self.values.const(d)}) for d in domain]
        else:  # every instance is the same term
            terms = [self._expr(e.body, w, env)] * (len(domain) if e.kind is QuantKind.COUNT else min(len(domain), 1))
        if e.kind is QuantKind.FORALL:
            out = self.values.conj(terms)
        elif e.kind is QuantKind.EXISTS:
            out = self.values.disj(terms)
        else:
            one, zero = self.values.const(1), self.values.const(0)
            out = self.values.total([self.values.ite(t, one, zero) for t in terms])
        self._memo[key] = (out, args)
        return out

    def _binary(self, op: BinOp, a: Term, b: Term) -> Term:
        match op:
            case BinOp.AND:
                return self.values.conj([a, b])
            case BinOp.OR:
                return self.values.disj([a, b])
            case BinOp.IMPLIES:
                return self.values.disj([self.values.neg(a), b])
            case BinOp.IFF | BinOp.EQ:
                return self.values.eq(a, b)
            case BinOp.NE:
                return self.values.neg(self.values.eq(a, b))
            case BinOp.LT | BinOp.LE | BinOp.GT | BinOp.GE | BinOp.ADD | BinOp.SUB | BinOp.MUL:
                return ARITH[op](a, b)
            case _:
                assert_never(op)

    def block(self, stmts: Sequence[ir.Stmt], run: Run, pc: Formula) -> None:
        for s in stmts:
            self.stmt(s, run, pc)

    def stmt(self, s: ir.Stmt, run: Run, pc: Formula) -> None:
        self.deadline.tick()
        t = self.values
        match s:
            case ir.Require():
                c = self.expr(s.cond, run.w, run.env)
                run.disabled = t.disj([run.disabled, t.conj([pc, t.neg(run.failed), t.neg(c)])])
            case ir.Check():
                c = self.expr(s.cond, run.w, run.env)
                f = t.conj([pc, t.neg(run.disabled), t.neg(run.failed), t.neg(c)])
                if not t.is_false(f):
                    run.fails.append((s, f))
                    run.failed = t.disj([run.failed, f])
            case ir.Assign():
                idx = tuple(self.expr(i, run.w, run.env) for i in s.index)
                value = self.expr(s.value, run.w, run.env)
                self.layout.write(run.w, s.var, idx, value, pc)
                run.log.append((s.var, idx, value, pc))
            case ir.SetLocal():
                v = self.expr(s.value, run.w, run.env)
                run.env[s.name] = t.ite(pc, v, run.env[s.name]) if s.name in run.env else v
            case ir.If():
                c = self.expr(s.cond, run.w, run.env)
                outer = set(run.env)
                self.block(s.then, run, t.conj([pc, c]))
                run.env = {k: v for k, v in run.env.items() if k in outer}
                self.block(s.else_, run, t.conj([pc, t.neg(c)]))
                run.env = {k: v for k, v in run.env.items() if k in outer}
            case ir.Choose():
                x = self._fresh(s.var, s.domain)
                run.env[s.var] = x
                c = self.expr(s.cond, run.w, run.env)
                # The value is in its domain whether or not this choose is on the path taken:
                # off the path it does not matter, and a trace must never show an impossible value.
                run.disabled = t.disj([run.disabled, t.neg(t.in_domain(x, s.domain)),
                                       t.conj([pc, t.neg(run.failed), t.neg(c)])])
            case ir.Forall():
                self._forall(s, run, pc)
            case _:
                assert_never(s)

    def _fresh(self, var: str, domain: Type) -> Term:
        const = self.values.fresh(f"{self.prefix}${var}!{len(self.choices)}@{self.suffix}", domain)
        label = f"{var}({', '.join(self.binders)})" if self.binders else var  # the forall run it belongs to
        self.choices.append(InputVar(label, const, domain))
        return const

    def _forall(self, s: ir.Forall, run: Run, pc: Formula) -> None:
        """Each run reads the pre-forall state; any disabled run disables the step; otherwise the
        first failing run (domain order) is the violation; writes merge in domain order."""
        t = self.values
        runs = []
        for d in self.values.inst.domain(s.domain):
            self.deadline.tick()
            sub = self.new_run(run.w, {**run.env, s.var: self.values.const(d)})
            self.binders.append(f"{s.var}={ir.format_value(d)}")
            self.block(s.body, sub, pc)
            self.binders.pop()
            runs.append(sub)
        any_disabled = t.disj([r.disabled for r in runs])
        before_ok = t.conj([t.neg(run.disabled), t.neg(run.failed)])
        earlier = t.boolean(False)
        for r in runs:
            for chk, f in r.fails:
                g = t.conj([f, before_ok, t.neg(any_disabled), t.neg(earlier)])
                if not t.is_false(g):
                    run.fails.append((chk, g))
            earlier = t.disj([earlier, r.failed])
        run.disabled = t.disj([run.disabled, t.conj([before_ok, any_disabled])])
        run.failed = t.disj([run.failed, t.conj([before_ok, t.neg(any_disabled), earlier])])
        for r in runs:
            for var, idx, value, wpc in r.log:
                self.layout.write(run.w, var, idx, value, wpc)
                run.log.append((var, idx, value, wpc))
