"""A single self-contained HTML page for an explore matrix (no scripts, no external files):
colour-coded cells, each violation's cell linking to its trace, readable offline."""

from __future__ import annotations

from html import escape

from checker.explore.matrix import FixResult, Matrix
from checker.report.common import Context
from checker.report.matrix import TraceRenderer, cell_text, result_of, row_label, trace_ids
from checker.result import PropertyResult, Verdict

_CLASS = {
    Verdict.PROVED: "ok", Verdict.PROVED_ALL_SIZES: "ok", Verdict.REACHED: "ok",
    Verdict.VIOLATED: "bad", Verdict.UNREACHABLE: "bad",
    Verdict.HOLDS_TO_DEPTH: "bounded", Verdict.UNKNOWN: "unknown",
}

MAX_LISTED = 40  # a cell's tooltip lists at most this many elements a proof rests on


def _rests_on(r: PropertyResult) -> str:
    """What a proof rests on, one element per line (docs/verdicts.md, Why PROVED)."""
    deps = r.depends_on or ()
    lines = [f"{d.action}: {d.kind}{' (false here)' if d.disabled else ''} {d.text} ({d.span.file}:{d.span.line})"
             for d in deps if d.kind != "param"]
    params = sorted({d.text for d in deps if d.kind == "param"})
    shown = lines[:MAX_LISTED] + ([f"... {len(lines) - MAX_LISTED} more"] if len(lines) > MAX_LISTED else [])
    scope = f" ({r.depends_note})" if r.depends_note else ""
    head = f"rests on{scope}:" if lines else f"rests on no action, guard or initial value{scope}"
    return "\n".join([head, *shown, *(["under " + ", ".join(params)] if params else [])])


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; white-space: nowrap; }
th { background: #eee; }
thead th { position: sticky; top: 0; z-index: 2; }
tbody th { position: sticky; left: 0; z-index: 1; }
td.ok { background: #d7f5d7; } td.bad { background: #f8cfcf; }
td.bounded { background: #fff3c4; } td.unknown { background: #e2e2e2; }
td a { color: inherit; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; }
section.trace:target { outline: 3px solid #c33; }
.legend span { padding: 2px 6px; margin-right: 8px; }
"""


def _cell(r: PropertyResult | None, ids: dict) -> str:
    cls = "" if r is None else "ok" if r.passes else "bad" if r.fails else _CLASS[r.verdict]
    text = escape(cell_text(r))
    if r is not None and r.trace is not None and r.trace in ids:
        text = f"<a href=\"#{ids[r.trace]}\">{text} ({ids[r.trace]})</a>"
    elif r is not None and r.depends_on is not None:
        if r.vacuous_proof:
            text += " (vacuous)"
        text = f"<span title=\"{escape(_rests_on(r))}\">{text}</span>"
    elif r is not None and r.reason:
        text = f"<span title=\"{escape(r.reason)}\">{text}</span>"
    return f"<td class=\"{cls}\">{text}</td>"


def _grid(m: Matrix, ids: dict, by_property: bool, ctx: Context) -> list[str]:
    """The matrix as an HTML table: one row per property (`by_property`) or per configuration;
    a property's doc string is its header's tooltip."""
    def prop_th(p: str, tag: str = "th") -> str:
        return f"<{tag} title=\"{escape(ctx.prop_doc(p) or '')}\">{escape(p)}</{tag}>"

    if by_property:
        out = ["<table><thead><tr><th>property</th>"]
        out += [f"<th>{escape(row_label(b))}</th>" for b, _rep in m.rows]
        out.append("</tr></thead><tbody>")
        for p in m.properties:
            out.append("<tr>" + prop_th(p) + "".join(_cell(result_of(rep, p), ids) for _b, rep in m.rows) + "</tr>")
    else:
        out = ["<table><thead><tr><th>configuration</th>", *(prop_th(p) for p in m.properties),
               "</tr></thead><tbody>"]
        for bindings, rep in m.rows:
            out.append(f"<tr><th>{escape(row_label(bindings))}</th>"
                       + "".join(_cell(result_of(rep, p), ids) for p in m.properties) + "</tr>")
    out.append("</tbody></table>")
    return out


def render_html(m: Matrix, trace_renderer: TraceRenderer, fixes: list[FixResult] | None = None,
                title: str | None = None, layout: str = "auto", ctx: Context | None = None) -> str:
    """`layout`: "properties" (one row per property; also what "auto" draws, since a screen holds
    more rows than columns) or "configs" (one row per configuration)."""
    ids = trace_ids(m)
    title = title or f"spec-check explore: {m.model}"
    out = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
           f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{escape(title)}</h1>",
           "<p class=\"legend\"><span class=\"ok\" style=\"background:#d7f5d7\">PROVED / a goal answered as expected</span>"
           "<span style=\"background:#f8cfcf\">VIOLATED / a goal answered against its expect</span>"
           "<span style=\"background:#fff3c4\">HOLDS TO DEPTH k (not a proof)</span>"
           "<span style=\"background:#e2e2e2\">UNKNOWN</span></p>"]
    out += _grid(m, ids, layout != "configs", ctx or Context())
    if fixes:
        out.append("<h2>Minimal mitigation sets</h2><ul>")
        for f in fixes:
            sets = ", ".join("{" + ", ".join(sorted(s)) + "}" for s in f.minimal) or "none decided"
            if f.all_on_failures:
                sets += f" (failing even with every mitigation on: {', '.join(f.all_on_failures)})"
            out.append(f"<li><b>{escape(row_label(f.bindings))}</b>: {escape(sets)}")
            broken = [f"without {m}: {', '.join(p)}" for m, p in f.broken_without if p]
            if broken:
                out.append("<ul>" + "".join(f"<li>{escape(b)}</li>" for b in broken) + "</ul>")
            out.append("</li>")
        out.append("</ul>")
    if ids:
        out.append("<h2>Traces</h2>")
    for trace, tid in ids.items():
        where = [f"{p} @ {row_label(b)}" for b, rep in m.rows for p in m.properties
                 if (r := result_of(rep, p)) is not None and r.trace == trace]
        out.append(f"<section class=\"trace\" id=\"{tid}\"><h3>{tid}</h3><p>{escape('; '.join(where))}</p>"
                   f"<pre>{escape(trace_renderer(trace))}</pre></section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
