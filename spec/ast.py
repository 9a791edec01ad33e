"""Surface syntax of .spec models as frozen dataclasses; data only.

Every node carries a `span` that takes no part in equality, so two parses of the same text at
different places compare equal (the round-trip tests rely on this).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spec.ops import BinOp, Fairness, QuantKind, TemporalOp, UnOp
from spec.source import NO_SPAN, Span


@dataclass(frozen=True)
class Node:
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Name(Node):
    """A possibly qualified name: `st`, `kvm.spte`, `PageState.Free`."""

    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.parts)


# ---------------------------------------------------------------- types


@dataclass(frozen=True)
class BoolTypeExpr(Node):
    pass


@dataclass(frozen=True)
class NamedTypeExpr(Node):
    name: Name


@dataclass(frozen=True)
class RangeTypeExpr(Node):
    lo: Expr
    hi: Expr


@dataclass(frozen=True)
class FunTypeExpr(Node):
    args: tuple[TypeExpr, ...]
    result: TypeExpr


TypeExpr = BoolTypeExpr | NamedTypeExpr | RangeTypeExpr | FunTypeExpr


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True)
class BoolLit(Node):
    value: bool


@dataclass(frozen=True)
class IntLit(Node):
    value: int
    # How the literal was written (`0x10`), so that fmt keeps hex; not part of equality.
    text: str = field(default="", compare=False, kw_only=True)


@dataclass(frozen=True)
class NameExpr(Node):
    name: Name


@dataclass(frozen=True)
class Index(Node):
    """`f[a, b]`: read of a function-valued state variable."""

    target: Name
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Call(Node):
    """`d(a, b)`: call of a `def`."""

    func: Name
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Unary(Node):
    op: UnOp
    arg: Expr


@dataclass(frozen=True)
class Binary(Node):
    op: BinOp
    lhs: Expr
    rhs: Expr


@dataclass(frozen=True)
class Cond(Node):
    cond: Expr
    then: Expr
    else_: Expr


@dataclass(frozen=True)
class Binder(Node):
    name: str
    type: TypeExpr


@dataclass(frozen=True)
class Quant(Node):
    kind: QuantKind
    binders: tuple[Binder, ...]
    body: Expr


@dataclass(frozen=True)
class Temporal(Node):
    """`always E` / `eventually E`: only in a `property` (spec/lower.py accepts its forms)."""

    op: TemporalOp
    arg: Expr


Expr = BoolLit | IntLit | NameExpr | Index | Call | Unary | Binary | Cond | Quant | Temporal


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Require(Node):
    cond: Expr


@dataclass(frozen=True)
class Assign(Node):
    """`x := e;` (index empty) or `f[a, b] := e;`."""

    target: Name
    index: tuple[Expr, ...]
    value: Expr


@dataclass(frozen=True)
class If(Node):
    cond: Expr
    then: tuple[Stmt, ...]
    else_: tuple[Stmt, ...] | None  # `else if` is an else-block holding one If
    # Where `else` is written (fmt keeps comments on the right side of it).
    else_span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class MatchArm(Node):
    patterns: tuple[Name, ...]  # empty tuple: the wildcard `_`
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class Match(Node):
    scrutinee: Expr
    arms: tuple[MatchArm, ...]


@dataclass(frozen=True)
class ForallStmt(Node):
    binder: Binder
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class Choose(Node):
    binder: Binder
    cond: Expr | None


@dataclass(frozen=True)
class Assert(Node):
    name: str | None
    cond: Expr


@dataclass(frozen=True)
class Skip(Node):
    pass


Stmt = Require | Assign | If | Match | ForallStmt | Choose | Assert | Skip


# ---------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Decl(Node):
    # Where the declared name is written; errors about the declaration point here.
    name_span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class ModelDecl(Decl):
    name: str


@dataclass(frozen=True)
class Include(Decl):
    path: str


@dataclass(frozen=True)
class EnumMember(Node):
    name: str


@dataclass(frozen=True)
class EnumDecl(Decl):
    name: str
    members: tuple[EnumMember, ...]


@dataclass(frozen=True)
class SortDecl(Decl):
    name: str
    size: Expr | None


@dataclass(frozen=True)
class ParamDecl(Decl):
    name: str
    type: TypeExpr
    default: Expr
    mitigation: bool = False


@dataclass(frozen=True)
class ParamOverride(Decl):
    """`param hw.hardware = snp;`: a new default for a parameter declared elsewhere (typically in an
    included library file), so one library serves models that differ in a parameter's default."""

    name: Name
    value: Expr


@dataclass(frozen=True)
class ConstDecl(Decl):
    name: str
    value: Expr


@dataclass(frozen=True)
class VarDecl(Decl):
    name: str
    type: TypeExpr
    init: Expr | None


@dataclass(frozen=True)
class InitDecl(Decl):
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class DefDecl(Decl):
    name: str
    params: tuple[Binder, ...]
    result: TypeExpr
    body: Expr


@dataclass(frozen=True)
class ActionDecl(Decl):
    name: str
    params: tuple[Binder, ...]
    doc: str | None
    cite: str | None
    body: tuple[Stmt, ...]
    fairness: Fairness | None = None


@dataclass(frozen=True)
class InvariantDecl(Decl):
    name: str
    doc: str | None
    expr: Expr
    lemma: bool = False  # `lemma NAME: EXPR;` a helper for all-sizes proofs (docs/language.md)


@dataclass(frozen=True)
class ReachableDecl(Decl):
    name: str
    doc: str | None
    expr: Expr
    # `expect WORD`: the word as written and where (checked by spec/lower.py); None: not written
    expect: str | None = None
    expect_span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class PropertyDecl(Decl):
    """`property NAME "doc": TEMPORAL;` a liveness property."""

    name: str
    doc: str | None
    expr: Expr


@dataclass(frozen=True)
class AssumeDecl(Decl):
    name: str
    doc: str | None
    expr: Expr


@dataclass(frozen=True)
class ComponentDecl(Decl):
    name: str
    decls: tuple[TopDecl, ...]


TopDecl = (ModelDecl | Include | EnumDecl | SortDecl | ParamDecl | ParamOverride | ConstDecl | VarDecl | InitDecl
           | DefDecl | ActionDecl | InvariantDecl | ReachableDecl | PropertyDecl | AssumeDecl | ComponentDecl)


@dataclass(frozen=True)
class Comment(Node):
    """A `//` or `/* */` comment, kept so that `spec-check fmt` can put it back."""

    text: str


@dataclass(frozen=True)
class Module(Node):
    """One parsed file."""

    file: str
    decls: tuple[TopDecl, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
