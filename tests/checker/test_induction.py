"""k-induction: which k closes a proof, certificates for k = 1, and its limits."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from checker.result import Budget, Verdict
from checker.symbolic.induction import Induction
from tests.checker.oracle import shortest_depths
from tests.checker.symbolic_helpers import assert_consistent, assert_well_formed, by_name, corpus, load_text
from tests.gen.models import models


def _check(inst, max_k: int = 12) -> dict:
    results = Induction(inst).check(list(inst.model.properties), Budget(max_depth=max_k))
    for r in results:
        assert_well_formed(r, inst)
    return by_name(results)


def test_a_property_that_needs_k_2():
    r = _check(corpus("k_induction.spec"))["nb"]
    assert (r.verdict, r.depth) == (Verdict.PROVED, 2)
    assert r.certificate is None  # not inductive by itself: no invariant to show
    assert "2-inductive" in r.reason


def test_k_1_gives_the_property_as_its_certificate():
    r = _check(corpus("counter_guarded.spec"))["nonneg"]
    assert (r.verdict, r.depth) == (Verdict.PROVED, 1)
    assert r.certificate.engine == "induction"
    assert r.certificate.invariant == "n >= 0"
    assert set(r.certificate.smt2) == {"initiation", "consecution", "safety"}


def test_an_unreachable_goal_is_proved_unreachable():
    r = _check(corpus("unreachable_goal.spec"))
    assert (r["differ"].verdict, r["differ"].depth) == (Verdict.UNREACHABLE, 1)
    assert r["differ"].certificate.invariant.startswith("!(")
    assert r["both_set"].verdict is Verdict.REACHED


def test_long_simple_paths_defeat_small_k():
    inst = corpus("pdr_only.spec")
    r = _check(inst, 12)["small"]
    assert (r.verdict, r.depth) == (Verdict.HOLDS_TO_DEPTH, 11)
    assert "not k-inductive for k <= 12" in r.reason
    # The longest simple path of small states with the flag set is x = 0 .. 20 (21 states).
    r = _check(inst, 24)["small"]
    assert (r.verdict, r.depth) == (Verdict.PROVED, 22)


def test_base_case_violations_are_shortest_traces():
    r = _check(corpus("mutex_broken.spec"))["mutex"]
    assert (r.verdict, r.depth) == (Verdict.VIOLATED, 6)


def test_assert_goals_are_proved_without_a_hypothesis(tmp_path):
    inst = load_text(tmp_path, """
var x: 0..3 = 0;
var armed: bool = false;
action arm() { armed := true; }
action fire() { require armed; assert safe: x < 3; x := x + 1; }
action reset() { x := 0; }
""")
    r = _check(inst)
    # x reaches 3 after arm + three fires; the fourth fire fails `safe` (and would overflow).
    assert (r["safe"].verdict, r["safe"].depth) == (Verdict.VIOLATED, 5)
    assert r["x:range"].verdict is Verdict.PROVED  # the assert guards the range: 1-inductive


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_agrees_with_the_interpreter_on_random_models(tmp_path_factory, text):
    inst = load_text(tmp_path_factory.mktemp("gen"), text)
    truth = shortest_depths(inst)  # these models are small: the whole state space
    for r in Induction(inst).check(list(inst.model.properties), Budget(max_depth=4)):
        assert r.verdict is not Verdict.UNKNOWN, r.reason
        assert_consistent(r, truth.get(r.prop))
        assert_well_formed(r, inst)
