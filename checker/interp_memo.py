"""The explicit engine's successor function for byte states: each action's outcomes cached by the
slots it may touch; Semantics -> Transitions.

The outcomes of an action on a state `s` depend only on the slots its body may read (and the
assumes, which are evaluated on the successor); a successor differs from `s` only in the slots
the body may write. Both sets come from checker/interp_footprint.py. So with `K` = reads |
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
from typing import Any

from checker.interp import Semantics
from checker.interp_expr import Layout
from checker.interp_footprint import expr_reads, stmts_footprint
from checker.interp_stmt import Violation
from spec import ir

Entry = list[Any]  # [tuple of (instance, None | int | Violation), tuple of (coverage id, delta), hits]
Miss = Callable[[bytes, int], Entry]
Plan = tuple[int, int, dict[int, Entry], Miss]  # key mask, keep mask, cache, miss
LITTLE = "little"


def slot_mask(slots: set[int]) -> int:
    m = 0
    for k in slots:
        m |= 0xFF << (8 * k)
    return m


def read_mask(layout: Layout, expr: ir.Expr) -> int:
    """The bits of the slots a closed expression (a property, an assume) may read, plus one bit
    past the state that no difference of two states has (so `-1 & mask`, "anything may have
    changed", is never 0, even for a constant)."""
    return slot_mask(expr_reads(layout, expr, {})) | 1 << (8 * layout.width)


def never_enabled(action: ir.Action) -> bool:
    """A leading `require false` (the front end folds configuration-dependent guards)."""
    for s in action.body:
        if not isinstance(s, ir.Require):
            return False
        if isinstance(s.cond, ir.Lit) and s.cond.value is False:
            return True
    return False


class Transitions:
    """`plans`: one `(key mask, keep mask, cache, miss)` per action that can ever fire, in action
    order; the engine looks up `cache.get(int_state & key)`, calls `miss(s, int_state)` when absent,
    counts `entry[2] += 1`, and builds successors as `((int_state & keep) | o).to_bytes(width)`."""

    def __init__(self, sem: Semantics, max_entries: int = 1 << 16) -> None:
        if not sem.layout.compact:
            raise ValueError("the transition cache needs byte states (every value fits a byte)")
        self.sem = sem
        self.width = sem.layout.width
        self.max_entries = max_entries
        self._full = (1 << (8 * self.width)) - 1
        lay = sem.layout
        self._assume_reads: set[int] = set()
        for a in sem.instance.model.assumes:
            self._assume_reads |= expr_reads(lay, a.expr, {})
        self._caches: list[tuple[dict[int, Entry], int]] = []  # (cache, action index)
        plans: list[Plan] = []
        for n, action in enumerate(sem.instance.model.actions):
            if never_enabled(action):
                continue
            plans.append(self._plan(n, action))
        self.plans: tuple[Plan, ...] = tuple(plans)

    def _plan(self, n: int, action: ir.Action) -> Plan:
        reads, writes = stmts_footprint(self.sem.layout, action.body, {})
        key = slot_mask(reads | writes | self._assume_reads)
        wmask = slot_mask(writes)
        keep = self._full ^ wmask
        cache: dict[int, Entry] = {}
        self._caches.append((cache, n))
        expand = self.sem.expanders[n]
        lo, hi = self.sem.coverage_spans[n]
        counts = self.sem.coverage.counts
        limit = self.max_entries

        def miss(s: bytes, si: int) -> Entry:
            before = counts[lo:hi]
            found = expand(s)
            after = counts[lo:hi]
            counts[lo:hi] = before  # counted per hit instead, by flush()
            outs: list[tuple[int, Any]] = []
            sw, sk = si & wmask, si & keep
            for i, olist in found:
                for o in (dict.fromkeys(olist) if len(olist) > 1 else olist):
                    if o.__class__ is Violation:
                        outs.append((i, o))
                        continue
                    ti = int.from_bytes(o, LITTLE)
                    if ti & keep != sk:
                        raise AssertionError(f"{action.name} wrote a slot outside its footprint")
                    v = ti & wmask
                    outs.append((i, None if v == sw else v))
            cov = tuple((lo + k, a - b) for k, (a, b) in enumerate(zip(after, before, strict=True)) if a != b)
            entry: Entry = [tuple(outs), cov, 0]
            if len(cache) >= limit:
                _flush_cache(cache, counts)
                cache.clear()
            cache[si & key] = entry
            return entry

        return key, keep, cache, miss

    def flush(self) -> None:
        """Add the outcomes counted by cache hits to `sem.coverage` (call once the search ends)."""
        counts = self.sem.coverage.counts
        for cache, _n in self._caches:
            _flush_cache(cache, counts)


def _flush_cache(cache: dict[int, Entry], counts: list[int]) -> None:
    for entry in cache.values():
        hits = entry[2]
        if hits:
            for b, d in entry[1]:
                counts[b] += d * hits
            entry[2] = 0
