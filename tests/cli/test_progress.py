"""Progress on stderr (checker/progress.py): a line on a terminal, periodic plain lines elsewhere."""

from __future__ import annotations

import io
import time

import pytest

from checker.progress import Progress, live_terminal


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_a_plain_line_says_the_run_is_alive_with_the_latest_phase():
    out = io.StringIO()
    p = Progress(out, live=False, period=0.05)
    p("pdr: P1 (1/3)")
    time.sleep(0.3)
    p.close()
    lines = out.getvalue().splitlines()
    assert lines and all(ln.startswith("progress: ") and ln.endswith("s elapsed, pdr: P1 (1/3)") for ln in lines)
    assert "\x1b" not in out.getvalue() and "\r" not in out.getvalue()
    n = len(lines)
    time.sleep(0.15)
    assert len(out.getvalue().splitlines()) == n  # closed: the ticker stopped


def test_a_short_run_prints_nothing_off_a_terminal():
    out = io.StringIO()
    p = Progress(out, live=False, period=5.0)
    p("explicit: 3 properties")
    p.close()
    assert out.getvalue() == ""


def test_on_a_terminal_each_message_replaces_the_last_and_close_erases_it():
    out = _Tty()
    p = Progress(out, live=True)
    p("bmc: 2 properties")
    p("pdr: 2 properties")
    p.close()
    assert out.getvalue() == "\r\x1b[Kbmc: 2 properties\r\x1b[Kpdr: 2 properties\r\x1b[K"


def test_term_dumb_is_not_a_live_terminal(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TERM", "xterm")
    assert live_terminal(_Tty()) and not live_terminal(io.StringIO())
    monkeypatch.setenv("TERM", "dumb")
    assert not live_terminal(_Tty())
