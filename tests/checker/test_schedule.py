"""The scheduler on scripted engines: phase order, budgets, merge rules, replay failures, timeouts,
interrupts and dead actions."""

from __future__ import annotations

import pytest

from checker import vacuity
from checker.api import Prepared, run, select
from checker.backends import EngineKind, Options
from checker.policy import EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATION, Policy, exit_status
from checker.result import PropertyResult, SearchStats, Verdict
from checker.schedule import (
    AUTO_EXPLICIT_STATES,
    DEFAULT_DEPTH,
    EXPLICIT_SHARE,
    InternalError,
    merge,
    schedule,
)
from spec.diagnostics import FrontendError
from spec.frontend import load_instance
from spec.ir import PropKind
from tests.checker.fake_engines import Fakes, answer, simple_trace

MODEL = """model sched;
var x: bool = false;
var locked: bool = false;
action a() "set x" { x := true; }
action unlock() "never possible" {
  require !x;
  require locked;
  locked := false;
}
invariant inv1: !locked;
invariant inv2: x || !x;
reachable goal: x;
"""

BMC, IND, PDR, EXP = EngineKind.BMC, EngineKind.INDUCTION, EngineKind.PDR, EngineKind.EXPLICIT


@pytest.fixture
def inst(tmp_path):
    p = tmp_path / "sched.spec"
    p.write_text(MODEL, encoding="utf-8")
    return load_instance(p)


def _run(inst, fakes: Fakes, options: Options | None = None, names=None, clock=None):
    options = options or Options(vacuity=False)
    props, goals = select(inst.model, names, options.vacuity)
    kw = {"clock": clock} if clock else {}
    return schedule(inst, props, goals, options, fakes.backend(), file="sched.spec", **kw).report


def test_auto_runs_explicit_then_bmc_then_pdr_then_induction_on_what_is_left(inst):
    t = simple_trace()
    fakes = Fakes({
        BMC: {"inv1": answer(Verdict.HOLDS_TO_DEPTH, "bmc", 10), "inv2": answer(Verdict.HOLDS_TO_DEPTH, "bmc", 10),
              "goal": answer(Verdict.REACHED, "bmc", 1, t)},
        PDR: {"inv1": answer(Verdict.UNKNOWN, "pdr", reason="no invariant found"),
              "inv2": answer(Verdict.PROVED, "pdr")},
        IND: {"inv1": answer(Verdict.PROVED, "induction", 3)},
    })
    rep = _run(inst, fakes)
    assert fakes.engines_called() == ["explicit", "bmc", "pdr", "induction"]
    explicit = fakes.calls[0][2]
    assert explicit.max_states == AUTO_EXPLICIT_STATES and explicit.max_depth is None  # a capped first try
    assert fakes.calls[1][1] == ("inv1", "inv2", "goal")  # BMC gets everything at once
    assert fakes.calls[1][2].max_depth == DEFAULT_DEPTH
    assert fakes.calls[2][1] == ("inv1", "inv2")  # PDR gets what BMC left open, jointly
    assert fakes.calls[3][1] == ("inv1",)  # induction only what PDR left open
    verdicts = {r.prop: (r.verdict, r.engine) for r in rep.results}
    assert verdicts == {"inv1": (Verdict.PROVED, "induction"), "inv2": (Verdict.PROVED, "pdr"),
                        "goal": (Verdict.REACHED, "bmc")}
    assert rep.result("inv1").time_s == pytest.approx(0.3)  # every engine's time on it
    assert exit_status(rep) == EXIT_OK


def test_a_bound_bmc_left_short_in_its_first_second_is_deepened_at_the_end(inst):
    # the first BMC call is capped at a second; what it left below --depth gets the rest of the
    # time at the end, so the bound reported does not depend on the machine's speed
    fakes = Fakes({BMC: {"inv1": lambda p, b: PropertyResult(p.name, p.kind, Verdict.HOLDS_TO_DEPTH, "bmc", 0.1,
                                                             4 if b.deadline is not None and len(fakes.calls) == 2
                                                             else 10, reason="capped"),
                         "inv2": answer(Verdict.HOLDS_TO_DEPTH, "bmc", 10),
                         "goal": answer(Verdict.REACHED, "bmc", 1, simple_trace())}})
    rep = _run(inst, fakes, Options(timeout=100, vacuity=False))
    assert fakes.engines_called() == ["explicit", "bmc", "pdr", "induction", "induction", "bmc"]
    assert fakes.calls[-1][1] == ("inv1",)  # inv2 already holds to depth 10
    assert rep.result("inv1").depth == 10


