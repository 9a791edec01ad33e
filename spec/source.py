"""Source files and positions: a path becomes a SourceFile; positions are Spans."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Span:
    """A region of a source file; lines and columns are 1-based, end is inclusive-exclusive."""

    file: str
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file  # a whole-file problem (unreadable file, bad command-line value)
        return f"{self.file}:{self.line}:{self.col}"


# Nodes built without text (the Python builder, generated checks) point here unless given a span.
NO_SPAN = Span("<builtin>", 0, 0, 0, 0)


@dataclass(frozen=True)
class SourceFile:
    """The text of one file, with the name it is reported under."""

    name: str
    text: str
    path: Path | None = None

    def line_text(self, line: int) -> str:
        lines = [ln.removesuffix("\r") for ln in self.text.split("\n")]
        if 1 <= line <= len(lines):
            return lines[line - 1]
        return ""


def read_source(path: Path, display: str | None = None) -> SourceFile:
    """Read a file as UTF-8; undecodable bytes are replaced so that a diagnostic can still show the
    line, and a byte-order mark (some editors write one) is dropped."""
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return SourceFile(display if display is not None else str(path), text, path)
