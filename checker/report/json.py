"""The JSON report (`--format json`): a documented, versioned schema (docs/output-formats.md).

Values are JSON-native where they can be (booleans, integers) and display strings otherwise (enum
members `Private`, sort elements `page1`); locations are keyed by their display text
(`st[page1]`, `crashed`). `schema_version` changes whenever a field is removed or changes meaning;
new fields may appear without a version change.
"""

from __future__ import annotations

import json
from typing import Any

from checker.explore.baseline import Change
from checker.policy import DEFAULT_POLICY, Policy, baseline_note, baseline_state, status
from checker.report.common import Context, changes, states_per_s, summary_line
from checker.result import Dependency, PropertyResult, Report, SearchStats, State, Trace, Warning_, loc_text
from spec import ir
from spec.source import Span

SCHEMA = "spec-check-report"
SCHEMA_VERSION = 2
TOOL_VERSION = "0.1.0"


def value(v: ir.Value) -> bool | int | str:
    if isinstance(v, bool | int):
        return v
    return str(v)


def location(span: Span) -> dict[str, Any] | None:
    if span.line <= 0:
        return None
    return {"file": span.file, "line": span.line, "column": span.col,
            "end_line": span.end_line or span.line, "end_column": span.end_col or span.col}


def state_data(s: State) -> dict[str, Any]:
    return {loc_text(loc): value(v) for loc, v in s.values}


def trace_data(t: Trace, ctx: Context | None = None) -> dict[str, Any]:
    ctx = ctx or Context()
    steps = []
    prev: State | None = None
    for i, s in enumerate(t.steps):
        step: dict[str, Any] = {
            "index": i, "action": s.action, "cite": ctx.action_cite(s.action) if s.action else None,
            "args": {k: value(v) for k, v in s.args},
            "choices": {k: value(v) for k, v in s.choices},
            "state": None if s.state is None else state_data(s.state),
            "changes": None if s.state is None or prev is None else
            {loc_text(loc): [value(a), value(b)] for loc, a, b in changes(prev, s.state)},
        }
        steps.append(step)
        if s.state is not None:
            prev = s.state
    failure = None if t.failure is None else {
        "property": t.failure.prop, "message": t.failure.message, "location": location(t.failure.span),
        "attempted": [{"location": loc, "value": v} for loc, v in t.failure.attempted]}
    return {"depth": t.depth, "steps": steps, "failure": failure, "loop_start": t.loop_start}


def result_data(r: PropertyResult, ctx: Context, policy: Policy) -> dict[str, Any]:
    cert = r.certificate
    return {
        "property": r.prop, "kind": r.kind.value, "verdict": r.verdict.value, "status": status(r, policy).value,
        "expect": r.expect.value if r.kind is ir.PropKind.REACHABLE else None,
        "binding": {k: value(v) for k, v in r.binding} if r.binding else None,
        "baseline": None if policy.baseline is None else {
            "state": baseline_state(r, policy),
            "change": None if (c := policy.baseline.change(r.prop)) is None else c.value,
            "note": baseline_note(r, policy).strip(" ()") or None},
        "engine": r.engine, "depth": r.depth, "time_s": round(r.time_s, 6), "reason": r.reason,
        "assumptions": list(r.assumptions), "generated": r.generated, "doc": ctx.prop_doc(r.prop),
        "location": location(ctx.prop_span(r)),
        "trace": None if r.trace is None else trace_data(r.trace, ctx),
        "certificate": None if cert is None else {"engine": cert.engine, "invariant": cert.invariant,
                                                  "files": sorted(cert.smt2)},
        "lemmas": list(r.lemmas),
        "depends_on": None if r.depends_on is None else [dependency_data(d) for d in r.depends_on],
        "depends_note": r.why_unexplained if r.depends_on is None else (r.depends_note or None),
        "all_sizes": None if r.all_sizes is None else {
            "why": r.all_sizes.why, "sizes": r.all_sizes.sizes or None, "reachable": r.all_sizes.reachable,
            "trace": None if r.all_sizes.cti is None else trace_data(r.all_sizes.cti, ctx)},
    }


def dependency_data(d: Dependency) -> dict[str, Any]:
    return {"kind": d.kind, "action": d.action, "location": location(d.span), "text": d.text,
            "disabled": d.disabled}


def warning_data(w: Warning_, ctx: Context | None = None) -> dict[str, Any]:
    return {"code": w.code, "message": w.message, "location": location(w.span),
            "trace": None if w.trace is None else trace_data(w.trace, ctx)}


def stats_data(s: SearchStats) -> dict[str, Any]:
    return {"engine": s.engine, "purpose": s.purpose, "states": s.states, "transitions": s.transitions, "depth": s.depth,
            "exhaustive": s.exhaustive, "limited": s.limited,
            "stop_reason": s.stop_reason or None, "time_s": round(s.time_s, 6), "states_per_s": round(states_per_s(s)),
            "symmetry": list(s.symmetry), "permutations": s.group, "represented": s.represented,
            "represented_note": s.represented_note or None}


def report_data(report: Report, ctx: Context | None = None, policy: Policy = DEFAULT_POLICY,
                exit_code: int | None = None) -> dict[str, Any]:
    ctx = ctx or Context()
    counts: dict[str, int] = {}
    for r in report.results:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    return {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION, "tool": {"name": "spec-check", "version": TOOL_VERSION},
        "model": report.model, "file": report.file, "config": report.config,
        "time_s": round(report.time_s, 6), "interrupted": report.interrupted, "exit_code": exit_code,
        "summary": {"text": summary_line(report), "counts": counts},
        "results": [result_data(r, ctx, policy) for r in report.results],
        "warnings": [warning_data(w, ctx) for w in report.warnings],
        "search": [stats_data(s) for s in report.stats],
        "baseline": baseline_data(policy),
    }


def baseline_data(policy: Policy) -> dict[str, Any] | None:
    """Under --baseline: how many properties changed each way, and those it has that this run does not."""
    b = policy.baseline
    if b is None:
        return None
    return {"file": b.file, **{c.value: b.count(c) for c in Change if c is not Change.GONE},
            "gone": [{"property": p, "verdict": v.value} for p, v in b.gone], "fail_on_gone": b.fail_on_gone}


def render_json(report: Report, ctx: Context | None = None, policy: Policy = DEFAULT_POLICY,
                exit_code: int | None = None) -> str:
    return json.dumps(report_data(report, ctx, policy, exit_code), indent=2) + "\n"
