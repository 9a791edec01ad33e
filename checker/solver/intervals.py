"""Static bounds of every integer an Instance can compute; ir.Instance -> bit width.

IR integers are unbounded, but every leaf is bounded (a range-typed location or local, a
literal, a `count`), so interval arithmetic bounds every subexpression. The bit-vector encoding
(checker/solver/encode.py, Domains.BITS) uses a width that holds all of them, so its arithmetic never
wraps and agrees with the unbounded semantics.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import assert_never

from spec import ir
from spec.ops import BinOp, QuantKind, UnOp
from spec.types import RangeT, Type

Interval = tuple[int, int]


def _domain_bounds(t: Type) -> Interval | None:
    return ir.range_bounds(t) if isinstance(t, RangeT) else None


def _hull(*xs: Interval) -> Interval:
    return min(x[0] for x in xs), max(x[1] for x in xs)


class _Bounds:
    def __init__(self, inst: ir.Instance):
        self.inst = inst
        self.vars = {v.name: _domain_bounds(ir.domain_type(v.type)) for v in inst.model.vars}
        self.seen: list[Interval] = [(0, 1)]

    def expr(self, e: ir.Expr, env: Mapping[str, Interval | None]) -> Interval | None:
        """The bounds of an integer expression (None for other types); records every one seen."""
        out = self._expr(e, env)
        if out is not None:
            self.seen.append(out)
        return out

    def _expr(self, e: ir.Expr, env: Mapping[str, Interval | None]) -> Interval | None:
        match e:
            case ir.Lit():
                v = e.value
                return (v, v) if isinstance(v, int) and not isinstance(v, bool) else None
            case ir.Var() | ir.Read():
                for a in getattr(e, "args", ()):
                    self.expr(a, env)
                return self.vars[e.name]
            case ir.Local():
                return env.get(e.name)
            case ir.Param():
                raise ValueError(f"unbound parameter {e.name}")
            case ir.Unary():
                a = self.expr(e.arg, env)
                return None if a is None or e.op is UnOp.NOT else (-a[1], -a[0])
            case ir.Binary():
                return self._binary(e.op, self.expr(e.lhs, env), self.expr(e.rhs, env))
            case ir.Ite():
                self.expr(e.cond, env)
                a, b = self.expr(e.then, env), self.expr(e.else_, env)
                return None if a is None or b is None else _hull(a, b)
            case ir.Quant():
                self.expr(e.body, {**env, e.var: _domain_bounds(e.domain)})
                return (0, len(self.inst.domain(e.domain))) if e.kind is QuantKind.COUNT else None
            case _:
                assert_never(e)

    @staticmethod
    def _binary(op: BinOp, a: Interval | None, b: Interval | None) -> Interval | None:
        if a is None or b is None:
            return None
        if op is BinOp.ADD:
            return a[0] + b[0], a[1] + b[1]
        if op is BinOp.SUB:
            return a[0] - b[1], a[1] - b[0]
        if op is BinOp.MUL:
            products = [x * y for x in a for y in b]
            return min(products), max(products)
        return None  # a comparison: bool

    def stmts(self, body: tuple[ir.Stmt, ...], env: dict[str, Interval | None]) -> None:
        for s in body:
            match s:
                case ir.Require() | ir.Check():
                    self.expr(s.cond, env)
                case ir.Assign():
                    for i in s.index:
                        self.expr(i, env)
                    self.expr(s.value, env)
                case ir.SetLocal():
                    self.expr(s.value, env)
                case ir.If():
                    self.expr(s.cond, env)
                    self.stmts(s.then, dict(env))
                    self.stmts(s.else_, dict(env))
                case ir.Choose():
                    env[s.var] = _domain_bounds(s.domain)
                    self.expr(s.cond, env)
                case ir.Forall():
                    self.stmts(s.body, {**env, s.var: _domain_bounds(s.domain)})
                case _:
                    assert_never(s)


def _exprs(model: ir.Model) -> Iterator[ir.Expr]:
    for p in model.properties:
        if p.expr is not None:
            yield p.expr
    for a in model.assumes:
        yield a.expr
    for v in model.vars:
        if v.init is not None:
            yield v.init


def int_width(inst: ir.Instance) -> int:
    """A signed bit-vector width that holds every integer the instance can compute."""
    b = _Bounds(inst)
    for e in _exprs(inst.model):
        b.expr(e, {})
    b.stmts(inst.model.init, {})
    for a in inst.model.actions:
        b.stmts(a.body, {p.name: _domain_bounds(p.type) for p in a.params})
    b.seen += [bounds for bounds in b.vars.values() if bounds is not None]
    lo = min(x[0] for x in b.seen)
    hi = max(x[1] for x in b.seen)
    magnitude = max(-lo, hi + 1)
    return magnitude.bit_length() + 1  # + the sign bit
