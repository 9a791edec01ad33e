"""Hard deadlines: a query built to run for a very long time (pigeonhole: 14 pigeons, 13 holes)
returns UNKNOWN with a reason within the deadline plus a small slack, from the solver layer and
from every engine."""

from __future__ import annotations

import time

import pytest

from checker.result import Budget, Verdict
from checker.solver import smt
from checker.symbolic.bmc import Bmc
from checker.symbolic.induction import Induction
from checker.symbolic.pdr import Pdr
from tests.checker.symbolic_helpers import load_text

DEADLINE = 1.5
SLACK = 1.0  # thread start-up, Z3 noticing the interrupt, Python bookkeeping

PIGEONS = """
sort Pigeon = 14;
sort Hole = 13;
var at: Pigeon -> Hole;
action move(p: Pigeon, h: Hole) { at[p] := h; }
reachable apart "every pigeon in its own hole": forall p: Pigeon, q: Pigeon :: p != q -> at[p] != at[q];
"""


def _pigeonhole_smtlib(holes: int) -> str:
    lines = [f"(declare-const p{i}_{j} Bool)" for i in range(holes + 1) for j in range(holes)]
    for i in range(holes + 1):
        lines.append("(assert (or " + " ".join(f"p{i}_{j}" for j in range(holes)) + "))")
    for j in range(holes):
        for i in range(holes + 1):
            for k in range(i + 1, holes + 1):
                lines.append(f"(assert (or (not p{i}_{j}) (not p{k}_{j})))")
    return "\n".join(lines) + "\n(check-sat)\n"


def test_solver_query_is_interrupted_at_the_deadline():
    text = _pigeonhole_smtlib(14)
    t0 = time.monotonic()
    res = smt.check_smtlib(text, t0 + DEADLINE)
    elapsed = time.monotonic() - t0
    assert res.status is smt.Status.UNKNOWN
    assert res.reason and "timeout" in res.reason
    assert DEADLINE - 0.1 <= elapsed < DEADLINE + SLACK


def test_a_passed_deadline_never_calls_the_solver():
    res = smt.check_smtlib(_pigeonhole_smtlib(14), time.monotonic() - 1)
    assert res.status is smt.Status.UNKNOWN and "deadline" in (res.reason or "")


@pytest.mark.parametrize("engine", [Bmc, Induction, Pdr])
def test_engines_return_unknown_within_the_deadline(tmp_path, engine):
    inst = load_text(tmp_path, PIGEONS)
    t0 = time.monotonic()
    [r] = engine(inst).check(list(inst.model.properties), Budget(deadline=t0 + DEADLINE, max_depth=3))
    elapsed = time.monotonic() - t0
    assert r.verdict is Verdict.UNKNOWN
    assert r.reason and "timeout" in r.reason
    assert not r.verdict.is_pass
    assert elapsed < DEADLINE + SLACK
