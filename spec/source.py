"""Source files and positions: a path becomes a SourceFile; positions are Spans."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# A model larger than this is almost certainly the wrong file; reads never go past it.
MAX_FILE_BYTES = 4 * 1024 * 1024


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


def read_source(path: Path, display: str | None = None, limit: int = MAX_FILE_BYTES) -> SourceFile:
    """Read a file as UTF-8; undecodable bytes are replaced so that a diagnostic can still show the
    line, and a byte-order mark (some editors write one) is dropped. Raises OSError (with a
    readable strerror) for what is not a regular file or is larger than `limit` bytes."""
    data = read_bounded(path, limit)
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return SourceFile(display if display is not None else str(path), text, path)


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _refuse_unless_regular(mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise OSError(errno.EISDIR, "it is a folder")
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "a special file")
        raise OSError(errno.EINVAL, f"it is {kind}, not a regular file")


# Non-blocking: opening a FIFO for reading would otherwise wait for a writer. No controlling
# terminal from a tty, no text translation on Windows, not inherited by child processes.
_OPEN_FLAGS = os.O_RDONLY | sum(getattr(os, f, 0) for f in ("O_NONBLOCK", "O_NOCTTY", "O_BINARY", "O_CLOEXEC"))


def _too_large(limit: int) -> OSError:
    shown = f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit} bytes"
    return OSError(errno.EFBIG, f"the file is larger than {shown}")


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, at most `limit` of them (else OSError).

    A FIFO would block the open until a writer comes, and a device has no size (/dev/zero never
    ends): both are refused before opening, and the open is non-blocking in case the path was
    replaced in between, so nothing can hang. At most `limit` + 1 bytes are ever read, whatever
    st_size says (a file that grows, or a file system that reports 0)."""
    st = os.stat(path)
    _refuse_unless_regular(st.st_mode)
    if st.st_size > limit:
        raise _too_large(limit)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        _refuse_unless_regular(os.fstat(fd).st_mode)  # the file opened is the file checked
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise _too_large(limit)
    return data


# `spec-check -` (or /dev/stdin, which as a pipe is no regular file) reads the model from here.
STDIN_NAMES = ("-", "/dev/stdin")
STDIN_DISPLAY = "<stdin>"


def read_stdin_text(stream: BinaryIO, limit: int = MAX_FILE_BYTES) -> str:
    """The model on standard input, decoded as read_source decodes a file; OSError past `limit`."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")
