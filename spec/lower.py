"""Statements and declarations to the core IR; Resolved -> ir.Model.

Here `match` becomes an `If` chain, components are flattened (names were qualified by
resolve), assignments to range-typed locations get an explicit range `Check`, asserts become
named properties, and init blocks are concatenated in declaration order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spec import ast, ir
from spec.diagnostics import Note, Sink, did_you_mean
from spec.irutil import fold, is_constant
from spec.ops import BinOp
from spec.resolve import MemberRef, Resolved, Symbol, SymKind
from spec.source import Span
from spec.temporal import live
from spec.typecheck import Env, LocalKind, Typer, same_type
from spec.types import BOOL, ERROR, BoolT, EnumT, ErrorT, FunT, RangeT, SortT, Type, value_type


@dataclass
class _Props:
    """Asserts and range properties found while lowering bodies."""

    asserts: list[ir.Property] = field(default_factory=list)
    ranges: dict[str, ir.Property] = field(default_factory=dict)
    names: dict[str, Span] = field(default_factory=dict)
    unnamed: dict[str, int] = field(default_factory=dict)  # owner -> unnamed asserts so far


@dataclass(frozen=True)
class _Ctx:
    owner: str  # the action's qualified name, or "init"
    component: str | None


class Lowerer:
    def __init__(self, res: Resolved, sink: Sink):
        self.res = res
        self.sink = sink
        self.typer = Typer(res, sink)
        self.props = _Props()
        self.overrides: dict[str, tuple[ast.ParamOverride, str | None]] = {}
        for name, (decl, _comp) in res.props.items():
            self.props.names[name] = decl.name_span

    # ------------------------------------------------------------ statements

    def block(self, stmts: tuple[ast.Stmt, ...], env: Env, ctx: _Ctx) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for s in stmts:
            env = self.stmt(s, env, ctx, out)
        return tuple(out)

    def stmt(self, s: ast.Stmt, env: Env, ctx: _Ctx, out: list[ir.Stmt]) -> Env:
        """Lower one statement into `out`; returns the environment for the statements after it."""
        t = self.typer
        match s:
            case ast.Require():
                out.append(ir.Require(t.bool_expr(s.cond, env, "a `require` condition"), span=s.span))
            case ast.Skip():
                pass
            case ast.Assert():
                cond = t.bool_expr(s.cond, env, "an `assert` condition")
                name = self._assert_name(s, ctx)
                msg = f"assert {s.name + ' ' if s.name else ''}failed"
                out.append(ir.Check(name, ir.CheckKind.ASSERT, cond, msg, span=s.span))
            case ast.Assign():
                self._assign(s, env, ctx, out)
            case ast.If():
                cond = t.bool_expr(s.cond, env, "an `if` condition")
                then = self.block(s.then, env, ctx)
                else_ = self.block(s.else_, env, ctx) if s.else_ is not None else ()
                out.append(ir.If(cond, then, else_, span=s.span))
            case ast.Match():
                out.extend(self._match(s, env, ctx))
            case ast.ForallStmt():
                dom = t.domain_type(s.binder.type, env.component, "a `forall` variable")
                inner = t.bind(env, s.binder, dom, LocalKind.BINDER)
                inner = Env(inner.component, inner.locals, env.forall_vars + (s.binder.name,), inner.in_def)
                body = self.block(s.body, inner, ctx)
                out.append(ir.Forall(s.binder.name, dom, body, span=s.span))
            case ast.Choose():
                dom = t.domain_type(s.binder.type, env.component, "a `choose` variable")
                env = t.bind(env, s.binder, dom, LocalKind.CHOOSE)
                cond = t.bool_expr(s.cond, env, "a `where` condition") if s.cond is not None else ir.TRUE
                out.append(ir.Choose(s.binder.name, dom, cond, span=s.span))
            case _:
                raise AssertionError(s)
        return env

    def _assert_name(self, s: ast.Assert, ctx: _Ctx) -> str:
        if s.name is not None:
            name = f"{ctx.component}.{s.name}" if ctx.component else s.name
            if name in self.props.names:
                self.sink.error(s.span, "E0202", f"duplicate declaration of property `{name}`",
                                notes=[Note(self.props.names[name], f"`{name}` first declared here")])
        else:
            # Numbered within the action, so editing elsewhere in the file does not rename it.
            n = self.props.unnamed[ctx.owner] = self.props.unnamed.get(ctx.owner, 0) + 1
            name = f"{ctx.owner}:assert#{n}"
        self.props.names.setdefault(name, s.span)
        self.props.asserts.append(ir.Property(name, ir.PropKind.ASSERT, None, None, span=s.span))
        return name

    def _assign(self, s: ast.Assign, env: Env, ctx: _Ctx, out: list[ir.Stmt]) -> None:
        t = self.typer
        parts = s.target.parts
        if len(parts) == 1 and parts[0] in env.locals:
            info = env.locals[parts[0]]
            value = t.expr(s.value, env, info.type)
            if info.kind is not LocalKind.CHOOSE or s.index:
                self.sink.error(s.target.span, "E0317", f"cannot assign to {info.kind.value} `{parts[0]}`",
                                "only state variables and `choose` locals can be assigned",
                                notes=[Note(info.span, f"`{parts[0]}` bound here")])
                return
            if info.depth < len(env.forall_vars):
                self.sink.error(s.span, "E0320", f"`{parts[0]}` is declared outside the `forall`; every "
                                "run of the body would assign it", "declare the local inside the forall body")
                return
            self._check_value(info.type, value, s.value.span, f"`{parts[0]}`")
            self._range_check(info.type, value, f"{ctx.owner}.{parts[0]}:range", f"{parts[0]} := ...", s, out,
                              None)
            out.append(ir.SetLocal(parts[0], value, span=s.span))
            return
        found = self.res.lookup(s.target, env.component)
        if not (isinstance(found, Symbol) and found.kind is SymKind.VAR):
            for i in s.index:
                t.expr(i, env)
            t.expr(s.value, env)
            if found is None:
                self.sink.error(s.target.span, "E0301", f"unknown name `{s.target}`", t.unknown_hint(s.target, env))
            else:
                what = found.kind.value if isinstance(found, Symbol) else "enum member"
                self.sink.error(s.target.span, "E0317", f"cannot assign to {what} `{s.target}`",
                                "only state variables and `choose` locals can be assigned")
            return
        vt = t.var_type(found)
        if isinstance(vt, ErrorT):
            return
        if isinstance(vt, FunT):
            if not s.index:
                self.sink.error(s.target.span, "E0303", f"`{found.qname}` is a function ({vt}); assign one entry",
                                f"write {found.qname}[...] := value")
                return
            index = t.args(s.index, vt.args, s.span, f"`{found.qname}`", env)
            if index is None:
                return
            entry = vt.result
        else:
            if s.index:
                self.sink.error(s.span, "E0308", f"`{found.qname}` is not a function (its type is {vt})",
                                f"assign it without an index: {found.qname} := value")
                return
            index = ()
            entry = vt
        value = t.expr(s.value, env, entry)
        self._check_value(entry, value, s.value.span, f"`{_lhs_text(found.qname, index)}`")
        self._forall_disjoint(s, env, index)
        self._range_check(entry, value, f"{found.qname}:range", _lhs_text(found.qname, index), s, out,
                          found.decl.name_span)
        out.append(ir.Assign(found.qname, index, value, span=s.span))

    def _check_value(self, want: Type, value: ir.Expr, span: Span, target: str, initial: bool = False) -> None:
        """The value stored in `target` (`st[p]`, parameter `n`) has its type, and is within its
        range when that is known now."""
        if not same_type(value_type(want), value.type):
            what = "the initial value of" if initial else "the value assigned to"
            shown = f"an integer in {want}" if isinstance(want, RangeT) else str(want)
            self.sink.error(span, "E0318", f"{what} {target} must be {shown}, found {value.type}")
            return
        if isinstance(want, RangeT):
            c = fold(value)
            lo, hi = want.lo, want.hi
            if isinstance(c, ir.Lit) and isinstance(lo, ir.Lit) and isinstance(hi, ir.Lit) \
                    and isinstance(c.value, int) and not isinstance(lo.type, ErrorT) \
                    and not (lo.value <= c.value <= hi.value):  # type: ignore[operator]
                self.sink.error(span, "E0310", f"{c.value} is outside the range {want} of {target}")

    def _forall_disjoint(self, s: ast.Assign, env: Env, index: tuple[ir.Expr, ...]) -> None:
        for v in env.forall_vars:
            if not any(isinstance(i, ir.Local) and i.name == v for i in index):
                self.sink.error(s.span, "E0320", f"inside `forall {v}`, an assignment must write an entry indexed "
                                f"by `{v}`", "each run of a forall body writes its own entries, so runs never "
                                "conflict; hoist this assignment out of the forall")
                return

    def _range_check(self, entry: Type, value: ir.Expr, prop: str, lhs: str, s: ast.Assign,
                     out: list[ir.Stmt], decl_span: Span | None) -> None:
        if not isinstance(entry, RangeT):
            return
        cond = ir.Binary(BinOp.AND,
                         ir.Binary(BinOp.LE, entry.lo, value, BOOL, span=s.span),
                         ir.Binary(BinOp.LE, value, entry.hi, BOOL, span=s.span), BOOL, span=s.span)
        out.append(ir.Check(prop, ir.CheckKind.RANGE, cond, f"{lhs} leaves its range {entry}", span=s.span))
        if prop not in self.props.ranges:
            var = prop[: -len(":range")]
            self.props.ranges[prop] = ir.Property(prop, ir.PropKind.RANGE, f"{var} stays within {entry}", None,
                                                  span=decl_span or s.span)

    def _match(self, s: ast.Match, env: Env, ctx: _Ctx) -> list[ir.Stmt]:
        t = self.typer
        scr = t.expr(s.scrutinee, env)
        if isinstance(scr.type, ErrorT):
            for arm in s.arms:
                self.block(arm.body, env, ctx)
            return []
        if not isinstance(scr.type, EnumT | BoolT):
            self.sink.error(s.scrutinee.span, "E0315", f"`match` needs an enum value, found {scr.type}",
                            "use if/else for other types")
            return []
        members = self._members(scr.type)
        seen: dict[str, Span] = {}
        arms: list[tuple[ir.Expr, tuple[ir.Stmt, ...]]] = []
        wildcard: Span | None = None
        for arm in s.arms:
            body = self.block(arm.body, env, ctx)
            if wildcard is not None:
                self.sink.error(arm.span, "E0314", "this arm is unreachable: `_` above matches everything",
                                notes=[Note(wildcard, "the wildcard arm")])
                continue
            if not arm.patterns:
                wildcard = arm.span
                arms.append((ir.TRUE, body))
                continue
            conds: list[ir.Expr] = []
            for pat in arm.patterns:
                val = self._pattern(pat, scr.type, members, env)
                if val is None:
                    continue
                key = ir.format_value(val)
                if key in seen:
                    self.sink.error(pat.span, "E0314", f"`{key}` is matched twice",
                                    notes=[Note(seen[key], "first matched here")])
                    continue
                seen[key] = pat.span
                conds.append(ir.Binary(BinOp.EQ, scr, ir.Lit(val, scr.type, span=pat.span), BOOL, span=pat.span))
            if conds:
                arms.append((_any(conds, arm.span), body))
        missing = [ir.format_value(m) for m in members if ir.format_value(m) not in seen]
        if wildcard is None and missing:
            self.sink.error(s.span, "E0314", f"`match` does not cover {', '.join(missing)}",
                            "add the missing members, or `_ => skip;`")
            return []
        return list(_if_chain(arms, s.span))

    def _members(self, t: Type) -> list[ir.Value]:
        if isinstance(t, BoolT):
            return [False, True]
        assert isinstance(t, EnumT)
        decl = self.res.values[t.name].decl
        assert isinstance(decl, ast.EnumDecl)
        return [ir.EnumVal(t.name, m.name, i) for i, m in enumerate(decl.members)]

    def _pattern(self, pat: ast.Name, t: Type, members: list[ir.Value], env: Env) -> ir.Value | None:
        if isinstance(t, BoolT):
            if pat.parts in (("true",), ("false",)):
                return pat.parts == ("true",)
            self.sink.error(pat.span, "E0301", f"`{pat}` is not a bool value")
            return None
        assert isinstance(t, EnumT)
        found = self.res.lookup(pat, env.component)
        if isinstance(found, list):
            found = next((m for m in found if m.enum == t.name), None)
        if isinstance(found, MemberRef) and found.enum == t.name:
            return next(m for m in members if isinstance(m, ir.EnumVal) and m.member == found.member)
        names = [ir.format_value(m) for m in members]
        self.sink.error(pat.span, "E0301", f"`{pat}` is not a member of enum `{t.name}`",
                        did_you_mean(pat.parts[-1], names) or f"its members are {', '.join(names)}")
        return None

    # ------------------------------------------------------------ declarations

    def model(self) -> ir.Model:
        t = self.typer
        enums: list[ir.EnumDef] = []
        sorts: list[ir.SortDef] = []
        params: list[ir.ParamDef] = []
        vars_: list[ir.VarDef] = []
        init: list[ir.Stmt] = []
        actions: list[ir.Action] = []
        invariants: list[ir.Property] = []
        assumes: list[ir.Assume] = []
        self.overrides = self._overrides()
        for decl, comp in self.res.decls:
            def q(n, comp=comp):
                return (f"{comp}.{n}" if comp else n)
            env = Env(comp)
            match decl:
                case ast.EnumDecl():
                    enums.append(self._enum(decl, q(decl.name)))
                case ast.SortDecl():
                    size = t.const_expr(decl.size, comp, "a sort size") if decl.size is not None else None
                    if decl.size is not None and isinstance(size, ir.Lit) and isinstance(size.value, int) \
                            and size.value < 1 and not isinstance(size.type, ErrorT):
                        self.sink.error(decl.size.span, "E0404", f"sort `{q(decl.name)}` must have at least one "
                                        f"element, not {size.value}")
                    sorts.append(ir.SortDef(q(decl.name), size, span=decl.name_span))
                case ast.ParamDecl():
                    params.append(self._param(decl, q(decl.name), comp))
                case ast.ParamOverride():
                    pass  # applied by _param, collected by _overrides
                case ast.ConstDecl():
                    sym = self.res.values.get(q(decl.name))
                    if sym is not None and sym.decl is decl:
                        t.const_value(sym)
                case ast.DefDecl():
                    sym = self.res.values.get(q(decl.name))
                    if sym is not None and sym.decl is decl:
                        t.def_signature(sym)
                case ast.VarDecl():
                    vars_.append(self._var(decl, q(decl.name), comp))
                case ast.InitDecl():
                    init.extend(self.block(decl.body, env, _Ctx("init", comp)))
                case ast.ActionDecl():
                    actions.append(self._action(decl, q(decl.name), comp))
                case ast.InvariantDecl() | ast.ReachableDecl() | ast.PropertyDecl():
                    invariants += self._property(decl, q(decl.name), env)
                case ast.AssumeDecl():
                    assumes.append(ir.Assume(q(decl.name), decl.doc, t.bool_expr(decl.expr, env, "an assumption"),
                                             span=decl.name_span))
                case _:
                    raise AssertionError(decl)
        props = invariants + self.props.asserts + list(self.props.ranges.values())
        return ir.Model(self.res.model_name, tuple(enums), tuple(sorts), tuple(params), tuple(vars_), tuple(init),
                        tuple(actions), tuple(props), tuple(assumes))

    def _property(self, decl: ast.InvariantDecl | ast.ReachableDecl | ast.PropertyDecl, qname: str,
                  env: Env) -> list[ir.Property]:
        t = self.typer
        match decl:
            case ast.InvariantDecl():
                return [ir.Property(qname, ir.PropKind.INVARIANT, decl.doc,
                                    t.bool_expr(decl.expr, env, "a lemma" if decl.lemma else "an invariant"),
                                    span=decl.name_span, lemma=decl.lemma)]
            case ast.ReachableDecl():
                return [ir.Property(qname, ir.PropKind.REACHABLE, decl.doc,
                                    t.bool_expr(decl.expr, env, "a reachable goal"), span=decl.name_span,
                                    expect=self._expect(decl))]
            case ast.PropertyDecl():
                form = live(t, decl.expr, env)
                return [] if form is None else \
                    [ir.Property(qname, ir.PropKind.LIVENESS, decl.doc, None, span=decl.name_span, live=form)]

    def _expect(self, decl: ast.ReachableDecl) -> ir.Expect:
        words = {e.value: e for e in ir.Expect}
        if decl.expect is None:
            return ir.Expect.REACHED
        if decl.expect not in words:
            self.sink.error(decl.expect_span, "E0332", f"`expect {decl.expect}` is not an expected answer",
                            "write `expect reached` (the default), `expect unreachable` or `expect any` "
                            "(an open question: either answer, neither fails a run)")
            return ir.Expect.REACHED
        return words[decl.expect]

    def _enum(self, decl: ast.EnumDecl, qname: str) -> ir.EnumDef:
        seen: dict[str, Span] = {}
        for m in decl.members:
            if m.name in seen:
                self.sink.error(m.span, "E0327", f"enum `{qname}` lists `{m.name}` twice",
                                notes=[Note(seen[m.name], "first listed here")])
            seen.setdefault(m.name, m.span)
        if not decl.members:
            self.sink.error(decl.name_span, "E0328", f"enum `{qname}` has no members")
        return ir.EnumDef(qname, tuple(seen), span=decl.name_span)

    def _overrides(self) -> dict[str, tuple[ast.ParamOverride, str | None]]:
        """`param NAME = VALUE;` declarations, by the qualified name of the parameter they set."""
        out: dict[str, tuple[ast.ParamOverride, str | None]] = {}
        params = [k for k, s in self.res.values.items() if s.kind is SymKind.PARAM]
        for decl, comp in self.res.decls:
            if not isinstance(decl, ast.ParamOverride):
                continue
            found = self.res.lookup(decl.name, comp)
            if not (isinstance(found, Symbol) and found.kind is SymKind.PARAM):
                if isinstance(found, Symbol):
                    msg, hint = f"`{decl.name}` is a {found.kind.value}, not a parameter", None
                else:
                    msg = f"no parameter named `{decl.name}` to give a new default"
                    hint = did_you_mean(str(decl.name), params) \
                        or f"to declare a parameter, give its type: param {decl.name}: TYPE = VALUE;"
                self.sink.error(decl.name_span, "E0214", msg, hint)
                continue
            if found.qname in out:
                self.sink.error(decl.name_span, "E0215", f"parameter `{found.qname}` is given a new default twice",
                                "keep one: the model that includes the library sets it once",
                                notes=[Note(out[found.qname][0].name_span, "first set here")])
                continue
            out[found.qname] = (decl, comp)
        return out

    def _param(self, decl: ast.ParamDecl, qname: str, comp: str | None) -> ir.ParamDef:
        sym = self.res.values[qname]
        t = self.typer.param_type(sym) if sym.decl is decl else ERROR
        default = self._param_value(decl.default, t, qname, comp)
        override = self.overrides.get(qname) if sym.decl is decl else None
        if override is not None:
            default = self._param_value(override[0].value, t, qname, override[1])
        return ir.ParamDef(qname, t, default, decl.mitigation, span=decl.name_span)

    def _param_value(self, e: ast.Expr, t: Type, qname: str, comp: str | None) -> ir.Expr:
        default = self.typer.expr(e, Env(comp), t)
        if not isinstance(default.type, ErrorT):
            if not same_type(value_type(t), default.type):
                self.sink.error(e.span, "E0318", f"default of parameter `{qname}` must be {t}, found {default.type}")
            elif any(isinstance(n, ir.Param) for n in _nodes(default)) or not is_constant(default):
                self.sink.error(e.span, "E0312", f"default of parameter `{qname}` must be a constant",
                                "use literals and consts; parameters cannot depend on each other")
            else:
                self._check_value(t, fold(default), e.span, f"parameter `{qname}`", initial=True)
        return fold(default)

    def _var(self, decl: ast.VarDecl, qname: str, comp: str | None) -> ir.VarDef:
        sym = self.res.values[qname]
        t = self.typer.var_type(sym) if sym.decl is decl else ERROR
        init = None
        if decl.init is not None:
            entry = t.result if isinstance(t, FunT) else t
            init = self.typer.expr(decl.init, Env(comp), entry)
            if not isinstance(init.type, ErrorT) and not isinstance(t, ErrorT):
                if not is_constant(init):
                    self.sink.error(decl.init.span, "E0321", f"the initial value of `{qname}` must be a constant",
                                    "set initial values that depend on state in an `init { ... }` block")
                else:
                    self._check_value(entry, init, decl.init.span, f"`{qname}`", initial=True)
            init = fold(init)
        return ir.VarDef(qname, t, init, span=decl.name_span)

    def _action(self, decl: ast.ActionDecl, qname: str, comp: str | None) -> ir.Action:
        env = Env(comp)
        params: list[ir.ActionParam] = []
        for b in decl.params:
            pt = self.typer.domain_type(b.type, comp, "an action parameter")
            env = self.typer.bind(env, b, pt, LocalKind.ACTION_PARAM)
            params.append(ir.ActionParam(b.name, pt, span=b.span))
        body = self.block(decl.body, env, _Ctx(qname, comp))
        return ir.Action(qname, tuple(params), decl.doc, decl.cite, body, span=decl.name_span,
                         fairness=decl.fairness)


def _any(conds: list[ir.Expr], span: Span) -> ir.Expr:
    out = conds[0]
    for c in conds[1:]:
        out = ir.Binary(BinOp.OR, out, c, BOOL, span=span)
    return out


def _if_chain(arms: list[tuple[ir.Expr, tuple[ir.Stmt, ...]]], span: Span) -> tuple[ir.Stmt, ...]:
    """`if c1 {b1} else if c2 {b2} ... else {bn}`. The last arm needs no test: the match is
    exhaustive (checked before), so whatever the earlier arms leave is the last arm's."""
    if not arms:
        return ()
    *earlier, (_, chain) = arms
    for cond, body in reversed(earlier):
        chain = (ir.If(cond, body, chain, span=span),)
    return chain


def _nodes(e: ir.Expr):
    from spec.irutil import walk

    return walk(e)


def _lhs_text(name: str, index: tuple[ir.Expr, ...]) -> str:
    from spec.printer import print_ir_expr

    if not index:
        return name
    return f"{name}[{', '.join(print_ir_expr(i) for i in index)}]"


def lower(res: Resolved, sink: Sink) -> ir.Model:
    return Lowerer(res, sink).model()


__all__ = ["lower", "SortT"]
