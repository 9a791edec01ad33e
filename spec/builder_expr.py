"""Expressions and types of the Python builder: Python operators build spec/ast.py nodes.

Every node gets the span of the user's Python code that made it (file, line and columns of the
call or operator), so a diagnostic about a builder model points into the user's Python file.
A leaf (a variable, parameter, enum member or bound variable) takes the span of the place where
it is used, not where it was declared.

Equality: `a == b` builds an expression, so wrappers keep identity hashing (they work as dict
keys and in sets) and refuse to be truth-tested (`if a == b`, `a and b`, `x in [a, b]` and
chained comparisons such as `a == b & c == d` raise TypeError instead of silently meaning
something else).
"""

from __future__ import annotations

import inspect
import itertools
import linecache
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Union

from spec import ast
from spec.loader import display_name
from spec.ops import BinOp, QuantKind, TemporalOp, UnOp
from spec.source import NO_SPAN, Span

# Frames of these modules are skipped when looking for the user's line.
_INTERNAL_MODULES = frozenset({"spec.builder", "spec.builder_body", "spec.builder_expr", "spec.builder_ast"})

ExprLike = Union["Expr", bool, int]
TypeLike = Union[type, "EnumType", "SortType", "RangeType", "FunType"]


# ---------------------------------------------------------------- spans


def caller_span() -> Span:
    """The span of the innermost call or operator in user code (outside the builder modules)."""
    frame = inspect.currentframe()
    while frame is not None and frame.f_globals.get("__name__") in _INTERNAL_MODULES:
        frame = frame.f_back
    return _frame_span(frame) if frame is not None else NO_SPAN


def _frame_span(frame: FrameType) -> Span:
    code = frame.f_code
    file = code.co_filename
    name = file if file.startswith("<") else display_name(Path(file))
    line = frame.f_lineno or 0
    pos = None
    if frame.f_lasti >= 0:
        # One co_positions entry per 2-byte code unit (CPython 3.11+).
        pos = next(itertools.islice(code.co_positions(), frame.f_lasti // 2, None), None)
    if pos is None:
        return Span(name, line, 1, line, 1)
    start, end_line, col, end_col = pos
    if start is None or end_line is None or col is None or end_col is None:
        return Span(name, line, 1, line, 1)
    line = start
    return Span(name, line, _char_col(file, line, col) + 1, end_line, _char_col(file, end_line, end_col) + 1)


def _char_col(file: str, line: int, byte_col: int) -> int:
    # co_positions counts UTF-8 bytes; spans count characters.
    text = linecache.getline(file, line)
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))


# ---------------------------------------------------------------- expressions


def _no_truth(what: str) -> TypeError:
    return TypeError(f"{what} has no Python truth value: combine conditions with `&`, `|` and `~` "
                     "(not `and`, `or`, `not`), parenthesise comparisons as in `(a == b) & (c > 0)`, "
                     "and compare builder objects with `is`")


class Expr:
    """A model expression (never made directly). Operators: `&` `|` `~` (and, or, not), `== != < <= > >=`, `+ - *` and
    unary `-`; methods `implies` and `iff`. Python bools and ints mix in freely."""

    __slots__ = ("_node",)
    __hash__ = object.__hash__  # identity: `==` builds an expression, so it cannot define hashing

    def __init__(self, node: ast.Expr) -> None:
        self._node = node

    @property
    def node(self) -> ast.Expr:
        """The surface-syntax node (spans point at the Python code that built it)."""
        return self._node

    def _at(self, span: Span) -> ast.Expr:
        """The node as used at `span`."""
        return self._node

    def __repr__(self) -> str:
        from spec.printer import print_expr

        return f"<{type(self).__name__} {print_expr(self._node)}>"

    def __bool__(self) -> bool:
        raise _no_truth(f"the model expression `{self!r}`")

    def __iter__(self) -> Iterator[Expr]:
        raise TypeError(f"`{self!r}` is a model expression, not a Python sequence")

    def __and__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.AND, self, other)

    def __rand__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.AND, other, self)

    def __or__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.OR, self, other)

    def __ror__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.OR, other, self)

    def __invert__(self) -> Expr:
        return _un(UnOp.NOT, self)

    def __neg__(self) -> Expr:
        return _un(UnOp.NEG, self)

    def __pos__(self) -> Expr:
        return self

    def __add__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.ADD, self, other)

    def __radd__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.ADD, other, self)

    def __sub__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.SUB, self, other)

    def __rsub__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.SUB, other, self)

    def __mul__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.MUL, self, other)

    def __rmul__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.MUL, other, self)

    def __eq__(self, other: object) -> Expr:  # type: ignore[override]
        return _bin(BinOp.EQ, self, other)

    def __ne__(self, other: object) -> Expr:  # type: ignore[override]
        return _bin(BinOp.NE, self, other)

    def __lt__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.LT, self, other)

    def __le__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.LE, self, other)

    def __gt__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.GT, self, other)

    def __ge__(self, other: ExprLike) -> Expr:
        return _bin(BinOp.GE, self, other)

    def implies(self, other: ExprLike) -> Expr:
        """`self -> other`."""
        return _bin(BinOp.IMPLIES, self, other)

    def iff(self, other: ExprLike) -> Expr:
        """`self <-> other`."""
        return _bin(BinOp.IFF, self, other)


