"""PROVED ALL SIZES: once properties are proved at the instance's sizes (by any engine), look for
one invariant that proves them for every size of every sort.

1. Candidate lemmas, none written by hand: the conjuncts of the proved invariant properties (and
   of the user's `lemma`s), clauses mined from reachable states at small sizes
   (checker/explicit/mined.py), the invariant Spacer finds for the instance cut to one element
   per sort, generalized over sort elements (checker/symbolic/generalize.py). Those false in a reachable
   state of the instance resized to 1, 2, 3 elements per sort go first (checker/explicit/sampled.py):
   a breadth-first search refutes them far more cheaply than a quantified query.
2. Houdini against the all-sizes transition relation (checker/solver/houdini_all.py) keeps the
   largest subset that is initial and inductive for every size.
3. `parametric.check_all_sizes` checks that subset once more and says which properties it implies;
   those become PROVED ALL SIZES, with the SMT-LIB queries as the certificate. Nothing before this
   step is trusted.

The candidates do not depend on which engine proved a property first, so under `auto` the
all-sizes verdict does not depend on which column of the side-by-side run finished first (only
on whether the time allowed for this step, ALL_SIZES_MAX_S, sufficed). A property that stays
PROVED carries why (`AllSizesNote`): the construct outside the all-sizes encoding, a solver
unknown, or the step that broke its own lemma (a counterexample to induction).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from checker.backends import NoReplay
from checker.explicit.mined import SIZES, RowsCache, Sample, mine, sample
from checker.explicit.sampled import Refutation, refuted
from checker.result import AllSizesNote, Certificate, PropertyResult, Step, Trace, Verdict
from checker.solver import houdini_all, parametric
from checker.solver.depends import explain
from checker.solver.encode import Encoding
from checker.symbolic.generalize import conjunction, split
from spec import ir
from spec.printer import print_ir_expr

ALL_SIZES_MAX_S = 90.0  # the step's solver work stops after this long, mining not counted (quantified queries may not end)
SAMPLE_SHARE = 0.1  # refuting the properties' own lemmas in reachable states ends by this share of the time
SPACER_SHARE = 0.6  # Spacer's one-element invariant ends by this one, if mining left time
NARROW_SIZES = (2, 3)  # Houdini at these fixed sizes narrows the candidates before the all-sizes one
DEEP_MAX_S = 240.0  # the deep round (four-literal clauses) may run this much longer, within the run's --timeout
DEEP_MIN_S = 60.0  # ... and only starts with at least this long left
# Five-literal clauses over two variables (tdx: a vCPU's in-flight fault and a gfn's attribute)
# only where the pair has at most this many atoms that name one of them (tdx: 11 to 18).
FIVE_LITERAL_MAX_ATOMS = 30
QUICK_SIZES = (1, 2)  # the quick round's samples ...
QUICK_MAX_CANDIDATES = 200  # ... and the most candidates it is tried with (gmem: 54; tdx: over 1,000)
DEEP_MAX_CLAUSES = 6000  # tdx mines about 3,000 (the first round's cap would cut it)
ENGINE = "all-sizes"
# The rounds (_upgrade): the quick round first, mined from states of one and two elements per
# sort only and tried only where it gives few candidates (a small model, proved in a fraction of
# the full round's time; its clauses are not kept, the full round mines them again with the
# three-element states, which refute some); Houdini keeps every inductive subset of the
# properties it includes, so it comes before the properties alone (often inductive on their
# own), then mined clauses and Spacer's one-element invariant. The properties' own lemmas are
# refuted in reachable states (sampled.py) only once a round after the quick one needs them.
# (A round with Spacer's two-element invariant proved nothing the deep round does not on any
# shipped model, for 12-21 s each.)
EXPLAIN_MAX_S = 120.0  # what the proofs rest on (tdx: about 55 s for its three invariants)


def upgrade(inst: ir.Instance, props: Sequence[ir.Property], results: Mapping[str, PropertyResult],
            deadline: float | None) -> dict[str, PropertyResult]:
    """The results of `props` proved at the instance's sizes, replaced: PROVED ALL SIZES where an
    all-sizes invariant was found and checked, else PROVED with a note saying why not. Each
    result's time includes this step's."""
    t0 = time.monotonic()
    out = _upgrade(inst, props, results, deadline)
    out.update(_explained(inst, props, out, deadline))
    spent = time.monotonic() - t0
    return {name: replace(r, time_s=r.time_s + spent) for name, r in out.items()}


def _upgrade(inst: ir.Instance, props: Sequence[ir.Property], results: Mapping[str, PropertyResult],
             deadline: float | None) -> dict[str, PropertyResult]:
    proved = [p for p in props if p.kind in parametric.COVERED and results[p.name].verdict is Verdict.PROVED]
    if not proved:
        return {}
    if not inst.sizes:  # no sorts: the instance is the only size there is
        return {}
    t0 = time.monotonic()
    end = t0 + ALL_SIZES_MAX_S if deadline is None else min(deadline, t0 + ALL_SIZES_MAX_S)
    own = {p.name: split(p.expr) for p in proved if p.kind is ir.PropKind.INVARIANT and p.expr is not None}
    lemmas = [x for p in inst.model.properties if p.lemma and p.expr is not None for x in split(p.expr)]
    cands = first = [*(x for xs in own.values() for x in xs), *lemmas]
    false_at: dict[str, Refutation] = {}  # own lemmas false at a small size, once a round needs them

    @functools.cache  # once: the first round after the quick one
    def refute() -> None:
        nonlocal cands
        bad = refuted(inst, first, _share(t0, end, SAMPLE_SHARE))
        false_at.update({print_ir_expr(first[i]): r for i, r in bad.items()})
        cands = [x for i, x in enumerate(first) if i not in bad]

    # Cheapest rounds first, each only for what the rounds before left unproved (ROUNDS above).
    miner = _Miner(inst, t0, deadline)
    mined, until = miner.mined, miner.until
    spacer = functools.cache(lambda: _spacer(inst, proved, 1, _share(t0, until(ALL_SIZES_MAX_S), SPACER_SHARE)))

    def quick() -> list[ir.Expr]:  # mining stops one clause past the most the round is tried with
        got = mined(sizes=QUICK_SIZES, max_clauses=QUICK_MAX_CANDIDATES + 1)
        return [*got, *spacer()] if len(got) <= QUICK_MAX_CANDIDATES else got

    rounds: list[tuple[Callable[[], list[ir.Expr]], int | None]] = [
        (quick, QUICK_MAX_CANDIDATES), (list, None), (lambda: [*mined(), *spacer()], None)]
    out: dict[str, PropertyResult] = {}
    left = proved
    encs: dict[int, Encoding] = {}
    tried: list[ir.Expr] | None = None
    for more, most in rounds:
        if more is not quick:
            refute()  # not before the quick round, which often proves everything
        these = list(dict.fromkeys([*cands, *more()]))
        if most is not None and len(these) > most:
            continue
        if these == tried:  # nothing new since the last attempt: it would end the same way
            continue
        tried = these
        if most is None:
            cands = these
        got = _attempt(inst, left, results, own, these, until(ALL_SIZES_MAX_S), false_at, encs)
        out.update(got)
        left = [p for p in left if got[p.name].verdict is not Verdict.PROVED_ALL_SIZES]
        if not left or time.monotonic() >= until(ALL_SIZES_MAX_S):
            break
    if left and time.monotonic() < until(ALL_SIZES_MAX_S + DEEP_MAX_S) - DEEP_MIN_S:
        # the deep round: clauses of four literals relating one element of each sort
        pool = mined(literals=4, one_per_sort=True, wide_pairs=FIVE_LITERAL_MAX_ATOMS, max_clauses=DEEP_MAX_CLAUSES)
        cands = list(dict.fromkeys([*cands, *pool]))
        got = _attempt(inst, left, results, own, cands, until(ALL_SIZES_MAX_S + DEEP_MAX_S), false_at, encs)
        out.update({n: r for n, r in got.items() if r.verdict is Verdict.PROVED_ALL_SIZES
                    or "did not finish" not in (r.all_sizes.why if r.all_sizes else "")})
    return out


class _Miner:
    """Sampling and mining for one all-sizes step, bounded by work (states, clauses), not by the
    step's time budgets, which are for the solver's queries and do not count them: a clause
    mining missed may be one that hundreds of the deep round's rest on (tdx: without the last 14
    of 1,229, Houdini at two elements keeps 1,713 lemmas instead of 2,686 and six fault-path
    properties lose their proof), and where a time budget cut it depended on the machine's load.
    Only the run's own --timeout stops them."""

    def __init__(self, inst: ir.Instance, t0: float, deadline: float | None) -> None:
        self.inst, self.t0, self.deadline = inst, t0, deadline
        self.samples: dict[int, Sample] = {}  # reachable states per sort size, taken once for every round
        self.rows: RowsCache = {}  # ... and read once
        self.spent = 0.0

    def mined(self, sizes: Sequence[int] = SIZES, **how: Any) -> list[ir.Expr]:
        t = time.monotonic()
        for k in sizes:
            taken = sample(self.inst, self.deadline, sizes=(k,)) if k not in self.samples else []
            self.samples.update({k: taken[0]} if taken else {})
        got = mine(self.inst, self.deadline, [self.samples[k] for k in sizes if k in self.samples],
                   rows_cache=self.rows, **how)
        self.spent += time.monotonic() - t
        return got

    def until(self, budget_s: float) -> float:
        """When a solver budget of `budget_s` from the step's start ends, mining not counted."""
        stop = self.t0 + self.spent + budget_s
        return stop if self.deadline is None else min(self.deadline, stop)


