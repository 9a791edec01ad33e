"""A goal's expected answer (`reachable NAME expect reached|unreachable|any`): which verdict fails
a run, in every format, in baselines and in minimal-fixes; the text report's traces (failures
first, witnesses with --witnesses) and the DOT colours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.explore import baseline
from checker.explore import matrix as explore
from checker.explore.serialize import report_from_data, report_to_data
from checker.result import PropertyResult, Report, State, Step, Trace, Verdict, as_expected
from spec.frontend import load
from spec.ir import Expect, PropKind
from tests.conftest import run_cli

GOALS = """model goals;
var x: bool = false;
var y: bool = false;
action set_x() "x becomes true" { x := true; }
reachable hit_x expect unreachable "x must never be set": x;
reachable maybe_x expect any "does x get set?": x;
reachable maybe_y expect any "does y get set?": y;
reachable never_y expect unreachable: y;
reachable shown_x "the model sets x": x;
"""


@pytest.fixture
def goals(tmp_path: Path) -> Path:
    p = tmp_path / "goals.spec"
    p.write_text(GOALS, encoding="utf-8")
    return p


def test_the_expectation_is_parsed_lowered_and_printed_back(goals: Path):
    model = load(goals)
    assert {p.name: p.expect for p in model.properties if p.kind is PropKind.REACHABLE} == {
        "hit_x": Expect.UNREACHABLE, "maybe_x": Expect.ANY, "maybe_y": Expect.ANY,
        "never_y": Expect.UNREACHABLE, "shown_x": Expect.REACHED}
    r = run_cli(["fmt", str(goals)])
    assert r.code == 0
    assert 'reachable hit_x expect unreachable "x must never be set": x;' in r.out
    assert "reachable shown_x \"the model sets x\": x;" in r.out and "expect reached" not in r.out


def test_an_unknown_expectation_is_an_error_with_the_words_that_exist(tmp_path: Path):
    p = tmp_path / "bad.spec"
    p.write_text("model m;\nvar x: bool = false;\nreachable g expect sometimes: x;\n", encoding="utf-8")
    r = run_cli([str(p)])
    assert r.code == 2
    assert f"{p}:3:20: error[E0332]: `expect sometimes` is not an expected answer" in r.err
    assert "`expect unreachable` or `expect any`" in r.err


def test_expect_is_a_reserved_word(tmp_path: Path):
    p = tmp_path / "kw.spec"
    p.write_text("model m;\nvar expect: bool = false;\n", encoding="utf-8")
    r = run_cli([str(p)])
    assert r.code == 2 and "error[E0103]: `expect` is a reserved word" in r.err


@pytest.mark.parametrize(("verdict", "expect", "answer"), [
    (Verdict.REACHED, Expect.REACHED, True), (Verdict.UNREACHABLE, Expect.REACHED, False),
    (Verdict.REACHED, Expect.UNREACHABLE, False), (Verdict.UNREACHABLE, Expect.UNREACHABLE, True),
    (Verdict.REACHED, Expect.ANY, True), (Verdict.UNREACHABLE, Expect.ANY, True),
    (Verdict.HOLDS_TO_DEPTH, Expect.UNREACHABLE, None), (Verdict.UNKNOWN, Expect.ANY, None),
    (Verdict.PROVED, Expect.REACHED, True), (Verdict.VIOLATED, Expect.REACHED, False)])
def test_as_expected(verdict: Verdict, expect: Expect, answer: bool | None):
    assert as_expected(verdict, expect) is answer


def test_only_the_goal_answered_against_its_expectation_fails_the_run(goals: Path):
    r = run_cli([str(goals), "--format", "json"])
    data = json.loads(r.out)
    status = {x["property"]: (x["verdict"], x["expect"], x["status"]) for x in data["results"] if not x["generated"]}
    assert status == {
        "hit_x": ("REACHED", "unreachable", "fail"), "maybe_x": ("REACHED", "any", "pass"),
        "maybe_y": ("UNREACHABLE", "any", "pass"), "never_y": ("UNREACHABLE", "unreachable", "pass"),
        "shown_x": ("REACHED", "reached", "pass")}
    assert r.code == 1 and data["exit_code"] == 1


def test_a_run_whose_answers_are_all_as_expected_exits_0(goals: Path, tmp_path: Path):
    ok = tmp_path / "ok.spec"
    ok.write_text(GOALS.replace("reachable hit_x expect unreachable", "reachable hit_x"), encoding="utf-8")
    assert run_cli([str(ok), "-q"]).code == 0
    junit = run_cli([str(ok), "--format", "junit"])
    assert junit.code == 0 and 'failures="0"' in junit.out


def test_text_prints_failures_and_hides_the_witnesses_unless_asked(goals: Path):
    r = run_cli([str(goals)])
    rows = {line.split()[0]: " ".join(line.split()[1:-3]) for line in r.out.splitlines() if line.startswith("  ")
            and len(line.split()) > 4}
    assert rows["hit_x"] == "REACHED (expected unreachable)" and rows["maybe_y"] == "UNREACHABLE (open question)"
    assert rows["never_y"] == "UNREACHABLE (expected)" and rows["shown_x"] == "REACHED"
    assert "hit_x: REACHED (expected unreachable) after 1 step (violation found by" in r.out
    assert "maybe_x: REACHED" not in r.out and "shown_x: REACHED" not in r.out
    assert "(2 witness traces of goals reached as expected not shown; --witnesses prints them)" in r.out
    shown = run_cli([str(goals), "--witnesses"]).out
    assert "maybe_x: REACHED (open question) after 1 step (witness found by" in shown
    assert shown.index("hit_x: REACHED") < shown.index("maybe_x: REACHED") < shown.index("shown_x: REACHED")
    assert "not shown" not in shown


def test_dot_draws_a_failure_red_and_a_witness_green(goals: Path, tmp_path: Path):
    dot = tmp_path / "t.dot"
    run_cli([str(goals), "--trace-dot", str(dot)])
    clusters = dot.read_text(encoding="utf-8").split("subgraph ")[1:]
    ends = {c.split('label="')[1].split(":")[0]: ("color=red" in c, "color=darkgreen" in c) for c in clusters}
    assert ends["hit_x"] == (True, False)
    assert ends["maybe_x"] == (False, True) and ends["shown_x"] == (False, True)


def _goal(name: str, verdict: Verdict, expect: Expect) -> PropertyResult:
    trace = Trace((Step(None, (), State(((("x", ()), False),))), Step("a", (), State(((("x", ()), True),)))))
    return PropertyResult(name, PropKind.REACHABLE, verdict, "explicit", depth=1,
                          trace=trace if verdict is Verdict.REACHED else None, expect=expect)


def test_the_expectation_survives_the_cache_and_the_report_round_trip():
    rep = Report("m", "m.spec", "c", (_goal("q", Verdict.UNREACHABLE, Expect.ANY),
                                       _goal("u", Verdict.REACHED, Expect.UNREACHABLE)))
    assert report_from_data(json.loads(json.dumps(report_to_data(rep)))) == rep


def test_baseline_an_open_question_answered_the_other_way_is_a_change_not_a_regression(tmp_path: Path):
    path = tmp_path / "base.json"
    baseline.save(path, [Report("m", "m.spec", "c", (_goal("q", Verdict.REACHED, Expect.ANY),
                                                     _goal("u", Verdict.UNREACHABLE, Expect.UNREACHABLE),
                                                     _goal("v", Verdict.REACHED, Expect.UNREACHABLE)))])
    after = [Report("m", "m.spec", "c", (_goal("q", Verdict.UNREACHABLE, Expect.ANY),
                                         _goal("u", Verdict.REACHED, Expect.UNREACHABLE),
                                         _goal("v", Verdict.UNREACHABLE, Expect.UNREACHABLE)))]
    diffs = {d.prop: d.change for d in baseline.compare(baseline.load(path), after)}
    assert diffs == {"q": baseline.Change.CHANGED, "u": baseline.Change.REGRESSION,
                     "v": baseline.Change.IMPROVEMENT}


def test_minimal_fixes_are_not_judged_by_open_questions_but_by_expected_unreachable_goals():
    # `q` (an open question) is reached unless m1 is on; `bad` (expect unreachable) is reached
    # unless m2 is on. Only m2 is a fix.
    def check(cfg):
        return Report("m", "m.spec", "c", (
            _goal("q", Verdict.UNREACHABLE if cfg["m1"] else Verdict.REACHED, Expect.ANY),
            _goal("bad", Verdict.UNREACHABLE if cfg["m2"] else Verdict.REACHED, Expect.UNREACHABLE)))

    fix = explore.minimal_fixes(["m1", "m2"], {}, check)
    assert fix.minimal == (frozenset({"m2"}),)
    assert dict(fix.broken_without) == {"m1": (), "m2": ("bad",)}


def test_baseline_a_goal_whose_expectation_changed_is_judged_by_the_new_one(tmp_path: Path):
    # saved while `g` was a non-vacuity goal; now it says `expect unreachable` and is still reached
    path = tmp_path / "base.json"
    baseline.save(path, [Report("m", "m.spec", "c", (_goal("g", Verdict.REACHED, Expect.REACHED),
                                                     _goal("q", Verdict.UNREACHABLE, Expect.ANY)))])
    after = [Report("m", "m.spec", "c", (_goal("g", Verdict.REACHED, Expect.UNREACHABLE),
                                         _goal("q", Verdict.UNREACHABLE, Expect.REACHED)))]
    diffs = {d.prop: d.change for d in baseline.against(path, after)}
    assert diffs == {"g": baseline.Change.REGRESSION, "q": baseline.Change.REGRESSION}
    assert baseline.against(path, [Report("m", "m.spec", "c", (_goal("g", Verdict.REACHED, Expect.REACHED),
                                                               _goal("q", Verdict.UNREACHABLE, Expect.ANY)))]) == []


def test_a_bounded_check_does_not_pass_a_goal_that_was_not_reached():
    from checker.policy import Policy, Status, status

    bounded = Policy(bounded_depth=5)
    not_reached = PropertyResult("g", PropKind.REACHABLE, Verdict.HOLDS_TO_DEPTH, "bmc", depth=5)
    assert status(not_reached, bounded) is Status.UNDECIDED
    from dataclasses import replace

    assert status(replace(not_reached, expect=Expect.UNREACHABLE), bounded) is Status.PASS
    inv = PropertyResult("p", PropKind.INVARIANT, Verdict.HOLDS_TO_DEPTH, "bmc", depth=5)
    assert status(inv, bounded) is Status.PASS


def test_explore_links_the_trace_of_a_goal_reached_against_its_expectation():
    from checker.explore.matrix import Matrix
    from checker.report.matrix import trace_ids

    bad = _goal("never", Verdict.REACHED, Expect.UNREACHABLE)
    ok = _goal("shown", Verdict.REACHED, Expect.REACHED)
    m = Matrix("m", (), ("never", "shown"), (((), Report("m", "m.spec", "c", (bad, ok))),))
    assert list(trace_ids(m)) == [bad.trace]


def test_the_html_report_says_when_the_initial_state_fails():
    from checker.report.timeline import render_html_report
    from checker.result import Failure

    trace = Trace((Step(None, (), None),), Failure("init_ok", "the init block's assert fails"))
    rep = Report("m", "m.spec", "c", (PropertyResult("init_ok", PropKind.ASSERT, Verdict.VIOLATED, "explicit",
                                                     depth=0, trace=trace),))
    assert "the initial state fails init_ok: the init block&#x27;s assert fails" in render_html_report(rep)


def test_explore_text_prints_the_trace_of_a_goal_reached_against_its_expectation():
    from checker.explore.matrix import Matrix
    from checker.report.matrix import render_text

    bad = _goal("never", Verdict.REACHED, Expect.UNREACHABLE)
    m = Matrix("m", (), ("never",), (((), Report("m", "m.spec", "c", (bad,))),))
    out = render_text(m, lambda t: "THE TRACE", layout="configs")
    assert "REACHED@1 [T1]" in out and "T1: never @" in out and "THE TRACE" in out
