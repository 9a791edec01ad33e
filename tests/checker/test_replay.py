"""Trace replay (checker/interp/replay.py): good traces replay, each kind of corruption is pinpointed."""

from __future__ import annotations

from dataclasses import replace

from checker.interp.replay import MismatchKind, replay
from checker.interp.semantics import Semantics
from checker.result import Failure, State, Step, Trace
from spec import ir
from tests.checker.interp_helpers import ai, load, make_state

MODEL = """
sort S = 2;
var f: S -> 0..2 = 0;
var b: bool = false;
action inc(p: S) { f[p] := f[p] + 1; }
action flip() { choose x: S where f[x] > 0; b := !b; }
action boom() { require b; assert no_boom: forall q: S :: f[q] == 9; }
invariant inv: !b;
"""


def setup(tmp_path):
    sem = Semantics(load(tmp_path, MODEL))
    s0 = make_state(sem, f=(0, 0), b=False)
    s1 = make_state(sem, f=(0, 1), b=False)
    s2 = make_state(sem, f=(0, 1), b=True)
    return sem, s0, s1, s2


def step(sem, state, action=None, **args) -> Step:
    if action is None:
        return Step(None, (), state)
    return Step(action, ai(sem, action, **args).args, state)


def test_a_correct_trace_replays(tmp_path):
    sem, s0, s1, s2 = setup(tmp_path)
    trace = Trace((step(sem, s0), step(sem, s1, "inc", p=1), step(sem, s2, "flip")))
    res = replay(trace, sem)
    assert res.ok and res.mismatch is None and str(res) == "replays"


def test_a_trace_ending_in_a_failure_replays(tmp_path):
    sem, s0, s1, s2 = setup(tmp_path)
    fail = Failure("no_boom", "assert no_boom failed")
    trace = Trace((step(sem, s0), step(sem, s1, "inc", p=1), step(sem, s2, "flip"), step(sem, None, "boom")),
                  fail)
    assert replay(trace, sem).ok


def test_not_initial(tmp_path):
    sem, s0, s1, s2 = setup(tmp_path)
    res = replay(Trace((step(sem, s1),)), sem)
    assert not res.ok
    m = res.mismatch
    assert (m.step, m.kind) == (0, MismatchKind.NOT_INITIAL)
    assert "f[s1] is 1 in the trace but 0" in m.message


def test_unknown_action_and_arguments(tmp_path):
    sem, s0, s1, s2 = setup(tmp_path)
    res = replay(Trace((step(sem, s0), Step("inc2", (), s1))), sem)
    assert res.mismatch.kind is MismatchKind.UNKNOWN_ACTION and "no action `inc2`" in res.mismatch.message
    res = replay(Trace((step(sem, s0), Step("inc", (("q", ir.Elem("S", 0)),), s1))), sem)
    assert (res.mismatch.step, res.mismatch.kind) == (1, MismatchKind.UNKNOWN_ACTION)
    assert "takes (p: S)" in res.mismatch.message


def test_wrong_successor_names_the_differing_location(tmp_path):
    sem, s0, s1, s2 = setup(tmp_path)
    res = replay(Trace((step(sem, s0), step(sem, s1, "inc", p=0))), sem)
    m = res.mismatch
    assert (m.step, m.kind) == (1, MismatchKind.NOT_A_SUCCESSOR)
    assert "f[s0] is 0 in the trace but 1" in m.message and "inc(p=s0)" in m.message


def test_disabled_action(tmp_path):
    sem, s0, s1, s2 = setup(tmp_path)
    res = replay(Trace((step(sem, s0), step(sem, s2, "flip"))), sem)
    assert res.mismatch.kind is MismatchKind.NOT_A_SUCCESSOR and "not enabled" in res.mismatch.message


def test_violation_not_produced(tmp_path):
    sem, s0, s1, s2 = setup(tmp_path)
    fail = Failure("no_boom", "assert no_boom failed")
    res = replay(Trace((step(sem, s0), step(sem, None, "boom")), fail), sem)
    assert (res.mismatch.step, res.mismatch.kind) == (1, MismatchKind.VIOLATION_NOT_PRODUCED)
    wrong = Failure("f:range", "f[p] leaves its range 0..2")
    res = replay(Trace((step(sem, s0), step(sem, s1, "inc", p=1), step(sem, s2, "flip"),
                        step(sem, None, "boom")), wrong), sem)
    assert res.mismatch.kind is MismatchKind.VIOLATION_NOT_PRODUCED
    assert "failures of no_boom" in res.mismatch.message