class Compound(Expr):
    """An expression made by an operator or a helper."""

    __slots__ = ()


# Python tries a right operand's reflected comparison first when its class is a subclass of the
# left operand's, which would turn `x == Member` into `Member == x`. So no concrete wrapper class
# derives from another: Compound, Ref, Var and Member are siblings under Expr and _Leaf.


class _Leaf(Expr):
    """A named leaf; its node takes the span of each use."""

    __slots__ = ("name",)

    def __init__(self, parts: tuple[str, ...], span: Span) -> None:
        super().__init__(ast.NameExpr(ast.Name(parts, span=span), span=span))
        self.name = ".".join(parts)

    def _at(self, span: Span) -> ast.Expr:
        node = self._node
        assert isinstance(node, ast.NameExpr)
        return ast.NameExpr(replace(node.name, span=span), span=span)


class Ref(_Leaf):
    """A parameter, constant or local (action parameter, bound variable, `choose` local)."""

    __slots__ = ()


class Var(_Leaf):
    """A state variable; index a function-valued one: `st[p]`, `owner[v, p]`."""

    __slots__ = ()

    def __getitem__(self, key: ExprLike | tuple[ExprLike, ...]) -> Expr:
        span = caller_span()
        args = key if isinstance(key, tuple) else (key,)
        node = self._node
        assert isinstance(node, ast.NameExpr)
        target = replace(node.name, span=span)
        return Compound(ast.Index(target, tuple(node_of(a, span) for a in args), span=span))


class Member(_Leaf):
    """An enum member, `PageState.Free`; also a `match` pattern."""

    __slots__ = ("enum", "member")

    def __init__(self, enum: tuple[str, ...], member: str, span: Span) -> None:
        super().__init__(enum + (member,), span)
        self.enum = ".".join(enum)
        self.member = member


def node_of(x: object, span: Span) -> ast.Expr:
    """The surface node of an expression or a Python bool/int, used at `span`."""
    if isinstance(x, Expr):
        return x._at(span)
    if isinstance(x, bool):
        return ast.BoolLit(x, span=span)
    if isinstance(x, int):
        # The parser reads `-3` as a negation of 3; build the same tree.
        if x < 0:
            return ast.Unary(UnOp.NEG, ast.IntLit(-x, span=span), span=span)
        return ast.IntLit(x, span=span)
    raise TypeError(_not_a_value(x))


def _not_a_value(x: object) -> str:
    if isinstance(x, EnumType | SortType | RangeType | FunType) or x is bool:
        return f"`{x!r}` is a type, not a value"
    if isinstance(x, Def):
        return f"`{x.name}` is a def: call it, `{x.name}(...)`"
    if isinstance(x, str):
        return f"the string {x!r} is not a model value: use an enum member such as `MyEnum.{x}`"
    return f"{type(x).__name__} {x!r} is not a model value (use a builder expression, a bool or an int)"


def _bin(op: BinOp, lhs: object, rhs: object) -> Expr:
    span = caller_span()
    return Compound(ast.Binary(op, node_of(lhs, span), node_of(rhs, span), span=span))


def _un(op: UnOp, arg: object) -> Expr:
    span = caller_span()
    return Compound(ast.Unary(op, node_of(arg, span), span=span))


# ---------------------------------------------------------------- types