def test_single_engine_runs_only_that_engine(inst):
    fakes = Fakes({PDR: {n: answer(Verdict.PROVED, "pdr") for n in ("inv1", "inv2")}})
    fakes.tables[PDR]["goal"] = answer(Verdict.UNREACHABLE, "pdr")
    rep = _run(inst, fakes, Options(engine=PDR, vacuity=False))
    assert set(fakes.engines_called()) == {"pdr"}
    assert rep.result("goal").verdict is Verdict.UNREACHABLE
    assert exit_status(rep) == EXIT_VIOLATION  # an unreachable goal is a failure


def test_bounded_only_is_undecided_unless_a_bounded_check_was_asked_for(inst):
    fakes = Fakes({BMC: {n: answer(Verdict.HOLDS_TO_DEPTH, "bmc", 5) for n in ("inv1", "inv2")}})
    fakes.tables[BMC]["goal"] = answer(Verdict.REACHED, "bmc", 1, simple_trace())
    rep = _run(inst, fakes, Options(engine=BMC, depth=5, vacuity=False))
    assert fakes.calls[0][2].max_depth == 5
    assert rep.result("inv1").verdict is Verdict.HOLDS_TO_DEPTH and rep.result("inv1").depth == 5
    assert exit_status(rep) == EXIT_UNKNOWN
    assert exit_status(rep, Policy(bounded_depth=5)) == EXIT_OK
    assert exit_status(rep, Policy(bounded_depth=6)) == EXIT_UNKNOWN  # the asked-for bound was not reached


def test_a_trace_that_does_not_replay_is_an_internal_error(inst):
    bad = simple_trace(2)
    fakes = Fakes({BMC: {"inv1": answer(Verdict.VIOLATED, "bmc", 2, bad)}})
    fakes.checker.bad.append(bad)
    with pytest.raises(InternalError, match="does not replay.*successor is not among"):
        _run(inst, fakes)


def test_engines_that_contradict_each_other_are_an_internal_error(inst):
    fakes = Fakes({EXP: {"inv1": answer(Verdict.VIOLATED, "explicit", 1, simple_trace())}})
    cands = [answer(Verdict.VIOLATED, "explicit", 1, simple_trace())(inst.model.property("inv1"), None),
             answer(Verdict.PROVED, "pdr")(inst.model.property("inv1"), None)]
    with pytest.raises(InternalError, match="engines disagree"):
        merge(inst.model.property("inv1"), cands)
    assert fakes  # the scripted backend itself is not needed for merge


def test_a_verdict_of_the_wrong_kind_is_an_internal_error(inst):
    fakes = Fakes({BMC: {"goal": answer(Verdict.PROVED, "bmc")}})
    with pytest.raises(InternalError, match="PROVED for reachable"):
        _run(inst, fakes)


def test_an_engine_crash_is_an_internal_error(inst):
    def boom():
        raise RuntimeError("solver exploded")

    fakes = Fakes(hooks={BMC: boom})
    with pytest.raises(InternalError, match="bmc engine crashed.*solver exploded"):
        _run(inst, fakes)


def test_merge_prefers_shortest_witness_then_proof_then_deepest_bound():
    prop = type("P", (), {"name": "p", "kind": PropKind.INVARIANT})()
    long_, short = simple_trace(5), simple_trace(2)
    w = merge(prop, [PropertyResult("p", PropKind.INVARIANT, Verdict.VIOLATED, "explicit", 1, 5, long_),
                     PropertyResult("p", PropKind.INVARIANT, Verdict.VIOLATED, "bmc", 1, 2, short),
                     PropertyResult("p", PropKind.INVARIANT, Verdict.HOLDS_TO_DEPTH, "bmc", 1, 1)])
    assert (w.verdict, w.engine, w.depth, w.time_s) == (Verdict.VIOLATED, "bmc", 2, 3)
    b = merge(prop, [PropertyResult("p", PropKind.INVARIANT, Verdict.HOLDS_TO_DEPTH, "bmc", 1, 10),
                     PropertyResult("p", PropKind.INVARIANT, Verdict.HOLDS_TO_DEPTH, "explicit", 1, 12),
                     PropertyResult("p", PropKind.INVARIANT, Verdict.UNKNOWN, "pdr", 1, reason="timeout after 3s")])
    assert (b.verdict, b.depth, b.engine) == (Verdict.HOLDS_TO_DEPTH, 12, "explicit")
    assert "pdr: timeout after 3s" in b.reason
    u = merge(prop, [PropertyResult("p", PropKind.INVARIANT, Verdict.UNKNOWN, "induction", 1, reason="unknown"),
                     PropertyResult("p", PropKind.INVARIANT, Verdict.UNKNOWN, "pdr", 1, reason="timeout")])
    assert u.verdict is Verdict.UNKNOWN and u.reason == "induction: unknown; pdr: timeout"


