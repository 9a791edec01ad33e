"""One watchdog thread per process for every Z3 query's hard deadline (checker/solver/smt.py).

Z3's own `timeout` is advisory (Spacer and some tactics do not poll it), so each query is armed
here and `Z3_interrupt` is called on its context when the deadline passes. A thread per query
(threading.Timer) cost more than the queries it guarded when they are many and short: starting
and joining it waits for the scheduler, and on two busy cores that was 0.4 s of gmem's 335
all-sizes queries. Here one thread sleeps until the earliest deadline.

`disarm` is final: the alarm rings under the lock `disarm` takes, so once it returns the alarm
has rung or never will (`Alarm.fired` can be read). A forked child gets a fresh watchdog (the
parent's thread is not in it, and its lock may have been held at the fork).
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

COMPACT_AT = 1024  # disarmed entries left in the heap before it is rebuilt without them


@dataclass(eq=False)
class Alarm:
    at: float
    ctx: Any = None  # the z3.Context to interrupt; None once disarmed (the heap must not keep it alive)
    fired: bool = False


@dataclass
class _Watchdog:
    cv: threading.Condition = field(default_factory=threading.Condition)
    heap: list[tuple[float, int, Alarm]] = field(default_factory=list)
    seq: itertools.count = field(default_factory=itertools.count)
    thread: threading.Thread | None = None
    dead: int = 0

    def arm(self, ctx: Any, remaining: float) -> Alarm:
        alarm = Alarm(time.monotonic() + max(remaining, 0.0), ctx)
        with self.cv:
            heapq.heappush(self.heap, (alarm.at, next(self.seq), alarm))
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="z3-watchdog", daemon=True)
                self.thread.start()
            self.cv.notify()
        return alarm

    def disarm(self, alarm: Alarm) -> None:
        with self.cv:
            if alarm.ctx is None:
                return
            alarm.ctx = None
            self.dead += 1
            if self.dead > COMPACT_AT and self.dead * 2 > len(self.heap):
                self.heap = [e for e in self.heap if e[2].ctx is not None]
                heapq.heapify(self.heap)
                self.dead = 0

    def _loop(self) -> None:
        with self.cv:
            while True:
                while self.heap and self.heap[0][2].ctx is None:
                    heapq.heappop(self.heap)
                    self.dead = max(0, self.dead - 1)
                if not self.heap:
                    self.cv.wait()
                    continue
                wait = self.heap[0][0] - time.monotonic()
                if wait > 0:
                    self.cv.wait(wait)
                    continue
                _, _, alarm = heapq.heappop(self.heap)
                alarm.fired = True
                alarm.ctx.interrupt()
                alarm.ctx = None


_dog = _Watchdog()


def _fresh_after_fork() -> None:
    global _dog
    _dog = _Watchdog()


os.register_at_fork(after_in_child=_fresh_after_fork)


def arm(ctx: Any, remaining: float) -> Alarm:
    """Interrupt `ctx` once `remaining` seconds have passed, unless disarmed first."""
    return _dog.arm(ctx, remaining)


def disarm(alarm: Alarm) -> None:
    """Cancel `alarm`; when this returns, `alarm.fired` is final."""
    _dog.disarm(alarm)
