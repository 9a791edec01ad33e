"""Bind parameters and sort sizes: ir.Model x overrides -> Instance.

After binding, no `Param` node is left, every range bound is a literal, constant
subexpressions are folded and `if` statements with a constant condition are reduced to the
branch taken (so a `design`/`hardware` switch costs the engines nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import assert_never

from spec import ir
from spec.diagnostics import Sink, did_you_mean
from spec.irutil import fold, map_children, map_stmt_exprs, walk
from spec.printer import print_ir_expr
from spec.source import Span
from spec.typecheck import MAX_DOMAIN
from spec.types import BoolT, EnumT, ErrorT, FunT, IntT, RangeT, SortT, Type

CLI = Span("<command line>", 0, 0)
MAX_SORT_SIZE = 64


def parse_assignments(items: list[str], what: str, sink: Sink) -> dict[str, str]:
    """`NAME=VALUE` strings from the command line (comma-separated lists allowed)."""
    out: dict[str, str] = {}
    for item in items:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                sink.error(CLI, "E0409", f"malformed {what} `{part}`", f"write {what} NAME=VALUE")
                continue
            name, value = part.split("=", 1)
            out[name.strip()] = value.strip()
    return out


def match_name(name: str, candidates: Sequence[str]) -> str | None:
    """An exact name, or the unique qualified name ending in `.name` (`fault` for `kvm.fault`):
    how --set, --size, --property and explore's --vary name things. None when there is no such
    name or the suffix is ambiguous."""
    if name in candidates:
        return name
    hits = [c for c in candidates if c.endswith("." + name)]
    return hits[0] if len(hits) == 1 else None


def parse_value(text: str, t: Type, model: ir.Model) -> ir.Value | None:
    """A command-line value of type `t`, or None when it is not one."""
    text = text.strip()
    if isinstance(t, BoolT):
        return {"true": True, "false": False, "1": True, "0": False}.get(text.lower())
    if isinstance(t, EnumT):
        enum = model.enum(t.name)
        prefix, _, member = text.rpartition(".")
        if prefix and prefix not in (t.name, t.name.rsplit(".", 1)[-1]):
            return None  # `Design.snp` for a Hardware parameter
        return enum.value(member) if member in enum.members else None
    if isinstance(t, RangeT | IntT):
        try:
            return int(text, 0)
        except ValueError:
            return None
    return None


def _domain_text(t: Type, model: ir.Model) -> str:
    if isinstance(t, BoolT):
        return "true or false"
    if isinstance(t, EnumT):
        return ", ".join(model.enum(t.name).members)
    return str(t)


def configure(model: ir.Model, sizes: Mapping[str, int | str] | None, params: Mapping[str, ir.Value | str] | None,
              sink: Sink) -> ir.Instance | None:
    """Bind `params` (by name, qualified or unique suffix) and `sizes`; None when there were errors."""
    values = _bind_params(model, dict(params or {}), sink)
    binding = {k: ir.lit(v) for k, v in values.items()}
    size_of = _bind_sizes(model, dict(sizes or {}), binding, sink)
    if sink.has_errors:
        return None
    binder = _Binder(binding, model, size_of, sink)
    bound = binder.model()
    if sink.has_errors:
        return None
    return ir.Instance(bound, tuple((s.name, size_of[s.name]) for s in model.sorts),
                       tuple((p.name, values[p.name]) for p in model.params if p.name in values),
                       tuple(binder.folded))


def _bind_params(model: ir.Model, params: dict[str, ir.Value | str], sink: Sink) -> dict[str, ir.Value]:
    """Command-line values (checked against their domains, in command-line order), then defaults."""
    values: dict[str, ir.Value] = {}
    pnames = [p.name for p in model.params]
    for name, raw in params.items():
        q = match_name(name, pnames)
        if q is None:
            sink.error(CLI, "E0401", f"unknown parameter `{name}`",
                       did_you_mean(name, pnames) or (f"parameters: {', '.join(pnames)}" if pnames
                                                      else "this model has no parameters"))
            continue
        pdef = next(p for p in model.params if p.name == q)
        val = parse_value(raw, pdef.type, model) if isinstance(raw, str) else raw
        if val is None or not _in_domain(val, pdef.type):
            sink.error(CLI, "E0402", f"`{raw}` is not a value of parameter `{q}`",
                       f"`{q}` takes {_domain_text(pdef.type, model)}")
            continue
        values[q] = val
    values_given = set(values)
    for p in model.params:
        if p.name not in values and isinstance(p.default, ir.Lit):
            values[p.name] = p.default.value
    # A range may depend on other parameters (`param m: 0..n`): check with all values known.
    binding = {k: ir.lit(v) for k, v in values.items()}
    for p in model.params:
        v = values.get(p.name)
        if isinstance(p.type, RangeT) and isinstance(v, int) and not _in_domain(v, p.type, binding):
            lo, hi = _bind_expr(p.type.lo, binding), _bind_expr(p.type.hi, binding)
            sink.error(CLI if p.name in values_given else p.span, "E0402",
                       f"value {v} of parameter `{p.name}` is outside "
                       f"{print_ir_expr(lo)}..{print_ir_expr(hi)} with these parameters")
    return values


def _in_domain(v: ir.Value, t: Type, binding: Mapping[str, ir.Expr] | None = None) -> bool:
    """Is `v` a value of `t`? True when it cannot be decided yet (a bound needs a parameter)."""
    if isinstance(t, BoolT):
        return isinstance(v, bool)
    if isinstance(t, RangeT):
        if not isinstance(v, int) or isinstance(v, bool):
            return False
        lo, hi = _bind_expr(t.lo, binding or {}), _bind_expr(t.hi, binding or {})
        if not (isinstance(lo, ir.Lit) and isinstance(hi, ir.Lit)):
            return True
        return lo.value <= v <= hi.value  # type: ignore[operator]
    if isinstance(t, EnumT):
        return isinstance(v, ir.EnumVal) and v.enum == t.name
    return True


def _bind_sizes(model: ir.Model, sizes: dict[str, int | str], binding: Mapping[str, ir.Expr],
                sink: Sink) -> dict[str, int]:
    """Command-line sizes, then each sort's size in the model; every sort must end up with one."""
    snames = [s.name for s in model.sorts]
    size_of: dict[str, int] = {}
    for name, raw in sizes.items():
        q = match_name(name, snames)
        if q is None:
            sink.error(CLI, "E0403", f"unknown sort `{name}`",
                       did_you_mean(name, snames) or (f"sorts: {', '.join(snames)}" if snames
                                                      else "this model declares no sorts"))
            continue
        try:
            n = int(raw)
        except (TypeError, ValueError):
            sink.error(CLI, "E0404", f"size of sort `{q}` must be a whole number, not `{raw}`")
            continue
        if not 1 <= n <= MAX_SORT_SIZE:
            sink.error(CLI, "E0404", f"size of sort `{q}` must be between 1 and {MAX_SORT_SIZE}, not {n}")
            continue
        size_of[q] = n
    for s in model.sorts:
        if s.name in size_of:
            continue
        if s.size is None:
            sink.error(s.span, "E0405", f"sort `{s.name}` has no size",
                       f"give it one in the model (`sort {s.name.rsplit('.', 1)[-1]} = 3;`) or with --size {s.name}=3")
            continue
        size = _bind_expr(s.size, binding)
        if isinstance(size, ir.Lit) and isinstance(size.value, int) and 1 <= size.value <= MAX_SORT_SIZE:
            size_of[s.name] = size.value
        elif isinstance(size, ir.Lit):
            sink.error(s.span, "E0404", f"size of sort `{s.name}` must be between 1 and {MAX_SORT_SIZE}, "
                       f"not {ir.format_value(size.value)}")
    return size_of


