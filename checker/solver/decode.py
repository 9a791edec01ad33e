"""Z3 terms back into text people read and IR the engines reuse: an invariant in the model's own
syntax (`describe`) and as an IR expression (`to_ir`, for generalisation). No solving here: that is
checker/solver/smt.py; a formula as a portable SMT-LIB2 benchmark is checker/solver/smtlib.py.
"""

from __future__ import annotations

import z3

from checker.result import loc_text
from checker.solver.encode import (
    Encoding,
    FunctionEncoding,
    Term,
)
from spec import ir
from spec.ops import BinOp, UnOp
from spec.types import BOOL, INT, BoolT, Type, value_type

# ---------------------------------------------------------------- invariants in the model's terms

_INFIX = {z3.Z3_OP_EQ: ("==", 6), z3.Z3_OP_IFF: ("<->", 2), z3.Z3_OP_IMPLIES: ("->", 3), z3.Z3_OP_LE: ("<=", 7),
          z3.Z3_OP_LT: ("<", 7), z3.Z3_OP_GE: (">=", 7), z3.Z3_OP_GT: (">", 7), z3.Z3_OP_ADD: ("+", 8),
          z3.Z3_OP_SUB: ("-", 8), z3.Z3_OP_MUL: ("*", 9), z3.Z3_OP_AND: ("&&", 5), z3.Z3_OP_OR: ("||", 4)}
_ATOM = 11


def describe(enc: Encoding, f: Term) -> str:
    """`f` (over one state's constants) in the model's own terms, e.g. `st[page1] == Private`."""
    return _text(enc, f)[0]


def _wrap(part: tuple[str, int], need: int) -> str:
    return part[0] if part[1] >= need else f"({part[0]})"


def _text(enc: Encoding, t: Term) -> tuple[str, int]:
    v = enc.values.literal(t)
    if v is not None:
        return ir.format_value(v), _ATOM
    if not z3.is_app(t):
        return str(t), _ATOM
    k = t.decl().kind()
    args = [t.arg(i) for i in range(t.num_args())]
    if k == z3.Z3_OP_UNINTERPRETED and not args:
        loc = enc.loc_of(t)
        return (loc_text(loc) if loc is not None else t.decl().name()), _ATOM
    if k == z3.Z3_OP_NOT:
        return _negated(enc, args[0])
    if k == z3.Z3_OP_EQ and _store_eq(t) is not None:
        sel, v = _store_eq(t)  # type: ignore[misc]
        return f"{_wrap(_text(enc, sel), 7)} == {_wrap(_text(enc, v), 7)}", 6
    if k == z3.Z3_OP_DT_IS:
        return f"{_wrap(_text(enc, args[0]), 7)} == {_constructor(enc, t)}", 6
    if k == z3.Z3_OP_DISTINCT and len(args) == 2:
        return f"{_wrap(_text(enc, args[0]), 7)} != {_wrap(_text(enc, args[1]), 7)}", 6
    if k == z3.Z3_OP_SELECT:
        return f"{_text(enc, args[0])[0]}[{', '.join(_text(enc, a)[0] for a in args[1:])}]", _ATOM
    if k == z3.Z3_OP_ITE:
        return (f"{_wrap(_text(enc, args[0]), 2)} ? {_wrap(_text(enc, args[1]), 2)} : "
                f"{_wrap(_text(enc, args[2]), 2)}"), 1
    if k == z3.Z3_OP_UMINUS:
        return f"-{_wrap(_text(enc, args[0]), 10)}", 10
    if k in _INFIX and args:
        op, prec = _INFIX[k]
        # operands of a chain of one operator need no parentheses among themselves (&&, ||, +, *)
        assoc = k in (z3.Z3_OP_AND, z3.Z3_OP_OR, z3.Z3_OP_ADD, z3.Z3_OP_MUL)
        parts = [_wrap(_text(enc, a), prec if assoc else prec + 1) for a in args]
        return f" {op} ".join(parts), prec
    return str(t), _ATOM


def _store_eq(t: Term) -> tuple[Term, Term] | None:
    """`a == Store(a, i, v)` (how Spacer says `a[i] == v` about arrays) as (a[i], v)."""
    a, b = t.arg(0), t.arg(1)
    for x, y in ((a, b), (b, a)):
        if z3.is_app(y) and y.decl().kind() == z3.Z3_OP_STORE and y.arg(0).eq(x):
            n = y.num_args()
            return z3.Select(x, *[y.arg(i) for i in range(1, n - 1)]), y.arg(n - 1)
    return None