class EnumType:
    """An enum: a type, and its members as attributes (`PageState.Free`) or items
    (`PageState["Free"]`, for a member whose name is also an attribute of this class)."""

    __slots__ = ("_parts", "_members")

    def __init__(self, parts: tuple[str, ...], members: tuple[str, ...]) -> None:
        self._parts = parts
        self._members = members

    @property
    def name(self) -> str:
        return ".".join(self._parts)

    @property
    def members(self) -> tuple[str, ...]:
        return self._members

    def __getitem__(self, member: str) -> Member:
        if member not in self._members:
            from spec.diagnostics import did_you_mean

            hint = did_you_mean(member, self._members) or f"its members are {', '.join(self._members)}"
            raise KeyError(f"enum `{self.name}` has no member `{member}`; {hint}")
        return Member(self._parts, member, caller_span())

    def __getattr__(self, member: str) -> Member:
        # Underscore names are Python's (copy, pickle); such a member is reached with E["_x"].
        if member.startswith("_") or member not in self._members:
            raise AttributeError(f"enum `{self.name}` has no member `{member}`")
        return Member(self._parts, member, caller_span())

    def __iter__(self) -> Iterator[Member]:
        span = caller_span()
        return iter([Member(self._parts, m, span) for m in self._members])

    def __len__(self) -> int:
        return len(self._members)

    def __repr__(self) -> str:
        return f"<enum {self.name}>"


class SortType:
    """A sort: a finite set of interchangeable identities (pages, vcpus)."""

    __slots__ = ("_parts",)

    def __init__(self, parts: tuple[str, ...]) -> None:
        self._parts = parts

    @property
    def name(self) -> str:
        return ".".join(self._parts)

    def __repr__(self) -> str:
        return f"<sort {self.name}>"


@dataclass(frozen=True, eq=False)
class RangeType:
    """The integer range `lo..hi` (both ends included)."""

    lo: ast.Expr
    hi: ast.Expr
    span: Span

    def __repr__(self) -> str:
        from spec.printer import print_type

        return f"<range {print_type(type_node(self, self.span))}>"


@dataclass(frozen=True, eq=False)
class FunType:
    """A function type of a state variable: `args -> result`."""

    args: tuple[TypeLike, ...]
    result: TypeLike
    span: Span


def make_range(lo: ExprLike, hi: ExprLike) -> RangeType:
    """`lo..hi`; the bounds are constant expressions (literals, consts, parameters)."""
    span = caller_span()
    return RangeType(_bound(lo, span), _bound(hi, span), span)


def _bound(x: ExprLike, span: Span) -> ast.Expr:
    # A range bound `-2` is one literal in the grammar (not a negation): build the same.
    if isinstance(x, int) and not isinstance(x, bool):
        return ast.IntLit(x, span=span)
    return node_of(x, span)


def make_fun(*types: TypeLike) -> FunType:
    if len(types) < 2:
        raise TypeError("a function type needs argument types and a result type: fun(Page, PageState)")
    return FunType(tuple(types[:-1]), types[-1], caller_span())


def type_node(t: object, span: Span) -> ast.TypeExpr:
    """The surface type of a type handle (`bool`, an enum, a sort, a range or a function type)."""
    if t is bool:
        return ast.BoolTypeExpr(span=span)
    if isinstance(t, EnumType | SortType):
        return ast.NamedTypeExpr(ast.Name(t._parts, span=span), span=span)
    if isinstance(t, RangeType):
        return ast.RangeTypeExpr(t.lo, t.hi, span=t.span)
    if isinstance(t, FunType):
        return ast.FunTypeExpr(tuple(type_node(a, t.span) for a in t.args), type_node(t.result, t.span),
                               span=t.span)
    if t is int:
        raise TypeError("integers are ranges: use m.range(lo, hi)")
    raise TypeError(f"{t!r} is not a type (use bool, an enum, a sort, m.range(lo, hi) or m.fun(...))")


# ---------------------------------------------------------------- defs and helpers


class Def:
    """A `def`: call it with its arguments to get an expression."""

    __slots__ = ("_parts",)

    def __init__(self, parts: tuple[str, ...]) -> None:
        self._parts = parts

    @property
    def name(self) -> str:
        return ".".join(self._parts)

    def __call__(self, *args: ExprLike) -> Expr:
        span = caller_span()
        return Compound(ast.Call(ast.Name(self._parts, span=span), tuple(node_of(a, span) for a in args), span=span))

    def __repr__(self) -> str:
        return f"<def {self.name}>"


