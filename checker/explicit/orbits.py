"""How many states a symmetry-reduced search stands for; Semantics x sorts -> orbit sizes.

With reduction on, the explicit engine stores one state per orbit (checker/explicit/symmetry.py). The
reachable states are closed under renaming sort elements (the initial states are, and renaming
commutes with every action), so they are exactly the union of the orbits of the stored
representatives, and the unreduced state count is the sum of their orbit sizes.

An orbit's size is |G| / |Stab(s)| (G: every permutation of every permutable sort; Stab(s): those
that map `s` to itself). A permutation that fixes `s` maps each element to one with the same
signature (its entries, its position in each index, what holds it: nothing that renaming
changes), so only the permutations within classes of equal signatures are tried, each applied to
`s`. This shares no code with the canonical form (checker/explicit/symmetry.py), so the tests can use it to
check that form against unreduced searches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from itertools import permutations, product
from math import factorial, prod
from operator import itemgetter

from checker.interp.semantics import FastState, Semantics
from spec import ir
from spec.types import FunT, SortT, Type

Image = Callable[[FastState], tuple[int, ...]]
MAX_GROUP = 40_320  # 8!: beyond that, a state with many tied elements costs too many images


def group_size(sizes: Iterable[int]) -> int:
    """Permutations of sorts of these sizes, each permuted independently."""
    return prod(factorial(n) for n in sizes)


class OrbitCounter:
    """`size(s)`: the number of states `s` stands for under renaming of `sorts`' elements."""

    def __init__(self, sem: Semantics, sorts: tuple[str, ...]) -> None:
        inst = sem.instance
        self.sem = sem
        self.sorts = sorts
        self.group = group_size(inst.size(n) for n in sorts)
        lay = sem.layout
        self._slot_of = {loc: j for j, loc in enumerate(lay.locs)}
        self._images: dict[tuple[tuple[int, ...], ...], Image] = {}
        # per sort, per element: (slot, variable, argument position) of every location it indexes,
        # and per sort the slots of variables whose entries are its elements
        arg_types = {v.name: v.type.args if isinstance(v.type, FunT) else () for v in inst.model.vars}
        self._where: list[list[list[tuple[int, str, int]]]] = []
        self._held: list[list[list[int]]] = []
        for n in sorts:
            where: list[list[tuple[int, str, int]]] = [[] for _ in range(inst.size(n))]
            for j, (var, idx) in enumerate(lay.locs):
                for k, (typ, x) in enumerate(zip(arg_types[var], idx, strict=True)):
                    if isinstance(typ, SortT) and typ.name == n:
                        assert isinstance(x, ir.Elem)
                        where[x.index].append((j, var, k))
            self._where.append(where)
            held: dict[str, list[int]] = {}
            for j, (var, _idx) in enumerate(lay.locs):
                if isinstance(lay.slot_types[j], SortT) and lay.slot_types[j].name == n:  # type: ignore[union-attr]
                    held.setdefault(var, []).append(j)
            self._held.append(list(held.values()))
        self._renamed = {j for j, t in enumerate(lay.slot_types) if isinstance(t, SortT) and t.name in sorts}

    def size(self, s: FastState) -> int:
        options = [self._class_preserving(s, n) for n in range(len(self.sorts))]
        base = tuple(s)
        fixed = sum(1 for key in product(*options) if self._image(key)(s) == base)
        return self.group // fixed

    def _class_preserving(self, s: FastState, n: int) -> list[tuple[int, ...]]:
        """Every permutation of sort `n` (old index -> new index) that keeps each element within
        its class of equal signatures."""
        renamed = self._renamed
        sigs = [(tuple(sorted((var, k, -1 if j in renamed else s[j]) for j, var, k in where)),
                 tuple(sum(1 for j in slots if s[j] == e) for slots in self._held[n]))
                for e, where in enumerate(self._where[n])]
        classes: dict[tuple[object, ...], list[int]] = {}
        for e, sig in enumerate(sigs):
            classes.setdefault(sig, []).append(e)
        groups = list(classes.values())
        out = []
        for choice in product(*(permutations(g) for g in groups)):
            new_of = [0] * len(sigs)
            for g, moved in zip(groups, choice, strict=True):
                for old, new in zip(g, moved, strict=True):
                    new_of[old] = new
            out.append(tuple(new_of))
        return out

    def _image(self, key: tuple[tuple[int, ...], ...]) -> Image:
        f = self._images.get(key)
        if f is None:
            f = self._images[key] = _image(self.sem, self._slot_of, dict(zip(self.sorts, key, strict=True)))
        return f

    def total(self, states: Iterable[FastState], deadline: float | None = None) -> int | None:
        """The sum of the orbit sizes; None when `deadline` (time.monotonic()) passed first."""
        out = 0
        for n, s in enumerate(states):
            if n & 255 == 0 and deadline is not None and time.monotonic() > deadline:
                return None
            out += self.size(s)
        return out


def _image(sem: Semantics, slot_of: dict[tuple[str, tuple[ir.Value, ...]], int],
           renaming: dict[str, tuple[int, ...]]) -> Image:
    """The map from a state to its image under `renaming` (sort -> new index of each old index):
    the entry at `var[i]` moves to `var[renamed i]`, and sort-valued entries are renamed too."""
    lay = sem.layout
    arg_types = {v.name: v.type.args if isinstance(v.type, FunT) else () for v in sem.instance.model.vars}

    def renamed(t: Type, v: ir.Value) -> ir.Value:
        if isinstance(t, SortT) and t.name in renaming:
            assert isinstance(v, ir.Elem)
            return ir.Elem(t.name, renaming[t.name][v.index])
        return v

    src = [0] * lay.width
    for j, (var, idx) in enumerate(lay.locs):
        src[slot_of[(var, tuple(renamed(t, x) for t, x in zip(arg_types[var], idx, strict=True)))]] = j
    value_maps = [(k, renaming[t.name]) for k, t in enumerate(lay.slot_types)
                  if isinstance(t, SortT) and t.name in renaming]

    get = itemgetter(*src)
    if len(src) == 1:
        return lambda s: (s[src[0]],)
    if not value_maps:
        return get

    def image(s: FastState) -> tuple[int, ...]:
        out = list(get(s))
        for k, p in value_maps:
            out[k] = p[out[k]]
        return tuple(out)
    return image
