"""Files spec-check writes (reports, `--trace-dot`, baselines, certificates): never over an
input of the run, never through a symlink planted where the file goes, never half-written."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_safely(path: str | Path, text: str, inputs: Iterable[str | Path] = ()) -> None:
    """Write `text` to `path` through a temporary file in the same folder, renamed over `path`:
    a reader never sees half a file, and a symlink at `path` is replaced, not followed.
    Refuses (OSError, EEXIST) when `path` is, or points to, one of `inputs`."""
    target = Path(path)
    for src in inputs:
        try:
            same = os.path.samefile(target, src)
        except OSError:
            continue
        if same:
            raise OSError(errno.EEXIST, "refusing to write over an input of this run (the model or a file it "
                                        "includes)", str(path))
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as err:  # name the file asked for, not the temporary one
        raise OSError(err.errno, err.strerror, str(path)) from err
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # what a plain open() would have given it
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