def _attempt(inst: ir.Instance, proved: Sequence[ir.Property], results: Mapping[str, PropertyResult],
             own: Mapping[str, list[ir.Expr]], cands: list[ir.Expr], end: float,
             false_at: Mapping[str, Refutation], encs: dict[int, Encoding]) -> dict[str, PropertyResult]:
    """`proved` upgraded with an invariant among `cands`, or with a note saying why not."""
    narrowed = _narrow(inst, cands, end, encs)
    if narrowed is None:
        why = "the search for an all-sizes invariant did not finish in time"
        return {p.name: _note(results[p.name], AllSizesNote(why)) for p in proved}
    kept, not_inductive = narrowed
    h = houdini_all.houdini(inst, kept, end, watch=[x for xs in own.values() for x in xs])
    h = replace(h, dropped=h.dropped + tuple((x, f"not inductive with {NARROW_SIZES[-1]} elements per sort, "
                                              "together with every other candidate kept")
                                             for x in not_inductive))
    if h.status != houdini_all.DONE:
        why = h.reason or "the search for an all-sizes invariant did not finish"
        if h.status == houdini_all.OUTSIDE:
            why = f"outside the all-sizes encoding: {h.reason}" + (f" at {h.span}" if h.span else "")
        return {p.name: _note(results[p.name], AllSizesNote(why)) for p in proved}
    inv = conjunction(list(h.kept))
    res = parametric.check_all_sizes(inst, inv, proved, end)
    if res.status != parametric.PROVED:
        why = f"the invariant found was not confirmed: {res.reason}" if res.status != parametric.OUTSIDE else \
            f"outside the all-sizes encoding: {res.reason}" + (f" at {res.span}" if res.span else "")
        return {p.name: _note(results[p.name], AllSizesNote(why)) for p in proved}
    used = {print_ir_expr(x) for x in h.kept}
    user = tuple(p.name for p in inst.model.properties if p.lemma and p.expr is not None
                 and any(print_ir_expr(x) in used for x in split(p.expr)))
    out = {}
    for p in proved:
        r = results[p.name]
        if p.name in res.proved:
            cert = Certificate(ENGINE, print_ir_expr(inv), queries(res.smt2, p.name), inv)
            how = "inductive invariant found and re-checked, for every size of every sort"
            out[p.name] = replace(r, verdict=Verdict.PROVED_ALL_SIZES, certificate=cert, lemmas=user,
                                  reason=how + (f" (with the user's lemmas {', '.join(user)})" if user else ""))
        else:
            out[p.name] = _note(r, _why_not(own.get(p.name, []), h, false_at))
    return out


