"""Traces as Graphviz (`--trace-dot FILE`): one cluster per trace, one node per state (the initial
state in full, later states by what changed), edges labelled with the action call."""

from __future__ import annotations

from checker.report.common import call_text, change_lines, compact_state, trace_states, verdict_text
from checker.result import Report, Trace


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\l") + '"'


# The last state of a failure's trace is drawn in red; a witness (a goal reached as expected,
# an action that fires) ends in green, so it does not read as a violation.
FAILED, WITNESS = "red", "darkgreen"


def trace_dot_lines(trace: Trace, prefix: str, title: str, colour: str = FAILED) -> list[str]:
    out = [f"  subgraph cluster_{prefix} {{", f"    label={_quote(title)};",
           "    node [shape=box, fontname=monospace];"]
    idx = -1
    for i, (step, prev) in enumerate(trace_states(trace)):
        if step.state is None:
            f = trace.failure
            text = f"FAILS {f.prop}\n{f.text}" if f is not None else "no successor"
            out.append(f"    {prefix}_fail [label={_quote(text + chr(10))}, color=red, fontcolor=red];")
            out.append(f"    {prefix}_{idx} -> {prefix}_fail [label={_quote(call_text(step))}, color=red];")
            continue
        lines = compact_state(step.state) if prev is None else (change_lines(prev, step.state) or ["(no change)"])
        last = i == len(trace.steps) - 1
        style = f", style=bold, color={colour}" if last and trace.failure is None else ""
        label = _quote(f"state {idx + 1}\n" + "\n".join(lines) + "\n")
        out.append(f"    {prefix}_{idx + 1} [label={label}{style}];")
        if idx >= 0:
            out.append(f"    {prefix}_{idx} -> {prefix}_{idx + 1} [label={_quote(call_text(step))}];")
        idx += 1
    out.append("  }")
    return out


def render_trace_dot(report: Report) -> str:
    """Every trace of the report (violations, witnesses, warnings) in one digraph."""
    out = ["digraph traces {", "  rankdir=TB;"]
    n = 0
    for r in report.results:
        if r.trace is not None:
            n += 1
            out += trace_dot_lines(r.trace, f"t{n}", f"{r.prop}: {verdict_text(r)}", WITNESS if r.passes else FAILED)
    for w in report.warnings:
        if w.trace is not None:
            n += 1
            out += trace_dot_lines(w.trace, f"t{n}", f"warning {w.code}: {w.message}")
    out.append("}")
    return "\n".join(out) + "\n"
