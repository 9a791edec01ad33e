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

from collections.abc import Callable, Iterator
from itertools import chain, permutations, product
from math import factorial
from operator import itemgetter
from typing import Any

from checker.interp import FastState, Semantics
from spec import ir
from spec.types import FunT, SortT, Type

State_ = FastState
_CACHE_MAX = 100_000  # permutation maps kept per engine run
MAX_ARRANGEMENTS = 720  # tied arrangements tried per state before settling for a cheaper form


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
        self._general_plan = [self._signature_plan(n) for n in self.general]
        self._general_sizes = [inst.size(n) for n in self.general]
        self._identity_key = tuple(tuple(range(n)) for n in self._general_sizes)
        self._freeze = sem.freeze
        self._maps: dict[tuple[tuple[int, ...], ...], Callable[[State_], State_]] = {}
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

    def _signature_plan(self, sort: str) -> list[Callable[[State_], tuple[Any, ...]]]:
        """Per element `e`, a function giving a signature of `e` in a state that does not change
        when elements are renamed: its entries in variables where `sort` is the only permutable
        sort (in location order), the sorted multiset of its entries where other permutable sorts
        index too, and how many entries of each sort-valued variable hold `e`. Entries whose values
        are permutable sort elements are left out (they change under renaming)."""
        inst = self.sem.instance
        lay = self.sem.layout
        perm = permutable_sorts(inst)
        plan = []
        for e in range(inst.size(sort)):
            fixed: list[int] = []
            multisets: list[list[int]] = []
            valued: list[list[int]] = []
            for v in inst.model.vars:
                vl = lay.vars[v.name]
                slots = range(vl.base, vl.base + vl.size)
                result_permuted = isinstance(vl.entry, SortT) and vl.entry.name in perm
                if isinstance(vl.entry, SortT) and vl.entry.name == sort:
                    valued.append(list(slots))
                if result_permuted:
                    continue
                others = sum(1 for t in vl.arg_types if isinstance(t, SortT) and t.name in perm) - 1
                for k, t in enumerate(vl.arg_types):
                    if isinstance(t, SortT) and t.name == sort:
                        mine = [j for j in slots if self._slot_args[j][2][k] == e]
                        if others > 0:
                            multisets.append(mine)
                        else:
                            fixed.extend(mine)
            plan.append(_signature_fn(e, fixed, multisets, valued))
        return plan

    def _arrangements(self, s: State_) -> list[tuple[tuple[int, ...], ...]]:
        """Every assignment old element -> new index (one tuple per general sort) that puts
        elements in signature order; one assignment when no two signatures tie."""
        per_sort = []
        for plan, n in zip(self._general_plan, self._general_sizes, strict=True):
            sigs = [sig(s) for sig in plan]
            order = sorted(range(n), key=sigs.__getitem__)
            if len(set(sigs)) == n:
                new_of = [0] * n
                for new, old in enumerate(order):
                    new_of[old] = new
                per_sort.append((tuple(new_of),))
                continue
            groups: list[list[int]] = []
            for e in order:
                if groups and sigs[groups[-1][0]] == sigs[e]:
                    groups[-1].append(e)
                else:
                    groups.append([e])
            per_sort.append(groups)
        total = 1
        for groups in per_sort:
            if isinstance(groups, list):
                for g in groups:
                    total *= factorial(len(g))
        if total > MAX_ARRANGEMENTS:
            self.partial = True
            return [tuple(g[0] if isinstance(g, tuple) else _first(g) for g in per_sort)]
        options = [g if isinstance(g, tuple) else tuple(_all(g)) for g in per_sort]
        if len(options) == 1:
            return [(o,) for o in options[0]]
        return list(product(*options))

    def _perm_map(self, key: tuple[tuple[int, ...], ...]) -> Callable[[State_], State_]:
        f = self._maps.get(key)
        if f is None:
            f = self._build_map(key)
            if len(self._maps) < _CACHE_MAX:
                self._maps[key] = f
        return f

    def _build_map(self, key: tuple[tuple[int, ...], ...]) -> Callable[[State_], State_]:
        lay = self.sem.layout
        perm = dict(zip(self.general, key, strict=True))
        src = [0] * lay.width
        for j, (var, args, codes) in enumerate(self._slot_args):
            new = tuple(perm[t.name][c] if isinstance(t, SortT) and t.name in perm else c
                        for t, c in zip(args, codes, strict=True))
            vl = lay.vars[var]
            dst = vl.base + sum((c - off) * st for c, off, st in zip(new, vl.offsets, vl.strides, strict=True))
            src[dst] = j
        get = itemgetter(*src) if lay.width > 1 else (lambda s: (s[src[0]],))
        fix = [(k, perm[t.name]) for k, t in enumerate(lay.slot_types) if isinstance(t, SortT) and t.name in perm]
        freeze = self._freeze

        def apply(s: State_) -> State_:
            out = list(get(s))
            for k, p in fix:
                out[k] = p[out[k]]
            return freeze(out)
        return apply

    def _canon(self, s: State_) -> State_:
        if self.simple:
            s = self._canon_simple(s)
        if self.general:
            keys = self._arrangements(s)
            if len(keys) == 1:
                return self._freeze(s) if keys[0] == self._identity_key else self._perm_map(keys[0])(s)
            s = min(self._perm_map(key)(s) for key in keys)
        return s


def _all(groups: list[list[int]]) -> Iterator[tuple[int, ...]]:
    """Every old -> new assignment that keeps the groups (of tied elements) in order."""
    n = sum(len(g) for g in groups)
    for arrangement in product(*(permutations(g) for g in groups)):
        new_of = [0] * n
        for new, old in enumerate(chain.from_iterable(arrangement)):
            new_of[old] = new
        yield tuple(new_of)


def _first(groups: list[list[int]]) -> tuple[int, ...]:
    """The assignment that breaks ties by element index."""
    return next(_all(groups))


def _identity(s: State_) -> State_:
    return s


def _getter(slots: list[int]) -> Callable[[State_], tuple[int, ...]]:
    """`itemgetter` that always returns a tuple."""
    if len(slots) == 1:
        j = slots[0]
        return lambda s: (s[j],)
    if not slots:
        return lambda s: ()
    return itemgetter(*slots)  # type: ignore[return-value]


def _signature_fn(e: int, fixed: list[int], multisets: list[list[int]],
                  valued: list[list[int]]) -> Callable[[State_], tuple[Any, ...]]:
    get_fixed = _getter(fixed)
    get_multi = [_getter(m) for m in multisets]
    get_valued = [_getter(v) for v in valued]

    def signature(s: State_) -> tuple[Any, ...]:
        return (get_fixed(s), *[tuple(sorted(g(s))) for g in get_multi], *[g(s).count(e) for g in get_valued])
    return signature