def _explained(inst: ir.Instance, props: Sequence[ir.Property], results: Mapping[str, PropertyResult],
               deadline: float | None) -> dict[str, PropertyResult]:
    """The PROVED ALL SIZES results with what each proof rests on (checker/solver/depends.py),
    one explanation per invariant found."""
    by_name = {p.name: p for p in props}
    groups: dict[str, list[PropertyResult]] = {}
    for r in results.values():
        if r.verdict is Verdict.PROVED_ALL_SIZES and r.certificate and r.certificate.invariant_ir is not None:
            groups.setdefault(r.certificate.invariant, []).append(r)
    end = time.monotonic() + EXPLAIN_MAX_S
    end = end if deadline is None else min(end, deadline)
    out = {}
    for rs in groups.values():
        inv = rs[0].certificate.invariant_ir if rs[0].certificate else None
        assert inv is not None
        e = explain(inst, split(inv), [by_name[r.prop] for r in rs], end)
        for r in rs:
            deps = e.depends_on.get(r.prop)
            out[r.prop] = replace(r, depends_on=deps, depends_note="" if deps is not None else
                                  f"not explained: {e.reason or 'no explanation'}")
    return out


def _note(r: PropertyResult, note: AllSizesNote) -> PropertyResult:
    return replace(r, all_sizes=note)


