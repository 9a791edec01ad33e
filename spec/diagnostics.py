"""Diagnostics as values: built by every stage, collected in a Sink, rendered to text at the edge."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from spec.source import Span


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Note:
    """A secondary location ("first declared here", "included from here")."""

    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    span: Span
    severity: Severity
    code: str
    message: str
    hint: str | None = None
    notes: tuple[Note, ...] = ()


class FrontendError(Exception):
    """Raised by a stage to stop the pipeline; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        self.sources: dict[str, str] = {}  # texts that cannot be read again (standard input)
        super().__init__("; ".join(d.message for d in self.diagnostics))


@dataclass
class Sink:
    """Collects diagnostics of one front-end run; passed explicitly, never global."""

    items: list[Diagnostic] = field(default_factory=list)
    # (file name) -> source text, so the renderer can print the offending line.
    sources: dict[str, str] = field(default_factory=dict)

    def error(self, span: Span, code: str, message: str, hint: str | None = None,
              notes: Iterable[Note] = ()) -> None:
        self.items.append(Diagnostic(span, Severity.ERROR, code, message, hint, tuple(notes)))

    def warning(self, span: Span, code: str, message: str, hint: str | None = None,
                notes: Iterable[Note] = ()) -> None:
        self.items.append(Diagnostic(span, Severity.WARNING, code, message, hint, tuple(notes)))

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise FrontendError(self.sorted())

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics in source order (file by file, as first met), duplicates dropped."""
        seen: set[tuple[str, int, int, str]] = set()
        out: list[Diagnostic] = []
        file_order: dict[str, int] = {}
        for d in self.items:
            file_order.setdefault(d.span.file, len(file_order))
        ordered = sorted(self.items, key=lambda d: (file_order[d.span.file], d.span.line, d.span.col))
        for d in ordered:
            key = (d.span.file, d.span.line, d.span.col, d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out


def source_lines(text: str) -> list[str]:
    """Lines as the parser counts them: split at `\\n` only (a form feed or U+2028 is not a line
    break for lark), with a CR of a CRLF ending dropped."""
    text = text.removeprefix("\ufeff")  # as spec.source.read_source does
    return [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]


def visible(text: str) -> str:
    """`text` with control and bidirectional-override characters made visible, one column
    each (so carets stay aligned and a terminal is never driven by the model's bytes)."""
    out = []
    for ch in text:
        o = ord(ch)
        if ch == "\t":
            out.append(ch)
        elif o < 0x20:
            out.append(chr(0x2400 + o))  # the Control Pictures block: NUL shows as ␀
        elif o == 0x7F:
            out.append("\u2421")
        elif 0x80 <= o < 0xA0 or unicodedata.category(ch) in ("Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def _blank(ch: str) -> str:
    """What goes under `ch` in the caret line: a tab stays a tab (so the caret lines up whatever
    the tab width), a wide character (CJK) takes two columns, a combining mark none."""
    if ch == "\t":
        return ch
    if unicodedata.combining(ch):
        return ""
    return "  " if unicodedata.east_asian_width(ch) in ("W", "F") else " "


def _caret_line(line_text: str, span: Span) -> str:
    col = max(span.col, 1)
    prefix = "".join(_blank(ch) for ch in line_text[: col - 1])
    if span.end_line == span.line and span.end_col > span.col:
        width = span.end_col - span.col
    else:
        width = 1
    width = max(1, min(width, max(1, len(line_text) - col + 1)))
    under = "".join(_blank(ch) for ch in line_text[col - 1: col - 1 + width]).replace("\t", " ")
    return prefix + "^" + "~" * max(len(under) - 1, 0)


# A diagnostic quotes at most this many characters of a source line (a window around the caret,
# `...` on each side that is cut), and of a message: a 4 MiB line is never echoed.
MAX_QUOTED = 120
MAX_MESSAGE = 400
MAX_SUGGESTED = 100  # names longer than this get no "did you mean"
_CUT = "..."


def _window(line: str, span: Span) -> tuple[str, Span]:
    """The part of `line` a diagnostic shows, and `span` moved to it (the caret stays under the
    same character; a span running past the window is clipped at it)."""
    if len(line) <= MAX_QUOTED:
        return line, span
    col = min(max(span.col, 1), len(line) + 1)
    start = max(0, min(col - 1 - MAX_QUOTED // 3, len(line) - MAX_QUOTED))
    end = start + MAX_QUOTED
    left = _CUT if start > 0 else ""
    shown = left + line[start:end] + (_CUT if end < len(line) else "")
    shift = len(left) - start
    end_col = min(span.end_col, end + 1) if span.end_line == span.line else 0
    return shown, Span(span.file, span.line, col + shift, span.end_line, end_col + shift)


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> tuple[str, ...]:
    return tuple(source_lines(text))  # once per text, not once per diagnostic


def _excerpt(sources: dict[str, str], span: Span) -> list[str]:
    text = sources.get(span.file)
    if text is None or span.line <= 0:
        return []
    lines = _lines(text)
    if span.line > len(lines):
        return []
    shown, span = _window(lines[span.line - 1], span)
    src = visible(shown)
    gutter = f"{span.line:>4} | "
    return [gutter + src, " " * (len(gutter) - 2) + "| " + _caret_line(src, span)]


def _clip(text: str) -> str:
    if len(text) <= MAX_MESSAGE:
        return visible(text)
    return visible(text[: MAX_MESSAGE - 100]) + _CUT + visible(text[-100:])


def render(diag: Diagnostic, sources: dict[str, str]) -> str:
    """`file:line:col: error[E0123]: message`, the line, a caret, then notes and a hint."""
    out = [f"{diag.span}: {diag.severity.value}[{diag.code}]: {_clip(diag.message)}"]
    out.extend(_excerpt(sources, diag.span))
    for note in diag.notes:
        out.append(f"{note.span}: note: {_clip(note.message)}")
        out.extend(_excerpt(sources, note.span))
    if diag.hint:
        out.append(f"  = hint: {_clip(diag.hint)}")
    return "\n".join(out)


def render_all(diags: Iterable[Diagnostic], sources: dict[str, str]) -> str:
    diags = list(diags)
    body = "\n".join(render(d, sources) for d in diags)
    n_err = sum(1 for d in diags if d.severity is Severity.ERROR)
    n_warn = sum(1 for d in diags if d.severity is Severity.WARNING)
    parts = []
    if n_err:
        parts.append(f"{n_err} error{'s' if n_err != 1 else ''}")
    if n_warn:
        parts.append(f"{n_warn} warning{'s' if n_warn != 1 else ''}")
    return body + ("\n" + ", ".join(parts) + " found" if parts else "")


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt name, or None when nothing is close."""
    import difflib

    if len(name) > MAX_SUGGESTED:
        return None  # comparing megabyte names takes seconds, and nobody mistypes one
    near = {c for c in candidates if len(c) <= MAX_SUGGESTED}
    best = difflib.get_close_matches(name, sorted(near), n=1, cutoff=0.7)
    return f"did you mean `{best[0]}`?" if best else None
