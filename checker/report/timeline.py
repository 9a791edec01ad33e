"""The HTML report of a check (`--format html`): one self-contained page, no scripts and no
external files, with the verdict table and every trace drawn as a timeline.

A timeline is a grid: one column per step, one lane per actor (the component whose action runs:
`kvm`, `mm`, `gmem`, `hw`, ...) and one lane per sort element whose state changes (`page0`,
`gfn1`, `vcpu0`), plus a `global` lane for scalar variables. The actor lane holds the action call,
its doc string and its cite (also on hover); an element's lane holds what changed at that
element (a location indexed by several elements sits in the lane of its first). A failure's last
column is highlighted, a lasso's loop is marked. Traces of failures come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from checker.policy import DEFAULT_POLICY, Policy, Status, baseline_note, gone, status
from checker.report.common import (
    Context,
    binding_text,
    call_text,
    changes,
    choices_text,
    compact_state,
    depth_text,
    summary_line,
    trace_states,
    verdict_text,
)
from checker.result import Loc, Report, Trace, Verdict, loc_text
from spec import ir

GLOBAL = "global"  # the lane of scalar variables (no sort element in their index)

_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #eee; position: sticky; top: 0; z-index: 2; }
tr.pass td.verdict { background: #d7f5d7; } tr.fail td.verdict { background: #f8cfcf; }
tr.undecided td.verdict { background: #fff3c4; } tr.info td.verdict { background: #e2e2e2; }
.timeline { overflow-x: auto; margin-bottom: 1em; }
.timeline th.lane { background: #f4f4f4; position: sticky; left: 0; z-index: 1; white-space: nowrap; }
.timeline tr.actor td { background: #eef3fb; }
.timeline td { min-width: 11em; font-size: 0.85em; }
.timeline td .call { font-family: monospace; font-weight: bold; }
.timeline td .doc { color: #555; } .timeline td .cite { color: #777; font-size: 0.9em; }
.timeline td.changed { background: #fffbe6; }
.timeline .ch { font-family: monospace; white-space: nowrap; }
.timeline th.last-fail, .timeline td.last-fail { outline: 2px solid #c33; background: #fde8e8; }
.timeline th.loop { border-left: 3px dashed #36c; }
.failure { color: #a11; font-weight: bold; }
details pre { background: #f6f6f6; padding: 0.6em; }
section.trace:target h3 { background: #ffe; }
"""


@dataclass(frozen=True)
class Lanes:
    """The lanes of one trace, in the order they are drawn."""

    actors: tuple[str, ...]
    elements: tuple[str, ...]


def actor_of(action: str) -> str:
    """The component an action belongs to (`kvm.fault_begin` -> `kvm`); top-level: `model`."""
    return action.rsplit(".", 1)[0] if "." in action else "model"


def lane_of(loc: Loc) -> str:
    """The lane a location's changes are drawn in: its first sort element, else `global`."""
    for v in loc[1]:
        if isinstance(v, ir.Elem):
            return ir.format_value(v)
    return GLOBAL


def lanes(trace: Trace) -> Lanes:
    actors: list[str] = []
    elements: list[str] = []
    for step, prev in trace_states(trace):
        if step.action is not None and actor_of(step.action) not in actors:
            actors.append(actor_of(step.action))
        if prev is not None and step.state is not None:
            for loc, _, _ in changes(prev, step.state):
                lane = lane_of(loc)
                if lane not in elements:
                    elements.append(lane)
    # elements in sort order (gfn0 < gfn1 < page0 < page2 < page10), the global lane last
    ordered = sorted((e for e in elements if e != GLOBAL), key=_natural)
    return Lanes(tuple(actors), tuple(ordered + ([GLOBAL] if GLOBAL in elements else [])))


def _natural(name: str) -> tuple[str, int]:
    digits = name[len(name.rstrip("0123456789")):]
    return name[:len(name) - len(digits)], int(digits) if digits else -1


def _step_cells(trace: Trace, ctx: Context) -> tuple[list[dict[str, str]], int]:
    """Per step, lane -> cell HTML; and the index of the last step with a state."""
    cols: list[dict[str, str]] = []
    for step, prev in trace_states(trace):
        cell: dict[str, str] = {}
        if step.action is not None:
            doc, cite = ctx.action_doc(step.action), ctx.action_cite(step.action)
            hover = "\n".join(x for x in (doc, f"cite: {cite}" if cite else None) if x)
            parts = [f"<div class=\"call\" title=\"{escape(hover)}\">{escape(call_text(step))}</div>"]
            if (ch := choices_text(step)) is not None:
                parts.append(f"<div class=\"choose\">{escape(ch)}</div>")
            if doc:
                parts.append(f"<div class=\"doc\">{escape(doc)}</div>")
            if cite:
                parts.append(f"<div class=\"cite\">cite: {escape(cite)}</div>")
            cell[actor_of(step.action)] = "".join(parts)
        if step.state is None and trace.failure is not None:
            cell[actor_of(step.action or "")] = cell.get(actor_of(step.action or ""), "") + \
                f"<div class=\"failure\">fails {escape(trace.failure.prop)}: {escape(trace.failure.text)}</div>"
        if prev is not None and step.state is not None:
            for loc, a, b in changes(prev, step.state):
                lane = lane_of(loc)
                text = f"{escape(loc_text(loc))}: {escape(ir.format_value(a))} &rarr; {escape(ir.format_value(b))}"
                cell[lane] = cell.get(lane, "") + f"<div class=\"ch\">{text}</div>"
        cols.append(cell)
    return cols, len(cols) - 1


