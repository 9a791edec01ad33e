"""Type terms of the IR; data only.

Expressions have one of the *value* types Bool, Int, Enum, Sort. Declarations (variables,
binders, parameters) have *domain* types, where an integer is a Range with bounds; a state
variable may also have a Fun type from domain types to a domain type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spec.ir import Expr


@dataclass(frozen=True)
class BoolT:
    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True)
class IntT:
    """Any integer: the type of arithmetic. Ranges are only for declarations."""

    def __str__(self) -> str:
        return "int"


@dataclass(frozen=True)
class RangeT:
    """`lo..hi`; bounds are IR expressions (literals once an Instance is configured)."""

    lo: Expr
    hi: Expr

    def __str__(self) -> str:
        from spec.printer import print_ir_expr

        return f"{print_ir_expr(self.lo)}..{print_ir_expr(self.hi)}"


@dataclass(frozen=True)
class EnumT:
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class SortT:
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class FunT:
    args: tuple[Type, ...]
    result: Type

    def __str__(self) -> str:
        if len(self.args) == 1:
            return f"{self.args[0]} -> {self.result}"
        return "(" + ", ".join(str(a) for a in self.args) + f") -> {self.result}"


@dataclass(frozen=True)
class ErrorT:
    """Stands for an expression that already has an error; compatible with everything so that
    one mistake gives one message. Never appears in a finished IR."""

    def __str__(self) -> str:
        return "<error>"


Type = BoolT | IntT | RangeT | EnumT | SortT | FunT | ErrorT

BOOL = BoolT()
INT = IntT()
ERROR = ErrorT()


def value_type(t: Type) -> Type:
    """The type an expression of declared type `t` has (ranges read as int)."""
    return INT if isinstance(t, RangeT) else t


def is_finite_domain(t: Type) -> bool:
    return isinstance(t, BoolT | RangeT | EnumT | SortT)


def compatible(expected: Type, actual: Type) -> bool:
    """Can a value of type `actual` be stored where `expected` is declared (range checked at run time)?"""
    if isinstance(expected, ErrorT) or isinstance(actual, ErrorT):
        return True
    return value_type(expected) == value_type(actual)
