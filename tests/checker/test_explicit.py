"""The explicit-state engine (checker/explicit/engine.py) on small models whose numbers are computed by hand."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from checker.explicit.engine import ExplicitEngine
from checker.interp.replay import replay
from checker.interp.semantics import Semantics
from checker.result import Budget, Verdict
from spec import ir
from spec.frontend import load_instance
from tests.checker.interp_helpers import load, view
from tests.gen.models import generated_instance, models

COUNTER = """
var n: 0..5 = 0;
action inc() { require n < 5; n := n + 1; }
invariant bounded: n <= 5;
invariant small: n < 3;
reachable four: n == 4;
reachable six: n == 6;
"""


def check(tmp_path, text, budget=None, props=None, **kw):
    budget = budget or Budget()
    inst = load(tmp_path, text)
    engine = ExplicitEngine(inst, **kw)
    chosen = inst.model.properties if props is None else [inst.model.property(p) for p in props]
    out = engine.check(chosen, budget)
    for r in out.results:
        if r.trace is not None:
            assert replay(r.trace, Semantics(inst)).ok, r.prop
    for w in out.warnings:
        if w.trace is not None:
            assert replay(w.trace, Semantics(inst)).ok, w.code
    return out


def verdicts(out) -> dict[str, Verdict]:
    return {r.prop: r.verdict for r in out.results}


def by_name(out, prop):
    return next(r for r in out.results if r.prop == prop)


def test_counter_verdicts_and_shortest_traces(tmp_path):
    out = check(tmp_path, COUNTER, props=["bounded", "small", "four", "six"])
    assert verdicts(out) == {"bounded": Verdict.PROVED, "small": Verdict.VIOLATED, "four": Verdict.REACHED,
                             "six": Verdict.UNREACHABLE}
    assert (out.states, out.transitions, out.depth, out.exhaustive) == (6, 5, 5, True)
    small = by_name(out, "small")
    assert small.trace.depth == 3 and small.depth == 3
    assert [view(s.state)["n"] for s in small.trace.steps] == [0, 1, 2, 3]
    assert [s.action for s in small.trace.steps] == [None, "inc", "inc", "inc"]
    assert by_name(out, "four").trace.depth == 4


def test_search_stops_once_every_property_is_decided(tmp_path):
    out = check(tmp_path, COUNTER, props=["small"])
    assert verdicts(out) == {"small": Verdict.VIOLATED}
    assert not out.exhaustive and out.states < 6


def test_shortest_trace_among_several_paths(tmp_path):
    text = """
    var x: 0..7 = 0;
    action slow() { require x < 7; x := x + 1; }
    action fast() { require x == 0; x := 6; }
    invariant not_seven: x != 7;
    """
    out = check(tmp_path, text)
    r = by_name(out, "not_seven")
    assert r.verdict is Verdict.VIOLATED
    assert [s.action for s in r.trace.steps] == [None, "fast", "slow"]
    assert out.states == 8


def test_state_count_with_parameters_and_two_variables(tmp_path):
    text = """
    sort S = 3;
    var f: S -> 0..2 = 0;
    var done: bool = false;
    action inc(p: S) { require f[p] < 2; f[p] := f[p] + 1; }
    action finish() { require forall p: S :: f[p] == 2; done := true; }
    invariant ok: done -> (forall p: S :: f[p] == 2);
    """
    out = check(tmp_path, text, symmetry=False)
    assert (out.states, verdicts(out)) == (27 + 1, {"ok": Verdict.PROVED, "f:range": Verdict.PROVED})
    # every state but the all-2 ones has one `inc` per entry below 2: sum over states of #entries < 2
    assert out.transitions == 3 * 2 * 9 + 2
    assert out.depth == 7


def test_assert_and_range_violations_end_in_the_failing_step(tmp_path):
    text = """
    var n: 0..2 = 0;
    var armed: bool = false;
    action up() { n := n + 1; }
    action arm() { require n == 1; armed := true; }
    action fire() { require armed; assert no_fire: n != 2; }
    """
    out = check(tmp_path, text)
    rng = by_name(out, "n:range")
    assert rng.verdict is Verdict.VIOLATED and rng.trace.failure.prop == "n:range"
    assert [s.action for s in rng.trace.steps] == [None, "up", "up", "up"]
    assert rng.trace.steps[-1].state is None and rng.trace.depth == 3
    fire = by_name(out, "no_fire")
    assert fire.verdict is Verdict.VIOLATED
    assert [s.action for s in fire.trace.steps][-1] == "fire" and fire.trace.depth == 4


def test_checks_that_never_fail_are_proved(tmp_path):
    text = "var n: 0..3 = 0;\naction up() { require n < 3; n := n + 1; assert le3: n <= 3; }\n"
    out = check(tmp_path, text)
    assert verdicts(out) == {"le3": Verdict.PROVED, "n:range": Verdict.PROVED}


def test_init_block_violation_is_a_depth_zero_trace(tmp_path):
    text = "var b: bool;\ninit { assert start: !b; }\naction a() { skip; }\ninvariant t: true;\n"
    out = check(tmp_path, text)
    r = by_name(out, "start")
    assert r.verdict is Verdict.VIOLATED and r.trace.depth == 0 and r.trace.steps[0].state is None


def test_unconstrained_initial_states_are_all_explored(tmp_path):
    text = "sort S = 2;\nvar f: S -> bool;\naction clear(p: S) { f[p] := false; }\ninvariant any: exists p: S :: !f[p];\n"
    out = check(tmp_path, text, symmetry=False)
    assert out.states == 4
    r = by_name(out, "any")
    assert r.verdict is Verdict.VIOLATED and r.trace.depth == 0 and view(r.trace.steps[0].state)["f"] == (True, True)


def test_assumes_restrict_the_search(tmp_path):
    text = "var n: 0..5 = 0;\nassume cap: n <= 2;\naction up() { require n < 5; n := n + 1; }\ninvariant i: n <= 2;\n"
    out = check(tmp_path, text)
    r = by_name(out, "i")
    assert (out.states, r.verdict, r.assumptions) == (3, Verdict.PROVED, ("cap",))


# ---------------------------------------------------------------- limits


def test_state_limit_gives_holds_to_depth_never_proved(tmp_path):
    out = check(tmp_path, COUNTER, Budget(max_states=3), props=["bounded", "six"])
    b, six = by_name(out, "bounded"), by_name(out, "six")
    assert b.verdict is Verdict.HOLDS_TO_DEPTH and b.depth == 2 and "state limit 3" in b.reason
    assert six.verdict is Verdict.UNKNOWN and "not reached" in six.reason
    assert not out.exhaustive and out.states == 3


def test_depth_limit(tmp_path):
    out = check(tmp_path, COUNTER, Budget(max_depth=2), props=["bounded", "small", "six"])
    assert by_name(out, "bounded").verdict is Verdict.HOLDS_TO_DEPTH and by_name(out, "bounded").depth == 2
    assert by_name(out, "small").verdict is Verdict.HOLDS_TO_DEPTH  # its violation is at depth 3
    assert by_name(out, "six").verdict is Verdict.UNKNOWN
    out = check(tmp_path, COUNTER, Budget(max_depth=3), props=["small"])
    assert by_name(out, "small").verdict is Verdict.VIOLATED
    out = check(tmp_path, COUNTER, Budget(max_depth=9), props=["bounded"])
    assert by_name(out, "bounded").verdict is Verdict.PROVED  # exhausted before the limit


def test_deadline_stops_a_large_search(tmp_path):
    text = "sort S = 12;\nvar f: S -> bool = false;\naction set(p: S) { f[p] := true; }\ninvariant t: true;\n"
    out = check(tmp_path, text, Budget(deadline=time.monotonic() - 1), symmetry=False)
    r = out.results[0]
    assert r.verdict in (Verdict.HOLDS_TO_DEPTH, Verdict.UNKNOWN) and "time limit" in r.reason
    assert not out.exhaustive and out.states < 4096


def test_initial_state_blow_up_is_refused(tmp_path):
    text = "sort S = 20;\nvar f: S -> bool;\naction a() { skip; }\ninvariant t: true;\n"
    out = check(tmp_path, text, Budget(max_states=1000))
    r = out.results[0]
    assert r.verdict is Verdict.UNKNOWN and "1,048,576 candidate initial assignments" in r.reason


def test_initial_assignments_too_many_to_enumerate_are_refused_without_a_state_limit(tmp_path):
    # No --max-states: the search still does not try 2^40 assignments until the timeout.
    text = "sort S = 40;\nvar f: S -> bool;\naction a() { skip; }\ninvariant t: true;\n"
    t0 = time.monotonic()
    out = check(tmp_path, text, Budget(), symmetry=False)
    r = out.results[0]
    assert r.verdict is Verdict.UNKNOWN and "about 10^12 candidate initial assignments" in r.reason
    assert "--engine bmc, pdr or simulate" in r.reason and time.monotonic() - t0 < 5


@pytest.mark.parametrize("bounds", ["0..9223372036854775807", "-9223372036854775807..0"])
def test_a_huge_range_without_initialiser_is_refused_at_once(tmp_path, bounds):
    # The old engine listed every value of `y` first (an OverflowError for 2^63; 60 s and 4.7 GB
    # for 10^8 values, tests/cli/test_limits.py): the count is computed, the reason names `y`.
    text = f"var y: {bounds};\naction a() {{ y := 0; }}\ninvariant t: y >= -9223372036854775807;\n"
    t0 = time.monotonic()
    out = check(tmp_path, text, Budget())
    r = out.results[0]
    assert r.verdict is Verdict.UNKNOWN and time.monotonic() - t0 < 2
    assert "exceed the limit of 10,000,000 states (`y` has no initialiser and takes" in r.reason


def test_running_out_of_memory_keeps_what_was_checked(tmp_path, monkeypatch):
    # past the memory limit (checker/memory.py) an allocation raises MemoryError: the search stops
    # like at any other limit, and what it had found and checked stands
    from checker.explicit.search import OUT_OF_MEMORY, Search

    expand = Search._expand_level

    def expand_until_4(self, level, depth):
        if depth == 4:
            raise MemoryError
        return expand(self, level, depth)

    monkeypatch.setattr(Search, "_expand_level", expand_until_4)
    out = check(tmp_path, COUNTER, props=["bounded", "small", "six"])
    assert verdicts(out) == {"bounded": Verdict.HOLDS_TO_DEPTH, "small": Verdict.VIOLATED, "six": Verdict.UNKNOWN}
    assert by_name(out, "bounded").depth == 4 and OUT_OF_MEMORY in by_name(out, "bounded").reason
    assert not out.exhaustive


# ---------------------------------------------------------------- deadlocks, coverage, graph


def test_deadlock_modes(tmp_path):
    out = check(tmp_path, COUNTER, props=["bounded"])
    (w,) = [w for w in out.warnings if w.code == "deadlock"]
    assert w.trace.depth == 5 and view(w.trace.steps[-1].state)["n"] == 5 and not out.deadlock_error
    out = check(tmp_path, COUNTER, props=["bounded"], deadlock="ignore")
    assert not [w for w in out.warnings if w.code == "deadlock"]
    out = check(tmp_path, COUNTER, props=["bounded"], deadlock="error")
    assert out.deadlock_error
    with pytest.raises(ValueError):
        ExplicitEngine(load(tmp_path, COUNTER), deadlock="loud")


def test_dead_actions_and_branch_coverage(tmp_path):
    text = """
    var n: 0..2 = 0;
    action up() { require n < 2; if n == 0 { n := 1; } else { n := 2; } }
    action never() { require n > 2; n := 0; }
    action reset() { require n == 2; n := 0; }
    invariant t: true;
    """
    out = check(tmp_path, text)
    dead = [w for w in out.warnings if w.code == "dead-action"]
    assert [w.message for w in dead] == ["action `never` never fires in any reachable state"]
    assert out.coverage["up"] == 2 and out.coverage["never"] == 0 and out.coverage["reset"] == 1
    branches = {k.rsplit(":", 1)[-1]: v for k, v in out.coverage.items() if k.startswith("up:if@")}
    assert branches == {"then": 1, "else": 1}
    limited = check(tmp_path, text, Budget(max_states=1))
    assert not [w for w in limited.warnings if w.code == "dead-action"]  # not exhaustive: no claim


def test_keep_graph(tmp_path):
    out = check(tmp_path, COUNTER, props=[], keep_graph=True)
    g = out.graph
    assert g.number_of_nodes() == 6 == out.states and g.number_of_edges() == 5
    bad = [n for n, d in g.nodes(data=True) if "small" in d["violates"]]
    assert len(bad) == 3
    assert [d["actions"] for _a, _b, d in g.edges(data=True)] == [("inc()",)] * 5
    assert check(tmp_path, COUNTER, props=[]).graph is None


def test_progress_callback(tmp_path):
    text = "sort S = 12;\nvar f: S -> bool = false;\naction flip(p: S) { f[p] := !f[p]; }\ninvariant t: true;\n"
    inst = load(tmp_path, text)
    calls = []
    ExplicitEngine(inst, symmetry=False, progress=lambda *a: calls.append(a),
                   progress_interval=0.0).check(inst.model.properties, Budget())
    assert len(calls) >= 4096 // 256 - 2  # every 256 states expanded (4096 states in all)
    assert all(0 < states <= 4096 and 0 <= depth <= 12 and rate > 0 for states, depth, rate in calls)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    calls.clear()
    t0 = time.monotonic()
    ExplicitEngine(inst, symmetry=False, progress=lambda *a: calls.append(a)).check(inst.model.properties,
                                                                                    Budget())
    assert len(calls) <= 4 * (time.monotonic() - t0) + 1  # default: at most four times a second


def test_values_that_do_not_fit_a_byte(tmp_path):
    text = """
    sort S = 2;
    var n: -2..300 = 0;
    var f: S -> -1..1 = 0;
    action up() { require n < 300; n := n + 150; }
    action down() { n := n - 1; }
    action dec(p: S) { f[p] := f[p] - 1; }
    invariant not_neg: n >= -1;
    reachable big: n == 300;
    """
    inst = load(tmp_path, text)
    assert not Semantics(inst).layout.compact  # states are tuples here, bytes elsewhere
    for sym in (False, True):
        out = check(tmp_path, text, symmetry=sym)
        v = verdicts(out)
        assert v["not_neg"] is Verdict.VIOLATED and v["big"] is Verdict.REACHED
        assert v["n:range"] is Verdict.VIOLATED and v["f:range"] is Verdict.VIOLATED
        assert by_name(out, "not_neg").trace.depth == 2
        assert [view(s.state)["n"] for s in by_name(out, "big").trace.steps] == [0, 150, 300]


def _state_props(inst):
    return [p for p in inst.model.properties if p.kind in (ir.PropKind.INVARIANT, ir.PropKind.REACHABLE)]


def _same_results(a, b):
    assert [(r.prop, r.verdict, r.depth, r.trace) for r in a.results] == \
        [(r.prop, r.verdict, r.depth, r.trace) for r in b.results]


def test_state_properties_after_an_exhaustive_search_are_answered_from_its_states():
    # The scheduler asks for the dead actions' guards after the first search: the engine answers
    # state properties from the stored states, with the same verdicts and shortest traces as a
    # new search, and without expanding anything (no search statistics).
    from checker import vacuity

    root = Path(__file__).resolve().parents[2]
    for sym in (False, True):
        inst = load_instance(root / "models" / "tdx.spec")
        props = _state_props(inst)
        guards = [g.prop for a in inst.model.actions for g in vacuity.guard_goals(a)]
        engine = ExplicitEngine(inst, symmetry=sym)
        first = engine.check(inst.model.properties, Budget())
        assert first.exhaustive and first.stats is not None
        for asked in (props, guards):
            again = engine.check(asked, Budget())
            assert again.stats is None and again.transitions == 0  # answered from the stored states
            _same_results(again, ExplicitEngine(inst, symmetry=sym).check(asked, Budget()))
        tighter = engine.check(props, Budget(max_states=10))  # a tighter limit is a new search
        assert tighter.stats is not None and not tighter.exhaustive
        engine.check(props, Budget())
        engine.forget()  # and so is any check after forget()
        anew = engine.check(props, Budget())
        assert anew.stats is not None and anew.transitions == first.transitions


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_generated_models_rescan_agrees_with_a_new_search(tmp_path_factory, text):
    inst = generated_instance(tmp_path_factory, text)
    engine = ExplicitEngine(inst)
    if not engine.check(inst.model.properties, Budget(max_states=20_000)).exhaustive:
        return
    props = _state_props(inst)
    again = engine.check(props, Budget(max_states=20_000))
    assert again.stats is None
    _same_results(again, ExplicitEngine(inst).check(props, Budget(max_states=20_000)))


def test_a_rescan_past_its_deadline_claims_nothing(tmp_path):
    inst = load(tmp_path, "sort S = 2;\nvar f: S -> bool = false;\naction set(p: S) { f[p] := true; }\n"
                          "invariant some_unset: exists p: S :: !f[p];\nreachable one_set: exists p: S :: f[p];\n")
    engine = ExplicitEngine(inst)
    assert engine.check((), Budget()).exhaustive  # no property: nothing stops it early
    late = engine.check(inst.model.properties, Budget(deadline=time.monotonic() - 1))
    assert late.stats is None and not late.exhaustive  # a rescan, stopped at once
    assert {r.verdict for r in late.results} == {Verdict.UNKNOWN}
    assert all("while scanning the stored states" in r.reason for r in late.results)


def test_search_statistics_say_why_a_search_stopped(tmp_path):
    inst = load(tmp_path, "sort S = 6;\nvar f: S -> bool = false;\naction set(p: S) { f[p] := true; }\n")
    capped = ExplicitEngine(inst, symmetry=False).check((), Budget(max_states=10)).stats
    assert capped is not None and capped.limited and not capped.exhaustive
    assert capped.stop_reason == "the state limit 10 was reached"
    full = ExplicitEngine(inst, symmetry=False).check((), Budget()).stats
    assert full is not None and full.exhaustive and not full.limited and full.stop_reason == ""
    assert full.states == 2**6