def test_timeout_splits_the_budget_and_leaves_unknown(inst):
    now = [100.0]

    def slow():
        now[0] += 4.0  # every engine call uses 4 s of a 10 s budget

    fakes = Fakes({BMC: {n: answer(Verdict.HOLDS_TO_DEPTH, "bmc", 10) for n in ("inv1", "inv2", "goal")},
                   PDR: {n: answer(Verdict.UNKNOWN, "pdr", reason="timeout") for n in ("inv1", "inv2", "goal")}},
                  hooks={BMC: slow, PDR: slow, IND: slow})
    rep = _run(inst, fakes, Options(timeout=10, vacuity=False), clock=lambda: now[0])
    assert fakes.calls[0][2].deadline == pytest.approx(100 + EXPLICIT_SHARE * 10)  # the explicit phase's share
    bmc_budget = fakes.calls[1][2]
    assert bmc_budget.deadline == pytest.approx(100 + 1.0)  # BMC looks for shallow bugs for a second
    pdr_budget = fakes.calls[2][2]
    assert pdr_budget.deadline == pytest.approx(104 + 0.6 * 6)  # its share of what is left
    assert fakes.engines_called()[3:] == ["induction"]  # one property's slice, then the budget was gone
    assert 108 < fakes.calls[3][2].deadline < 110
    assert all(r.verdict in (Verdict.HOLDS_TO_DEPTH, Verdict.UNKNOWN) for r in rep.results)
    assert rep.result("goal").verdict is Verdict.HOLDS_TO_DEPTH  # BMC's bound survives
    assert exit_status(rep) == EXIT_UNKNOWN


def test_no_engine_got_to_it_is_unknown_with_a_reason(inst):
    now = [0.0]

    def slow():
        now[0] += 50

    fakes = Fakes(hooks={BMC: slow})
    rep = _run(inst, fakes, Options(timeout=10, vacuity=False), clock=lambda: now[0])
    r = rep.result("inv1")
    assert r.verdict is Verdict.UNKNOWN and "--timeout" in r.reason


def test_ctrl_c_keeps_the_verdicts_decided_so_far(inst):
    def interrupt():
        raise KeyboardInterrupt

    fakes = Fakes({BMC: {"inv1": answer(Verdict.VIOLATED, "bmc", 1, simple_trace()),
                         "goal": answer(Verdict.REACHED, "bmc", 1, simple_trace())}}, hooks={PDR: interrupt})
    rep = _run(inst, fakes)
    assert rep.interrupted
    assert rep.result("inv1").verdict is Verdict.VIOLATED
    assert rep.result("inv2").verdict is Verdict.UNKNOWN and "interrupted" in rep.result("inv2").reason
    assert exit_status(rep) == EXIT_VIOLATION


def _dead_action_fakes() -> Fakes:
    t = simple_trace()
    table = {"inv1": answer(Verdict.PROVED, "pdr"), "inv2": answer(Verdict.PROVED, "pdr"),
             "goal": answer(Verdict.REACHED, "pdr", 1, t), "a:fires": answer(Verdict.REACHED, "pdr", 0, t),
             "unlock:fires": answer(Verdict.UNREACHABLE, "pdr"),
             "unlock:require@6:3": answer(Verdict.REACHED, "pdr", 0, t),
             "unlock:require@7:3": answer(Verdict.UNREACHABLE, "pdr")}
    return Fakes({PDR: table})


