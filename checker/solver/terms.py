"""Values and storage of the Z3 encoding: how enums, sort elements, integers and bools become Z3
terms (`Values`), and where a state variable's locations live (`Layout`: one constant per location,
or one array per function). checker/solver/encode.py builds states, steps and goals on these.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import TypeAlias

import z3

from checker.result import Loc
from checker.solver.intervals import int_width
from spec import ir
from spec.ops import BinOp
from spec.types import BoolT, EnumT, FunT, IntT, RangeT, SortT, Type

Formula: TypeAlias = z3.BoolRef  # opaque to the engines
Term: TypeAlias = z3.ExprRef


class FunctionEncoding(Enum):
    SCALARS = "scalars"  # one constant per location
    ARRAYS = "arrays"  # one array per function-valued variable


# ---------------------------------------------------------------- boolean helpers (fold constants early)

# A term's operator read through the C API directly: `z3.is_true` and friends build Python
# wrappers for the declaration on every call, and building the terms of a few thousand lemmas
# asks that hundreds of thousands of times (half the time of a fixed-size Houdini run).
_APPS = (z3.Z3_APP_AST, z3.Z3_NUMERAL_AST)
_LITERAL_KINDS = frozenset({z3.Z3_OP_TRUE, z3.Z3_OP_FALSE, z3.Z3_OP_ANUM, z3.Z3_OP_BNUM})


def kind(t: Term) -> int | None:
    """The Z3 operator kind (Z3_OP_...) of an application, None for a quantifier or variable."""
    ref, ast = t.ctx_ref(), t.as_ast()
    if z3.Z3_get_ast_kind(ref, ast) not in _APPS:
        return None
    return z3.Z3_get_decl_kind(ref, z3.Z3_get_app_decl(ref, ast))


def _nary(make, parts: list[Formula], ctx: z3.Context) -> Formula:
    """`z3.And`/`z3.Or` without their per-argument coercion (50 times slower over thousands)."""
    arr = (z3.Ast * len(parts))(*[x.as_ast() for x in parts])
    return z3.BoolRef(make(ctx.ref(), len(parts), arr), ctx)


def _fold(xs: Sequence[Formula], ctx: z3.Context, absorbing: bool) -> Formula:
    """And (absorbing False) or Or (absorbing True) of `xs`, constants folded."""
    stop, skip = (z3.Z3_OP_TRUE, z3.Z3_OP_FALSE) if absorbing else (z3.Z3_OP_FALSE, z3.Z3_OP_TRUE)
    parts = []
    for x in xs:
        k = kind(x)
        if k == stop:
            return z3.BoolVal(absorbing, ctx)
        if k != skip:
            parts.append(x)
    if not parts:
        return z3.BoolVal(not absorbing, ctx)
    return parts[0] if len(parts) == 1 else _nary(z3.Z3_mk_or if absorbing else z3.Z3_mk_and, parts, ctx)


def conj(xs: Sequence[Formula], ctx: z3.Context) -> Formula:
    return _fold(xs, ctx, False)


def disj(xs: Sequence[Formula], ctx: z3.Context) -> Formula:
    return _fold(xs, ctx, True)


def neg(x: Formula) -> Formula:
    k = kind(x)
    if k == z3.Z3_OP_TRUE:
        return z3.BoolVal(False, x.ctx)
    if k == z3.Z3_OP_FALSE:
        return z3.BoolVal(True, x.ctx)
    if k == z3.Z3_OP_NOT:
        return x.arg(0)
    return z3.BoolRef(z3.Z3_mk_not(x.ctx_ref(), x.as_ast()), x.ctx)


def ite(c: Formula, a: Term, b: Term) -> Term:
    k = kind(c)
    if k == z3.Z3_OP_TRUE or a.eq(b):
        return a
    if k == z3.Z3_OP_FALSE:
        return b
    return z3.If(c, a, b)


# ---------------------------------------------------------------- values


class Domains(Enum):
    """How enums, sort elements and integers are represented."""

    THEORIES = "theories"  # EnumSorts and unbounded Ints: what Spacer (PDR) works best with
    BITS = "bits"  # bit-vectors wide enough for every integer (checker/solver/intervals.py): BMC and
    # induction bit-blast them with Z3's finite-domain solver, several times faster


class Values:
    """IR domain types and values <-> Z3 sorts and constants, for one context."""

    def __init__(self, inst: ir.Instance, ctx: z3.Context, domains: Domains):
        self.inst = inst
        self.ctx = ctx
        self.domains = domains
        self.width = int_width(inst) if domains is Domains.BITS else 0
        self._sorts: dict[str, z3.SortRef] = {}
        self._sizes: dict[str, int] = {}
        self._consts: dict[ir.EnumVal | ir.Elem, Term] = {}
        self._by_name: dict[str, ir.EnumVal | ir.Elem] = {}
        self._by_index: dict[tuple[str, int], ir.EnumVal | ir.Elem] = {}
        for e in inst.model.enums:
            self._declare(e.name, e.values(), [f"{e.name}.{m}" for m in e.members])
        for name, size in inst.sizes:
            elems = tuple(ir.Elem(name, i) for i in range(size))
            self._declare(name, elems, [f"{name}.{ir.elem_name(name, i)}" for i in range(size)])

    def _declare(self, name: str, vals: Sequence[ir.EnumVal | ir.Elem], names: list[str]) -> None:
        self._sizes[name] = len(vals)
        if self.domains is Domains.THEORIES:
            sort, consts = z3.EnumSort(name, names, ctx=self.ctx)
        else:
            sort = z3.BitVecSort(max(1, (len(vals) - 1).bit_length()), self.ctx)
            consts = [z3.BitVecVal(i, sort.size(), self.ctx) for i in range(len(vals))]
        self._sorts[name] = sort
        for i, (v, c, n) in enumerate(zip(vals, consts, names, strict=True)):
            self._consts[v] = c
            self._by_name[n] = v
            self._by_index[(name, i)] = v

    def sort(self, t: Type) -> z3.SortRef:
        if isinstance(t, BoolT):
            return z3.BoolSort(self.ctx)
        if isinstance(t, IntT | RangeT):
            return z3.IntSort(self.ctx) if self.width == 0 else z3.BitVecSort(self.width, self.ctx)
        if isinstance(t, EnumT | SortT):
            return self._sorts[t.name]
        raise TypeError(f"no Z3 sort for {t}")

    def const(self, v: ir.Value) -> Term:
        if isinstance(v, bool):
            return z3.BoolVal(v, self.ctx)
        if isinstance(v, int):
            return z3.IntVal(v, self.ctx) if self.width == 0 else z3.BitVecVal(v, self.width, self.ctx)
        return self._consts[v]

    @staticmethod
    def is_literal(t: Term) -> bool:
        k = kind(t)
        return k in _LITERAL_KINDS or (k == z3.Z3_OP_DT_CONSTRUCTOR and t.num_args() == 0)

    def decode(self, t: Term, typ: Type) -> ir.Value:
        """The IR value of a literal (a model value) of type `typ`."""
        if isinstance(typ, BoolT):
            return z3.is_true(t)
        if isinstance(typ, IntT | RangeT):
            return t.as_long() if self.width == 0 else t.as_signed_long()
        if isinstance(typ, EnumT | SortT):
            if self.domains is Domains.THEORIES:
                return self._by_name[t.decl().name()]
            return self._by_index[(typ.name, t.as_long())]
        raise TypeError(f"cannot decode a value of type {typ}")

    def literal(self, t: Term) -> ir.Value | None:
        """The IR value of a literal when its type is evident (bool, int, constructor), else None."""
        if z3.is_true(t) or z3.is_false(t):
            return z3.is_true(t)
        if z3.is_int_value(t):
            return t.as_long()
        if z3.is_bv_value(t) and t.size() == self.width:
            return t.as_signed_long()
        if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_DT_CONSTRUCTOR:
            return self._by_name.get(t.decl().name())
        return None

    def named(self, decl_name: str) -> ir.Value | None:
        """The enum value or sort element of a constructor name (`PageState.Free`)."""
        return self._by_name.get(decl_name)

    # the term algebra checker/solver/symexec.py builds with (it does not import z3)

    def boolean(self, b: bool) -> Formula:
        return z3.BoolVal(b, self.ctx)

    def conj(self, xs: Sequence[Formula]) -> Formula:
        return conj(xs, self.ctx)

    def disj(self, xs: Sequence[Formula]) -> Formula:
        return disj(xs, self.ctx)

    @staticmethod
    def neg(x: Formula) -> Formula:
        return neg(x)

    @staticmethod
    def ite(c: Formula, a: Term, b: Term) -> Term:
        return ite(c, a, b)

    @staticmethod
    def is_false(x: Formula) -> bool:
        return kind(x) == z3.Z3_OP_FALSE

    @staticmethod
    def ident(t: Term) -> int:
        """A key for `t` (equal for equal terms: Z3 shares them), while `t` is alive."""
        return t.get_id()

    def eq(self, a: Term, b: Term) -> Formula:
        if self.is_literal(a) and self.is_literal(b):
            return z3.BoolVal(a.eq(b), self.ctx)
        return a == b

    def total(self, terms: Sequence[Term]) -> Term:
        return z3.Sum(list(terms)) if terms else self.const(0)

    def fresh(self, name: str, typ: Type) -> Term:
        return z3.Const(name, self.sort(typ))

    def in_domain(self, t: Term, typ: Type) -> Formula:
        if isinstance(typ, RangeT):
            lo, hi = ir.range_bounds(typ)
            return z3.And(t >= lo, t <= hi)
        if isinstance(typ, EnumT | SortT) and self.domains is Domains.BITS:
            n = self._sizes[typ.name]
            return z3.ULT(t, n) if n < 2 ** t.size() else z3.BoolVal(True, self.ctx)
        return z3.BoolVal(True, self.ctx)


# ---------------------------------------------------------------- state layouts


class Layout:
    """Where a state keeps its locations. Keys are locations (SCALARS) or `(var, ())` (ARRAYS)."""

    def __init__(self, inst: ir.Instance, values: Values):
        self.inst = inst
        self.values = values
        self.locs = {v.name: inst.locations(v) for v in inst.model.vars}
        self.vars = {v.name: v for v in inst.model.vars}

    def keys(self) -> tuple[Loc, ...]:
        raise NotImplementedError

    def key_sort(self, key: Loc) -> z3.SortRef:
        raise NotImplementedError

    def read(self, w: Mapping[Loc, Term], var: str, idx: tuple[Term, ...]) -> Term:
        raise NotImplementedError

    def write(self, w: dict[Loc, Term], var: str, idx: tuple[Term, ...], value: Term, pc: Formula) -> None:
        raise NotImplementedError

    def locations(self, w: Mapping[Loc, Term]) -> dict[Loc, Term]:
        """Every location's term (for decoding and for range bounds)."""
        raise NotImplementedError

