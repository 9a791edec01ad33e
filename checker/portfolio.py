"""`auto`'s symbolic engines in a child process beside the explicit search (decision 0013).

The explicit search is pure Python and keeps one core busy; BMC, PDR and k-induction spend their
time inside Z3. Running the symbolic chain in a forked child while this process searches
explicitly makes `auto` about as fast as whichever column decides first: small instances are
decided exhaustively here in well under a second, large ones by BMC or PDR without waiting for the
explicit search to reach its cap. The child sends back each engine run as it completes; this
process replays every trace and merges, exactly as if it had run the engines itself, so nothing
the child says is believed unchecked.

Side by side needs `fork` (Linux), two usable cores, and a process allowed to have children
(explore's `--jobs` workers are daemons and are not): `available()` says; otherwise `auto` runs
its phases one after the other.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

# ("run", (engine name, property names, EngineRun)), then ("done", None) or ("crash", traceback)
Message = tuple[str, Any]
Send = Callable[[Message], None]


def available() -> bool:
    """Whether this process can run engines side by side (see the module docstring)."""
    if sys.platform != "linux" or os.environ.get("SPEC_CHECK_SEQUENTIAL"):
        return False
    if mp.current_process().daemon:
        return False
    return len(os.sched_getaffinity(0)) >= 2


class Child:
    """`work(send)` running in a forked child; its messages come back through `poll`."""

    def __init__(self, work: Callable[[Send], None]) -> None:
        ctx = mp.get_context("fork")
        sys.stdout.flush()  # or the child would write our buffered output a second time on exit
        sys.stderr.flush()
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_main, args=(work, send), daemon=True)
        self._proc.start()
        send.close()  # only the child writes: EOF here means it is gone
        self.done = False

    def poll(self, timeout: float | None = 0.0) -> list[Message]:
        """The messages that have arrived, waiting up to `timeout` for the first (None: until one
        comes). A child that dies without saying `done` is reported as a crash."""
        out: list[Message] = []
        while not self.done and self._recv.poll(timeout):
            timeout = 0.0
            try:
                msg: Message = self._recv.recv()
            except (EOFError, OSError):
                self._proc.join(1.0)
                msg = ("crash", f"the child process running the symbolic engines ended without a result "
                                f"(exit code {self._proc.exitcode})")
            out.append(msg)
            self.done = msg[0] in ("done", "crash")
        return out

    def stop(self) -> None:
        """End the child, whatever it is doing (its Z3 work dies with it)."""
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(1.0)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
        self._recv.close()
        self.done = True


def _main(work: Callable[[Send], None], conn: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops this child
    try:
        work(conn.send)
        conn.send(("done", None))
    except BaseException:  # noqa: BLE001 - every failure goes back to the parent as a bug report
        conn.send(("crash", traceback.format_exc()))
    finally:
        conn.close()
