"""What the command line's modules share: messages on stderr and the sources behind diagnostics."""

from __future__ import annotations

import sys
from pathlib import Path

from spec.diagnostics import FrontendError
from spec.source import read_source

BUG = "this is a bug in spec-check; please report it with the model and the command line that caused it"


def to_stderr(text: str) -> None:
    print(text, file=sys.stderr)


def sources_of(e: FrontendError) -> dict[str, str]:
    out: dict[str, str] = dict(e.sources)
    for d in e.diagnostics:
        for span in [d.span] + [n.span for n in d.notes]:
            if span.file not in out and span.line > 0:
                try:  # read again, bounded: a FIFO swapped in meanwhile must not hang the report
                    out[span.file] = read_source(Path(span.file), span.file).text
                except OSError:
                    pass
    return out