def param_names(fn: Callable[..., object], count: int, what: str) -> tuple[str, ...]:
    """The parameter names of `fn` (they name the bound variables), which must number `count`."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError) as err:
        raise TypeError(f"{what}: cannot read the parameters of {fn!r}") from err
    plain = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind not in plain for p in params) or len(params) != count:
        raise TypeError(f"{what}: give a function of exactly {count} plain parameter(s), one per type, "
                        f"e.g. lambda p: ...")
    return tuple(p.name for p in params)


def _quant(kind: QuantKind, args: tuple[object, ...]) -> Expr:
    span = caller_span()
    *types, body = args
    if not types or not callable(body) or isinstance(body, Expr | EnumType | SortType):
        raise TypeError(f"{kind.value}(T1, ..., body): give the types, then a function of the bound variables")
    names = param_names(body, len(types), kind.value)
    binders = tuple(ast.Binder(n, type_node(t, span), span=span) for n, t in zip(names, types, strict=True))
    value = body(*(Ref((n,), span) for n in names))
    return Compound(ast.Quant(kind, binders, node_of(value, span), span=span))


def forall(*args: object) -> Expr:
    """`forall(Page, lambda p: ...)`, `forall(Vcpu, Page, lambda v, p: ...)`."""
    return _quant(QuantKind.FORALL, args)


def exists(*args: object) -> Expr:
    """`exists(Page, lambda p: ...)`."""
    return _quant(QuantKind.EXISTS, args)


def count(*args: object) -> Expr:
    """`count(Page, lambda p: ...)`: how many elements satisfy the body (an int)."""
    return _quant(QuantKind.COUNT, args)


def ite(cond: ExprLike, then: ExprLike, else_: ExprLike) -> Expr:
    """`cond ? then : else_`."""
    span = caller_span()
    return Compound(ast.Cond(node_of(cond, span), node_of(then, span), node_of(else_, span), span=span))


def lit(value: ExprLike) -> Expr:
    """A bool or int as an expression (rarely needed: they mix in by themselves). An expression
    is returned as it is."""
    if isinstance(value, Expr):
        return value
    return Compound(node_of(value, caller_span()))


def implies(a: ExprLike, b: ExprLike) -> Expr:
    return _bin(BinOp.IMPLIES, a, b)


def iff(a: ExprLike, b: ExprLike) -> Expr:
    return _bin(BinOp.IFF, a, b)


def not_(a: ExprLike) -> Expr:
    return _un(UnOp.NOT, a)


def always(a: ExprLike) -> Expr:
    """`always a`, for a `property` (`ModelBuilder.property`)."""
    span = caller_span()
    return Compound(ast.Temporal(TemporalOp.ALWAYS, node_of(a, span), span=span))


def eventually(a: ExprLike) -> Expr:
    """`eventually a`, for a `property` (`ModelBuilder.property`)."""
    span = caller_span()
    return Compound(ast.Temporal(TemporalOp.EVENTUALLY, node_of(a, span), span=span))


def _chain(op: BinOp, unit: bool, xs: tuple[ExprLike, ...]) -> Expr:
    span = caller_span()
    if not xs:
        return Compound(ast.BoolLit(unit, span=span))
    node = node_of(xs[0], span)
    for x in xs[1:]:
        node = ast.Binary(op, node, node_of(x, span), span=span)
    return Compound(node)


def all_of(*xs: ExprLike) -> Expr:
    """`x1 && x2 && ...` (`true` when empty)."""
    return _chain(BinOp.AND, True, xs)


def any_of(*xs: ExprLike) -> Expr:
    """`x1 || x2 || ...` (`false` when empty)."""
    return _chain(BinOp.OR, False, xs)


class E:
    """Expression helpers in one namespace: `E.forall(Page, lambda p: ...)`, `E.ite(c, a, b)`."""

    forall = staticmethod(forall)
    exists = staticmethod(exists)
    count = staticmethod(count)
    ite = staticmethod(ite)
    lit = staticmethod(lit)
    implies = staticmethod(implies)
    iff = staticmethod(iff)
    not_ = staticmethod(not_)
    always = staticmethod(always)
    eventually = staticmethod(eventually)
    all_of = staticmethod(all_of)
    any_of = staticmethod(any_of)
