"""PDR (Spacer): unbounded proofs with re-checked invariants in the model's terms, and
counterexamples handed to BMC for a shortest, replayable trace."""

from __future__ import annotations

import re
import time

from hypothesis import HealthCheck, given, settings

from checker.all_sizes import upgrade
from checker.result import Budget, Verdict
from checker.symbolic.pdr import Pdr
from tests.checker.oracle import shortest_depths
from tests.checker.symbolic_helpers import assert_consistent, assert_well_formed, by_name, corpus, load_text
from tests.gen.models import models

PROOFS = (Verdict.PROVED, Verdict.PROVED_ALL_SIZES)


def _check(inst) -> dict:
    results = Pdr(inst).check(list(inst.model.properties), Budget())
    for r in results:
        assert_well_formed(r, inst)
    return by_name(results)


def test_proof_of_a_property_induction_cannot_prove():
    r = _check(corpus("pdr_only.spec"))["small"]
    assert r.verdict is Verdict.PROVED
    assert r.certificate.engine == "pdr"
    assert "fast" in r.certificate.invariant  # the strengthening PDR had to find
    assert set(r.certificate.smt2) == {"initiation", "consecution", "safety"}


def test_invariants_are_printed_in_the_models_terms():
    r = _check(corpus("fault_race_fixed.spec"))["ept_private"]
    assert r.verdict is Verdict.PROVED
    inv = r.certificate.invariant
    names = set(re.findall(r"[a-z_]+\[[a-z0-9, ]+\]", inv))
    assert names and all(n.split("[")[0] in {"st", "ept", "inflight", "fpage", "stale"} for n in names), inv
    assert "@" not in inv and "Var(" not in inv and "is(" not in inv
    assert "Private" in inv or "Shared" in inv


def test_unreachable_goal_and_reached_goal():
    r = _check(corpus("assume_bound.spec"))
    assert r["four"].verdict is Verdict.UNREACHABLE and r["four"].certificate is not None
    assert (r["three"].verdict, r["three"].depth) == (Verdict.REACHED, 3)


def test_counterexamples_come_back_as_shortest_traces():
    r = _check(corpus("fault_race_broken.spec"))["ept_private"]
    assert (r.verdict, r.depth) == (Verdict.VIOLATED, 4)
    assert [s.action for s in r.trace.steps] == [None, "to_private", "fault_begin", "to_shared", "fault_end"]


def test_assert_in_the_init_block_and_in_actions(tmp_path):
    inst = load_text(tmp_path, """
var x: 0..3;
init { require x <= 1; assert start: x != 2; }
action inc() { require x < 3; x := x + 1; assert top: x != 3; }
""")
    r = _check(inst)
    assert r["start"].verdict is Verdict.PROVED and "init_safety" in r["start"].certificate.smt2
    assert (r["top"].verdict, r["top"].depth) == (Verdict.VIOLATED, 2)


def test_a_goal_impossible_in_every_state_has_true_as_its_invariant(tmp_path):
    inst = load_text(tmp_path, """
var x: 0..3 = 0;
action inc() { require x < 3; x := x + 1; }
invariant in_range: x <= 3;
""")
    r = _check(inst)["in_range"]
    assert r.verdict is Verdict.PROVED and r.certificate.invariant == "true"


def test_invariants_of_a_small_instance_are_generalized_by_symmetry():
    inst = corpus("fault_race_fixed.spec", Page=5, Vcpu=3)
    r = _check(inst)
    assert r["ept_private"].verdict is Verdict.PROVED
    assert (r["mapped"].verdict, r["mapped"].depth) == (Verdict.REACHED, 3)
    # the all-sizes step (run by the scheduler after any fixed-size proof) lifts it to every size
    up = upgrade(inst, list(inst.model.properties), r, None)
    assert up["ept_private"].verdict is Verdict.PROVED_ALL_SIZES
    inv = up["ept_private"].certificate.invariant
    # quantified: a lemma beside the property's own, and no page or vCPU is named
    assert re.search(r"forall [pv]\d: (Page|Vcpu) ::", inv) and not re.search(r"(page|vcpu)\d", inv)
    assert "stale[v0]" in inv  # the retry flag the proof depends on


