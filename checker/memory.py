"""The memory ceiling of a run, so that a model too large for the machine ends with UNKNOWN and a
reason instead of swapping the machine to a halt or meeting the kernel's OOM killer.

`Options.memory_limit` (bytes) is applied by the scheduler for the length of one run: the soft
address-space limit (RLIMIT_AS) of the process is lowered to it, never above a limit that was
already set (`ulimit -v`), and restored afterwards. `auto`'s symbolic child (checker/portfolio.py)
inherits it, so each of the two processes may use that much. Past it allocations fail: Python
raises MemoryError, which the explicit search (checker/explicit/search.py) and the scheduler turn
into UNKNOWN with the reason; Z3 answers `unknown`. The command line always sets a limit
(`resolve`): --memory-limit, else $SPEC_CHECK_MEMORY_LIMIT, else half the machine's memory (or
its cgroup's) so that the two processes together fit. The Python API sets none unless asked: a
library does not change its caller's process behind its back.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import resource
except ImportError:  # not on Windows: no limit is set there
    resource = None  # type: ignore[assignment]

ENV = "SPEC_CHECK_MEMORY_LIMIT"
MIN_LIMIT = 256 << 20  # below this not even the front end, Z3 and a search's first states fit
_UNITS = {"": 1 << 20, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}  # a bare number is MB
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?", re.IGNORECASE)
_CGROUP_FILES = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")


def parse_size(text: str) -> int | None:
    """`4G`, `512M`, `1.5GiB`, `2048` (megabytes) -> bytes; `0` or `none` -> None (no limit).
    ValueError for anything else, or a limit under MIN_LIMIT."""
    text = text.strip()
    if text.lower() in ("0", "none", "unlimited"):
        return None
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ValueError(f"`{text}` is not a memory size (write e.g. 4G, 512M, or 0 for no limit)")
    n = int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    if n < MIN_LIMIT:
        raise ValueError(f"{text} is less than the least memory a run needs ({describe(MIN_LIMIT)})")
    return n


def machine_default() -> int | None:
    """Half of the physical memory, or of the cgroup's limit when that is lower (a container);
    None when neither can be read."""
    sizes = [n for n in (_physical(), _cgroup()) if n is not None]
    return max(MIN_LIMIT, min(sizes) // 2) if sizes else None


def resolve(flag: str | None) -> int | None:
    """The command line's limit: the --memory-limit text, else $SPEC_CHECK_MEMORY_LIMIT, else
    `machine_default()`. ValueError (with the source named) for a malformed value."""
    if flag is not None:
        return parse_size(flag)
    env = os.environ.get(ENV)
    if env:
        try:
            return parse_size(env)
        except ValueError as err:
            raise ValueError(f"{ENV}: {err}") from None
    return machine_default()


@contextmanager
def limited(nbytes: int | None) -> Iterator[None]:
    """Within the block, the process cannot have more than `nbytes` of address space (None: the
    limit is left as it is)."""
    if nbytes is None or resource is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    new = nbytes
    for cap in (soft, hard):  # never loosen a limit someone else set
        if cap != resource.RLIM_INFINITY:
            new = min(new, cap)
    resource.setrlimit(resource.RLIMIT_AS, (new, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def current() -> int | None:
    """The soft address-space limit of this process (None: unlimited, or unknown)."""
    if resource is None:
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def exhausted(limit: int | None = None) -> str:
    """Why an engine that ran out of memory gives UNKNOWN (`limit`: the one it ran under; None:
    this process's)."""
    limit = limit if limit is not None else current()
    size = f" of {describe(limit)}" if limit is not None else ""
    return f"the memory limit{size} was reached (raise it with --memory-limit or {ENV})"


def describe(nbytes: int) -> str:
    """`1.5 GB`, `512 MB` (binary units, as `--memory-limit` reads them)."""
    if nbytes >= 1 << 30:
        return f"{nbytes / (1 << 30):.1f} GB"
    return f"{nbytes >> 20} MB"


def _physical() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _cgroup() -> int | None:
    """The memory limit of the cgroup this process runs in, as a container sees it (v2, then v1);
    None when there is none (v1 says "no limit" with a number near 2^63)."""
    for name in _CGROUP_FILES:
        try:
            text = Path(name).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text.isdigit() and int(text) < 1 << 60:
            return int(text)
    return None