def test_malformed_traces(tmp_path):
    sem, s0, s1, s2 = setup(tmp_path)
    assert replay(Trace(()), sem).mismatch.kind is MismatchKind.MALFORMED
    res = replay(Trace((step(sem, s0), Step(None, (), s1))), sem)
    assert (res.mismatch.step, res.mismatch.kind) == (1, MismatchKind.MALFORMED)
    res = replay(Trace((step(sem, s0), step(sem, None, "inc", p=0))), sem)
    assert res.mismatch.kind is MismatchKind.MALFORMED
    fail = Failure("no_boom", "x")
    res = replay(Trace((step(sem, s0), step(sem, s1, "inc", p=1)), fail), sem)
    assert (res.mismatch.step, res.mismatch.kind) == (1, MismatchKind.MALFORMED)


def test_ill_formed_state(tmp_path):
    sem, s0, s1, s2 = setup(tmp_path)
    bad = State(tuple((loc, 5) if loc == ("f", (ir.Elem("S", 1),)) else (loc, v) for loc, v in s1.values))
    res = replay(Trace((step(sem, s0), step(sem, bad, "inc", p=1))), sem)
    assert (res.mismatch.step, res.mismatch.kind) == (1, MismatchKind.BAD_STATE)
    assert "f[s1]" in res.mismatch.message and "outside" in res.mismatch.message


def test_assume_explains_a_rejected_state(tmp_path):
    sem = Semantics(load(tmp_path, "var n: 0..3 = 0;\nassume low: n < 2;\naction up() { n := n + 1; }\n"))
    s = [make_state(sem, n=i) for i in range(3)]
    trace = Trace((step(sem, s[0]), step(sem, s[1], "up"), step(sem, s[2], "up")))
    res = replay(trace, sem)
    assert res.mismatch.step == 2 and "falsifies assume low" in res.mismatch.message
    assert replay(replace(trace, steps=trace.steps[:2]), sem).ok


def test_init_block_failure_trace(tmp_path):
    sem = Semantics(load(tmp_path, "var b: bool;\ninit { assert never_b: !b; }\naction a() { skip; }\n"))
    good = Trace((Step(None, (), None),), Failure("never_b", "assert never_b failed"))
    assert replay(good, sem).ok
    bad = Trace((Step(None, (), None),), Failure("other", "assert other failed"))
    assert replay(bad, sem).mismatch.kind is MismatchKind.VIOLATION_NOT_PRODUCED


def test_initial_state_check_with_an_init_block_that_writes(tmp_path):
    sem = Semantics(load(tmp_path, "sort S = 3;\nvar f: S -> bool; var n: 0..3 = 0;\n"
                                   "init { n := count p: S :: f[p]; }\naction a() { skip; }\n"))
    good = make_state(sem, f=(True, False, True), n=2)
    assert replay(Trace((Step(None, (), good),)), sem).ok
    bad = make_state(sem, f=(True, False, True), n=1)
    assert replay(Trace((Step(None, (), bad),)), sem).mismatch.kind is MismatchKind.NOT_INITIAL


def test_a_corrupted_engine_trace_is_rejected_precisely(tmp_path):
    from checker.explicit.engine import ExplicitEngine
    from checker.result import Budget

    inst = load(tmp_path, "sort S = 3;\nvar f: S -> 0..3 = 0;\naction inc(p: S) { f[p] := f[p] + 1; }\n"
                          "invariant low: (count p: S :: f[p] > 0) < 2;\n")
    sem = Semantics(inst)
    (res,) = ExplicitEngine(inst).check([inst.model.property("low")], Budget()).results
    assert res.trace.depth == 2 and replay(res.trace, sem).ok
    steps = list(res.trace.steps)
    last = steps[2].state
    bumped = State(tuple((loc, v + 1 if loc[0] == "f" and v == 0 else v) for loc, v in last.values))
    steps[2] = replace(steps[2], state=bumped)
    m = replay(Trace(tuple(steps)), sem).mismatch
    assert (m.step, m.kind) == (2, MismatchKind.NOT_A_SUCCESSOR)
    assert "in the trace but 0 in the closest outcome" in m.message
    steps = list(res.trace.steps)
    steps[1] = replace(steps[1], action="dec")
    m = replay(Trace(tuple(steps)), sem).mismatch
    assert (m.step, m.kind) == (1, MismatchKind.UNKNOWN_ACTION)
