"""The process's one watchdog thread (checker/solver/watchdog.py): it interrupts a context at its
deadline, never one disarmed in time, never keeps a disarmed context alive, and works again in a
forked child."""

from __future__ import annotations

import multiprocessing as mp
import time

from checker.solver import watchdog


class _Ctx:
    def __init__(self) -> None:
        self.interrupted = 0

    def interrupt(self) -> None:
        self.interrupted += 1


def _wait_for(cond, within: float = 5.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.005)
    return cond()


def test_an_alarm_rings_once_at_its_deadline_and_then_is_final():
    ctx = _Ctx()
    t0 = time.monotonic()
    alarm = watchdog.arm(ctx, 0.05)
    assert _wait_for(lambda: alarm.fired)
    assert time.monotonic() - t0 >= 0.05 and ctx.interrupted == 1
    watchdog.disarm(alarm)
    assert alarm.fired and ctx.interrupted == 1


def test_disarmed_alarms_never_ring_and_do_not_keep_their_context():
    early = [(_Ctx(), None) for _ in range(3 * watchdog.COMPACT_AT)]
    alarms = [watchdog.arm(c, 0.2 + i * 1e-5) for i, (c, _) in enumerate(early)]
    for a in alarms:
        watchdog.disarm(a)
    assert all(a.ctx is None for a in alarms)
    late = _Ctx()
    ring = watchdog.arm(late, 0.3)  # armed after: rings although thousands were disarmed before it
    assert _wait_for(lambda: ring.fired)
    assert sum(c.interrupted for c, _ in early) == 0 and late.interrupted == 1
    assert len(watchdog._dog.heap) < watchdog.COMPACT_AT + 2  # compacted, not grown by every query


def test_alarms_ring_in_deadline_order_whatever_the_order_they_were_armed_in():
    order: list[int] = []

    class Tagged(_Ctx):
        def __init__(self, tag: int) -> None:
            super().__init__()
            self.tag = tag

        def interrupt(self) -> None:
            order.append(self.tag)

    alarms = [watchdog.arm(Tagged(i), 0.02 * (3 - i)) for i in range(3)]
    assert _wait_for(lambda: all(a.fired for a in alarms))
    assert order == [2, 1, 0]


def _child(q) -> None:
    ctx = _Ctx()
    alarm = watchdog.arm(ctx, 0.01)
    q.put(_wait_for(lambda: alarm.fired, 5.0) and ctx.interrupted == 1)


def test_a_forked_child_has_a_watchdog_of_its_own():
    held = watchdog.arm(_Ctx(), 60.0)  # the parent's thread exists and holds an alarm
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(q,))
    p.start()
    try:
        assert q.get(timeout=10) is True
    finally:
        p.join(10)
        watchdog.disarm(held)
