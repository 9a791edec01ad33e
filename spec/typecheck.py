"""Types and names of expressions: surface expressions become typed IR expressions.

Consts and defs are inlined at their use (defs by substitution, so a def is pure and
non-recursive by construction; cycles are reported). Sorts have no order and no arithmetic;
enums have no order. Errors are reported to the sink and the offending subexpression gets the
type ErrorT, so one mistake yields one message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from spec import ast, ir
from spec.diagnostics import Note, Sink, did_you_mean
from spec.irutil import fold, is_constant, subst
from spec.ops import ARITH_OPS, BOOL_OPS, EQUALITY_OPS, ORDER_OPS, BinOp, QuantKind, UnOp
from spec.printer import print_expr, print_type
from spec.resolve import MemberRef, Resolved, Symbol, SymKind
from spec.source import Span
from spec.types import BOOL, ERROR, INT, BoolT, EnumT, ErrorT, FunT, IntT, RangeT, SortT, Type, value_type


class LocalKind(Enum):
    ACTION_PARAM = "action parameter"
    CHOOSE = "choose local"
    BINDER = "bound variable"
    DEF_PARAM = "def parameter"


@dataclass(frozen=True)
class LocalInfo:
    type: Type
    kind: LocalKind
    span: Span
    # How many `forall` statements enclose the binding (a choose local may be assigned only
    # inside the forall that declares it: each run of the body has its own).
    depth: int = 0


@dataclass(frozen=True)
class Env:
    """Locals in scope and the component whose names come first."""

    component: str | None
    locals: dict[str, LocalInfo] = field(default_factory=dict)
    # forall-statement binders enclosing the current statement (innermost last)
    forall_vars: tuple[str, ...] = ()
    in_def: bool = False

    def bind(self, name: str, info: LocalInfo) -> Env:
        return Env(self.component, {**self.locals, name: info}, self.forall_vars, self.in_def)


MAX_DOMAIN = 4096  # quantifier, choose and parameter domains are enumerated by some engines


MAX_SUGGESTIONS = 100  # unknown names per file that get a "did you mean" hint


class Typer:
    """Elaborates types and expressions against a Resolved symbol table."""

    def __init__(self, res: Resolved, sink: Sink):
        self.res = res
        self.sink = sink
        self._consts: dict[str, ir.Expr] = {}
        self._defs: dict[str, tuple[tuple[tuple[str, Type], ...], Type, ir.Expr]] = {}
        self._in_progress: list[str] = []
        self._decl_types: dict[str, Type] = {}
        self._suggestions = 0  # "did you mean" hints given (each compares against every visible name)

    # ------------------------------------------------------------ types

    def type_expr(self, t: ast.TypeExpr, comp: str | None, *, allow_fun: bool = False) -> Type:
        match t:
            case ast.BoolTypeExpr():
                return BOOL
            case ast.RangeTypeExpr():
                lo = self.const_expr(t.lo, comp, "a range bound")
                hi = self.const_expr(t.hi, comp, "a range bound")
                if isinstance(lo, ir.Lit) and isinstance(hi, ir.Lit) and isinstance(lo.value, int) \
                        and isinstance(hi.value, int) and lo.value > hi.value:
                    self.sink.error(t.span, "E0311", f"empty range {lo.value}..{hi.value}",
                                    "the lower bound must not exceed the upper bound")
                    return ERROR
                return RangeT(lo, hi)
            case ast.NamedTypeExpr():
                sym = self.res.lookup(t.name, comp)
                if isinstance(sym, Symbol) and sym.kind is SymKind.ENUM:
                    return EnumT(sym.qname)
                if isinstance(sym, Symbol) and sym.kind is SymKind.SORT:
                    return SortT(sym.qname)
                if isinstance(sym, Symbol):
                    self.sink.error(t.span, "E0323", f"`{t.name}` is a {sym.kind.value}, not a type",
                                    "types are bool, an enum, a sort, or a range lo..hi")
                else:
                    names = [k for k, s in self.res.values.items() if s.kind in (SymKind.ENUM, SymKind.SORT)]
                    hint = did_you_mean(str(t.name), names + ["bool"])
                    if str(t.name) in ("int", "integer", "nat"):
                        hint = "integers are ranges: write lo..hi, e.g. 0..3"
                    self.sink.error(t.span, "E0323", f"unknown type `{t.name}`", hint)
                return ERROR
            case ast.FunTypeExpr():
                args = tuple(self.type_expr(a, comp) for a in t.args)
                result = self.type_expr(t.result, comp)
                if not allow_fun:
                    self.sink.error(t.span, "E0322", "a function type is allowed only for a state variable",
                                    "parameters, bound variables and def results have bool, enum, sort or range types")
                    return ERROR
                for a, ta in zip(t.args, args, strict=True):
                    if isinstance(ta, RangeT | IntT):
                        self.sink.error(a.span, "E0322", "function arguments must be sorts, enums or bool",
                                        "index by a sort (e.g. `sort Page;`) rather than by a range")
                return FunT(args, result)
            case _:
                raise AssertionError(t)

    def const_expr(self, e: ast.Expr, comp: str | None, what: str) -> ir.Expr:
        """An expression that must be fixed before checking starts (literals, consts, params)."""
        out = fold(self.expr(e, Env(comp), INT))
        if isinstance(out.type, ErrorT):
            return out
        if not isinstance(out.type, IntT):
            self.sink.error(e.span, "E0304", f"{what} must be an integer, found {out.type}")
            return ir.Lit(0, ERROR, span=e.span)
        if not is_constant(out):
            self.sink.error(e.span, "E0312", f"{what} must be a constant",
                            "use literals, `const`s and parameters only")
            return ir.Lit(0, ERROR, span=e.span)
        return out

    # ------------------------------------------------------------ expressions

    def expr(self, e: ast.Expr, env: Env, expected: Type | None = None) -> ir.Expr:
        match e:
            case ast.BoolLit():
                return ir.Lit(e.value, BOOL, span=e.span)
            case ast.IntLit():
                return ir.Lit(e.value, INT, span=e.span)
            case ast.NameExpr():
                return self._name(e, env, expected)
            case ast.Index():
                return self._index(e, env)
            case ast.Call():
                return self._call(e, env)
            case ast.Unary():
                return self._unary(e, env)
            case ast.Binary():
                return self._binary(e, env)
            case ast.Cond():
                return self._cond(e, env, expected)
            case ast.Quant():
                return self._quant(e, env)
            case ast.Temporal():
                self.sink.error(e.span, "E0330", f"`{e.op.value}` is a temporal operator: only a `property` "
                                "may use it, in one of its forms",
                                "write `property NAME: always (P -> eventually Q);`, `eventually Q` or "
                                "`always eventually Q` (parenthesise Q when it has operators)")
                return self._err(e.span)
            case _:
                raise AssertionError(e)

    def bool_expr(self, e: ast.Expr, env: Env, what: str) -> ir.Expr:
        out = self.expr(e, env, BOOL)
        if not isinstance(out.type, BoolT | ErrorT):
            hint = None
            if isinstance(e, ast.Quant) and e.kind is QuantKind.COUNT:
                hint = "a quantifier's body extends as far right as possible: write (count x: T :: P) > n"
            self.sink.error(e.span, "E0319", f"{what} must be bool, found {out.type}", hint)
        return out

    def _err(self, span: Span) -> ir.Expr:
        return ir.Lit(False, ERROR, span=span)

    def _name(self, e: ast.NameExpr, env: Env, expected: Type | None) -> ir.Expr:
        parts = e.name.parts
        if len(parts) == 1 and parts[0] in env.locals:
            info = env.locals[parts[0]]
            return ir.Local(parts[0], value_type(info.type), span=e.span)
        found = self.res.lookup(e.name, env.component)
        if isinstance(found, list):
            if isinstance(expected, ErrorT):
                return self._err(e.span)  # the other side already has an error
            if isinstance(expected, EnumT):
                for m in found:
                    if m.enum == expected.name:
                        return self._member(m, e.span)
            enums = ", ".join(sorted(m.enum for m in found))
            self.sink.error(e.span, "E0302", f"`{e.name}` is a member of several enums ({enums})",
                            f"qualify it: {found[0].enum}.{e.name}")
            return self._err(e.span)
        if isinstance(found, MemberRef):
            return self._member(found, e.span)
        if found is None:
            self.sink.error(e.span, "E0301", f"unknown name `{e.name}`", self.unknown_hint(e.name, env))
            return self._err(e.span)
        return self._symbol_value(found, e.span, env)

    def unknown_hint(self, name: ast.Name, env: Env) -> str | None:
        """"did you mean", or where a bare name is declared when it lives in a component."""
        text = str(name)
        inside = sorted(k for k in self.res.values if k.endswith("." + text))
        if len(name.parts) == 1 and inside:
            comps = ", ".join(f"`{k}`" for k in inside)
            return f"`{text}` is declared inside a component: write {comps}"
        self._suggestions += 1
        if self._suggestions > MAX_SUGGESTIONS:
            return None  # the cost is errors x names: a file of a thousand misspellings took seconds
        cands = list(env.locals) + self.res.visible_names(env.component) + ["true", "false"]
        return did_you_mean(text, cands)

    def _member(self, m: MemberRef, span: Span) -> ir.Expr:
        decl = self.res.values[m.enum].decl
        assert isinstance(decl, ast.EnumDecl)
        idx = [x.name for x in decl.members].index(m.member)
        return ir.Lit(ir.EnumVal(m.enum, m.member, idx), EnumT(m.enum), span=span)

    def _symbol_value(self, sym: Symbol, span: Span, env: Env) -> ir.Expr:
        decl = sym.decl
        match sym.kind:
            case SymKind.VAR:
                assert isinstance(decl, ast.VarDecl)
                t = self.var_type(sym)
                if isinstance(t, FunT):
                    self.sink.error(span, "E0303", f"`{sym.qname}` is a function ({t}); index it",
                                    f"index it by {', '.join(str(a) for a in t.args)}: {sym.qname}[...]")
                    return self._err(span)
                return ir.Var(sym.qname, value_type(t), span=span)
            case SymKind.PARAM:
                return ir.Param(sym.qname, value_type(self.param_type(sym)), span=span)
            case SymKind.CONST:
                return self.const_value(sym)
            case SymKind.DEF:
                assert isinstance(decl, ast.DefDecl)
                args = ", ".join(b.name for b in decl.params)
                self.sink.error(span, "E0309", f"`{sym.qname}` is a def; call it", f"write {sym.qname}({args})")
            case SymKind.ENUM | SymKind.SORT:
                self.sink.error(span, "E0303", f"`{sym.qname}` is a type, not a value")
            case SymKind.COMPONENT:
                self.sink.error(span, "E0303", f"`{sym.qname}` is a component, not a value",
                                f"name one of its declarations: {sym.qname}.NAME")
        return self._err(span)

    # -- declarations' types, computed once

    def var_type(self, sym: Symbol) -> Type:
        decl = sym.decl
        assert isinstance(decl, ast.VarDecl)
        key = "var:" + sym.qname
        if key not in self._decl_types:
            self._decl_types[key] = self.type_expr(decl.type, sym.component, allow_fun=True)
        return self._decl_types[key]

    def param_type(self, sym: Symbol) -> Type:
        decl = sym.decl
        assert isinstance(decl, ast.ParamDecl)
        key = "param:" + sym.qname
        if key not in self._decl_types:
            t = self.type_expr(decl.type, sym.component)
            if isinstance(t, SortT):
                self.sink.error(decl.type.span, "E0329", "a parameter cannot have a sort type",
                                "parameters are bool, an enum, or a range")
                t = ERROR
            self._decl_types[key] = t
        return self._decl_types[key]

    def const_value(self, sym: Symbol) -> ir.Expr:
        decl = sym.decl
        assert isinstance(decl, ast.ConstDecl)
        if sym.qname in self._consts:
            return self._consts[sym.qname]
        if sym.qname in self._in_progress:
            self.sink.error(decl.name_span, "E0316", f"constant `{sym.qname}` is defined in terms of itself"
                            f"{self._cycle(sym.qname)}")
            return self._err(decl.name_span)
        self._in_progress.append(sym.qname)
        value = fold(self.expr(decl.value, Env(sym.component)))
        self._in_progress.pop()
        if not isinstance(value.type, ErrorT) and not is_constant(value):
            self.sink.error(decl.value.span, "E0312", f"the value of constant `{sym.qname}` must be constant",
                            "use literals, other consts and parameters")
            value = self._err(decl.value.span)
        self._consts[sym.qname] = value
        return value

    # -- indexing and calls

    def _index(self, e: ast.Index, env: Env) -> ir.Expr:
        found = self.res.lookup(e.target, env.component)
        if len(e.target.parts) == 1 and e.target.parts[0] in env.locals:
            self.sink.error(e.span, "E0308", f"`{e.target}` is {_a(env.locals[e.target.parts[0]].kind.value)}, "
                            "not a function")
            return self._err(e.span)
        if not (isinstance(found, Symbol) and found.kind is SymKind.VAR):
            if found is None:
                self.sink.error(e.target.span, "E0301", f"unknown name `{e.target}`",
                                self.unknown_hint(e.target, env))
            else:
                what = found.kind.value if isinstance(found, Symbol) else "enum member"
                self.sink.error(e.span, "E0308", f"`{e.target}` is {_a(what)}, not a function")
            for a in e.args:
                self.expr(a, env)
            return self._err(e.span)
        t = self.var_type(found)
        if not isinstance(t, FunT):
            if not isinstance(t, ErrorT):
                self.sink.error(e.span, "E0308", f"`{found.qname}` is not a function (its type is {t})",
                                f"read it without an index: {found.qname}")
            for a in e.args:
                self.expr(a, env)
            return self._err(e.span)
        args = self.args(e.args, t.args, e.span, f"`{found.qname}`", env)
        if args is None:
            return self._err(e.span)
        return ir.Read(found.qname, args, value_type(t.result), span=e.span)

    def args(self, actual: tuple[ast.Expr, ...], formal: tuple[Type, ...], span: Span, what: str,
              env: Env) -> tuple[ir.Expr, ...] | None:
        out = tuple(self.expr(a, env, f) for a, f in zip(actual, formal, strict=False))
        extra = [self.expr(a, env) for a in actual[len(formal):]]
        del extra
        if len(actual) != len(formal):
            want = ", ".join(str(f) for f in formal)
            self.sink.error(span, "E0306", f"{what} takes {_count(len(formal), 'argument')}{f' ({want})' if want else ''}, "
                            f"given {len(actual)}")
            return None
        ok = True
        for a, got, want_t in zip(actual, out, formal, strict=True):
            if not same_type(value_type(want_t), got.type):
                self.sink.error(a.span, "E0307", f"argument of {what} must be {want_t}, found {got.type}")
                ok = False
        return out if ok else None

    def _call(self, e: ast.Call, env: Env) -> ir.Expr:
        found = self.res.lookup(e.func, env.component)
        if not (isinstance(found, Symbol) and found.kind is SymKind.DEF):
            if found is None:
                self.sink.error(e.func.span, "E0301", f"unknown def `{e.func}`",
                                did_you_mean(str(e.func), [k for k, s in self.res.values.items()
                                                          if s.kind is SymKind.DEF]))
            else:
                what = found.kind.value if isinstance(found, Symbol) else "enum member"
                hint = "index a state variable with [ ]" if isinstance(found, Symbol) and found.kind is SymKind.VAR \
                    else None
                self.sink.error(e.span, "E0309", f"`{e.func}` is {_a(what)}, not a def", hint)
            for a in e.args:
                self.expr(a, env)
            return self._err(e.span)
        sig = self.def_signature(found, e.span)
        if sig is None:
            return self._err(e.span)
        params, result, body = sig
        args = self.args(e.args, tuple(t for _, t in params), e.span, f"`{found.qname}`", env)
        if args is None:
            return self._err(e.span)
        return subst(body, {name: a for (name, _), a in zip(params, args, strict=True)})

    def _cycle(self, qname: str) -> str:
        """` (a -> b -> a)` for a cycle through other declarations; empty for a direct one."""
        chain = self._in_progress[self._in_progress.index(qname):] + [qname]
        return f" ({' -> '.join(chain)})" if len(chain) > 2 else ""

    def def_signature(self, sym: Symbol, use: Span | None = None):
        decl = sym.decl
        assert isinstance(decl, ast.DefDecl)
        if sym.qname in self._defs:
            return self._defs[sym.qname]
        if sym.qname in self._in_progress:
            notes = [Note(use, "called here")] if use is not None else []
            self.sink.error(decl.name_span, "E0316", f"def `{sym.qname}` is recursive{self._cycle(sym.qname)}",
                            "defs are expanded where they are used, so they cannot call themselves",
                            notes=notes)
            return None
        self._in_progress.append(sym.qname)
        env = Env(sym.component, in_def=True)
        params: list[tuple[str, Type]] = []
        for b in decl.params:
            t = self.type_expr(b.type, sym.component)
            env = self.bind(env, b, t, LocalKind.DEF_PARAM)
            params.append((b.name, t))
        result = self.type_expr(decl.result, sym.component)
        body = self.expr(decl.body, env, result)
        self._in_progress.pop()
        if not same_type(value_type(result), body.type):
            self.sink.error(decl.body.span, "E0304", f"def `{sym.qname}` returns {result}, its body is {body.type}")
        sig = (tuple(params), result, body)
        self._defs[sym.qname] = sig
        return sig

    # -- operators

    def _unary(self, e: ast.Unary, env: Env) -> ir.Expr:
        want = BOOL if e.op is UnOp.NOT else INT
        arg = self.expr(e.arg, env, want)
        if not same_type(want, arg.type):
            self.sink.error(e.span, "E0304", f"`{e.op.value}` needs a{' bool' if want == BOOL else 'n int'} "
                            f"operand, found {arg.type}")
            return ir.Unary(e.op, arg, ERROR, span=e.span)
        return ir.Unary(e.op, arg, want, span=e.span)

    def _binary(self, e: ast.Binary, env: Env) -> ir.Expr:
        op = e.op
        if op in BOOL_OPS:
            lhs = self.expr(e.lhs, env, BOOL)
            rhs = self.expr(e.rhs, env, BOOL)
            for side, ast_side in ((lhs, e.lhs), (rhs, e.rhs)):
                if not same_type(BOOL, side.type):
                    self.sink.error(ast_side.span, "E0304", f"`{op.value}` needs bool operands, found {side.type}")
                    return ir.Binary(op, lhs, rhs, ERROR, span=e.span)
            return ir.Binary(op, lhs, rhs, BOOL, span=e.span)
        if op in EQUALITY_OPS:
            if self._is_bare_member(e.lhs, env) and not self._is_bare_member(e.rhs, env):
                rhs = self.expr(e.rhs, env)
                lhs = self.expr(e.lhs, env, rhs.type)
            else:
                lhs = self.expr(e.lhs, env)
                rhs = self.expr(e.rhs, env, lhs.type)
            if not same_type(lhs.type, rhs.type):
                self.sink.error(e.span, "E0304", f"cannot compare {lhs.type} with {rhs.type}")
                return ir.Binary(op, lhs, rhs, ERROR, span=e.span)
            return ir.Binary(op, lhs, rhs, BOOL, span=e.span)
        lhs = self.expr(e.lhs, env, INT)
        rhs = self.expr(e.rhs, env, INT)
        for side, ast_side in ((lhs, e.lhs), (rhs, e.rhs)):
            if isinstance(side.type, SortT):
                what = "order" if op in ORDER_OPS else "arithmetic"
                self.sink.error(e.span, "E0305", f"sort `{side.type}` has no {what}",
                                "sort elements are interchangeable identities: compare them with == and != only")
                return ir.Binary(op, lhs, rhs, ERROR, span=e.span)
            if isinstance(side.type, EnumT) and op in ORDER_OPS:
                self.sink.error(e.span, "E0305", f"enum `{side.type}` has no order",
                                "compare enum values with == and != (or list the members you mean)")
                return ir.Binary(op, lhs, rhs, ERROR, span=e.span)
            if not same_type(INT, side.type):
                self.sink.error(ast_side.span, "E0304", f"`{op.value}` needs int operands, found {side.type}")
                return ir.Binary(op, lhs, rhs, ERROR, span=e.span)
        if op is BinOp.MUL and not (is_constant(lhs) or is_constant(rhs)):
            self.sink.error(e.span, "E0326", "multiplication needs a constant on one side",
                            "the solver's arithmetic is linear: multiply by a literal, const or parameter")
            return ir.Binary(op, lhs, rhs, ERROR, span=e.span)
        assert op in ORDER_OPS or op in ARITH_OPS
        return ir.Binary(op, lhs, rhs, BOOL if op in ORDER_OPS else INT, span=e.span)

    def _is_bare_member(self, e: ast.Expr, env: Env) -> bool:
        if not isinstance(e, ast.NameExpr) or len(e.name.parts) != 1 or e.name.parts[0] in env.locals:
            return False
        return isinstance(self.res.lookup(e.name, env.component), list)

    def _cond(self, e: ast.Cond, env: Env, expected: Type | None) -> ir.Expr:
        cond = self.bool_expr(e.cond, env, "the condition of `?:`")
        then = self.expr(e.then, env, expected)
        else_ = self.expr(e.else_, env, then.type if not isinstance(then.type, ErrorT) else expected)
        if not same_type(then.type, else_.type):
            self.sink.error(e.span, "E0304", f"the branches of `?:` have different types: {then.type} and {else_.type}")
            return ir.Ite(cond, then, else_, ERROR, span=e.span)
        t = then.type if not isinstance(then.type, ErrorT) else else_.type
        return ir.Ite(cond, then, else_, t, span=e.span)

    def _quant(self, e: ast.Quant, env: Env) -> ir.Expr:
        binders: list[tuple[str, Type, Span]] = []
        inner = env
        for b in e.binders:
            t = self.domain_type(b.type, env.component, "a bound variable")
            inner = self.bind(inner, b, t, LocalKind.BINDER)
            binders.append((b.name, t, b.span))
        mark = len(self.sink.items)
        body = self.bool_expr(e.body, inner, f"the body of `{e.kind.value}`")
        if e.kind is QuantKind.COUNT and self._count_swallowed(e, body, mark):
            return ir.Lit(0, ERROR, span=e.span)
        if e.kind is QuantKind.COUNT and len(binders) > 1:
            self.sink.error(e.span, "E0313", "`count` binds exactly one variable",
                            "write `count x: T :: P` with a single bound variable")
            return ir.Lit(0, ERROR, span=e.span)
        # `forall a: A, b: B :: P` is `forall a: A :: forall b: B :: P`.
        out = body
        for name, t, _span in reversed(binders):
            out = ir.Quant(e.kind, name, t, out, INT if e.kind is QuantKind.COUNT else BOOL, span=e.span)
        return out

    def _count_swallowed(self, e: ast.Quant, body: ir.Expr, mark: int) -> bool:
        """`count p: T :: f[p] <= 2` counts `f[p] <= 2`: replace the operand error that this gives
        by one message with the fix."""
        b = e.body
        if not (isinstance(b, ast.Binary) and b.op in ORDER_OPS | EQUALITY_OPS | ARITH_OPS
                and isinstance(body, ir.Binary) and isinstance(body.type, ErrorT)
                and isinstance(body.lhs.type, BoolT)):
            return False
        spans = (b.span, b.lhs.span)
        self.sink.items[mark:] = [d for d in self.sink.items[mark:] if not (d.code == "E0304" and d.span in spans)]
        binders = ", ".join(f"{x.name}: {print_type(x.type)}" for x in e.binders)
        fix = f"({e.kind.value} {binders} :: {print_expr(b.lhs)}) {b.op.value} {print_expr(b.rhs)}"
        self.sink.error(e.span, "E0319", f"the body of this `count` is `{print_expr(b)}`, which is not bool",
                        f"a quantifier's body extends as far right as possible: write {fix}")
        return True

    # -- binders

    def domain_type(self, t: ast.TypeExpr, comp: str | None, what: str) -> Type:
        # type_expr refuses function types here (E0322): only state variables have them.
        del what
        return self.type_expr(t, comp)

    def bind(self, env: Env, b: ast.Binder, t: Type, kind: LocalKind) -> Env:
        if b.name in env.locals:
            prev = env.locals[b.name]
            self.sink.error(b.span, "E0207", f"`{b.name}` is already {_a(prev.kind.value)} here",
                            "pick another name: locals never shadow each other",
                            notes=[Note(prev.span, f"`{b.name}` bound here")])
        else:
            found = self.res.lookup(ast.Name((b.name,)), env.component)
            if isinstance(found, Symbol) and found.kind is not SymKind.COMPONENT:
                self.sink.error(b.span, "E0207", f"`{b.name}` would shadow the {found.kind.value} `{found.qname}`",
                                "pick another name: locals never shadow declarations",
                                notes=[Note(found.decl.name_span, f"`{found.qname}` declared here")])
            elif isinstance(found, MemberRef | list):
                self.sink.error(b.span, "E0207", f"`{b.name}` would shadow an enum member",
                                "pick another name: locals never shadow declarations")
        return env.bind(b.name, LocalInfo(t, kind, b.span, len(env.forall_vars)))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def same_type(want: Type, got: Type) -> bool:
    if isinstance(want, ErrorT) or isinstance(got, ErrorT):
        return True
    return value_type(want) == value_type(got)