def test_dead_action_is_a_warning_naming_the_guard_and_an_error_with_strict(inst):
    fakes = _dead_action_fakes()
    rep = _run(inst, fakes, Options(engine=PDR))
    assert [r.prop for r in rep.results][-2:] == ["a:fires", "unlock:fires"]
    fired = rep.result("a:fires")
    assert fired.vacuity_of == "a" and rep.result("unlock:fires").vacuity_of == "unlock"
    assert all(r.vacuity_of is None for r in rep.results[:-2])  # the model's own properties
    assert fired.trace.steps[-1].action == "a" and fired.depth == fired.trace.depth  # ends with the action firing
    [w] = rep.warnings
    assert w.code == "dead-action" and "`unlock`" in w.message and "require locked" in w.message
    assert w.span.line == 7
    assert exit_status(rep) == EXIT_OK
    assert exit_status(rep, Policy(strict=True)) == EXIT_VIOLATION


def test_a_fires_witness_the_interpreter_cannot_fire_is_a_bug_for_exact_goals(inst):
    fakes = _dead_action_fakes()
    fakes.checker.no_fire.add("a")
    with pytest.raises(InternalError, match="cannot fire it"):
        _run(inst, fakes, Options(engine=PDR))


def test_property_selection_by_name_suffix_and_vacuity_goal(inst, tmp_path):
    props, goals = select(inst.model, ["inv2", "unlock:fires"])
    assert [p.name for p in props] == ["inv2"] and [g.prop.name for g in goals] == ["unlock:fires"]
    props, goals = select(inst.model, None, vacuity_goals=False)
    assert [p.name for p in props] == ["inv1", "inv2", "goal"] and goals == []
    with pytest.raises(FrontendError) as e:
        select(inst.model, ["zzz", "gaol"])
    msgs = [(d.code, d.message, d.hint) for d in e.value.diagnostics]
    assert msgs[0][:2] == ("E0412", "unknown property `zzz`") and "inv1, inv2, goal" in msgs[0][2]
    assert msgs[1][2] == "did you mean `goal`?"


def test_run_uses_the_given_backend_and_names_the_file(inst):
    fakes = _dead_action_fakes()
    out = run(Prepared(inst, "x.spec"), None, Options(engine=PDR), fakes.backend())
    assert out.report.file == "x.spec" and out.report.model == "sched"
    assert out.report.config == inst.describe()
    assert {g.prop.name for g in vacuity.fire_goals(inst.model)} <= {r.prop for r in out.report.results}


def test_auto_stops_after_an_exhaustive_explicit_search(inst):
    t = simple_trace()
    fakes = Fakes({EXP: {"inv1": answer(Verdict.PROVED, "explicit"), "inv2": answer(Verdict.VIOLATED, "explicit", 1, t),
                         "goal": answer(Verdict.REACHED, "explicit", 1, t)}})
    rep = _run(inst, fakes)
    assert fakes.engines_called() == ["explicit"]
    assert {r.engine for r in rep.results} == {"explicit"}
    fakes = Fakes({EXP: {"inv1": answer(Verdict.HOLDS_TO_DEPTH, "explicit", 4)}})
    _run(inst, fakes)
    assert fakes.engines_called()[:2] == ["explicit", "bmc"]  # a capped, partial search hands over



def _guard_phase_engines(inst, limited: bool) -> list[str]:
    """The engines `auto` asks about the dead action's guards after an explicit search that a
    limit stopped (`limited`) or not."""
    fakes = _dead_action_fakes()
    fakes.stats[EXP] = (SearchStats("explicit", 500_000, 10**6, 9, False, 12.0, limited=limited),)
    rep = _run(inst, fakes, Options())  # auto, with the vacuity goals
    assert any(w.code == "dead-action" and "require locked" in w.message for w in rep.warnings), rep.warnings
    return [c[0] for c in fakes.calls if any("require@" in name for name in c[1])]


def test_the_dead_action_guards_skip_an_explicit_search_a_limit_already_stopped(inst):
    # The explicit search stopped at its state cap: running it again with the same cap cannot show a
    # guard is never satisfied, so the guard phase goes straight to the proof engines.
    assert "explicit" not in _guard_phase_engines(inst, limited=True)
    assert _guard_phase_engines(inst, limited=False)[0] == "explicit"
