"""The explicit engine's successor function for byte states: each action's outcomes cached by the
slots it may touch; Semantics -> Transitions.

The outcomes of an action on a state `s` depend only on the slots its body may read (and the
assumes, which are evaluated on the successor); a successor differs from `s` only in the slots
the body may write. Both sets come from checker/interp/footprint.py. So with `K` = reads |
writes | assume reads, two states that agree on `K` have the same outcomes, and each successor
is the state with its written slots replaced by values that `K` determines. A reachable state
space revisits few combinations of an action's slots (a page-local action sees each page in a
handful of configurations), so most lookups hit and no body runs.

States are `bytes`; slot `k` is byte `k`, i.e. bits `8k..8k+7` of `int.from_bytes(s, "little")`.
A cache entry is `[outcomes, coverage deltas, hits]`: outcomes as `(instance, o)` pairs in the
order the expander gives them, deduplicated per instance, where `o` is `None` (the successor is
`s` itself), an int (the successor's written slots) or a `Violation`. Coverage is counted per
hit and added to `sem.coverage` by `flush()`, so every outcome counts exactly as when the body
runs. Each cache holds at most `max_entries` keys (then it is flushed and emptied).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from checker.interp.expr import Layout
from checker.interp.footprint import expr_reads, slot_mask
from checker.interp.semantics import Semantics
from checker.interp.stmt import Violation
from spec import ir

Entry = list[Any]  # [tuple of (instance, None | int | Violation), tuple of (coverage id, delta), hits]
Miss = Callable[[bytes, int], Entry]
Plan = tuple[int, int, dict[int, Entry], Miss]  # key mask, keep mask, cache, miss
LITTLE: Literal["little"] = "little"
FIRST_REVIEW = 64  # misses before an action's hit rate is first looked at


def read_mask(layout: Layout, expr: ir.Expr) -> int:
    """The bits of the slots a closed expression (a property, an assume) may read, plus one bit
    past the state that no difference of two states has (so `-1 & mask`, "anything may have
    changed", is never 0, even for a constant)."""
    return slot_mask(expr_reads(layout, expr, {})) | 1 << (8 * layout.width)


class Transitions:
    """`plans`: one `(key mask, keep mask, cache, miss)` per action that can ever fire, in action
    order; the engine looks up `cache.get(int_state & key)`, calls `miss(s, int_state)` when absent,
    counts `entry[2] += 1`, and builds successors as `((int_state & keep) | o).to_bytes(width)`.
    An outcome may also be a `bytes` successor: an action whose cache hits less often than it
    misses stops caching and hands out its expander's outcomes as they are."""

    def __init__(self, sem: Semantics, max_entries: int = 1 << 16) -> None:
        if not sem.layout.compact:
            raise ValueError("the transition cache needs byte states (every value fits a byte)")
        self.sem = sem
        self.width = sem.layout.width
        full = (1 << (8 * self.width)) - 1
        self._actions = [_ActionCache(sem, n, key, full ^ wmask, max_entries)
                         for n, fp in enumerate(sem.footprints) if fp is not None for key, wmask in (fp,)]
        self.plans: tuple[Plan, ...] = tuple((a.key, a.keep, a.cache, a.miss) for a in self._actions)

    def flush(self) -> None:
        """Add the outcomes counted by cache hits to `sem.coverage` (call once the search ends)."""
        for a in self._actions:
            a.flush()

    def caching(self) -> list[bool]:
        """Per plan, whether that action still caches (for tests and benchmarks)."""
        return [not a.direct for a in self._actions]


class _ActionCache:
    """The cache of one action: entries by key, and whether caching pays (hits >= misses)."""

    def __init__(self, sem: Semantics, n: int, key: int, keep: int, limit: int) -> None:
        self.name = sem.instance.model.actions[n].name
        self.key, self.keep, self.wmask = key, keep, ((1 << (8 * sem.layout.width)) - 1) ^ keep
        self.cache: dict[int, Entry] = {}
        self.expand = sem.expanders[n]
        self.lo, self.hi = sem.coverage_spans[n]
        self.counts = sem.coverage.counts
        self.limit = limit
        self.misses = 0
        self.hits = 0  # uses of entries already flushed
        self.direct = False
        # The entry of "no outcome", shared by this action's states that have none. Searches
        # count hits on it (never flushed: it has no coverage), so it is per action, per search.
        self.nothing: Entry = [(), (), 0]

    def miss(self, s: bytes, si: int) -> Entry:
        if self.direct:  # the bodies count their own coverage
            found = self.expand(s)
            if not found:
                return self.nothing
            return [[(i, o) for i, olist in found for o in (olist if len(olist) == 1 else dict.fromkeys(olist))],
                    (), 0]
        counts, lo, hi = self.counts, self.lo, self.hi
        before = counts[lo:hi]
        found = self.expand(s)
        after = counts[lo:hi]
        counts[lo:hi] = before  # counted per hit instead, by flush()
        entry: Entry = [self._outcomes(found, si), tuple((lo + k, a - b) for k, (a, b)
                                                          in enumerate(zip(after, before, strict=True)) if a != b), 0]
        self.misses += 1
        if self.misses & (self.misses - 1) == 0 and self.misses >= FIRST_REVIEW and self._poor():
            self.flush()
            self.cache.clear()
            self.direct = True
            for b, d in entry[1]:  # this entry is not kept: it counts once, now
                counts[b] += d
            entry[1] = ()
            return entry
        if len(self.cache) >= self.limit:
            self.flush()
            self.cache.clear()
        self.cache[si & self.key] = entry
        return entry

    def _outcomes(self, found: list[tuple[int, list[Any]]], si: int) -> tuple[tuple[int, Any], ...]:
        outs: list[tuple[int, Any]] = []
        keep, wmask = self.keep, self.wmask
        sw, sk = si & wmask, si & keep
        for i, olist in found:
            for o in _unique(olist):
                if o.__class__ is Violation:
                    outs.append((i, o))
                    continue
                ti = int.from_bytes(o, LITTLE)
                if ti & keep != sk:
                    raise AssertionError(f"{self.name} wrote a slot outside its footprint")
                v = ti & wmask
                outs.append((i, None if v == sw else v))
        return tuple(outs)

    def _poor(self) -> bool:
        """Checked at 64, 128, 256... misses: fewer hits than misses so far (every lookup counts
        a use of its entry, the first one included)."""
        uses = self.hits + sum(e[2] for e in self.cache.values())
        return uses - self.misses < self.misses

    def flush(self) -> None:
        counts = self.counts
        for entry in self.cache.values():
            hits = entry[2]
            if hits:
                self.hits += hits
                for b, d in entry[1]:
                    counts[b] += d * hits
                entry[2] = 0


def _unique(olist: list[Any]) -> Any:
    return dict.fromkeys(olist) if len(olist) > 1 else olist
