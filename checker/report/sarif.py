"""SARIF 2.1.0 (`--format sarif`) for code-scanning UIs: one rule per property, one result per
property verdict (and per warning), located at the failing statement (asserts, range checks) or
at the property's declaration, with the trace as a code flow through the actions' source.
"""

from __future__ import annotations

import json
from typing import Any

from checker.policy import (
    ABSENT,
    DEFAULT_POLICY,
    Policy,
    Status,
    baseline_note,
    baseline_state,
    gone,
    status,
    warning_fails,
)
from checker.report.common import Context, binding_text, call_text, change_lines, trace_states, verdict_text
from checker.report.json import TOOL_VERSION
from checker.result import PropertyResult, Report, Trace, Warning_
from spec.source import Span

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Status.FAIL: "error", Status.UNDECIDED: "warning", Status.PASS: "none", Status.INFO: "note"}
_KIND = {Status.FAIL: "fail", Status.UNDECIDED: "open", Status.PASS: "pass", Status.INFO: "informational"}


def _location(span: Span, message: str | None = None) -> dict[str, Any] | None:
    if span.line <= 0:
        return None
    region = {"startLine": span.line, "startColumn": max(span.col, 1)}
    if span.end_line >= span.line and span.end_col > 0:
        region.update(endLine=span.end_line, endColumn=span.end_col)
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": span.file}, "region": region}}
    if message:
        loc["message"] = {"text": message}
    return loc


def _code_flow(trace: Trace, ctx: Context) -> dict[str, Any]:
    locs = []
    k, last = trace.loop_start, len(trace.steps) - 1
    for i, (step, prev) in enumerate(trace_states(trace)):
        text = call_text(step)
        if prev is not None and step.state is not None:
            text += ": " + ("; ".join(change_lines(prev, step.state)) or "no change")
        if k is not None and i == k + 1:
            text = "(loop: from here the steps repeat forever) " + text
        if k is not None and i == last:
            text += f" (back to the state of step {k})" if i != k else " (stutters here forever)"
        cite = ctx.action_cite(step.action) if step.action else None
        if cite:
            text += f" [cite: {cite}]"
        span = Span("<builtin>", 0, 0)
        if step.action is not None and ctx.model is not None:
            try:
                span = ctx.model.action(step.action).span
            except KeyError:
                pass
        loc = _location(span, text) or {"message": {"text": text}}
        locs.append({"location": loc})
    return {"threadFlows": [{"locations": locs}]}


def _result(r: PropertyResult, index: int, ctx: Context, policy: Policy) -> dict[str, Any]:
    st = status(r, policy)
    text = f"{r.prop}: {verdict_text(r)}{binding_text(r)} ({r.engine})"
    if r.reason:
        text += f": {r.reason}"
    text += baseline_note(r, policy)
    span = ctx.prop_span(r)
    if r.trace is not None and r.trace.failure is not None and r.trace.failure.span.line > 0:
        span = r.trace.failure.span
        text += f" -- {r.trace.failure.text}" if r.trace.failure.text else ""
    out: dict[str, Any] = {"ruleId": r.prop, "ruleIndex": index, "level": _LEVEL[st], "kind": _KIND[st],
                           "message": {"text": text}, "properties": {"verdict": r.verdict.value,
                                                                      "depth": r.depth}}
    state = baseline_state(r, policy)
    if state is not None:
        out["baselineState"] = state
    loc = _location(span)
    out["locations"] = [loc] if loc else []
    if r.trace is not None:
        out["codeFlows"] = [_code_flow(r.trace, ctx)]
    related: list[dict[str, Any]] = []  # what the proof rests on (docs/verdicts.md, Why PROVED)
    for d in r.depends_on or ():
        what = f"{d.text} (parameter)" if d.kind == "param" else \
            f"{d.action}: {d.kind}{' (false here)' if d.disabled else ''} `{d.text}`"
        loc = _location(d.span, f"{r.prop} rests on {what}")
        if loc is not None:
            related.append({"id": len(related), **loc})
    if related:
        out["relatedLocations"] = related
    return out


def _warning(w: Warning_, index: int, policy: Policy) -> dict[str, Any]:
    loc = _location(w.span)
    return {"ruleId": w.code, "ruleIndex": index, "level": "error" if warning_fails(w.code, policy) else "warning",
            "message": {"text": w.message}, "locations": [loc] if loc else []}


def sarif_data(report: Report, ctx: Context | None = None, policy: Policy = DEFAULT_POLICY) -> dict[str, Any]:
    ctx = ctx or Context()
    rules = [{"id": r.prop, "name": r.prop, "shortDescription": {"text": ctx.prop_doc(r.prop) or r.prop},
              "properties": {"kind": r.kind.value}} for r in report.results]
    codes = sorted({w.code for w in report.warnings})
    rules += [{"id": c, "name": c, "shortDescription": {"text": c.replace("-", " ")}} for c in codes]
    results = [_result(r, i, ctx, policy) for i, r in enumerate(report.results)]
    results += [_warning(w, len(report.results) + codes.index(w.code), policy) for w in report.warnings]
    for prop, text, fails in gone(policy):
        # a property only the baseline has: SARIF's `absent` result, an error under --fail-on-gone
        results.append({"ruleId": prop, "ruleIndex": len(rules), "level": "error" if fails else "note",
                        "kind": "fail" if fails else "informational", "baselineState": ABSENT,
                        "message": {"text": text}, "locations": []})
        rules.append({"id": prop, "name": prop, "shortDescription": {"text": f"{prop} (in the baseline only)"}})
    run = {"tool": {"driver": {"name": "spec-check", "version": TOOL_VERSION, "rules": rules}},
           "invocations": [{"executionSuccessful": not report.interrupted}],
           "results": results, "properties": {"model": report.model, "configuration": report.config}}
    if report.file:
        run["artifacts"] = [{"location": {"uri": report.file}}]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(report: Report, ctx: Context | None = None, policy: Policy = DEFAULT_POLICY) -> str:
    return json.dumps(sarif_data(report, ctx, policy), indent=2) + "\n"
