"""Ctrl-C during a long Z3 query stops the run at once (Z3 catches SIGINT itself while it
solves; the solver layer turns its "canceled" into KeyboardInterrupt), and the command line then
prints the verdicts decided so far with exit code 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from checker.solver import smt
from tests.checker.test_timeout import _pigeonhole_smtlib

ROOT = Path(__file__).resolve().parents[2]


def test_sigint_during_a_query_raises_keyboard_interrupt():
    text = _pigeonhole_smtlib(14)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            smt.check_smtlib(text, t0 + 60)
    finally:
        timer.cancel()
    assert time.monotonic() - t0 < 10


def test_the_watchdog_is_not_mistaken_for_the_user():
    t0 = time.monotonic()
    res = smt.check_smtlib(_pigeonhole_smtlib(14), t0 + 0.5)
    assert res.status is smt.Status.UNKNOWN and "timeout" in (res.reason or "")


def test_ctrl_c_prints_the_verdicts_so_far(tmp_path):
    model = tmp_path / "pigeons.spec"
    model.write_text("sort Pigeon = 14;\nsort Hole = 13;\nvar at: Pigeon -> Hole;\nvar moved: bool = false;\n"
                     "action move(p: Pigeon, h: Hole) { at[p] := h; moved := true; }\n"
                     "invariant apart: !(forall p: Pigeon, q: Pigeon :: p != q -> at[p] != at[q]);\n"
                     "reachable moves: moved;\n", encoding="utf-8")
    exe = Path(sys.executable).parent / "spec-check"
    proc = subprocess.Popen([str(exe), str(model), "--engine", "pdr", "--no-cache", "--timeout", "300"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode in (130, 1), err
    assert "INTERRUPTED" in out
    assert "Traceback" not in err
