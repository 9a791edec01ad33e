"""The text report: table, notes, traces with only changed variables, colour only when asked."""

from __future__ import annotations

import re

import pytest

from checker.report.common import Context, compact_state
from checker.report.text import TextOptions, render_text, trace_lines
from checker.result import Failure, State, Step, Trace
from spec.ir import Elem, EnumVal
from tests.checker.sample_reports import crash_trace, model, range_trace, sample_report, state


@pytest.fixture
def ctx(tmp_path):
    return Context(model(tmp_path))


def _section(text: str, start: str) -> str:
    return text.split(start, 1)[1].split("\n\n", 1)[0]


def test_table_lists_every_property_with_verdict_engine_depth(ctx):
    out = render_text(sample_report(), ctx)
    rows = {ln.split()[0]: ln for ln in out.splitlines() if ln.startswith("  ") and ln.split()}
    assert re.search(r"no_crash\s+VIOLATED\s+bmc\s+3\s+0\.25s", rows["no_crash"])
    assert re.search(r"ref:range\s+HOLDS TO DEPTH 10\s+bmc\s+10\s+2\.00s", rows["ref:range"])
    assert "NOT a proof" in out and "(pdr: timeout after 2.0s)" in out
    assert "alloc:fires: UNKNOWN: solver returned unknown" in out
    # columns are aligned: every verdict starts in the same column
    header = next(ln for ln in out.splitlines() if ln.strip().startswith("property"))
    col = header.index("verdict")
    for name in ("no_crash", "private_counted", "ref:range"):
        assert rows[name][col - 2:col] == "  " and rows[name][col] != " "


def test_trace_shows_only_changed_variables_and_action_docs(ctx):
    lines = trace_lines(crash_trace(), ctx)
    text = "\n".join(lines)
    step2 = text.split("\n  2 ", 1)[1].split("\n  3 ", 1)[0]
    assert "convert(p=page1)" in step2 and "st[page1]: Shared -> Private" in step2
    assert "ref" not in step2 and "crashed" not in step2  # unchanged variables are not shown
    assert '"make a shared page private"' in step2
    assert "crashed: false -> true" in text.split("\n  3 ", 1)[1]
    assert "st[*] = Free" in text and "ref[*] = 0" in text  # the initial state, compactly


def test_failure_step_names_the_check_and_its_location(ctx):
    text = "\n".join(trace_lines(range_trace(), ctx))
    assert "FAILS ref:range at pages.spec:11:3" in text and "ref stays within 0..2" in text


def test_compact_state_groups_entries():
    s = State(((("st", (Elem("Page", 0),)), EnumVal("S", "Free", 0)), (("st", (Elem("Page", 1),)), EnumVal("S", "Used", 1)),
               (("m", (Elem("Vcpu", 0), Elem("Page", 0))), True), (("m", (Elem("Vcpu", 0), Elem("Page", 1))), True),
               (("n", ()), 3)))
    assert compact_state(s) == ["st = {page0: Free, page1: Used}", "m[*] = true", "n = 3"]


def test_no_change_step_says_so():
    s = state()
    t = Trace((Step(None, (), s), Step("noop", (), s)))
    assert "(no change)" in "\n".join(trace_lines(t))


def test_colour_only_when_asked(ctx):
    plain = render_text(sample_report(), ctx)
    coloured = render_text(sample_report(), ctx, TextOptions(color=True))
    assert "\x1b[" not in plain and "\x1b[31;1mVIOLATED" in coloured
    strip = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert strip == plain  # colour never moves a column


def test_quiet_prints_warnings_and_summary_only(ctx):
    out = render_text(sample_report(), ctx, TextOptions(quiet=True))
    assert out.splitlines()[-1].startswith("summary: 1 violated, 1 holds to depth (bounded, not a proof), 1 proved")
    assert "actions: 0 fire, 1 undecided" in out.splitlines()[-1]
    assert "step" not in out and "warning[dead-action]" in out


def test_show_invariants_prints_the_certificate(ctx):
    out = render_text(sample_report(), ctx, TextOptions(show_invariants=True))
    assert "private_counted: inductive invariant found by pdr:" in out
    assert "forall p: Page :: st[p] == Private -> ref[p] == 1" in out
    assert "inductive invariant" not in render_text(sample_report(), ctx)


def test_interrupted_report_says_so(ctx):
    from dataclasses import replace

    out = render_text(replace(sample_report(), interrupted=True), ctx)
    assert "INTERRUPTED" in out.splitlines()[-1]


def test_trace_without_model_context_still_renders():
    t = Trace(range_trace().steps, Failure("ref:range", "", range_trace().failure.span))
    text = "\n".join(trace_lines(t))
    assert "alloc(p=page1)" in text and "FAILS ref:range" in text


def test_a_reason_shared_by_many_unknowns_is_said_once(ctx):
    from dataclasses import replace

    from checker.result import PropertyResult, Verdict

    base = sample_report()
    extra = tuple(PropertyResult(f"p{i}", r.kind, Verdict.UNKNOWN, "none", reason="interrupted")
                  for i, r in enumerate(base.results[:3]))
    out = render_text(replace(base, results=base.results + extra), ctx)
    assert "3 properties UNKNOWN: interrupted: p0, p1, p2" in out
    assert out.count("interrupted") == 1
    assert "alloc:fires: UNKNOWN: solver returned unknown" in out  # a reason of its own stays per property


def test_assumptions_shared_by_every_verdict_are_said_once(ctx):
    from dataclasses import replace

    base = sample_report()
    rep = replace(base, results=tuple(replace(r, assumptions=("hw_selected",)) for r in base.results))
    out = render_text(rep, ctx)
    assert out.count("hw_selected") == 1 and "every verdict depends on assume hw_selected" in out
