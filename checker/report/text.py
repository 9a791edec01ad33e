"""The terminal report: a verdict table, notes for bounded and unknown verdicts, warnings, and each
violation or witness as a table of steps showing only what changed.

Colour (ANSI) is applied after padding so columns stay aligned; the caller decides whether to
use it (stdout is a tty and NO_COLOR is unset).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from checker.policy import DISABLED_ACTION
from checker.report.common import (
    Context,
    binding_text,
    call_text,
    change_lines,
    choices_text,
    compact_state,
    depth_text,
    expect_note,
    stats_line,
    summary_line,
    trace_states,
    verdict_text,
)
from checker.result import AllSizesNote, PropertyResult, Report, Trace, Verdict, Warning_
from spec.ir import PropKind

DOC_WIDTH = 60  # action doc strings wrap in traces, so a long one cannot push the changes off screen
_COLOURS = {
    Verdict.PROVED: "32", Verdict.PROVED_ALL_SIZES: "32", Verdict.REACHED: "32",
    Verdict.VIOLATED: "31;1", Verdict.UNREACHABLE: "31;1",
    Verdict.HOLDS_TO_DEPTH: "33", Verdict.UNKNOWN: "35",
}


def _colour(r: PropertyResult) -> str:
    """Green for an answer as expected, red against it (an expected UNREACHABLE is not red)."""
    return "32" if r.passes else "31;1" if r.fails else _COLOURS[r.verdict]


@dataclass(frozen=True)
class TextOptions:
    color: bool = False
    show_invariants: bool = False
    explain: bool = False  # what each proof rests on (`--explain`)
    quiet: bool = False  # the summary line (and warnings) only
    stats: bool = False  # the explicit searches' figures (`--stats`)
    witnesses: bool = False  # also the traces of goals reached as expected (`--witnesses`)


def _paint(text: str, code: str | None, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def table(rows: Sequence[Sequence[str]], colours: Sequence[Sequence[str | None]] | None = None,
          color: bool = False, indent: str = "  ") -> list[str]:
    """Aligned columns; a cell may hold several lines (joined with newlines)."""
    cells = [[c.split("\n") for c in row] for row in rows]
    ncol = max(len(r) for r in cells)
    widths = [max((max(len(x) for x in r[i]) for r in cells if i < len(r)), default=0) for i in range(ncol)]
    out = []
    for ri, row in enumerate(cells):
        height = max(len(c) for c in row)
        for li in range(height):
            parts = []
            for ci, cell in enumerate(row):
                text = cell[li] if li < len(cell) else ""
                padded = text.ljust(widths[ci]) if ci < len(row) - 1 else text
                code = colours[ri][ci] if colours and ci < len(colours[ri]) and li == 0 else None
                parts.append(_paint(padded, code, color))
            out.append((indent + "  ".join(parts)).rstrip())
    return out


def render_text(report: Report, ctx: Context | None = None, opts: TextOptions = TextOptions()) -> str:
    ctx = ctx or Context()
    out: list[str] = []
    if not opts.quiet:
        head = f"spec-check: model {report.model} ({report.file or '<python>'}) {report.config}".rstrip()
        out += textwrap.wrap(head, 110, subsequent_indent="    ", break_on_hyphens=False) or [head]
        out.append("")
        out += _verdict_table(report, opts.color)
        out += _notes(report)
    out += _warnings(report.warnings, ctx, opts)
    if not opts.quiet:
        out += _traces(report, ctx, opts)
        for r in report.results:
            note = r.all_sizes
            if note is not None and note.cti is not None and (note.reachable or opts.show_invariants):
                out += ["", _all_sizes_title(r.prop, note)]
                out += trace_lines(note.cti, ctx, None if note.reachable else "a state the kept lemmas allow")
        if opts.explain:
            out += _explanations(report)
        if opts.show_invariants:
            out += _invariants(report)
    if opts.stats:
        out += ["", *(stats_line(s) for s in report.stats)] if report.stats else \
            ["", "search: no explicit-state search ran (the figures are the explicit engine's)"]
    if not opts.quiet:
        out.append("")
    out.append(f"summary: {summary_line(report)} ({report.time_s:.2f}s)")
    return "\n".join(out) + "\n"


def _verdict_table(report: Report, color: bool) -> list[str]:
    """User properties first; the generated vacuity goals after a blank row, in the same columns."""
    rows = [["property", "verdict", "engine", "depth", "time"]]
    colours: list[list[str | None]] = [["1", "1", "1", "1", "1"]]
    user = [r for r in report.results if not r.generated]
    # An action that can fire is no news; dead or undecided ones are. Actions disabled by the
    # configuration are summarised under the warnings instead.
    disabled = {w.message.split("`")[1] for w in report.warnings if w.code == DISABLED_ACTION}
    goals = [r for r in report.results if r.generated and r.verdict is not Verdict.REACHED
             and r.vacuity_of not in disabled]
    for group in (user, goals):
        if group is goals and goals and user:
            rows.append([""])
            colours.append([None])
        for r in group:
            rows.append([r.prop, verdict_text(r), r.engine, depth_text(r), f"{r.time_s:.2f}s"])
            colours.append([None, _colour(r), None, None, None])
    return table(rows, colours, color)


def _notes(report: Report) -> list[str]:
    out: list[str] = []
    unknown: dict[str, list[str]] = {}  # reason -> properties, so a shared reason is said once
    for r in report.results:
        if r.verdict is Verdict.HOLDS_TO_DEPTH and not r.generated:
            why = f" ({r.reason})" if r.reason else ""
            steps = f"{r.depth} step{'' if r.depth == 1 else 's'}"
            if r.kind is PropKind.REACHABLE:
                what = f"not reached in any run of up to {steps}; NOT a proof that it is unreachable"
            else:
                what = f"no counterexample in any run of up to {steps}; NOT a proof"
            out.append(f"  {r.prop}: bounded check only: {what}{why}")
        elif r.verdict is Verdict.UNKNOWN:
            unknown.setdefault(r.reason or "", []).append(r.prop)
        elif r.all_sizes is not None:
            out += textwrap.wrap(f"{r.prop}: proved at these sizes only: {r.all_sizes.why}", 110,
                                 initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)
        elif r.lemmas:
            out.append(f"  {r.prop}: PROVED ALL SIZES with the user's lemmas {', '.join(r.lemmas)}")
    for reason, props in unknown.items():
        if len(props) == 1:
            out.append(f"  {props[0]}: UNKNOWN: {reason}")
        else:
            out += textwrap.wrap(f"{len(props)} properties UNKNOWN: {reason}: {', '.join(props)}", 110,
                                 initial_indent="  ", subsequent_indent="    ")
    common = set.intersection(*(set(r.assumptions) for r in report.results)) if report.results else set()
    for r in report.results:
        extra = [a for a in r.assumptions if a not in common]
        if extra:
            out.append(f"  {r.prop}: depends on assume {', '.join(extra)}")
    if common:
        names = [a for a in report.results[0].assumptions if a in common]
        out.append(f"  every verdict depends on assume {', '.join(names)}")
    return ["", "notes:", *out] if out else []


def _warnings(warnings: Sequence[Warning_], ctx: Context, opts: TextOptions) -> list[str]:
    out = []
    disabled = [w for w in warnings if w.code == DISABLED_ACTION]
    if disabled:
        names = [w.message.split("`")[1] for w in disabled]
        out += textwrap.wrap(f"note: {len(names)} action(s) disabled by this configuration's parameters: "
                             + ", ".join(names), 110, subsequent_indent="  ")
    for w in warnings:
        if w.code == DISABLED_ACTION:
            continue
        where = f"{w.span}: " if w.span.line > 0 else ""
        out.append(f"{where}{_paint('warning', '33;1', opts.color)}[{w.code}]: {w.message}")
        if w.trace is not None and not opts.quiet:
            out += trace_lines(w.trace, ctx)
    return ["", *out] if out and not opts.quiet else out


def _traces(report: Report, ctx: Context, opts: TextOptions) -> list[str]:
    """The failures' traces first, then (with --witnesses) the witnesses of goals reached as
    expected; an action firing (a generated goal) is no news."""
    traced = [r for r in report.results if r.trace is not None and not r.generated]
    shown = [r for r in traced if not r.passes] + ([r for r in traced if r.passes] if opts.witnesses else [])
    out: list[str] = []
    for r in shown:
        out += ["", _trace_title(r, ctx, opts.color), *trace_lines(r.trace, ctx)] if r.trace else []
    hidden = len(traced) - len(shown)
    if hidden:
        out += ["", f"({hidden} witness trace{'s' if hidden > 1 else ''} of goals reached as expected not shown; "
                    "--witnesses prints them)"]
    return out


def _trace_title(r: PropertyResult, ctx: Context, color: bool) -> str:
    what = "violation" if r.verdict is Verdict.VIOLATED or r.fails else "witness"
    doc = ctx.prop_doc(r.prop)
    n = r.trace.depth if r.trace else 0
    head = f"{r.prop}: {_paint(r.verdict.value + expect_note(r), _colour(r), color)}{binding_text(r)} after {n} step{'' if n == 1 else 's'} " \
           f"({what} found by {r.engine}, replayed)"
    if r.trace is not None and r.trace.loop_start is not None:
        head = f"{r.prop}: {_paint(r.verdict.value, _colour(r), color)} by a fair lasso, {loop_text(r.trace)} " \
               f"({what} found by {r.engine}, replayed with its loop and fairness)"
        head += f"; {r.reason}" if r.reason else ""
    return head + (f" -- {doc}" if doc else "")


def loop_text(trace: Trace) -> str:
    """What repeats in a lasso: `steps 3-5 repeat forever`, or the state that stutters."""
    k, last = trace.loop_start, len(trace.steps) - 1
    assert k is not None
    if k == last:
        return f"then state {k} stutters forever"
    return f"then steps {k + 1}-{last} repeat forever" if k + 1 < last else f"then step {last} repeats forever"


def _all_sizes_title(prop: str, note: AllSizesNote) -> str:
    if note.reachable:
        return f"{prop}: VIOLATED with {note.sizes}, so proved at the checked sizes only (run found while " \
               "looking for an all-sizes proof, replayed)"
    return f"{prop}: counterexample to induction with {note.sizes}: a state every kept lemma allows, and a " \
           "step from it that breaks the property (replayed from that state; it need not be reachable)"


def trace_lines(trace: Trace, ctx: Context | None = None, first: str | None = None) -> list[str]:
    """The trace as a table: step number, the action call (with its doc string and choices), and
    the variables it changed; the initial state (or the state it starts from, named `first`) is
    shown compactly."""
    ctx = ctx or Context()
    rows = [["step", "action", "changes"]]
    for i, (step, prev) in enumerate(trace_states(trace)):
        action = [first if i == 0 and first and step.action is None else call_text(step)]
        doc = ctx.action_doc(step.action) if step.action else None
        if doc:
            action += textwrap.wrap(f'"{doc}"', DOC_WIDTH)
        cite = ctx.action_cite(step.action) if step.action else None
        if cite:
            action += textwrap.wrap(f"cite: {cite}", DOC_WIDTH, subsequent_indent="  ")
        chosen = choices_text(step)
        if chosen:
            action.append(chosen)
        if step.state is None:
            changed = _failure_lines(trace)
        elif prev is None:
            changed = compact_state(step.state)
        else:
            changed = change_lines(prev, step.state) or ["(no change)"]
        if trace.loop_start is not None and i == trace.loop_start + 1:
            action.insert(0, "-- loop: from here the steps repeat forever --")
        if trace.loop_start is not None and i == len(trace.steps) - 1:
            changed.append(f"(back to the state of step {trace.loop_start})" if i != trace.loop_start
                           else "(stutters here forever)")
        rows.append([str(i), "\n".join(action), "\n".join(changed)])
    return table(rows)


def _failure_lines(trace: Trace) -> list[str]:
    f = trace.failure
    if f is None:
        return ["(no successor state)"]
    where = f" at {f.span}" if f.span.line > 0 else ""
    return [f"FAILS {f.prop}{where}", f.text] if f.text else [f"FAILS {f.prop}{where}"]


def _explanations(report: Report) -> list[str]:
    """`--explain`: per proof, the elements it rests on, then the parameter values they were
    bound with."""
    out = []
    for r in report.results:
        if r.generated:
            continue
        why = r.why_unexplained
        if why is not None:
            out += ["", f"{r.prop}: not explained ({why.removeprefix('not explained: ')})"]
            continue
        if r.depends_on is None:
            continue
        elements = [d for d in r.depends_on if d.kind != "param"]
        params = list(dict.fromkeys(d.text for d in r.depends_on if d.kind == "param"))
        scope = f" ({r.depends_note})" if r.depends_note else ""
        if not elements:
            out += ["", f"{r.prop} rests on no action, guard or initial value{scope}" + (":" if params else "")]
        else:
            out += ["", f"{r.prop} rests on{scope}:"]
            out += table([[d.action, d.kind + (" (false here)" if d.disabled else ""), f"{d.span.file}:{d.span.line}",
                           d.text] for d in elements], indent="    ")
        if params:
            out += textwrap.wrap("under " + ", ".join(params), 106, initial_indent="    ", subsequent_indent="      ")
    return out


def _invariants(report: Report) -> list[str]:
    out = []
    for r in report.results:
        if r.certificate is not None:
            out += ["", f"{r.prop}: inductive invariant found by {r.certificate.engine}:"]
            out += [f"    {line}" for line in r.certificate.invariant.splitlines()]
    return out


def trace_renderer(ctx: Context | None = None) -> Callable[[Trace], str]:
    """A `Trace -> str` for reports that embed traces (explore's matrix)."""
    return lambda t: "\n".join(trace_lines(t, ctx))