def _bind_expr(e: ir.Expr, binding: Mapping[str, ir.Expr]) -> ir.Expr:
    def sub(x: ir.Expr) -> ir.Expr:
        if isinstance(x, ir.Param):
            return binding.get(x.name, x)
        return map_children(x, sub)

    return fold(sub(e))


def _assigned(body: tuple[ir.Stmt, ...]) -> list[str]:
    """The state variables `body` assigns, at any depth."""
    out: list[str] = []
    for s in body:
        match s:
            case ir.Assign():
                out.append(s.var)
            case ir.If():
                out += _assigned(s.then) + _assigned(s.else_)
            case ir.Forall():
                out += _assigned(s.body)
            case _:
                pass
    return out


class _Binder:
    """Substitutes parameter values everywhere (expressions and types) and simplifies."""

    def __init__(self, binding: Mapping[str, ir.Expr], model: ir.Model, sizes: Mapping[str, int], sink: Sink):
        self.binding = binding
        self.model_ = model
        self.sizes = sizes
        self.sink = sink
        self.folded: list[ir.Folded] = []

    def expr(self, e: ir.Expr) -> ir.Expr:
        def sub(x: ir.Expr) -> ir.Expr:
            if isinstance(x, ir.Param):
                return self.binding.get(x.name, x)
            if isinstance(x, ir.Quant):
                x = replace(x, domain=self.domain(x.domain, x.span))
            return map_children(x, sub)

        return fold(sub(e))

    def type(self, t: Type, span: Span) -> Type:
        match t:
            case RangeT():
                lo, hi = self.expr(t.lo), self.expr(t.hi)
                if isinstance(lo, ir.Lit) and isinstance(hi, ir.Lit) and lo.value > hi.value:  # type: ignore
                    self.sink.error(span, "E0407", f"range {print_ir_expr(t.lo)}..{print_ir_expr(t.hi)} is empty "
                                    f"when {self.params_of(t)}: {lo.value}..{hi.value}")
                return RangeT(lo, hi)
            case FunT():
                return FunT(tuple(self.type(a, span) for a in t.args), self.type(t.result, span))
            case BoolT() | IntT() | EnumT() | SortT() | ErrorT():
                return t
            case _:
                assert_never(t)

    def params_of(self, t: Type) -> str:
        """`lo=3, n=2`: the parameters a type depends on, with their values here."""
        bounds: list[ir.Expr] = []
        for part in (t.args + (t.result,)) if isinstance(t, FunT) else (t,):
            if isinstance(part, RangeT):
                bounds += [part.lo, part.hi]
        used = sorted({n.name for b in bounds for n in walk(b) if isinstance(n, ir.Param)})
        return ", ".join(f"{n}={print_ir_expr(self.binding[n])}" for n in used if n in self.binding) or "configured"

    def domain(self, t: Type, span: Span) -> Type:
        out = self.type(t, span)
        n = self._card(out)
        if n > MAX_DOMAIN:
            self.sink.error(span, "E0408", f"{out} has {n} values, more than the {MAX_DOMAIN} an engine enumerates",
                            "use a smaller range or sort")
        return out

    def _card(self, t: Type) -> int:
        if isinstance(t, BoolT):
            return 2
        if isinstance(t, EnumT):
            return len(self.model_.enum(t.name).members)
        if isinstance(t, SortT):
            return self.sizes.get(t.name, 1)
        if isinstance(t, RangeT) and isinstance(t.lo, ir.Lit) and isinstance(t.hi, ir.Lit):
            return int(t.hi.value) - int(t.lo.value) + 1  # type: ignore[arg-type]
        return 1

    def stmts(self, body: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for s in body:
            noted = len(self.folded)
            self._note_params(s)
            s = map_stmt_exprs(s, self.expr)
            match s:
                case ir.If():
                    then, else_ = self.stmts(s.then), self.stmts(s.else_)
                    if isinstance(s.cond, ir.Lit):
                        if len(self.folded) > noted and self.folded[noted].span == s.span:  # by _note_params
                            writes = tuple(dict.fromkeys(_assigned(s.else_ if s.cond.value else s.then)))
                            self.folded[noted] = replace(self.folded[noted], writes=writes)
                        out.extend(then if s.cond.value else else_)
                        continue
                    s = replace(s, then=then, else_=else_)
                case ir.Forall():
                    s = replace(s, domain=self.domain(s.domain, s.span), body=self.stmts(s.body))
                case ir.Choose():
                    s = replace(s, domain=self.domain(s.domain, s.span))
                case ir.Require():
                    if isinstance(s.cond, ir.Lit) and s.cond.value is True:
                        continue
                case ir.Check():
                    if isinstance(s.cond, ir.Lit) and s.cond.value is True:
                        continue
                case ir.Assign() | ir.SetLocal():
                    pass
                case _:
                    assert_never(s)
            out.append(s)
        return tuple(out)

    def _note_params(self, s: ir.Stmt) -> None:
        """Record that `s`'s own expressions (not its body's) mention parameters."""
        exprs: list[ir.Expr] = []
        match s:
            case ir.If() | ir.Require() | ir.Check() | ir.Choose():
                exprs = [s.cond]
            case ir.Assign():
                exprs = [*s.index, s.value]
            case ir.SetLocal():
                exprs = [s.value]
            case ir.Forall():
                exprs = []
            case _:
                assert_never(s)
        self._note(s.span, exprs, s.prop if isinstance(s, ir.Check) else None)

    def _note(self, span: Span, exprs: list[ir.Expr], prop: str | None = None) -> None:
        params = tuple(dict.fromkeys(x.name for e in exprs for x in walk(e) if isinstance(x, ir.Param)))
        if params:
            self.folded.append(ir.Folded(span, params, prop))

    def model(self) -> ir.Model:
        m = self.model_
        for v in m.vars:
            self._note(v.span, [v.init] if v.init is not None else [])
        for p in m.properties:
            self._note(p.span, [p.expr] if p.expr is not None else [], p.name)
        vars_ = []
        for v in m.vars:
            t = self.type(v.type, v.span)
            init = self.expr(v.init) if v.init is not None else None
            entry = t.result if isinstance(t, FunT) else t
            if isinstance(entry, RangeT) and isinstance(init, ir.Lit) and isinstance(init.value, int) \
                    and isinstance(entry.lo, ir.Lit) and isinstance(entry.lo.value, int) \
                    and isinstance(entry.hi, ir.Lit) and isinstance(entry.hi.value, int) \
                    and entry.lo.value <= entry.hi.value and not (entry.lo.value <= init.value <= entry.hi.value):
                # (an empty range has had its own message)
                self.sink.error(v.span, "E0406", f"initial value {init.value} of `{v.name}` is outside {entry} "
                                f"when {self.params_of(v.type)}")
            vars_.append(replace(v, type=t, init=init))
        actions = []
        for a in m.actions:
            params = tuple(replace(p, type=self.domain(p.type, p.span)) for p in a.params)
            actions.append(replace(a, params=params, body=self.stmts(a.body)))
        props = tuple(replace(p, expr=self.expr(p.expr)) if p.expr is not None else p for p in m.properties)
        assumes = tuple(replace(a, expr=self.expr(a.expr)) for a in m.assumes)
        sorts = tuple(replace(s, size=ir.lit(self.sizes[s.name])) for s in m.sorts if s.name in self.sizes)
        params_ = tuple(replace(p, default=self.binding.get(p.name, p.default), type=self.type(p.type, p.span))
                        for p in m.params)
        return replace(m, sorts=sorts, params=params_, vars=tuple(vars_), init=self.stmts(m.init),
                       actions=tuple(actions), properties=props, assumes=assumes)
