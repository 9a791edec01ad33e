"""Reading a model of an all-sizes query (checker/solver/parametric.py): every sort is finite in a
model Z3 returns, so a quantified formula has a truth value there, and a symbolic state is a
concrete state of the instance whose sizes are the model's universes.

Z3's own evaluator leaves quantifiers unevaluated, so `evaluate` first expands each one over the
universes of its sorts (the bodies are instantiated with every tuple of elements), then asks the
model. Used to find which candidate lemmas a counterexample to induction falsifies (Houdini) and
to show that counterexample in model terms.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import replace

import z3

from checker.result import State
from spec import ir
from spec.types import BoolT, EnumT, FunT, IntT, RangeT, SortT, Type

MAX_INSTANCES = 4096  # a quantifier with more instantiations than this is not expanded


class Universes:
    """The elements of each declared sort in one model, in the model's order."""

    def __init__(self, model: z3.ModelRef, sorts: Mapping[str, z3.SortRef]):
        self.model = model
        self.elements: dict[str, list[z3.ExprRef]] = {}
        for name, sort in sorts.items():
            if isinstance(sort, z3.DatatypeSortRef) or sort.kind() != z3.Z3_UNINTERPRETED_SORT:
                continue
            u = model.get_universe(sort)
            self.elements[name] = list(u) if u is not None and len(u) > 0 else []
        self._by_sort = {sorts[n].name(): n for n in self.elements}
        # by AST id (the term is kept alive with its entry, so its id is not reused): does the
        # term contain a quantifier?
        self._quantified: dict[int, tuple[z3.ExprRef, bool]] = {}

    def sizes(self) -> tuple[tuple[str, int], ...]:
        return tuple((n, max(1, len(es))) for n, es in self.elements.items())

    def of(self, sort: z3.SortRef) -> list[z3.ExprRef] | None:
        name = self._by_sort.get(sort.name())
        return None if name is None or not self.elements[name] else self.elements[name]

    def index(self, sort: str, value: z3.ExprRef) -> int:
        for i, e in enumerate(self.elements[sort]):
            if e.eq(value):
                return i
        raise ValueError(f"{value} is not an element of {sort} in this model")

    # ------------------------------------------------------------ formulas

    def evaluate(self, f: z3.ExprRef) -> bool | None:
        """The truth value of `f` in the model (None when it cannot be told: a quantifier too
        large to expand, a sort the model does not list)."""
        try:
            g = self.model.eval(self._expand(f, {}), model_completion=True)
        except _Unexpandable:
            return None
        return True if z3.is_true(g) else False if z3.is_false(g) else None

    def _has_quantifier(self, t: z3.ExprRef) -> bool:
        key = t.get_id()
        entry = self._quantified.get(key)
        if entry is None:
            known = z3.is_quantifier(t) or (z3.is_app(t) and any(self._has_quantifier(t.arg(i))
                                                                 for i in range(t.num_args())))
            entry = self._quantified[key] = (t, known)
        return entry[1]

    def _expand(self, t: z3.ExprRef, memo: dict[int, tuple[z3.ExprRef, z3.ExprRef]]) -> z3.ExprRef:
        """`t` with every quantifier replaced by its expansion (terms without one unchanged:
        Z3 shares subterms, so most of a big step term is looked at once)."""
        key = t.get_id()
        if key in memo:
            return memo[key][1]
        if not self._has_quantifier(t):
            out = t
        elif z3.is_quantifier(t):
            out = self._quantifier(t, memo)
        elif z3.is_app(t) and t.num_args() > 0:
            kids = [self._expand(t.arg(i), memo) for i in range(t.num_args())]
            out = t.decl()(*kids) if any(not k.eq(t.arg(i)) for i, k in enumerate(kids)) else t
        else:
            out = t
        memo[key] = (t, out)
        return out

    def _quantifier(self, q: z3.QuantifierRef, memo: dict[int, tuple[z3.ExprRef, z3.ExprRef]]) -> z3.ExprRef:
        if q.is_lambda():
            raise _Unexpandable
        domains = []
        for i in range(q.num_vars()):
            es = self.of(q.var_sort(i))
            if es is None:
                raise _Unexpandable
            domains.append(es)
        if math.prod(len(d) for d in domains) > MAX_INSTANCES:
            raise _Unexpandable
        # Var(0) is the last bound variable (de Bruijn indices)
        parts = [self.model.eval(self._expand(z3.substitute_vars(q.body(), *reversed(combo)), memo),
                                 model_completion=True) for combo in itertools.product(*domains)]
        return z3.And(parts) if q.is_forall() else z3.Or(parts)

    # ------------------------------------------------------------ states

    def value(self, t: z3.ExprRef, typ: Type, enum_of: Mapping[str, ir.EnumVal]) -> ir.Value:
        """A term's value as an IR value (sort elements numbered in universe order)."""
        v = self.model.eval(self._expand(t, {}), model_completion=True)
        if isinstance(typ, BoolT):
            return z3.is_true(v)
        if isinstance(typ, IntT | RangeT):
            return int(v.as_long())
        if isinstance(typ, EnumT):
            return enum_of[str(v)]
        if isinstance(typ, SortT):
            return ir.Elem(typ.name, self.index(typ.name, v))
        raise TypeError(f"no value for {typ}")

    def args(self, t: Type, inst: ir.Instance) -> list[tuple[z3.ExprRef | None, ir.Value]]:
        """Every value of an argument type: the Z3 term for a sort element, else None (the caller
        builds the term of a finite value)."""
        if isinstance(t, SortT):
            return [(e, ir.Elem(t.name, i)) for i, e in enumerate(self.elements[t.name])]
        return [(None, v) for v in inst.domain(t)]


class _Unexpandable(Exception):
    pass


def sized(inst: ir.Instance, u: Universes) -> ir.Instance:
    """`inst` with the model's universe sizes."""
    return replace(inst, sizes=u.sizes())


def arg_types(t: Type) -> tuple[Type, ...]:
    return t.args if isinstance(t, FunT) else ()


def location_state(inst: ir.Instance, values: Mapping[tuple[str, tuple[ir.Value, ...]], ir.Value]) -> State:
    """A State of `inst` in its location order from a map of every location's value."""
    return State(tuple(((v.name, idx), values[(v.name, idx)]) for v in inst.model.vars for idx in inst.locations(v)))