def test_a_property_that_holds_only_in_small_instances_is_not_proved(tmp_path):
    # With 2 pages at most 2 can be set, so the small instances prove it; with 4 it fails.
    inst = load_text(tmp_path, """
sort Page = 4;
var x: Page -> bool = false;
action set(p: Page) { x[p] := true; }
invariant fewer_than_three: (count p: Page :: x[p]) < 3;
invariant monotone: forall p: Page :: x[p] || !x[p];
""")
    r = _check(inst)
    assert (r["fewer_than_three"].verdict, r["fewer_than_three"].depth) == (Verdict.VIOLATED, 3)
    assert r["monotone"].verdict in PROOFS


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_agrees_with_the_interpreter_on_random_models(tmp_path_factory, text):
    inst = load_text(tmp_path_factory.mktemp("gen"), text)
    truth = shortest_depths(inst)  # these models are small: the whole state space
    for r in Pdr(inst).check(list(inst.model.properties), Budget()):
        assert r.verdict is not Verdict.UNKNOWN, r.reason
        assert_consistent(r, truth.get(r.prop))
        assert_well_formed(r, inst)


def test_an_invariant_found_for_one_property_serves_later_calls(tmp_path):
    inst = load_text(tmp_path, """
sort Page = 3;
var a: Page -> bool = false;
var b: Page -> bool = false;
action set(p: Page) { require !a[p]; a[p] := true; b[p] := true; }
action clear(p: Page) { require a[p]; a[p] := false; b[p] := false; }
invariant same: forall p: Page :: a[p] == b[p];
invariant implied: forall p: Page :: b[p] -> a[p];
""")
    pdr = Pdr(inst)
    [first] = pdr.check([inst.model.property("same")], Budget())
    assert first.verdict in PROOFS and pdr.invariants
    [second] = pdr.check([inst.model.property("implied")], Budget())
    assert second.verdict in PROOFS
    assert second.certificate.invariant == first.certificate.invariant  # no new search
    assert_well_formed(second, inst)


def test_an_invariant_too_deeply_nested_to_generalize_is_skipped_not_a_crash(tmp_path):
    # A generated model (found by test_all_sizes' soundness test) whose small-instance Spacer
    # invariant is nested so deeply that hashing it while generalizing hit Python's recursion
    # limit: PDR must go on without those candidates, and what it decides must be right.
    inst = load_text(tmp_path, """
enum E { A, B, C }
sort S = 3;
sort T = 1;
var b: bool = false;
var c: bool = false;
var n: 0..3 = 0;
var e: E = A;
var f: S -> E = A;
var g: S -> bool = false;
var h: S -> 0..2 = 0;
var r: (S, T) -> bool = false;
init { b := b; }
action a0(p: S) { match e { A => { match e { A => { b := b; require (f[p] != B) -> (g[p]); h[p] := n; } B => { require g[p]; e := C; } _ => skip; } match e { A => { require (f[p] != A) && (g[p]); n := 1; b := h[p] >= 2; } B => { e := C; h[p] := n + n; } _ => skip; } match e { A => { require h[p] < 1; } B => { require b; b := (f[p] != B) ? (c) : (h[p] < 1); } _ => skip; } } B => { forall v0: S { require false; f[v0] := B; require h[p] < 1; } forall v0: S { require g[v0]; f[v0] := A; f[v0] := B; } } _ => skip; } c := b; b := false; }
invariant inv0: b;
reachable goal0: b;
""")
    results = Pdr(inst).check(list(inst.model.properties), Budget(deadline=time.monotonic() + 60))
    truth = shortest_depths(inst)
    for r in results:
        assert_well_formed(r, inst)
        assert_consistent(r, truth.get(r.prop))
    assert by_name(results)["inv0"].verdict is Verdict.VIOLATED  # b is false initially