def timeline_html(trace: Trace, ctx: Context, failed: bool) -> list[str]:
    lane_set = lanes(trace)
    cols, last = _step_cells(trace, ctx)
    loop = trace.loop_start
    out = ["<div class=\"timeline\"><table>", "<thead><tr><th class=\"lane\">lane</th>"]
    for i in range(len(cols)):
        cls = ["step"] + (["last-fail"] if failed and i == last else []) + (["loop"] if loop == i else [])
        label = "initial" if i == 0 else f"step {i}"
        if loop == i:
            label += " (loop starts)"
        out.append(f"<th class=\"{' '.join(cls)}\">{label}</th>")
    out.append("</tr></thead><tbody>")
    for kind, names in (("actor", lane_set.actors), ("element", lane_set.elements)):
        for name in names:
            out.append(f"<tr class=\"lane-row {kind}\"><th class=\"lane\">{escape(name)}</th>")
            for i, cell in enumerate(cols):
                classes = (["changed"] if kind == "element" and name in cell else []) + \
                          (["last-fail"] if failed and i == last else [])
                out.append(f"<td class=\"{' '.join(classes)}\">{cell.get(name, '')}</td>")
            out.append("</tr>")
    out.append("</tbody></table></div>")
    if trace.failure is not None and trace.steps[-1].action is None:  # the init block itself failed
        out.append(f"<p class=\"failure\">the initial state fails {escape(trace.failure.prop)}: "
                   f"{escape(trace.failure.text)}</p>")
    first = trace.steps[0].state
    if first is not None:
        out.append("<details><summary>initial state</summary><pre>"
                   + escape("\n".join(compact_state(first))) + "</pre></details>")
    if loop is not None:
        out.append(f"<p>After the last step the behaviour is back at step {loop} and repeats the loop forever.</p>")
    return out


def anchor(prop: str) -> str:
    """An HTML id for a property's trace: letters and digits kept, any other character as -XX-
    (its code), so `a.b` and `a_b` do not meet."""
    return "trace-" + "".join(c if c.isalnum() else f"-{ord(c):x}-" for c in prop)


def render_html_report(report: Report, ctx: Context | None = None, policy: Policy = DEFAULT_POLICY) -> str:
    ctx = ctx or Context()
    title = f"spec-check: {report.model}"
    out = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
           f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{escape(title)}</h1>",
           f"<p>{escape(report.file or '<python>')} &middot; {escape(report.config)}</p>",
           f"<p class=\"summary\">summary: {escape(summary_line(report))} ({report.time_s:.2f}s)</p>",
           "<table class=\"verdicts\"><thead><tr><th>property</th><th>verdict</th><th>engine</th>"
           "<th>depth</th><th>time</th></tr></thead><tbody>"]
    traced = [r for r in report.results if r.trace is not None and not r.generated]
    for r in report.results:
        if r.generated and r.trace is not None:
            continue  # an action that fires is no news (the summary counts them)
        doc = ctx.prop_doc(r.prop) or ""
        text = escape(verdict_text(r) + binding_text(r) + baseline_note(r, policy))
        if r in traced:
            text = f"<a href=\"#{anchor(r.prop)}\">{text}</a>"
        st = status(r, policy).value
        out.append(f"<tr class=\"{st}\"><td title=\"{escape(doc)}\">{escape(r.prop)}</td>"
                   f"<td class=\"verdict\" title=\"{escape(r.reason or '')}\">{text}</td>"
                   f"<td>{escape(r.engine)}</td><td>{escape(depth_text(r))}</td><td>{r.time_s:.2f}s</td></tr>")
    for prop, text, fails in gone(policy):
        out.append(f"<tr class=\"{'fail' if fails else 'info'}\"><td>{escape(prop)}</td>"
                   f"<td class=\"verdict\" colspan=\"4\">{escape(text.split(': ', 1)[1])}</td></tr>")
    out.append("</tbody></table>")
    ordered = [r for r in traced if status(r, policy) is Status.FAIL] + \
              [r for r in traced if status(r, policy) is not Status.FAIL]
    if ordered:
        out.append("<h2>Traces</h2>")
    for r in ordered:
        assert r.trace is not None
        failed = status(r, policy) is Status.FAIL
        what = "violation" if r.fails or r.verdict is Verdict.VIOLATED else "witness"
        prop_doc = ctx.prop_doc(r.prop)
        out.append(f"<section class=\"trace {'fail' if failed else 'pass'}\" id=\"{anchor(r.prop)}\">"
                   f"<h3>{escape(r.prop)}: {escape(verdict_text(r) + binding_text(r))} after {r.trace.depth} "
                   f"step{'' if r.trace.depth == 1 else 's'} ({what} found by {escape(r.engine)}, replayed)</h3>")
        if prop_doc:
            out.append(f"<p>{escape(prop_doc)}</p>")
        out += timeline_html(r.trace, ctx, failed)
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
