"""How many states a symmetry-reduced search stands for; Semantics x sorts -> orbit sizes.

With reduction on, the explicit engine stores one state per orbit (checker/symmetry.py). The
reachable states are closed under renaming sort elements (the initial states are, and renaming
commutes with every action), so they are exactly the union of the orbits of the stored
representatives, and the unreduced state count is the sum of their orbit sizes. An orbit's size
is the number of distinct images of its representative under every permutation of every
permutable sort. This module enumerates the whole group and shares no code with the canonical
form, so the tests can use it to check that form against unreduced searches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from itertools import permutations, product
from math import factorial, prod
from operator import itemgetter

from checker.interp import FastState, Semantics
from spec import ir
from spec.types import FunT, SortT, Type

Image = Callable[[FastState], tuple[int, ...]]
MAX_GROUP = 40_320  # 8!: beyond that, building the permutations alone takes too long


def group_size(sizes: Iterable[int]) -> int:
    """Permutations of sorts of these sizes, each permuted independently."""
    return prod(factorial(n) for n in sizes)


class OrbitCounter:
    """`size(s)`: the number of states `s` stands for under renaming of `sorts`' elements."""

    def __init__(self, sem: Semantics, sorts: tuple[str, ...]) -> None:
        inst = sem.instance
        self.sorts = sorts
        self.group = group_size(inst.size(n) for n in sorts)
        lay = sem.layout
        slot_of = {loc: j for j, loc in enumerate(lay.locs)}
        self._images: list[Image] = []
        for choice in product(*(permutations(range(inst.size(n))) for n in sorts)):
            renaming = dict(zip(sorts, choice, strict=True))  # sort -> old code -> new code
            if all(p == tuple(range(len(p))) for p in choice):
                continue  # the identity: every state is its own image
            self._images.append(_image(sem, slot_of, renaming))

    def size(self, s: FastState) -> int:
        base = tuple(s)
        return 1 + len({img for f in self._images if (img := f(s)) != base})

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
        return get  # type: ignore[return-value]

    def image(s: FastState) -> tuple[int, ...]:
        out = list(get(s))
        for k, p in value_maps:
            out[k] = p[out[k]]
        return tuple(out)
    return image
