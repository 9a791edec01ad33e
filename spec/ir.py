"""The typed core IR that every engine consumes; data only.

Produced by spec/lower.py (one Model per file set) and bound by spec/config.py into an Instance
(parameters replaced by their values, sort sizes and range bounds concrete). Components are
flattened: names are qualified (`kvm.spte`). Definitions are inlined; `match` is an `If` chain;
range checks and asserts are explicit `Check` statements. Spans take no part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from spec.ops import BinOp, Fairness, QuantKind, UnOp
from spec.source import NO_SPAN, Span
from spec.types import BOOL, INT, BoolT, EnumT, IntT, RangeT, SortT, Type


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


# ---------------------------------------------------------------- values


@dataclass(frozen=True, order=True)
class EnumVal:
    enum: str
    member: str
    index: int = field(compare=False, default=0)

    def __str__(self) -> str:
        return self.member


@dataclass(frozen=True, order=True)
class Elem:
    """An element of a sort: `Elem("Page", 1)` is printed `page1`."""

    sort: str
    index: int

    def __str__(self) -> str:
        return elem_name(self.sort, self.index)


Value = bool | int | EnumVal | Elem


def elem_name(sort: str, index: int) -> str:
    return f"{sort.rsplit('.', 1)[-1].lower()}{index}"


def format_value(v: Value) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Lit:
    value: Value
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Var:
    """Read of a scalar state variable."""

    name: str
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Read:
    """Read of a function-valued state variable at `args`."""

    name: str
    args: tuple[Expr, ...]
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Local:
    """An action parameter, a `choose` local, or a quantifier/forall binder."""

    name: str
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Param:
    """A model parameter; replaced by its value in an Instance."""

    name: str
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Unary:
    op: UnOp
    arg: Expr
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Binary:
    op: BinOp
    lhs: Expr
    rhs: Expr
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Ite:
    cond: Expr
    then: Expr
    else_: Expr
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Quant:
    kind: QuantKind
    var: str
    domain: Type
    body: Expr
    type: Type
    span: Span = _span()


Expr = Lit | Var | Read | Local | Param | Unary | Binary | Ite | Quant
EXPR_CLASSES = (Lit, Var, Read, Local, Param, Unary, Binary, Ite, Quant)


def lit(value: Value) -> Lit:
    """A literal with the type its value implies."""
    if isinstance(value, bool):
        return Lit(value, BOOL)
    if isinstance(value, int):
        return Lit(value, INT)
    if isinstance(value, EnumVal):
        return Lit(value, EnumT(value.enum))
    return Lit(value, SortT(value.sort))


TRUE = Lit(True, BOOL)
FALSE = Lit(False, BOOL)


# ---------------------------------------------------------------- statements


class CheckKind(Enum):
    ASSERT = "assert"
    RANGE = "range"


@dataclass(frozen=True)
class Require:
    cond: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Assign:
    """`var := value` (index empty) or `var[index] := value` on a state variable."""

    var: str
    index: tuple[Expr, ...]
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class SetLocal:
    """Assignment to a `choose` local."""

    name: str
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class If:
    cond: Expr
    then: tuple[Stmt, ...]
    else_: tuple[Stmt, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Forall:
    """Runs `body` once per element of `domain`, each run reading the state as it was before the
    `forall`; the writes of all runs are then applied together (in element order)."""

    var: str
    domain: Type
    body: tuple[Stmt, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Choose:
    """A fresh local with any value of `domain` that satisfies `cond`; none: the step is disabled."""

    var: str
    domain: Type
    cond: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Check:
    """If `cond` is false here, the step violates property `prop` and the path ends."""

    prop: str
    kind: CheckKind
    cond: Expr
    message: str
    span: Span = _span()


Stmt = Require | Assign | SetLocal | If | Forall | Choose | Check
STMT_CLASSES = (Require, Assign, SetLocal, If, Forall, Choose, Check)


# ---------------------------------------------------------------- declarations


@dataclass(frozen=True)
class EnumDef:
    name: str
    members: tuple[str, ...]
    span: Span = _span()

    def value(self, member: str) -> EnumVal:
        return EnumVal(self.name, member, self.members.index(member))

    def values(self) -> tuple[EnumVal, ...]:
        return tuple(EnumVal(self.name, m, i) for i, m in enumerate(self.members))


@dataclass(frozen=True)
class SortDef:
    name: str
    size: Expr | None
    span: Span = _span()


@dataclass(frozen=True)
class ParamDef:
    name: str
    type: Type  # BoolT, EnumT or RangeT
    default: Expr
    mitigation: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class VarDef:
    name: str
    type: Type  # a domain type or FunT
    init: Expr | None  # for a function: the value of every entry
    span: Span = _span()


@dataclass(frozen=True)
class ActionParam:
    name: str
    type: Type
    span: Span = _span()


@dataclass(frozen=True)
class Action:
    name: str
    params: tuple[ActionParam, ...]
    doc: str | None
    cite: str | None
    body: tuple[Stmt, ...]
    span: Span = _span()
    fairness: Fairness | None = None  # per instance of the action (docs/semantics.md, Liveness)


class PropKind(Enum):
    INVARIANT = "invariant"
    REACHABLE = "reachable"
    ASSERT = "assert"
    RANGE = "range"
    LIVENESS = "property"


class Expect(Enum):
    """Which answer to a `reachable` goal is the expected one (`expect WORD`), so that a run
    fails only on the other: a non-vacuity goal must be REACHED, a bad situation written as a
    goal must be UNREACHABLE, and an open question (ANY) is answered without failing a run."""

    REACHED = "reached"
    UNREACHABLE = "unreachable"
    ANY = "any"


class LiveForm(Enum):
    LEADS_TO = "always (P -> eventually Q)"
    EVENTUALLY = "eventually Q"
    INFINITELY_OFTEN = "always eventually Q"


@dataclass(frozen=True)
class Live:
    """A liveness property's form, for each value of its `forall` binders (free locals of `p`
    and `q`): violated when for some values some fair behaviour breaks it."""

    form: LiveForm
    binders: tuple[tuple[str, Type], ...]
    p: Expr | None  # the trigger of LEADS_TO
    q: Expr


@dataclass(frozen=True)
class Property:
    """A property. INVARIANT/REACHABLE carry `expr`, LIVENESS `live`; ASSERT/RANGE are decided by the `Check`
    statements that name them."""

    name: str
    kind: PropKind
    doc: str | None
    expr: Expr | None
    span: Span = _span()
    lemma: bool = False  # an INVARIANT the user wrote as `lemma`: a helper for all-sizes proofs
    live: Live | None = None  # LIVENESS: the temporal form (then `expr` is None)
    expect: Expect = Expect.REACHED  # REACHABLE: the expected answer (`expect WORD`)


@dataclass(frozen=True)
class Assume:
    """A state constraint: states where `expr` is false are not considered at all."""

    name: str
    doc: str | None
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Model:
    name: str
    enums: tuple[EnumDef, ...]
    sorts: tuple[SortDef, ...]
    params: tuple[ParamDef, ...]
    vars: tuple[VarDef, ...]
    init: tuple[Stmt, ...]
    actions: tuple[Action, ...]
    properties: tuple[Property, ...]
    assumes: tuple[Assume, ...]
    span: Span = _span()

    def var(self, name: str) -> VarDef:
        for v in self.vars:
            if v.name == name:
                return v
        raise KeyError(name)

    def enum(self, name: str) -> EnumDef:
        for e in self.enums:
            if e.name == name:
                return e
        raise KeyError(name)

    def action(self, name: str) -> Action:
        for a in self.actions:
            if a.name == name:
                return a
        raise KeyError(name)

    def property(self, name: str) -> Property:
        for p in self.properties:
            if p.name == name:
                return p
        raise KeyError(name)


# No list of a domain's values is made past this length (2^28 ints are gigabytes already); the
# engines that enumerate compare `Instance.card` with their own, lower, limits before listing.
MAX_LISTED = 1 << 28


@dataclass(frozen=True)
class Folded:
    """A model element whose expression mentioned parameters, which binding replaced by their
    values (an `if` on parameters alone is gone, only the branch taken is left): a proof that
    rests on the element, or on a statement inside the `if`, rests on those values too. `prop`
    names the property when the element is a property's formula or an `assert`; `writes`, for an
    `if` binding decided, the variables its branch not taken assigns (a proof may rest on those
    writes being absent)."""

    span: Span
    params: tuple[str, ...]
    prop: str | None = None
    writes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Instance:
    """One configuration of a Model: every parameter bound, every sort sized, every range
    bound a literal. This is what engines check."""

    model: Model
    sizes: tuple[tuple[str, int], ...]
    bindings: tuple[tuple[str, Value], ...]
    folded: tuple[Folded, ...] = field(default=(), compare=False)

    def size(self, sort: str) -> int:
        return dict(self.sizes)[sort]

    def binding(self, param: str) -> Value:
        return dict(self.bindings)[param]

    def card(self, t: Type) -> int:
        """How many values a finite domain type has, without listing them: a range may have more
        than any machine could hold (`0..9223372036854775807`), and the symbolic engines check it
        all the same."""
        if isinstance(t, BoolT):
            return 2
        if isinstance(t, EnumT):
            return len(self.model.enum(t.name).members)
        if isinstance(t, SortT):
            return self.size(t.name)
        if isinstance(t, RangeT):
            lo, hi = range_bounds(t)
            return max(0, hi - lo + 1)
        raise TypeError(f"not a finite domain: {t}")

    def first(self, t: Type) -> Value:
        """The first value of a finite domain type (without listing the others)."""
        if isinstance(t, RangeT):
            return range_bounds(t)[0]
        return self.domain(t)[0]

    def domain(self, t: Type) -> tuple[Value, ...]:
        """Every value of a finite domain type, in a fixed order. A caller that may meet a large
        range checks `card` against its own limit first; past MAX_LISTED values this refuses
        (ValueError) rather than exhaust the memory or overflow."""
        if isinstance(t, BoolT):
            return (False, True)
        if isinstance(t, EnumT):
            return self.model.enum(t.name).values()
        if isinstance(t, SortT):
            return tuple(Elem(t.name, i) for i in range(self.size(t.name)))
        if isinstance(t, RangeT):
            lo, hi = range_bounds(t)
            if hi - lo + 1 > MAX_LISTED:
                raise ValueError(f"{lo}..{hi} has {hi - lo + 1} values, too many to list")
            return tuple(range(lo, hi + 1))
        raise TypeError(f"not a finite domain: {t}")

    def locations(self, var: VarDef) -> tuple[tuple[Value, ...], ...]:
        """The index tuples of a state variable: `((),)` for a scalar."""
        from spec.types import FunT

        if not isinstance(var.type, FunT):
            return ((),)
        out: list[tuple[Value, ...]] = [()]
        for arg in var.type.args:
            out = [prefix + (v,) for prefix in out for v in self.domain(arg)]
        return tuple(out)

    def describe(self) -> str:
        """`hardware=tdx1 design=guest_memfd Page=3`: how reports name this configuration."""
        parts = [f"{k}={format_value(v)}" for k, v in self.bindings]
        parts += [f"{k}={n}" for k, n in self.sizes]
        return " ".join(parts)


def range_bounds(t: RangeT) -> tuple[int, int]:
    """The bounds of a configured range (both literals after spec.config)."""
    lo, hi = t.lo, t.hi
    if not (isinstance(lo, Lit) and isinstance(hi, Lit)):
        raise ValueError(f"range bounds not configured: {t}")
    return int(lo.value), int(hi.value)  # type: ignore[arg-type]


def domain_type(t: Type) -> Type:
    """The declared type of a variable's entries (its result type for a function)."""
    from spec.types import FunT

    return t.result if isinstance(t, FunT) else t


__all__ = [
    "BOOL", "INT", "IntT", "Lit", "Var", "Read", "Local", "Param", "Unary", "Binary", "Ite", "Quant",
]