class _Scalars(Layout):
    def __init__(self, inst: ir.Instance, values: Values):
        super().__init__(inst, values)
        self._by_literals: dict[str, dict[tuple[int, ...], Loc]] = {}  # var -> ids of a literal index -> location
        self._literals: list[Term] = []  # the literals of those ids, kept alive (Z3 reuses a freed term's id)

    def keys(self) -> tuple[Loc, ...]:
        return tuple((v, i) for v, idxs in self.locs.items() for i in idxs)

    def key_sort(self, key: Loc) -> z3.SortRef:
        return self.values.sort(ir.domain_type(self.vars[key[0]].type))

    def _literal_loc(self, var: str, idx: tuple[Term, ...]) -> Loc | None:
        """The location a literal index names, found in constant time (not by a scan of every
        location: `forall p :: f[p]` would be quadratic in the size of the sort)."""
        table = self._by_literals.get(var)
        if table is None:
            table = {}
            for i in self.locs[var]:
                lits = [self.values.const(v) for v in i]
                self._literals += lits
                table[tuple(t.get_id() for t in lits)] = (var, i)
            self._by_literals[var] = table
        return table.get(tuple(t.get_id() for t in idx))

    def _matching(self, var: str, idx: tuple[Term, ...]) -> list[tuple[Loc, Formula]]:
        known = [self.values.is_literal(t) for t in idx]
        if all(known):
            loc = self._literal_loc(var, idx)
            if loc is not None:
                return [(loc, z3.BoolVal(True, self.values.ctx))]
        out = []
        for loc_idx in self.locs[var]:
            conds = []
            for t, k, v in zip(idx, known, loc_idx, strict=True):
                c = self.values.const(v)
                if not k:
                    conds.append(t == c)
                elif not t.eq(c):
                    break
            else:
                out.append(((var, loc_idx), conj(conds, self.values.ctx)))
        return out

    def read(self, w: Mapping[Loc, Term], var: str, idx: tuple[Term, ...]) -> Term:
        cands = self._matching(var, idx)
        result = w[cands[-1][0]]  # type checking keeps indices in the domain: the last needs no test
        for loc, cond in reversed(cands[:-1]):
            result = ite(cond, w[loc], result)
        return result

    def write(self, w: dict[Loc, Term], var: str, idx: tuple[Term, ...], value: Term, pc: Formula) -> None:
        for loc, cond in self._matching(var, idx):
            w[loc] = ite(conj([pc, cond], self.values.ctx), value, w[loc])

    def locations(self, w: Mapping[Loc, Term]) -> dict[Loc, Term]:
        return dict(w)