def _negated(enc: Encoding, a: Term) -> tuple[str, int]:
    if z3.is_app(a) and a.decl().kind() == z3.Z3_OP_EQ and _store_eq(a) is not None:
        sel, v = _store_eq(a)  # type: ignore[misc]
        return f"{_wrap(_text(enc, sel), 7)} != {_wrap(_text(enc, v), 7)}", 6
    if z3.is_app(a) and a.decl().kind() == z3.Z3_OP_EQ and not z3.is_bool(a.arg(0)):
        return f"{_wrap(_text(enc, a.arg(0)), 7)} != {_wrap(_text(enc, a.arg(1)), 7)}", 6
    if z3.is_app(a) and a.decl().kind() == z3.Z3_OP_DT_IS:
        return f"{_wrap(_text(enc, a.arg(0)), 7)} != {_constructor(enc, a)}", 6
    return f"!{_wrap(_text(enc, a), 10)}", 10


def _constructor(enc: Encoding, recognizer: Term) -> str:
    params = recognizer.decl().params()
    name = params[0].name() if params and isinstance(params[0], z3.FuncDeclRef) else str(recognizer.decl())
    v = enc.values.named(name)
    return ir.format_value(v) if v is not None else name



# ---------------------------------------------------------------- invariants as IR expressions

_IR_BIN = {z3.Z3_OP_IMPLIES: BinOp.IMPLIES, z3.Z3_OP_LE: BinOp.LE, z3.Z3_OP_LT: BinOp.LT, z3.Z3_OP_GE: BinOp.GE,
           z3.Z3_OP_GT: BinOp.GT, z3.Z3_OP_AND: BinOp.AND, z3.Z3_OP_OR: BinOp.OR, z3.Z3_OP_ADD: BinOp.ADD,
           z3.Z3_OP_SUB: BinOp.SUB, z3.Z3_OP_MUL: BinOp.MUL, z3.Z3_OP_IFF: BinOp.IFF, z3.Z3_OP_EQ: BinOp.EQ}


def to_ir(enc: Encoding, t: Term) -> ir.Expr:
    """A formula over one state's constants as an IR expression (so it can be printed, rewritten
    and re-encoded for another instance). ValueError for anything the IR cannot say."""
    v = enc.values.literal(t)
    if v is not None:
        return ir.lit(v)
    if not z3.is_app(t):
        raise ValueError(f"not expressible in the IR: {t}")
    k = t.decl().kind()
    args = [to_ir(enc, t.arg(i)) for i in range(t.num_args())] if k != z3.Z3_OP_UNINTERPRETED else []
    if k == z3.Z3_OP_UNINTERPRETED and t.num_args() == 0:
        loc = enc.loc_of(t)
        if loc is None or enc.functions is not FunctionEncoding.SCALARS:
            raise ValueError(f"not a state location: {t}")
        var = enc.layout.vars[loc[0]]
        typ = value_type(ir.domain_type(var.type))
        return ir.Read(loc[0], tuple(ir.lit(x) for x in loc[1]), typ) if loc[1] else ir.Var(loc[0], typ)
    if k == z3.Z3_OP_NOT:
        return _negation(args[0])
    if k == z3.Z3_OP_UMINUS:
        return ir.Unary(UnOp.NEG, args[0], INT)
    if k == z3.Z3_OP_ITE:
        return ir.Ite(args[0], args[1], args[2], args[1].type)
    if k == z3.Z3_OP_DT_IS:
        value = enc.values.named(t.decl().params()[0].name())
        if value is None:
            raise ValueError(f"unknown constructor in {t}")
        return ir.Binary(BinOp.EQ, args[0], ir.lit(value), BOOL)
    if k == z3.Z3_OP_DISTINCT:
        pairs: list[ir.Expr] = [ir.Binary(BinOp.NE, a, b, BOOL) for i, a in enumerate(args) for b in args[i + 1:]]
        return _fold(BinOp.AND, pairs, BOOL)
    if k in _IR_BIN and args:
        op = _IR_BIN[k]
        if op is BinOp.EQ and isinstance(args[0].type, BoolT):
            op = BinOp.IFF
        typ = INT if op in (BinOp.ADD, BinOp.SUB, BinOp.MUL) else BOOL
        return _fold(op, args, typ)
    raise ValueError(f"not expressible in the IR: {t}")


_NEGATED = {BinOp.EQ: BinOp.NE, BinOp.NE: BinOp.EQ, BinOp.LE: BinOp.GT, BinOp.GT: BinOp.LE, BinOp.LT: BinOp.GE,
            BinOp.GE: BinOp.LT}


def _negation(e: ir.Expr) -> ir.Expr:
    """`!(a <= b)` as `a > b`, `!(a == b)` as `a != b`: how a person would write it."""
    if isinstance(e, ir.Binary) and e.op in _NEGATED:
        return ir.Binary(_NEGATED[e.op], e.lhs, e.rhs, BOOL)
    return ir.Unary(UnOp.NOT, e, BOOL)


def _fold(op: BinOp, args: list[ir.Expr], typ: Type) -> ir.Expr:
    if not args:
        return ir.lit(op is BinOp.AND)
    out = args[0]
    for a in args[1:]:
        out = ir.Binary(op, out, a, typ)
    return out
