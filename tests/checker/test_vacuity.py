"""The generated vacuity goals: their predicates, exactness and capture-avoiding substitution."""

from __future__ import annotations

import pytest

from checker.vacuity import fire_goals, guard_goals, is_fires_goal
from spec.frontend import load_instance
from spec.printer import print_ir_expr

MODEL = """sort Page = 2;
enum S { Free, Used }
var st: Page -> S = Free;
var n: 0..3 = 0;
var flag: bool = false;
var mark: Page -> bool = false;
action alloc(p: Page) { require st[p] == Free; st[p] := Used; require n < 3; n := n + 1; }
action seq() { flag := true; require flag; }
action pick() { choose q: Page where st[q] == Used; st[q] := Free; }
action bcast() { forall v: Page { require st[v] == Free; st[v] := Used; } require n == 0; }
action quiet(p: Page) { forall v: Page { mark[v] := true; } require st[p] == Free; }
assume a1: forall p: Page :: st[p] == Free || n > 0;
"""


@pytest.fixture
def goals(tmp_path):
    p = tmp_path / "v.spec"
    p.write_text(MODEL, encoding="utf-8")
    inst = load_instance(p)
    return inst, {g.action: g for g in fire_goals(inst.model)}


def text(g) -> str:
    return print_ir_expr(g.prop.expr)


def test_one_goal_per_action_named_action_fires(goals):
    inst, gs = goals
    assert [g.prop.name for g in fire_goals(inst.model)] == [f"{a.name}:fires" for a in inst.model.actions]
    assert all(is_fires_goal(n) for n in ("alloc:fires", "kvm.fault:fires")) and not is_fires_goal("fires")
    assert all(g.prop.kind.value == "reachable" for g in gs.values())


def test_requires_after_writes_see_the_writes(goals):
    _, gs = goals
    # `flag := true; require flag` always passes: only the assumption on the successor is left
    assert text(gs["seq"]) == "forall p: Page :: st[p] == Free || n > 0"
    assert gs["seq"].exact


def test_assume_binders_are_renamed_instead_of_capturing_the_action_parameter(goals):
    _, gs = goals
    t = text(gs["alloc"])
    assert t.startswith("exists p: Page :: st[p] == Free && (n < 3")
    assert "forall p': Page :: (p' == p ? Used : st[p']) == Free || n + 1 > 0" in t  # p' is the assume's


def test_choose_becomes_an_existential(goals):
    _, gs = goals
    assert text(gs["pick"]).startswith("exists q: Page :: st[q] == Used && ")


def test_forall_is_exact_unless_later_statements_read_its_writes(goals):
    _, gs = goals
    assert not gs["bcast"].exact and text(gs["bcast"]) == "forall v: Page :: st[v] == Free"
    # nothing after the forall reads `mark`: exact, and the require and the assume both stay
    assert gs["quiet"].exact
    assert text(gs["quiet"]) == "exists p: Page :: st[p] == Free && (forall p: Page :: st[p] == Free || n > 0)"


def test_guard_goals_end_at_each_top_level_require(goals):
    inst, _ = goals
    gg = guard_goals(inst.model.action("alloc"))
    assert [g.prop.name for g in gg] == ["alloc:require@7:25", "alloc:require@7:63"]
    assert [text(g) for g in gg] == ["exists p: Page :: st[p] == Free", "exists p: Page :: st[p] == Free && n < 3"]


# ---------------------------------------------------------------- against the interpreter

import random  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from checker.interp.semantics import Semantics  # noqa: E402
from checker.result import State  # noqa: E402
from spec.ir import domain_type  # noqa: E402
from tests.gen.models import generated_instance, models  # noqa: E402

SAMPLES = 150


def _states(inst, seed: int) -> list[State]:
    """Random states of the instance (any state, not only reachable ones: the predicate is a
    statement about every state)."""
    rng = random.Random(seed)
    locs = [((v.name, idx), inst.domain(domain_type(v.type))) for v in inst.model.vars for idx in inst.locations(v)]
    return [State(tuple((loc, rng.choice(dom)) for loc, dom in locs)) for _ in range(SAMPLES)]


def _fires(sem: Semantics, s: State, action: str) -> bool:
    return any(isinstance(o, State) for ai in sem.action_instances() if ai.action == action
               for o in sem.outcomes(s, ai))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(), st.integers(0, 2**16))
def test_fires_predicate_agrees_with_the_interpreter(tmp_path_factory, text, seed):
    """Exact goals hold exactly where the action has a successor; inexact ones at least there."""
    inst = generated_instance(tmp_path_factory, text)
    sem = Semantics(inst)
    states = _states(inst, seed)
    for g in fire_goals(inst.model):
        for s in states:
            fires, pred = _fires(sem, s, g.action), sem.holds(g.prop.expr, s)
            if g.exact:
                assert fires == pred, (g.action, s)
            else:
                assert pred or not fires, (g.action, s)
        for gg in guard_goals(inst.model.action(g.action)):
            assert all(sem.holds(gg.prop.expr, s) or not _fires(sem, s, g.action) for s in states)