class _Arrays(Layout):
    def keys(self) -> tuple[Loc, ...]:
        return tuple((v, ()) for v in self.locs)

    def key_sort(self, key: Loc) -> z3.SortRef:
        t = self.vars[key[0]].type
        if isinstance(t, FunT):
            return z3.ArraySort(*[self.values.sort(a) for a in t.args], self.values.sort(t.result))
        return self.values.sort(t)

    def read(self, w: Mapping[Loc, Term], var: str, idx: tuple[Term, ...]) -> Term:
        return z3.Select(w[(var, ())], *idx) if idx else w[(var, ())]

    def write(self, w: dict[Loc, Term], var: str, idx: tuple[Term, ...], value: Term, pc: Formula) -> None:
        old = w[(var, ())]
        w[(var, ())] = ite(pc, z3.Store(old, *idx, value) if idx else value, old)

    def locations(self, w: Mapping[Loc, Term]) -> dict[Loc, Term]:
        out: dict[Loc, Term] = {}
        for var, idxs in self.locs.items():
            for i in idxs:
                arr = w[(var, ())]
                out[(var, i)] = z3.Select(arr, *[self.values.const(v) for v in i]) if i else arr
        return out


def make_layout(functions: FunctionEncoding, inst: ir.Instance, values: Values) -> Layout:
    return (_Scalars if functions is FunctionEncoding.SCALARS else _Arrays)(inst, values)


# Comparisons and arithmetic: the same Python operators on Z3 integers and bit-vectors alike
# (symexec.py, parametric.py).
ARITH = {BinOp.LT: operator.lt, BinOp.LE: operator.le, BinOp.GT: operator.gt, BinOp.GE: operator.ge,
         BinOp.ADD: operator.add, BinOp.SUB: operator.sub, BinOp.MUL: operator.mul}
