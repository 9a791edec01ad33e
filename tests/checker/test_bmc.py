"""Bounded model checking: shortest traces, failing steps, bounds, and action firing."""

from __future__ import annotations

from checker.result import Budget, Verdict
from checker.solver.encode import Encoding, FunctionEncoding
from checker.symbolic.bmc import Bmc
from checker.vacuity import fire_goals
from spec import ir
from tests.checker.corpus.verdicts import DEAD_ACTIONS
from tests.checker.symbolic_helpers import assert_well_formed, by_name, corpus, load_text


def _check(inst: ir.Instance, depth: int, enc: Encoding | None = None) -> dict:
    results = Bmc(inst, enc).check(list(inst.model.properties), Budget(max_depth=depth))
    for r in results:
        assert_well_formed(r, inst)
    return by_name(results)


def test_range_violation_ends_with_the_failing_step():
    inst = corpus("counter_overflow.spec")
    r = _check(inst, 6)["n:range"]
    assert (r.verdict, r.depth) == (Verdict.VIOLATED, 4)
    steps = r.trace.steps
    assert [s.action for s in steps] == [None, "inc", "inc", "inc", "inc"]
    assert [s.state.get("n") for s in steps[:-1]] == [0, 1, 2, 3]
    assert steps[-1].state is None
    assert "leaves its range 0..3" in r.trace.failure.message
    assert r.trace.failure.span.line == 4  # the assignment `n := n + 1`


def test_init_block_failure_is_a_trace_of_one_step():
    r = _check(corpus("init_assert.spec"), 3)["init_ok"]
    assert (r.verdict, r.depth) == (Verdict.VIOLATED, 0)
    assert len(r.trace.steps) == 1 and r.trace.steps[0].state is None
    assert r.trace.failure.prop == "init_ok"


def test_the_bound_is_respected_and_holds_to_depth_is_not_a_pass():
    inst = corpus("deep_assert.spec")
    short = _check(inst, 8)["c_small"]
    assert (short.verdict, short.depth) == (Verdict.HOLDS_TO_DEPTH, 8)
    assert not short.verdict.is_pass and not short.verdict.is_definitive
    assert "8" in short.reason
    deep = _check(inst, 9)["c_small"]
    assert (deep.verdict, deep.depth) == (Verdict.VIOLATED, 9)


def test_each_property_gets_its_own_shortest_trace():
    results = _check(corpus("enum_cycle.spec"), 14)
    assert {p: (r.verdict, r.depth) for p, r in results.items()} == {
        "yellow": (Verdict.REACHED, 2), "not_green_after_three": (Verdict.VIOLATED, 10),
        "cycles:range": (Verdict.VIOLATED, 12)}


def test_parameters_and_choices_appear_in_the_trace():
    r = _check(corpus("choose_grab.spec"), 4)["one_free"]
    grabbed = [dict(s.choices)["p"] for s in r.trace.steps[1:]]
    assert sorted(e.index for e in grabbed) == [0, 1, 2]
    r = _check(corpus("uaf_broken.spec"), 4)["no_uaf"]
    assert [s.action for s in r.trace.steps] == [None, "alloc", "map", "free"]
    page = dict(r.trace.steps[1].args)["p"]
    assert all(dict(s.args)["p"] == page for s in r.trace.steps[1:])


def test_assumes_are_reported_with_every_verdict():
    r = _check(corpus("assume_bound.spec"), 5)
    assert all(x.assumptions == ("small",) for x in r.values())
    assert (r["four"].verdict, r["three"].depth) == (Verdict.HOLDS_TO_DEPTH, 3)


def test_sizes_change_the_shortest_trace():
    for n in (2, 4):
        inst = corpus("choose_grab.spec", Page=n)
        assert _check(inst, 6)["one_free"].depth == n


def test_array_encoding_finds_the_same_traces():
    for name in ("fault_race_broken.spec", "forall_disabled.spec", "two_index.spec", "init_block.spec"):
        inst = corpus(name)
        scal = _check(inst, 5)
        arr = _check(inst, 5, Encoding(inst, FunctionEncoding.ARRAYS))
        assert {p: (r.verdict, r.depth) for p, r in scal.items()} == \
               {p: (r.verdict, r.depth) for p, r in arr.items()}, name


def test_fires_goals_find_dead_actions():
    for name, dead in DEAD_ACTIONS.items():
        inst = corpus(name)
        goals = {g.prop.name: g for g in fire_goals(inst.model)}
        results = {r.prop: r for r in Bmc(inst).check([g.prop for g in goals.values()], Budget(max_depth=5))}
        assert {goals[p].action for p, r in results.items() if r.verdict is Verdict.HOLDS_TO_DEPTH} == dead
        for p, r in results.items():
            if goals[p].action in dead:
                assert r.depth == 5 and r.trace is None
            else:
                assert r.verdict is Verdict.REACHED and r.trace.depth == r.depth >= 0


def test_fires_goal_depth_is_the_shortest(tmp_path):
    inst = load_text(tmp_path, """
var n: 0..5 = 0;
action inc() { require n < 5; n := n + 1; }
action at_three() { require n == 3; n := 0; }
""")
    [goal] = [g.prop for g in fire_goals(inst.model) if g.action == "at_three"]
    [r] = Bmc(inst).check([goal], Budget(max_depth=6))
    assert (r.verdict, r.depth) == (Verdict.REACHED, 3)  # n == 3: at_three is enabled there
    [r] = Bmc(inst).check([goal], Budget(max_depth=2))
    assert (r.verdict, r.depth) == (Verdict.HOLDS_TO_DEPTH, 2)


def test_values_nothing_constrains_start_at_their_first_value():
    r = _check(corpus("fault_race_broken.spec"), 5)["ept_private"]
    first = r.trace.steps[0].state
    assert [first.get("fpage", (ir.Elem("Vcpu", v),)) for v in (0, 1)] == [ir.Elem("Page", 0)] * 2
    r = _check(corpus("unconstrained.spec"), 2)["always_a"]
    first = r.trace.steps[0].state
    assert first.get("e").member != "A" and first.get("b") is False  # b is free, e is not
