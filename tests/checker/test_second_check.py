"""Proofs have a second semantics: every PROVED / UNREACHABLE from a symbolic engine is checked
against the interpreter (checker/backends.py InterpProofChecker, run by checker/schedule.py).
Tested with an injected fault in the symbolic executor: every `require` disables its step, so Z3
proves anything about the broken mutex below (and the certificates re-check: same encoding)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from checker import check
from checker.result import Verdict
from checker.schedule import InternalError
from checker.solver import symexec
from spec import ir
from tests.conftest import run_cli, write

BROKEN_MUTEX = """model mutex;
var cs1: bool = false;
var cs2: bool = false;
action enter1() "no lock taken: the bug" { require !cs1; cs1 := true; }
action enter2() { require !cs2; cs2 := true; }
action leave1() { require cs1; cs1 := false; }
action leave2() { require cs2; cs2 := false; }
invariant exclusive "never both in the critical section": !(cs1 && cs2);
reachable both: cs1 && cs2;
"""


@pytest.fixture
def every_require_disables(monkeypatch):
    real = symexec.Exec.stmt

    def broken(self, s, run, pc):
        if isinstance(s, ir.Require):
            s = replace(s, cond=ir.Lit(False, ir.BoolT()))
        return real(self, s, run, pc)

    monkeypatch.setattr(symexec.Exec, "stmt", broken)


@pytest.mark.parametrize("engine", ["pdr", "induction"])
def test_a_proof_from_a_broken_encoding_is_a_bug_not_a_verdict(tmp_path, every_require_disables, engine):
    model = write(tmp_path, "mutex.spec", BROKEN_MUTEX)
    with pytest.raises(InternalError, match="in the interpreter it is (violated|reached) after 2 steps"):
        check(str(model), engine=engine, vacuity_goals=False)


def test_the_command_line_says_bug_and_exits_4(tmp_path, every_require_disables):
    model = write(tmp_path, "mutex.spec", BROKEN_MUTEX)
    r = run_cli(["check", str(model), "--engine", "pdr", "--no-vacuity"])
    assert r.code == 4
    assert "bug in spec-check" in r.err and "exclusive" in r.err and "PROVED" not in r.out


def test_without_the_fault_the_violation_is_found_and_true_proofs_pass(tmp_path):
    model = write(tmp_path, "mutex.spec", BROKEN_MUTEX)
    rep = check(str(model), engine="pdr", vacuity_goals=False)
    assert rep.result("exclusive").verdict is Verdict.VIOLATED
    fixed = write(tmp_path, "fixed.spec", BROKEN_MUTEX.replace("require !cs1;", "require !cs1 && !cs2;")
                  .replace("require !cs2;", "require !cs2 && !cs1;"))
    for engine in ("pdr", "induction"):
        rep = check(str(fixed), engine=engine, vacuity_goals=False)
        assert rep.result("exclusive").verdict is Verdict.PROVED
        assert rep.result("both").verdict is Verdict.UNREACHABLE


COUNTER = """model counter;
var n: 0..10 = 0;
action inc() { require n < 10; n := n + 1; }
invariant bounded: n <= 10;
invariant too_strong: n < 3;
"""


def test_a_reachable_state_outside_the_invariant_behind_a_proof_is_a_bug(tmp_path):
    # `bounded` is true, but a proof resting on the invariant `n < 3` is wrong: the interpreter
    # reaches n == 3 (the property alone would not show it)
    from checker.backends import Options, make_proof_checker
    from checker.result import Budget, Certificate, PropertyResult
    from spec.frontend import load_instance

    inst = load_instance(write(tmp_path, "counter.spec", COUNTER))
    bounded, too_strong = inst.model.property("bounded"), inst.model.property("too_strong")
    cert = Certificate("pdr", "n < 3", {}, invariant_ir=too_strong.expr)
    claim = PropertyResult("bounded", bounded.kind, Verdict.PROVED, "pdr", certificate=cert)
    why = make_proof_checker(inst, Options()).refute([(bounded, claim)], Budget(max_states=100))
    assert why is not None and "the invariant it rests on fails after 3 steps" in why
    right = Certificate("pdr", "n <= 10", {}, invariant_ir=bounded.expr)
    claim = PropertyResult("bounded", bounded.kind, Verdict.PROVED, "pdr", certificate=right)
    assert make_proof_checker(inst, Options()).refute([(bounded, claim)], Budget(max_states=100)) is None


PAGES = """model pages;
sort Page = 3;
var host: Page -> bool = false;
var guest: Page -> bool = false;
action host_take(p: Page) { require !guest[p]; host[p] := true; }
action guest_take(p: Page) { require !host[p]; guest[p] := true; }
action host_drop(p: Page) { host[p] := false; }
action guest_drop(p: Page) { guest[p] := false; }
invariant exclusive: forall p: Page :: !(host[p] && guest[p]);
"""


def test_pdr_proofs_carry_their_invariant_for_the_second_check(tmp_path):
    rep = check(str(write(tmp_path, "pages.spec", PAGES)), engine="pdr", vacuity_goals=False)
    r = rep.result("exclusive")
    assert r.verdict in (Verdict.PROVED, Verdict.PROVED_ALL_SIZES)  # this one holds for every size
    assert r.certificate is not None and r.certificate.invariant_ir is not None
