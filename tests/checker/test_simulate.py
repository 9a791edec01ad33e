"""The simulate engine (checker/explicit/simulate.py): seeded random walks that find bugs and never prove."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from checker.explicit.engine import ExplicitEngine
from checker.explicit.simulate import Simulator, _without_cycles
from checker.interp.replay import replay
from checker.interp.semantics import Semantics
from checker.result import Budget, Verdict
from spec.frontend import load_instance
from tests.checker.interp_helpers import load
from tests.gen.models import generated_instance, models

ROOT = Path(__file__).resolve().parents[2]
DEEP = """
var n: 0..40 = 0;
var crashed: bool = false;
var noise: bool = false;
action inc() { require n < 40; n := n + 1; }
action flip() { noise := !noise; }
action poke() { require n == 37; assert poked: false; }
invariant below: n < 35;
reachable thirty: n == 30;
invariant fine: !crashed;
"""


def by_name(results):
    return {r.prop: r for r in results}


def test_a_deep_bug_is_found_with_a_loop_free_trace(tmp_path):
    inst = load(tmp_path, DEEP)
    res = by_name(Simulator(inst, seed=1, walks=200).check(inst.model.properties, Budget(max_depth=200)))
    below = res["below"]
    assert below.verdict is Verdict.VIOLATED and below.engine == "simulate"
    assert below.trace is not None and [s.action for s in below.trace.steps].count("inc") == 35
    flips = [a for a, b in zip(below.trace.steps[1:], below.trace.steps[2:], strict=False)
             if a.action == b.action == "flip"]
    assert not flips  # two flips in a row come back to a state: that detour is cut out
    assert res["thirty"].verdict is Verdict.REACHED
    poked = res["poked"]
    assert poked.verdict is Verdict.VIOLATED and poked.trace is not None and poked.trace.failure is not None
    assert poked.trace.steps[-1].action == "poke" and poked.trace.steps[-1].state is None
    sem = Semantics(inst)
    for r in (below, res["thirty"], poked):
        assert replay(r.trace, sem).ok, r.prop


def test_detours_back_to_a_visited_state_are_cut_out():
    path = [(0, b"a"), (1, b"b"), (2, b"a"), (3, b"c"), (4, b"s"), (5, b"d"), (6, b"c"), (7, b"e")]
    assert _without_cycles(b"s", path) == [(5, b"d"), (6, b"c"), (7, b"e")]
    assert _without_cycles(b"s", [(0, b"a"), (1, b"b")]) == [(0, b"a"), (1, b"b")]


def test_simulation_never_proves(tmp_path):
    inst = load(tmp_path, DEEP)
    r = by_name(Simulator(inst, walks=5).check(inst.model.properties, Budget(max_depth=10)))["fine"]
    assert r.verdict is Verdict.UNKNOWN
    assert "not found in 5 random walks of up to 10 steps (seed 0)" in r.reason
    assert "never proves" in r.reason


def test_the_same_seed_gives_the_same_traces():
    inst = load_instance(ROOT / "models" / "tdx.spec", params={"attr_check_before_snapshot": "true"})
    prop = [p for p in inst.model.properties if p.name == "P5_spte_kind"]

    def trace(seed: int):
        r = Simulator(inst, seed=seed, walks=300).check(prop, Budget())[0]
        assert r.verdict is Verdict.VIOLATED  # the upstream bug, found by walking
        return r.trace

    assert trace(7) == trace(7)
    assert len({trace(s) for s in range(4)}) > 1  # other seeds walk elsewhere


def test_the_deadline_is_honoured():
    inst = load_instance(ROOT / "models" / "tdx.spec", sizes={"Page": 4, "Gfn": 2, "Vcpu": 2})
    t0 = time.monotonic()
    results = Simulator(inst, walks=10**9).check(inst.model.properties, Budget(deadline=time.monotonic() + 1.0))
    assert time.monotonic() - t0 < 5  # one walk of 100 steps finishes well within the slack
    unknown = [r for r in results if r.verdict is Verdict.UNKNOWN]
    assert unknown and all("the time limit was reached" in r.reason for r in unknown)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_generated_models_what_simulation_finds_the_explicit_engine_finds(tmp_path_factory, text):
    inst = generated_instance(tmp_path_factory, text)
    props = inst.model.properties
    explicit = ExplicitEngine(inst).check(props, Budget(max_states=20_000))
    sim = Simulator(inst, seed=3, walks=20).check(props, Budget(max_depth=15))
    sem = Semantics(inst)
    exact = by_name(explicit.results)
    for r in sim:
        assert r.verdict in (Verdict.VIOLATED, Verdict.REACHED, Verdict.UNKNOWN)
        if r.trace is not None:
            assert replay(r.trace, sem).ok, r.prop
            if explicit.exhaustive:  # a real witness: the exhaustive search found one too, no longer
                assert exact[r.prop].verdict is r.verdict
                assert exact[r.prop].depth <= r.depth


def test_progress_is_reported_on_long_runs(monkeypatch):
    import checker.explicit.simulate as simulate

    monkeypatch.setattr(simulate, "PROGRESS_S", 0.0)  # every walk
    said: list[str] = []
    inst = load_instance(ROOT / "models" / "tdx.spec")
    Simulator(inst, walks=3, progress=said.append).check(inst.model.properties, Budget(max_depth=5))
    assert said and said[-1].startswith("simulate: 2 of 3 walks, ")


def test_initial_states_too_many_to_enumerate_are_sampled(tmp_path):
    # 2^20 candidate initial assignments: more than simulate enumerates, so each walk samples one.
    inst = load(tmp_path, """
    sort S = 20;
    var b: S -> bool;
    var n: 0..3 = 0;
    init { require exists s: S :: b[s]; }
    action bump() { require n < 3; n := n + 1; }
    action clear(s: S) { b[s] := false; }
    invariant some_set: exists s: S :: b[s];
    reachable three: n == 3;
    """)
    assert Semantics(inst).candidate_count() == 2**20
    res = by_name(Simulator(inst, seed=5, walks=50).check(inst.model.properties, Budget(max_depth=60)))
    for name in ("some_set", "three"):
        r = res[name]
        assert r.trace is not None and replay(r.trace, Semantics(inst)).ok, name
    assert res["some_set"].verdict is Verdict.VIOLATED and res["three"].verdict is Verdict.REACHED


def test_an_init_block_that_refuses_every_sample_is_reported(tmp_path):
    inst = load(tmp_path, "sort S = 20;\nvar b: S -> bool;\ninit { require false; }\n"
                          "action a() { skip; }\ninvariant t: true;\n")
    r = Simulator(inst, walks=3).check(inst.model.properties, Budget())[0]
    assert r.verdict is Verdict.UNKNOWN and "no initial state was found" in r.reason
