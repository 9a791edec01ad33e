"""The explore matrix as text, markdown and JSON: one row per configuration, one column per
property, a verdict in each cell; each distinct trace is printed once under the table and
referenced from every cell that has it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from checker.explore.matrix import FixResult, Matrix
from checker.policy import DEFAULT_POLICY, Policy
from checker.report.common import Context
from checker.report.json import baseline_data, result_data
from checker.report.json import value as json_value
from checker.result import PropertyResult, Trace, Verdict
from spec.ir import format_value

TraceRenderer = Callable[[Trace], str]


def cell_text(r: PropertyResult | None) -> str:
    """A compact verdict: `PROVED`, `VIOLATED@3`, `HOLDS<=10`, `REACHED@2`, `UNKNOWN`."""
    if r is None:
        return "-"
    v = r.verdict
    if v in (Verdict.VIOLATED, Verdict.REACHED) and r.depth is not None:
        return f"{v.value}@{r.depth}"
    if v is Verdict.HOLDS_TO_DEPTH:
        return f"HOLDS<={r.depth}" if r.depth is not None else "HOLDS"
    return v.value


def trace_ids(m: Matrix) -> dict[Trace, str]:
    """T1, T2, ... for the counterexamples, in the order first met (row by row, column by column);
    equal traces share one id."""
    ids: dict[Trace, str] = {}
    for _bindings, rep in m.rows:
        for p in m.properties:
            r = result_of(rep, p)
            if r is not None and r.trace is not None and (r.verdict is Verdict.VIOLATED or r.fails) \
                    and r.trace not in ids:
                ids[r.trace] = f"T{len(ids) + 1}"
    return ids


def result_of(rep, prop: str) -> PropertyResult | None:
    for r in rep.results:
        if r.prop == prop:
            return r
    return None


def row_label(bindings) -> str:
    return " ".join(f"{k}={format_value(v)}" for k, v in bindings) or "(defaults)"


def _table(m: Matrix, with_ids: bool) -> list[list[str]]:
    ids = trace_ids(m)
    header = ["configuration", *m.properties]
    rows = [header]
    for bindings, rep in m.rows:
        row = [row_label(bindings)]
        for p in m.properties:
            r = result_of(rep, p)
            text = cell_text(r)
            if with_ids and r is not None and r.trace is not None and r.trace in ids:
                text += f" [{ids[r.trace]}]"
            row.append(text)
        rows.append(row)
    return rows


def _transposed(m: Matrix) -> list[list[str]]:
    """One row per property, one column per configuration (labelled by its values only)."""
    ids = trace_ids(m)
    header = ["property", *("/".join(format_value(v) for _k, v in b) or "(defaults)" for b, _rep in m.rows)]
    rows = [header]
    for p in m.properties:
        row = [p]
        for _bindings, rep in m.rows:
            r = result_of(rep, p)
            text = cell_text(r)
            if r is not None and r.trace is not None and r.trace in ids:
                text += f" [{ids[r.trace]}]"
            row.append(text)
        rows.append(row)
    return rows


def _grid(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def render_text(m: Matrix, trace_renderer: TraceRenderer, layout: str = "auto", width: int = 160) -> str:
    """`layout`: "configs" (one row per configuration), "properties" (one row per property), or
    "auto": configurations as rows when that fits in `width` columns, else transposed."""
    lines = [f"{m.model}: {len(m.rows)} configuration(s) x {len(m.properties)} propert(ies)", ""]
    by_config = _grid(_table(m, with_ids=True))
    if transposed_layout(m, layout, width):
        axes = "/".join(a.param for a in m.axes) or "configuration"
        lines += [f"(one column per configuration: {axes})", ""]
        lines += _grid(_transposed(m))
    else:
        lines += by_config
    lines += _legend()
    lines += _traces(m, trace_renderer)
    return "\n".join(lines) + "\n"


def _legend() -> list[str]:
    return ["", "PROVED: holds at every depth (this instance size). VIOLATED@k: counterexample of k steps.",
            "HOLDS<=k: no violation up to depth k; NOT a proof. UNKNOWN: undecided (see the per-model run)."]


def _traces(m: Matrix, trace_renderer: TraceRenderer) -> list[str]:
    ids = trace_ids(m)
    out: list[str] = []
    used: dict[Trace, list[str]] = {}
    for bindings, rep in m.rows:
        for r in rep.results:
            if r.trace is not None and r.trace in ids:
                used.setdefault(r.trace, []).append(f"{r.prop} @ {row_label(bindings)}")
    for trace, where in used.items():
        out += ["", f"{ids[trace]}: {'; '.join(where)}", trace_renderer(trace).rstrip()]
    return out


def transposed_layout(m: Matrix, layout: str, width: int = 160) -> bool:
    """Whether `layout` ("auto", "configs", "properties") draws one row per property: "auto"
    does when one row per configuration would not fit in `width` columns."""
    return layout == "properties" or (layout == "auto" and max(len(x) for x in _grid(_table(m, True))) > width)


def render_markdown(m: Matrix, trace_renderer: TraceRenderer, layout: str = "auto") -> str:
    """GitHub-flavoured markdown, for pasting into a design document or a mailing-list mail."""
    rows = _transposed(m) if transposed_layout(m, layout) else _table(m, with_ids=True)
    lines = [f"### {m.model}: explore", "", "| " + " | ".join(rows[0]) + " |",
             "|" + "|".join("---" for _ in rows[0]) + "|"]
    for r in rows[1:]:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    lines += [line for line in _legend() if line]
    for block in _traces(m, trace_renderer):
        if block.startswith("T") and ":" in block.split("\n", 1)[0]:
            lines += ["", f"**{block}**"]
        elif block:
            lines += ["", "```", block, "```"]
    return "\n".join(lines) + "\n"


def render_json(m: Matrix, fixes: list[FixResult] | None = None, ctx: Context | None = None,
                policies: Mapping[str, Policy] | None = None) -> str:
    """The matrix with each cell in the `check --format json` result format (docs/explore.md).
    `policies`: per configuration, under --baseline (each row's status and baseline fields, and
    its `baseline` summary with what is gone)."""
    ctx = ctx or Context()
    pol = policies or {}
    data = {
        "spec-check-explore": 1,
        "model": m.model,
        "axes": [{"param": a.param, "values": [json_value(v) for v in a.values]} for a in m.axes],
        "properties": list(m.properties),
        "rows": [{"bindings": {k: json_value(v) for k, v in b}, "config": rep.config,
                  "results": [result_data(r, ctx, pol.get(rep.config, DEFAULT_POLICY)) for r in rep.results],
                  "baseline": baseline_data(pol.get(rep.config, DEFAULT_POLICY))} for b, rep in m.rows],
    }
    if fixes is not None:
        data["minimal_fixes"] = [fix_to_data(f) for f in fixes]
    return json.dumps(data, indent=2) + "\n"


def fix_to_data(f: FixResult) -> dict:
    return {"bindings": {k: json_value(v) for k, v in f.bindings},
            "minimal": [sorted(s) for s in f.minimal], "undecided": [sorted(s) for s in f.undecided],
            "broken_without": {m: list(p) for m, p in f.broken_without},
            "all_on_failures": list(f.all_on_failures), "notes": list(f.notes)}


def render_fixes_text(fixes: list[FixResult]) -> str:
    lines = ["Minimal mitigation sets (each keeps every property that holds with all mitigations on):"]
    for f in fixes:
        label = row_label(f.bindings)
        if f.minimal:
            sets = " | ".join("{" + ", ".join(sorted(s)) + "}" if s else "{} (none needed)" for s in f.minimal)
        else:
            sets = "none decided (checks were not definitive)"
        lines.append(f"  {label}: {sets}")
        if f.all_on_failures:
            lines.append(f"      fail even with every mitigation on (not fixable by these): "
                         f"{', '.join(f.all_on_failures)}")
        for m, props in f.broken_without:
            if props:
                lines.append(f"      without {m}: {', '.join(props)} fail")
        for note in f.notes:
            lines.append(f"      note: {note}")
        if f.undecided:
            lines.append("      undecided: " + " | ".join("{" + ", ".join(sorted(s)) + "}" for s in f.undecided))
    return "\n".join(lines) + "\n"
