"""Structural helpers on IR expressions: children, rebuilding, substitution, constant folding.

Every function here dispatches on the complete set of expression classes (checked by
tests/test_layering.py), so a new node kind cannot be silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import assert_never

from spec import ir
from spec.ops import BinOp, UnOp
from spec.types import ErrorT


def children(e: ir.Expr) -> tuple[ir.Expr, ...]:
    match e:
        case ir.Lit() | ir.Var() | ir.Local() | ir.Param():
            return ()
        case ir.Read():
            return e.args
        case ir.Unary():
            return (e.arg,)
        case ir.Binary():
            return (e.lhs, e.rhs)
        case ir.Ite():
            return (e.cond, e.then, e.else_)
        case ir.Quant():
            return (e.body,)
        case _:
            assert_never(e)


def walk(e: ir.Expr) -> Iterator[ir.Expr]:
    """Every node of `e`, parents before children (iterative: deep expressions are fine)."""
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def map_children(e: ir.Expr, f: Callable[[ir.Expr], ir.Expr]) -> ir.Expr:
    match e:
        case ir.Lit() | ir.Var() | ir.Local() | ir.Param():
            return e
        case ir.Read():
            return replace(e, args=tuple(f(a) for a in e.args))
        case ir.Unary():
            return replace(e, arg=f(e.arg))
        case ir.Binary():
            return replace(e, lhs=f(e.lhs), rhs=f(e.rhs))
        case ir.Ite():
            return replace(e, cond=f(e.cond), then=f(e.then), else_=f(e.else_))
        case ir.Quant():
            return replace(e, body=f(e.body))
        case _:
            assert_never(e)


def free_locals(e: ir.Expr) -> set[str]:
    match e:
        case ir.Local():
            return {e.name}
        case ir.Quant():
            return free_locals(e.body) - {e.var}
        case _:
            out: set[str] = set()
            for c in children(e):
                out |= free_locals(c)
            return out


def subst(e: ir.Expr, mapping: dict[str, ir.Expr]) -> ir.Expr:
    """Replace free locals by expressions, renaming binders that would capture them."""
    if not mapping:
        return e
    match e:
        case ir.Local():
            return mapping.get(e.name, e)
        case ir.Quant():
            inner = {k: v for k, v in mapping.items() if k != e.var}
            captured = set()
            for v in inner.values():
                captured |= free_locals(v)
            var = e.var
            body = e.body
            if var in captured:
                taken = captured | free_locals(body)
                while var in taken:
                    var += "'"
                body = subst(body, {e.var: ir.Local(var, e.domain, span=e.span)})
            return replace(e, var=var, body=subst(body, inner))
        case _:
            return map_children(e, lambda c: subst(c, mapping))


def subst_params(e: ir.Expr, values: dict[str, ir.Expr]) -> ir.Expr:
    """Replace model parameters by (literal) expressions."""
    if isinstance(e, ir.Param):
        return values.get(e.name, e)
    return map_children(e, lambda c: subst_params(c, values))


def operands(e: ir.Expr, op: BinOp) -> list[ir.Expr]:
    """`a op b op c` as [a, b, c], left to right (iteratively: invariants can be long chains)."""
    out: list[ir.Expr] = []
    todo = [e]
    while todo:
        x = todo.pop()
        if isinstance(x, ir.Binary) and x.op is op:
            todo += [x.rhs, x.lhs]
        else:
            out.append(x)
    return out


def is_constant(e: ir.Expr) -> bool:
    """No state, no locals: the value is fixed once parameters are bound."""
    return not any(isinstance(n, ir.Var | ir.Read | ir.Local | ir.Quant) for n in walk(e))


def fold(e: ir.Expr) -> ir.Expr:
    """Evaluate literal subexpressions (and short-circuit boolean ones); keeps spans and types.
    A node the type checker rejected (ERROR type) is left as it is: its operands need not have
    values its operator accepts (`snp - 0`), and its error is already reported."""
    e = map_children(e, fold)
    if isinstance(e.type, ErrorT):
        return e
    match e:
        case ir.Unary(op=op, arg=ir.Lit(value=v)):
            if op is UnOp.NOT:
                return ir.Lit(not v, e.type, span=e.span)
            return ir.Lit(-v, e.type, span=e.span)  # type: ignore[operator]
        case ir.Binary(op=op, lhs=ir.Lit(value=a), rhs=ir.Lit(value=b)):
            return ir.Lit(_eval_binop(op, a, b), e.type, span=e.span)
        case ir.Binary(op=BinOp.AND, lhs=ir.Lit(value=a)):
            return e.rhs if a else ir.Lit(False, e.type, span=e.span)
        case ir.Binary(op=BinOp.AND, rhs=ir.Lit(value=b)):
            return e.lhs if b else ir.Lit(False, e.type, span=e.span)
        case ir.Binary(op=BinOp.OR, lhs=ir.Lit(value=a)):
            return ir.Lit(True, e.type, span=e.span) if a else e.rhs
        case ir.Binary(op=BinOp.OR, rhs=ir.Lit(value=b)):
            return ir.Lit(True, e.type, span=e.span) if b else e.lhs
        case ir.Binary(op=BinOp.IMPLIES, lhs=ir.Lit(value=a)):
            return e.rhs if a else ir.Lit(True, e.type, span=e.span)
        case ir.Ite(cond=ir.Lit(value=c)):
            return e.then if c else e.else_
        case _:
            return e


def _eval_binop(op: BinOp, a: ir.Value, b: ir.Value) -> ir.Value:
    match op:
        case BinOp.AND:
            return bool(a) and bool(b)
        case BinOp.OR:
            return bool(a) or bool(b)
        case BinOp.IMPLIES:
            return (not a) or bool(b)
        case BinOp.IFF:
            return bool(a) == bool(b)
        case BinOp.EQ:
            return a == b
        case BinOp.NE:
            return a != b
        case BinOp.LT:
            return a < b  # type: ignore[operator]
        case BinOp.LE:
            return a <= b  # type: ignore[operator]
        case BinOp.GT:
            return a > b  # type: ignore[operator]
        case BinOp.GE:
            return a >= b  # type: ignore[operator]
        case BinOp.ADD:
            return a + b  # type: ignore[operator]
        case BinOp.SUB:
            return a - b  # type: ignore[operator]
        case BinOp.MUL:
            return a * b  # type: ignore[operator]
        case _:
            assert_never(op)


def map_stmt_exprs(s: ir.Stmt, f: Callable[[ir.Expr], ir.Expr]) -> ir.Stmt:
    """Apply `f` to every expression (and range bound) of a statement tree."""
    match s:
        case ir.Require():
            return replace(s, cond=f(s.cond))
        case ir.Assign():
            return replace(s, index=tuple(f(i) for i in s.index), value=f(s.value))
        case ir.SetLocal():
            return replace(s, value=f(s.value))
        case ir.If():
            return replace(s, cond=f(s.cond), then=tuple(map_stmt_exprs(t, f) for t in s.then),
                           else_=tuple(map_stmt_exprs(t, f) for t in s.else_))
        case ir.Forall():
            return replace(s, body=tuple(map_stmt_exprs(t, f) for t in s.body))
        case ir.Choose():
            return replace(s, cond=f(s.cond))
        case ir.Check():
            return replace(s, cond=f(s.cond))
        case _:
            assert_never(s)
