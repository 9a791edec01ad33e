"""Progress on stderr while a check runs: the engines' phase messages (checker/schedule.py).

On a terminal each message replaces the last on one line. Elsewhere (a CI log, a pipe, or
TERM=dumb) a plain line every PERIOD seconds says the run is alive: the elapsed time and the
latest message; a run shorter than PERIOD prints nothing, so logs of quick runs stay clean.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TextIO

PERIOD = 10.0


def live_terminal(stream: TextIO) -> bool:
    """A terminal that understands `\\r` and erase-line (not TERM=dumb)."""
    return stream.isatty() and os.environ.get("TERM") != "dumb"


class Progress:
    """Callable with each phase message; `close()` ends it (erases the line, stops the ticker)."""

    def __init__(self, stream: TextIO, live: bool, period: float = PERIOD) -> None:
        self.stream, self.live, self.period = stream, live, period
        self.t0 = time.monotonic()
        self.last = "starting"
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if not live:
            self._ticker = threading.Thread(target=self._tick, name="spec-check-progress", daemon=True)
            self._ticker.start()

    def __call__(self, msg: str) -> None:
        self.last = msg
        if self.live:
            self.stream.write("\r\x1b[K" + msg[:120])
            self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(self.period):
            self.stream.write(f"progress: {time.monotonic() - self.t0:.0f}s elapsed, {self.last}\n")
            self.stream.flush()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        elif self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
