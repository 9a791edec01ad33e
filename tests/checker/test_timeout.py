"""Hard deadlines: a query built to run for a very long time (pigeonhole: 14 pigeons, 13 holes)
returns UNKNOWN with a reason within the deadline plus a small slack, from the solver layer and
from every engine; and so does a model whose terms take minutes to build (the deadline while
encoding, checker/solver/deadline.py), through the engines and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from checker.result import Budget, Verdict
from checker.solver import smt
from checker.solver.deadline import ENCODING_TIMEOUT, Deadline, EncodingTimeout
from checker.solver.encode import Encoding
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


# ---------------------------------------------------------------- the deadline while encoding
# Building the terms grows with the model and took minutes on these (issue: `--timeout` was
# ignored while encoding): the transition template runs the body of `a` for 64 x 64 `forall`
# elements, each with a 64-way `exists` over the symbolic parameter; the invariant of HEAVY_GOAL is
# 64^4 instances. Every engine must stop at the deadline with UNKNOWN and the reason.

HEAVY_STEP = """
sort Page = 64;
var v: Page -> bool = true;
action flip(p: Page) { v[p] := !v[p]; }
action a(p: Page) { forall f: Page { forall g: Page { require (exists q: Page :: v[q] && q != f && q != g && q != p); } } }
invariant i: exists q: Page :: v[q];
"""

HEAVY_GOAL = """
sort Page = 64;
var v: Page -> bool = true;
action flip(p: Page) { v[p] := !v[p]; }
invariant i: forall p: Page, q: Page, r: Page, s: Page :: v[p] || v[q] || v[r] || v[s];
"""

# the model of the report: fast now (its quantifiers are expanded once), minutes before
REPORTED = """
sort Page = 64;
var v: Page -> bool = true;
action a(p: Page) { forall f: Page { require (exists q: Page :: v[q]); } }
invariant i: true;
"""


def test_nested_encoding_deadlines_only_shorten_and_end_with_their_block():
    d = Deadline()
    with d.until(100.0):
        with d.until(200.0):
            assert d.at == 100.0
        with d.until(50.0):
            assert d.at == 50.0
        with d.until(None):
            assert d.at == 100.0
        assert d.at == 100.0
    assert d.at is None
    d.check()  # no deadline: never raises
    with d.until(time.monotonic() - 1), pytest.raises(EncodingTimeout):
        d.check()
    assert d.at is None


@pytest.mark.parametrize("text", [HEAVY_STEP, HEAVY_GOAL], ids=["transition", "goal"])
@pytest.mark.parametrize("engine", [Bmc, Induction, Pdr])
def test_engines_stop_encoding_at_the_deadline(tmp_path, engine, text):
    inst = load_text(tmp_path, text)
    enc = Encoding(inst)
    t0 = time.monotonic()
    results = engine(inst, enc).check(list(inst.model.properties), Budget(deadline=t0 + DEADLINE, max_depth=3))
    elapsed = time.monotonic() - t0
    for r in results:
        assert r.verdict is Verdict.UNKNOWN
        assert r.reason and ENCODING_TIMEOUT in r.reason
    assert elapsed < DEADLINE + SLACK
    assert enc.deadline.at is None  # the deadline was the run's: the shared encoding has none now


def test_the_deadline_belongs_to_the_run_not_to_the_shared_encoding(tmp_path):
    # the engines of one check share an Encoding (checker/backends.py), built lazily: a run
    # that timed out must leave no deadline, and nothing half-built, for the next one
    inst = load_text(tmp_path, HEAVY_GOAL + "invariant light: forall p: Page :: v[p] || !v[p];\n")
    heavy, light = inst.model.properties
    enc = Encoding(inst)
    [r] = Bmc(inst, enc).check([heavy], Budget(deadline=time.monotonic() + 0.5, max_depth=1))
    assert r.verdict is Verdict.UNKNOWN and ENCODING_TIMEOUT in (r.reason or "")
    [r] = Pdr(inst, enc).check([light], Budget())
    assert r.verdict in (Verdict.PROVED, Verdict.PROVED_ALL_SIZES)  # a tautology holds at every size
    [r] = Induction(inst, enc).check([light], Budget(deadline=time.monotonic() + 60, max_depth=2))
    assert r.verdict is Verdict.PROVED
    [r] = Bmc(inst, enc).check([light], Budget(max_depth=2))
    assert r.verdict is Verdict.HOLDS_TO_DEPTH


def _spec_check(tmp_path, text: str, *args: str) -> tuple[int, dict, float]:
    """The command line in a process of its own: exit code, JSON report, wall time."""
    model = tmp_path / "m.spec"
    model.write_text(text, encoding="utf-8")
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "checker.cli", "check", str(model), "--format", "json", *args],
                          capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path)
    elapsed = time.monotonic() - t0
    return proc.returncode, json.loads(proc.stdout) if proc.stdout else {"stderr": proc.stderr}, elapsed


CLI_TIMEOUT = 2
CLI_SLACK = 5  # start-up, the auto child's grace second, the second check of proofs


@pytest.mark.parametrize("engine", ["bmc", "pdr", "induction", "auto"])
def test_the_command_line_honours_timeout_while_encoding(tmp_path, engine):
    code, report, elapsed = _spec_check(tmp_path, HEAVY_STEP, "--engine", engine, "--timeout", str(CLI_TIMEOUT))
    assert elapsed < CLI_TIMEOUT + CLI_SLACK, report
    assert code == 3, report
    [i] = [r for r in report["results"] if r["property"] == "i"]
    assert i["verdict"] in ("UNKNOWN", "HOLDS TO DEPTH")  # auto: its explicit search checks depth 0
    assert ENCODING_TIMEOUT in (i["reason"] or "")
    if engine != "auto":
        assert i["verdict"] == "UNKNOWN"


@pytest.mark.parametrize("engine", ["bmc", "pdr", "induction", "auto"])
def test_the_reported_model_is_checked_within_its_timeout(tmp_path, engine):
    code, report, elapsed = _spec_check(tmp_path, REPORTED, "--engine", engine, "--timeout", "5")
    assert elapsed < 5 + CLI_SLACK, report
    assert code in (0, 3), report
    assert all(r["verdict"] != "VIOLATED" for r in report["results"])


def test_a_model_lost_to_an_interrupt_is_unknown_not_a_crash(tmp_path, monkeypatch):
    # A watchdog interrupt that lands just after `check` answered sat leaves Z3's context
    # canceled: reading the model then raises. Seen in `explore --minimal-fixes --jobs 2`.
    import z3

    inst = load_text(tmp_path, "var b: bool = false;\naction a() { b := true; }\ninvariant i: !b;\n")
    session = smt.Session(Encoding(inst))
    assert session.check().status is smt.Status.SAT

    def canceled(self):
        raise z3.Z3Exception("model is not available")

    monkeypatch.setattr(z3.Solver, "model", canceled)
    res = session.check()
    assert res.status is smt.Status.UNKNOWN and "could not give the model" in (res.reason or "")


def test_a_sat_answer_the_watchdog_interrupted_is_a_timeout_not_a_crash(tmp_path, monkeypatch):
    # The watchdog rings as Z3 answers sat: the answer stands, but the context stays canceled
    # and evaluating the model raises ("canceled") while a trace is decoded. Seen in BMC under
    # `explore --minimal-fixes --jobs 2`. The query must come back UNKNOWN (the time is up).
    import z3

    inst = load_text(tmp_path, "var b: bool = false;\naction a() { b := true; }\ninvariant i: !b;\n")
    session = smt.Session(Encoding(inst))
    real = smt.check_assumptions

    def slow(solver, assumptions):
        answer = real(solver, assumptions)
        time.sleep(0.3)  # the watchdog (0.05 s) rings in the meantime
        return answer

    monkeypatch.setattr(smt, "check_assumptions", slow)
    res = session.check(deadline=time.monotonic() + 0.05)
    assert res.status is smt.Status.UNKNOWN and "timeout" in (res.reason or "")
    monkeypatch.setattr(smt, "check_assumptions", real)
    assert session.check().status is smt.Status.SAT  # the next query works as before
    assert z3.is_true(session._eval(z3.BoolVal(True, session.enc.ctx)))
