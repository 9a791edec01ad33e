"""The explicit engine's transition cache (checker/explicit/transitions.py) and the footprints it is keyed
by (checker/interp/footprint.py): cached successors, coverage and whole searches must be exactly
those of running every action body."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from checker.explicit.search import Goals, Search
from checker.explicit.transitions import Transitions, read_mask
from checker.interp.footprint import never_enabled, stmts_footprint
from checker.interp.semantics import Semantics, Violation
from checker.result import Budget
from spec import ir
from spec.frontend import load_instance
from tests.checker.interp_helpers import load
from tests.gen.models import generated_instance, models

ROOT = Path(__file__).resolve().parents[2]


def cached(steps: Transitions, s: bytes) -> list[tuple[int, object]]:
    """Every outcome of `s` through the cache, as the engine builds them."""
    si = int.from_bytes(s, "little")
    out: list[tuple[int, object]] = []
    for key, keep, cache, miss in steps.plans:
        entry = cache.get(si & key)
        if entry is None:
            entry = miss(s, si)
        entry[2] += 1
        for i, o in entry[0]:
            if o is None:
                out.append((i, s))
            elif isinstance(o, Violation | bytes):  # bytes: an action that stopped caching
                out.append((i, o))
            else:
                out.append((i, ((si & keep) | o).to_bytes(steps.width, "little")))
    return out


def direct(sem: Semantics, s: bytes) -> list[tuple[int, object]]:
    return [(i, o) for expand in sem.expanders for i, outs in expand(s) for o in dict.fromkeys(outs)]


def reachable(sem: Semantics, limit: int) -> list[bytes]:
    init = [o for o in sem.initial_fast() if not isinstance(o, Violation)]
    seen = dict.fromkeys(init)
    frontier = list(init)
    while frontier and len(seen) < limit:
        s = frontier.pop()
        for _i, o in direct(sem, s):
            if not isinstance(o, Violation) and o not in seen:
                seen[o] = None
                frontier.append(o)
    return list(seen)


def agree_on(inst: ir.Instance, limit: int = 150) -> int:
    """Cached and direct outcomes agree, in order, on every state (each expanded twice, so the
    second time hits), and so do the coverage counts; returns the number of states."""
    sem_ref = Semantics(inst)
    states = reachable(sem_ref, limit)
    sem_ref.coverage.reset()
    sem = Semantics(inst)
    steps = Transitions(sem, max_entries=64)  # small: emptying a full cache is exercised too
    for _round in range(2):
        for s in states:
            assert cached(steps, s) == direct(sem_ref, s)
    steps.flush()
    assert sem.coverage.as_dict() == sem_ref.coverage.as_dict()
    return len(states)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_generated_models_cached_outcomes_are_the_bodies_outcomes(tmp_path_factory, text):
    inst = generated_instance(tmp_path_factory, text)
    if Semantics(inst).layout.compact:
        agree_on(inst)


def test_shipped_tdx_cached_outcomes_are_the_bodies_outcomes():
    inst = load_instance(ROOT / "models" / "tdx.spec")
    assert agree_on(inst, limit=400) >= 400


def _search(inst: ir.Instance, cache: bool, symmetry: bool = False) -> Search:
    from checker.explicit.symmetry import Symmetry

    sem = Semantics(inst)
    goals = Goals()
    for p in inst.model.properties:
        if p.expr is None:
            goals.checks.add(p.name)
        else:
            goal = (p.name, sem.predicate(p.expr), read_mask(sem.layout, p.expr))
            (goals.invariants if p.kind is ir.PropKind.INVARIANT else goals.reachables).append(goal)
    canon = Symmetry(sem).canon if symmetry else None
    search = Search(sem, canon, goals, Budget(deadline=time.monotonic() + 60), graph=None, deadlocks=True,
                    progress=None, stop_when_found=False, cache=cache)
    search.run()
    return search


def _same_search(inst: ir.Instance, symmetry: bool = False) -> Search:
    a, b = _search(inst, True, symmetry), _search(inst, False, symmetry)
    assert a.steps is not None and b.steps is None
    assert list(a.visited.items()) == list(b.visited.items())  # same states, parents, discovery order
    assert (a.transitions, a.exhaustive, a.deadlock) == (b.transitions, b.exhaustive, b.deadlock)
    assert a.found == b.found
    assert a.sem.coverage.as_dict() == b.sem.coverage.as_dict()
    return a


def test_shipped_tdx_search_is_the_same_with_and_without_the_cache():
    inst = load_instance(ROOT / "models" / "tdx.spec")
    search = _same_search(inst)
    assert search.exhaustive and len(search.visited) > 1000
    assert search.found  # the shipped model reaches its goals: found states are compared too
    _same_search(inst, symmetry=True)


def test_first_cut_search_is_the_same_with_and_without_the_cache():
    path = ROOT / "tests" / "checker" / "explicit_models" / "tdx_first_cut.spec"
    for params in ({}, {"design": "rfc2021"}):
        _same_search(load_instance(path, sizes={"Page": 3}, params=params))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_generated_models_search_is_the_same_with_and_without_the_cache(tmp_path_factory, text):
    inst = generated_instance(tmp_path_factory, text)
    if Semantics(inst).layout.compact:
        _same_search(inst)


def test_footprint_of_an_action(tmp_path):
    inst = load(tmp_path, "sort S = 3;\nvar f: S -> bool = false; var g: S -> bool = false; var n: 0..3 = 0;\n"
                          "var r: (S, S) -> bool = false;\n"
                          "action a(p: S) { require !f[p]; if n > 0 { g[p] := exists q: S :: r[p, q]; } }\n"
                          "action b() { choose q: S where f[q]; n := 1; }\n")
    lay = Semantics(inst).layout
    f, g, n, r = (lay.vars[v].base for v in ("f", "g", "n", "r"))
    a, b = inst.model.actions
    # p fixed to element 1: only its own entries, and its row of r
    assert stmts_footprint(lay, a.body, {"p": 1}) == ({f + 1, n, r + 3, r + 4, r + 5}, {g + 1})
    # p unknown: every entry
    reads, writes = stmts_footprint(lay, a.body, {})
    assert reads == {f, f + 1, f + 2, n} | set(range(r, r + 9)) and writes == {g, g + 1, g + 2}
    assert stmts_footprint(lay, b.body, {}) == ({f, f + 1, f + 2}, {n})


def test_actions_disabled_by_the_configuration_are_left_out(tmp_path):
    inst = load(tmp_path, "param on: bool = false;\nvar n: 0..3 = 0;\n"
                          "action a() { require on; n := 1; }\naction b() { require n < 3; n := n + 1; }\n")
    a, b = inst.model.actions
    assert never_enabled(a) and not never_enabled(b)
    assert len(Transitions(Semantics(inst)).plans) == 1


def test_assumes_on_the_successor_are_part_of_the_key(tmp_path):
    # `a` reads and writes only x, but whether its successor exists depends on y (the assume)
    inst = load(tmp_path, "var x: bool = true; var y: bool;\nassume xy: x || y;\n"
                          "action a() { x := false; }\naction b() { x := true; }\n")
    assert agree_on(inst) == 3
    search = _same_search(inst)
    assert search.transitions == 5  # a from (T, T); b from all three


def test_an_action_whose_cache_does_not_pay_stops_caching_and_the_search_is_unchanged():
    # At Page=3, gmem.get_pfn reads most of the state: its entries are hardly ever hit again, so it
    # hands out its bodies' outcomes directly; states, parents, coverage must not change.
    inst = load_instance(ROOT / "models" / "tdx.spec", sizes={"Page": 3})
    search = _same_search(inst)
    assert search.steps is not None
    stopped = [a.name for a, caching in zip(search.steps._actions, search.steps.caching(), strict=True)
               if not caching]
    assert stopped, "expected at least one action to stop caching at Page=3"
    assert search.exhaustive