def _why_not(own: Sequence[ir.Expr], h: houdini_all.HoudiniResult,
             false_at: Mapping[str, Refutation]) -> AllSizesNote:
    texts = [print_ir_expr(x) for x in own]
    for text in texts:
        if text in false_at:
            ref = false_at[text]
            sizes = _sizes(ref.inst)
            return AllSizesNote(f"`{text}` is violated with {sizes} (the run below): the property does not "
                                "hold for every size", _replayed(ref.inst, ref.trace, True), sizes, reachable=True)
    for cti in h.ctis:
        broken = [b for b in cti.broken if b in texts]
        if broken:
            where = "initially" if cti.action is None else f"by {cti.action}"
            return AllSizesNote(f"`{broken[0]}` is not preserved {where} from a state that satisfies every "
                                "candidate lemma still kept at that point (counterexample to induction below); "
                                "a `lemma` that excludes that state may help", _replayed(cti.inst, _trace(cti), cti.action is None), _sizes(cti.inst))
    for x, why in h.dropped:
        if print_ir_expr(x) in texts:
            return AllSizesNote(f"`{print_ir_expr(x)}`: {why}")
    return AllSizesNote("no inductive invariant among the candidates implies it for every size")


def _replayed(inst: ir.Instance, trace: Trace, initial: bool) -> Trace:
    from checker.interp.replay import MismatchKind, replay
    from checker.interp.semantics import Semantics

    res = replay(trace, Semantics(inst), initial=initial)
    if res.mismatch is not None and res.mismatch.kind is not MismatchKind.TOO_LARGE:
        raise NoReplay(f"step {res.mismatch.step}: {res.mismatch.kind.value}: {res.mismatch.message}")
    return trace


def _sizes(inst: ir.Instance) -> str:
    return " ".join(f"{k}={n}" for k, n in inst.sizes)


def _trace(cti: houdini_all.Cti) -> Trace:
    post = Step(cti.action, cti.args, cti.post)
    if cti.pre is None:
        return Trace((post,))
    return Trace((Step(None, (), cti.pre), post))


def queries(smt2: Mapping[str, str], prop: str) -> dict[str, str]:
    """The all-sizes queries that prove `prop`, named for certificate files."""
    keep = [k for k in smt2 if k == "initiation" or k.startswith("consecution:") or k.split(":", 1)[-1] == prop
            and k.startswith(("safety:", "init_safety:"))]
    return {"all_sizes." + (k.split(":", 1)[0] if k.startswith(("safety:", "init_safety:")) else k.replace(":", ".")):
            smt2[k] for k in keep}


# ---------------------------------------------------------------- candidate sources


def _share(t0: float, end: float, share: float) -> float:
    """The moment `share` of the step's time [t0, end] has passed."""
    return t0 + max(0.0, end - t0) * share


def _spacer(inst: ir.Instance, props: Sequence[ir.Property], size: int, stop: float) -> list[ir.Expr]:
    """Spacer's invariant of the instance cut to `size` elements per sort, generalized: it adds
    relations a proof needs that mined clauses of three literals cannot say."""
    from checker.symbolic.small_instance import small_candidates

    return small_candidates(inst, props, size, stop) if time.monotonic() < stop else []


def _narrow(inst: ir.Instance, cands: list[ir.Expr], end: float,
            encs: dict[int, Encoding]) -> tuple[list[ir.Expr], list[ir.Expr]] | None:
    """The candidates inductive together at each of NARROW_SIZES (quantifier-free queries, far
    cheaper than the all-sizes ones), without those the others imply at the smallest size: (kept,
    dropped as not inductive), or None out of time. An all-sizes inductive set is inductive at
    every fixed size, so the largest one survives Houdini at any size; dropping implied lemmas
    is a heuristic only, which the all-sizes check that follows decides. It comes right after
    the smallest size because the larger size's queries over hundreds of lemmas are slow (tdx:
    12 s before pruning, under 1 s after) and drop almost nothing; what pruning loses is only
    a chance of a proof."""
    from checker.solver.deadline import EncodingTimeout
    from checker.symbolic.small_instance import houdini, prune

    kept = cands
    dropped: set[str] = set()  # printed: the lemmas some Houdini dropped (not pruning)
    try:
        for n, k in enumerate(NARROW_SIZES):
            if k not in encs:  # kept across rounds: the transition terms are built once
                encs[k] = Encoding(replace(inst, sizes=tuple((s, k) for s, _ in inst.sizes)))
            enc = encs[k]
            with enc.until(end):
                found = houdini(enc, kept, end)
                if found is None:
                    return None
                dropped |= set(map(print_ir_expr, kept)) - set(map(print_ir_expr, found))
                kept = prune(enc, found, end) if n == 0 else found
    except EncodingTimeout:
        return None
    return kept, [x for x in cands if print_ir_expr(x) in dropped]
