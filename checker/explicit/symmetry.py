"""Canonical states under permutations of each sort's elements; Semantics -> Symmetry (state -> state).

Sorts are unordered by design: the type checker forbids order and arithmetic on sort elements and
the language has no sort literals, so permuting the elements of a sort maps reachable states to
reachable states and preserves every property. The explicit engine stores one representative per
orbit: `canon(s)` is the same tuple for every state in the orbit of `s` (exact, not a heuristic).

Two schemes, chosen per sort:
- a *simple* sort (every variable that mentions it is a function with that sort as its only sort
  argument and a non-sort result, e.g. `st: Page -> PageState`, `perm: (Page, Access) -> bool`):
  an element's data is exactly its entries, elements do not refer to each other, so sorting the
  elements by their entries is a canonical form;
- any other sort (relations between elements, sort-valued entries): elements are sorted by a
  permutation-invariant signature, and the canonical form is the minimum image over every
  arrangement of elements whose signatures tie (exact; costly only when many elements tie).
  When more than MAX_ARRANGEMENTS arrangements tie (8 identical pages: 40,320), the state is
  mapped by the first arrangement only: still a deterministic member of its own orbit, so the
  search stays sound, but an orbit may then be stored more than once (`partial` says so).

Reduction is unsound in one corner of the semantics: a `forall` over a sort whose body holds two
different checks reports the failing run that comes first in domain order, so which property
fails depends on the order of elements. `blockers(inst)` names such statements; the engine then
turns symmetry off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import chain, permutations, product
from math import factorial
from operator import itemgetter
from typing import Any

from checker.interp.semantics import FastState, Semantics
from spec import ir
from spec.types import BoolT, FunT, SortT, Type

State_ = FastState
Perm = dict[str, tuple[int, ...]]  # sort -> the new index of each element (a renaming of elements)
_CACHE_MAX = 100_000  # permutation maps kept per engine run
_MEMO_MAX = 1 << 16  # signature orders remembered per sort (a search sees few distinct ones)
MAX_ARRANGEMENTS = 120  # tied arrangements tried per state before settling for a cheaper form
# a sort's elements in signature order (old indices), and whether each one ties with the next
Outcome = tuple[tuple[int, ...], tuple[bool, ...]]
_REFINE: Outcome = ((), ())  # memo mark: the fixed entries tie, look at the relations too


def _sorts_of(t: Type, permutable: frozenset[str]) -> list[str]:
    """The permutable sorts `t` mentions (arguments, then result), with repetitions."""
    if isinstance(t, FunT):
        return [a.name for a in t.args if isinstance(a, SortT) and a.name in permutable] \
            + _sorts_of(t.result, permutable)
    return [t.name] if isinstance(t, SortT) and t.name in permutable else []


def permutable_sorts(inst: ir.Instance) -> frozenset[str]:
    """Sorts with more than one element that some variable mentions (a sort of size 1 has
    nothing to permute: its arguments and values behave like constants)."""
    every = frozenset(n for n, size in inst.sizes if size > 1)
    return frozenset(n for n in every if any(n in _sorts_of(v.type, every) for v in inst.model.vars))


def simple_sorts(inst: ir.Instance) -> frozenset[str]:
    """Permutable sorts whose every variable is a function with that sort as its only permutable
    sort argument and a result that is not a permutable sort."""
    perm = permutable_sorts(inst)
    out = set()
    for name in perm:
        ok = True
        for v in inst.model.vars:
            mentioned = _sorts_of(v.type, perm)
            if name not in mentioned:
                continue
            args = v.type.args if isinstance(v.type, FunT) else ()
            arg_sorts = [a for a in args if isinstance(a, SortT) and a.name in perm]
            if len(arg_sorts) != 1 or len(mentioned) != 1:
                ok = False
        if ok:
            out.add(name)
    return frozenset(out)


def blockers(inst: ir.Instance) -> list[str]:
    """Statements under which reduction would change verdicts (see the module docstring)."""
    out: list[str] = []

    def walk(stmts: tuple[ir.Stmt, ...], owner: str) -> None:
        for s in stmts:
            if isinstance(s, ir.If):
                walk(s.then, owner)
                walk(s.else_, owner)
            elif isinstance(s, ir.Forall):
                if isinstance(s.domain, SortT) and inst.size(s.domain.name) > 1 \
                        and len({(c.prop, c.message) for c in _checks(s.body)}) > 1:
                    out.append(f"{owner}: `forall {s.var}: {s.domain}` at {s.span} holds checks of different "
                               "properties, and which one fails first depends on the order of elements")
                walk(s.body, owner)

    walk(inst.model.init, "init")
    for a in inst.model.actions:
        walk(a.body, a.name)
    return out


def _checks(stmts: tuple[ir.Stmt, ...]) -> Iterator[ir.Check]:
    for s in stmts:
        if isinstance(s, ir.Check):
            yield s
        elif isinstance(s, ir.If):
            yield from _checks(s.then)
            yield from _checks(s.else_)
        elif isinstance(s, ir.Forall):
            yield from _checks(s.body)


class Symmetry:
    """`canon(s)`: the representative of the orbit of the fast-form state `s` (see module doc)."""

    def __init__(self, sem: Semantics) -> None:
        self.sem = sem
        inst = sem.instance
        lay = sem.layout
        perm_sorts = permutable_sorts(inst)
        permutable = [n for n, _size in inst.sizes if n in perm_sorts]
        simple = simple_sorts(inst)
        self.simple = tuple(n for n in permutable if n in simple)
        self.general = tuple(n for n in permutable if n not in simple)
        # per location: its variable, its index codes, and its entry type
        self._slot_args: list[tuple[str, tuple[Type, ...], tuple[int, ...]]] = []
        for v in inst.model.vars:
            args = v.type.args if isinstance(v.type, FunT) else ()
            for idx in inst.locations(v):
                self._slot_args.append((v.name, tuple(args), tuple(lay.code(t, x) for t, x in zip(args, idx,
                                                                                                   strict=True))))
        self._simple_plan = [self._simple_sort_plan(n) for n in self.simple]
        self._gather = self._simple_gather()
        self._orders = [self._sort_order(n) for n in self.general]
        self._identity_key = tuple(tuple(range(inst.size(n))) for n in self.general)
        self._freeze = sem.freeze
        self._maps: dict[tuple[tuple[int, ...], ...], Callable[[State_], State_]] = {}
        self._plans: dict[tuple[Outcome, ...], list[Callable[[State_], State_]]] = {}  # outcomes -> maps
        self._plan_orders: dict[tuple[Outcome, ...], list[tuple[tuple[int, ...], ...]]] = {}  # ... their orders
        self.partial = False  # set once a state had too many tied arrangements to minimise over
        self.active = bool(self.simple or self.general)
        self.canon: Callable[[State_], State_] = self._canon if self.active else _identity

    # --------------------------------------------------------------- simple sorts

    def _element_slots(self, sort: str, e: int) -> list[int]:
        """The slots of element `e`: every entry of every variable indexed by `sort`, in slot order."""
        out = []
        for j, (_var, args, codes) in enumerate(self._slot_args):
            if any(isinstance(t, SortT) and t.name == sort and c == e for t, c in zip(args, codes, strict=True)):
                out.append(j)
        return out

    def _simple_sort_plan(self, sort: str) -> tuple[int, Callable[[State_], Any], list[list[int]]]:
        n = self.sem.instance.size(sort)
        slots = [self._element_slots(sort, e) for e in range(n)]
        m = len(slots[0])
        if m == 1:
            return m, itemgetter(*[s[0] for s in slots]), slots
        getters = [itemgetter(*s) for s in slots]
        return m, (lambda s: [g(s) for g in getters]), slots

    def _simple_gather(self) -> Callable[[tuple[Any, ...]], State_]:
        """Picks the canonical state out of `s + sorted entries of each simple sort`."""
        width = self.sem.layout.width
        src = list(range(width))
        pos = width
        for _m, _get, slots in self._simple_plan:
            for elem_slots in slots:
                for j in elem_slots:
                    src[j] = pos
                    pos += 1
        return itemgetter(*src) if width > 1 else (lambda t: (t[src[0]],))

    def _canon_simple(self, s: State_) -> State_:
        parts: list[Any] = [s]
        moved = False
        for m, get, _slots in self._simple_plan:
            rows = get(s)
            ordered = sorted(rows)
            moved = moved or ordered != list(rows)
            parts.append(ordered if m == 1 else chain.from_iterable(ordered))
        if not moved:  # already in order (most successors of a representative are)
            return self._freeze(s)  # the same object when `s` already has the state type
        return self._freeze(self._gather(tuple(chain.from_iterable(parts))))

    # --------------------------------------------------------------- general sorts

    def _sort_order(self, sort: str) -> _SortOrder:
        """Which entries make up the signature of each element of `sort` (see _SortOrder)."""
        inst = self.sem.instance
        lay = self.sem.layout
        perm = permutable_sorts(inst)
        n = inst.size(sort)
        fixed: list[list[int]] = [[] for _ in range(n)]
        counted: list[list[list[int]]] = [[] for _ in range(n)]  # bool entries: the count of trues
        sorted_: list[list[list[int]]] = [[] for _ in range(n)]
        valued: list[list[int]] = []
        for v in inst.model.vars:
            vl = lay.vars[v.name]
            slots = range(vl.base, vl.base + vl.size)
            if isinstance(vl.entry, SortT) and vl.entry.name == sort:
                valued.append(list(slots))
            if isinstance(vl.entry, SortT) and vl.entry.name in perm:
                continue
            others = sum(1 for t in vl.arg_types if isinstance(t, SortT) and t.name in perm) - 1
            for k, t in enumerate(vl.arg_types):
                if isinstance(t, SortT) and t.name == sort:
                    for e in range(n):
                        mine = [j for j in slots if self._slot_args[j][2][k] == e]
                        if others == 0:
                            fixed[e].extend(mine)
                        else:
                            (counted if isinstance(vl.entry, BoolT) else sorted_)[e].append(mine)
        return _SortOrder(n, fixed, counted, sorted_, valued)

    def _plan(self, key: tuple[Outcome, ...]) -> list[Callable[[State_], State_]]:
        """The maps whose images the canonical form is the minimum of: one per arrangement of the
        tied elements (every sort), or only the first when there are more than MAX_ARRANGEMENTS."""
        options: list[list[tuple[int, ...]]] = []
        total = 1
        for order, ties in key:
            groups = _groups(order, ties)
            for g in groups:
                total *= factorial(len(g))
            options.append([tuple(chain.from_iterable(a)) for a in product(*(permutations(g) for g in groups))]
                           if total <= MAX_ARRANGEMENTS else [order])
        if total > MAX_ARRANGEMENTS:
            self.partial = True
            options = [[order] for order, _ties in key]
        arrangements = list(product(*options))
        plan = [self._freeze if orders == self._identity_key else self._perm_map(orders) for orders in arrangements]
        if len(self._plans) >= _CACHE_MAX:
            self._plans.clear()
            self._plan_orders.clear()
        self._plans[key] = plan
        self._plan_orders[key] = arrangements
        return plan

    def _perm_map(self, orders: tuple[tuple[int, ...], ...]) -> Callable[[State_], State_]:
        f = self._maps.get(orders)
        if f is None:
            f = self._build_map(orders)
            if len(self._maps) >= _CACHE_MAX:
                self._maps.clear()
            self._maps[orders] = f
        return f

    def _build_map(self, orders: tuple[tuple[int, ...], ...]) -> Callable[[State_], State_]:
        """The renaming that moves element `order[i]` of each general sort to index `i`."""
        return self._rename_map({name: inverse(order) for name, order in zip(self.general, orders, strict=True)})

    def _rename_map(self, perm: Perm) -> Callable[[State_], State_]:
        """The renaming that makes element `e` of each sort in `perm` element `perm[sort][e]`."""
        lay = self.sem.layout
        src = [0] * lay.width
        for j, (var, args, codes) in enumerate(self._slot_args):
            renamed = tuple(perm[t.name][c] if isinstance(t, SortT) and t.name in perm else c
                            for t, c in zip(args, codes, strict=True))
            vl = lay.vars[var]
            dst = vl.base + sum((c - off) * st for c, off, st in zip(renamed, vl.offsets, vl.strides, strict=True))
            src[dst] = j
        get = _getter(src)
        fix = [(k, perm[t.name]) for k, t in enumerate(lay.slot_types) if isinstance(t, SortT) and t.name in perm]
        freeze = self._freeze
        if not fix:
            return lambda s: freeze(get(s))

        def apply(s: State_) -> State_:
            out = list(get(s))
            for k, p in fix:
                out[k] = p[out[k]]
            return freeze(out)
        return apply

    # --------------------------------------------------------------- the renaming behind canon

    def permutation(self, s: State_) -> Perm:
        """The renaming `canon` applies to `s`: `canon(s) == rename(s, permutation(s))`, whatever
        the form (exact or, past MAX_ARRANGEMENTS ties, a cheaper one). Traces are concretised with
        it, so they never depend on the representative being a function of the orbit."""
        perm: Perm = {}
        if self.simple:
            for name, (_m, get, _slots) in zip(self.simple, self._simple_plan, strict=True):
                rows = list(get(s))
                perm[name] = inverse(tuple(sorted(range(len(rows)), key=rows.__getitem__)))
            s = self._canon_simple(s)
        if self.general:
            key = tuple([o.outcome(s) for o in self._orders])
            plan = self._plans.get(key)
            if plan is None:
                plan = self._plan(key)
            arrangements = self._plan_orders[key]
            best = 0 if len(plan) == 1 else min(range(len(plan)), key=lambda k: plan[k](s))
            perm.update({name: inverse(order) for name, order in zip(self.general, arrangements[best], strict=True)})
        return perm

    def rename(self, s: State_, perm: Perm) -> State_:
        """`s` with element `e` of each sort in `perm` renamed `perm[sort][e]`."""
        return self._rename_map(perm)(s)

    def _canon(self, s: State_) -> State_:
        if self.simple:
            s = self._canon_simple(s)
        if self.general:
            key = tuple([o.outcome(s) for o in self._orders])
            plan = self._plans.get(key)
            if plan is None:
                plan = self._plan(key)
            if len(plan) == 1:
                return plan[0](s)
            return min([f(s) for f in plan])
        return s


class _SortOrder:
    """The elements of one general sort in signature order. A signature does not change when
    elements are renamed: the element's entries in variables where the sort is the only permutable
    sort (in location order, `fixed`), then, only when those tie, the multiset of its entries where
    other permutable sorts index too (`counted`: bool entries, as the count of trues; `sorted_`:
    others, sorted) and how many entries of each sort-valued variable hold it (`valued`). Entries
    whose values are permutable sort elements are left out (they change under renaming).

    `outcome(s)`: the old elements in signature order with ties broken by index, and whether each
    one's signature equals the next one's. It depends only on the gathered entries, and few
    distinct gathers occur in a search, so it is memoised by them."""

    def __init__(self, n: int, fixed: list[list[int]], counted: list[list[list[int]]],
                 sorted_: list[list[list[int]]], valued: list[list[int]]) -> None:
        self.n = n
        m = len(fixed[0])
        slots = list(chain.from_iterable(fixed))
        self._get_fixed = _getter(slots)
        self._fixed = [slice(e * m, (e + 1) * m) for e in range(n)]

        def spans(groups: list[list[int]]) -> list[slice]:
            out = []
            for g in groups:
                out.append(slice(len(slots), len(slots) + len(g)))
                slots.extend(g)
            return out

        self._counted = [sl for e in range(n) for sl in spans(counted[e])]
        self._sorted = [sl for e in range(n) for sl in spans(sorted_[e])]
        self._valued = spans(valued)
        self._nc, self._ns = len(counted[0]), len(sorted_[0])
        self.refines = bool(self._counted or self._sorted or self._valued)
        self._get_all = _getter(slots)
        self._memo: dict[tuple[int, ...], Outcome] = {}  # fixed gather -> outcome, or _REFINE
        self._memo_all: dict[tuple[int, ...], Outcome] = {}  # every gathered entry -> outcome

    def outcome(self, s: State_) -> Outcome:
        t = self._get_fixed(s)
        r = self._memo.get(t)
        if r is None:
            r = _outcome(list(map(t.__getitem__, self._fixed)))
            if self.refines and True in r[1]:
                r = _REFINE
            if len(self._memo) >= _MEMO_MAX:
                self._memo.clear()
            self._memo[t] = r
        if r is not _REFINE:
            return r
        u = self._get_all(s)
        r = self._memo_all.get(u)
        if r is None:
            r = _outcome(self._signatures(u))
            if len(self._memo_all) >= _MEMO_MAX:
                self._memo_all.clear()  # a long search drifts: forget everything, relearn what recurs
            self._memo_all[u] = r
        return r

    def _signatures(self, u: tuple[int, ...]) -> list[Any]:
        fixed = map(u.__getitem__, self._fixed)
        counts = iter(list(map(sum, map(u.__getitem__, self._counted))))
        multis = iter([tuple(sorted(u[sl])) for sl in self._sorted])
        held = [list(map(u[sl].count, range(self.n))) for sl in self._valued]
        return list(zip(fixed, *[counts] * self._nc, *[multis] * self._ns, *held, strict=True))



def _outcome(sig: list[Any]) -> Outcome:
    order = tuple(sorted(range(len(sig)), key=sig.__getitem__))
    ks = [sig[e] for e in order]
    return order, tuple(a == b for a, b in zip(ks, ks[1:], strict=False))


def _groups(order: tuple[int, ...], ties: tuple[bool, ...]) -> list[list[int]]:
    """`order` cut into runs of elements whose signatures tie."""
    groups = [[order[0]]]
    for e, tied in zip(order[1:], ties, strict=True):
        if tied:
            groups[-1].append(e)
        else:
            groups.append([e])
    return groups


def _identity(s: State_) -> State_:
    return s


def inverse(order: Sequence[int]) -> tuple[int, ...]:
    """The inverse of a permutation of 0..n-1 given as a sequence (`order[new] = old` ->
    `out[old] = new`, and back)."""
    out = [0] * len(order)
    for new, old in enumerate(order):
        out[old] = new
    return tuple(out)


def _getter(slots: list[int]) -> Callable[[State_], tuple[int, ...]]:
    """`itemgetter` that always returns a tuple."""
    if len(slots) == 1:
        j = slots[0]
        return lambda s: (s[j],)
    if not slots:
        return lambda s: ()
    return itemgetter(*slots)
