"""The time limit of encoding work: building Z3 terms stops at the deadline, as solving does.

checker/solver/smt.py interrupts Z3 at the deadline; the terms it is given are built in Python
first, and that work grows with the model: quantifier expansions (`forall p: Page :: ...` is one
term per page), action bodies run once per `forall` element, goals, the transition template.
`Deadline` is polled every few expression nodes, statements and quantifier instances
(checker/solver/symexec.py) and at coarse points of checker/solver/encode.py, and raises
`EncodingTimeout` once the deadline has passed; the engines (checker/symbolic/) turn it into
UNKNOWN with ENCODING_TIMEOUT as the reason, never a pass.

An `Encoding` is shared by engine runs (checker/backends.py) and built lazily, so its deadline
is not fixed when it is made: each run sets the one it has for its duration (`until`), and
nested runs (PDR's BMC searches, with a share of the time) only ever shorten it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

ENCODING_TIMEOUT = "the time limit was reached while encoding the model"
POLL_EVERY = 16  # ticks between two readings of the clock (a tick is one node, a few Z3 calls)


class EncodingTimeout(Exception):
    """The deadline passed while terms were being built (no partial term is kept anywhere)."""

    def __init__(self) -> None:
        super().__init__(ENCODING_TIMEOUT)


class Deadline:
    """When the encoding work of the current run must stop: `at` is a time.monotonic() value,
    None for no limit (the state between runs, and when no engine has set one)."""

    def __init__(self) -> None:
        self.at: float | None = None
        self._ticks = 0

    def tick(self) -> None:
        """One unit of work; the clock is read every POLL_EVERY ticks."""
        self._ticks += 1
        if self._ticks >= POLL_EVERY:
            self._ticks = 0
            self.check()

    def check(self) -> None:
        """Raise EncodingTimeout when the deadline has passed."""
        if self.at is not None and time.monotonic() >= self.at:
            raise EncodingTimeout

    @contextmanager
    def until(self, at: float | None) -> Iterator[None]:
        """Encoding work in this block stops at `at` (or at an earlier deadline already set)."""
        old = self.at
        self.at = at if old is None else old if at is None else min(at, old)
        try:
            yield
        finally:
            self.at = old
