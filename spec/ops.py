"""Operator kinds shared by the AST and the IR (enums, never strings)."""

from __future__ import annotations

from enum import Enum


class UnOp(Enum):
    NOT = "!"
    NEG = "-"


class BinOp(Enum):
    IFF = "<->"
    IMPLIES = "->"
    OR = "||"
    AND = "&&"
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    ADD = "+"
    SUB = "-"
    MUL = "*"


class QuantKind(Enum):
    FORALL = "forall"
    EXISTS = "exists"
    COUNT = "count"


BOOL_OPS = frozenset({BinOp.IFF, BinOp.IMPLIES, BinOp.OR, BinOp.AND})
EQUALITY_OPS = frozenset({BinOp.EQ, BinOp.NE})
ORDER_OPS = frozenset({BinOp.LT, BinOp.LE, BinOp.GT, BinOp.GE})
ARITH_OPS = frozenset({BinOp.ADD, BinOp.SUB, BinOp.MUL})
# Every binary operator is in exactly one category (checked by tests/spec/test_ops.py).
CATEGORIES = (BOOL_OPS, EQUALITY_OPS, ORDER_OPS, ARITH_OPS)

# Binding strength, loosest first; the printer uses it to place parentheses.
PRECEDENCE: dict[BinOp, int] = {
    BinOp.IFF: 2,
    BinOp.IMPLIES: 3,
    BinOp.OR: 4,
    BinOp.AND: 5,
    BinOp.EQ: 6,
    BinOp.NE: 6,
    BinOp.LT: 7,
    BinOp.LE: 7,
    BinOp.GT: 7,
    BinOp.GE: 7,
    BinOp.ADD: 8,
    BinOp.SUB: 8,
    BinOp.MUL: 9,
}


class TemporalOp(Enum):
    ALWAYS = "always"
    EVENTUALLY = "eventually"


class Fairness(Enum):
    """Per action instance (docs/semantics.md, Liveness)."""

    WEAK = "fair"  # an instance enabled continuously from some point on eventually fires
    STRONG = "strong fair"  # an instance enabled infinitely often fires infinitely often
