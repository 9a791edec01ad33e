"""Certificates: written by `write_certificate`, re-checked unsat by a fresh z3 process, and a
wrong invariant is caught."""

from __future__ import annotations

import subprocess
import sys

from checker.result import Budget, Verdict
from checker.solver.encode import Encoding
from checker.solver.goals import goal_of
from checker.symbolic.certificate import build_certificate, certificate_failure, write_certificate
from checker.symbolic.induction import Induction
from checker.symbolic.pdr import Pdr
from spec import ir
from spec.types import BOOL
from tests.checker.symbolic_helpers import by_name, corpus

RECHECK = """
import sys, z3
for path in sys.argv[1:]:
    s = z3.Solver()
    s.from_file(path)
    print(path, s.check())
"""


def _z3_in_a_subprocess(paths) -> dict[str, str]:
    out = subprocess.run([sys.executable, "-c", RECHECK, *map(str, paths)], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    return dict(line.split() for line in out.splitlines())


def test_pdr_certificates_recheck_in_a_fresh_z3_process(tmp_path):
    paths = []
    for name, sizes, prop in [("fault_race_fixed.spec", {}, "ept_private"), ("pdr_only.spec", {}, "small"),
                              ("mutex_good.spec", {}, "mutex"), ("init_assert.spec", {}, "x:range"),
                              ("unreachable_goal.spec", {}, "differ"),
                              ("fault_race_fixed.spec", {"Page": 4, "Vcpu": 3}, "ept_private")]:
        inst = corpus(name, **sizes)
        r = by_name(Pdr(inst).check([inst.model.property(prop)], Budget()))[prop]
        assert r.verdict in (Verdict.PROVED, Verdict.PROVED_ALL_SIZES, Verdict.UNREACHABLE)
        written = write_certificate(r, tmp_path / f"{name}{len(sizes)}")
        assert written[0].name == f"{prop.replace(':', '_')}.invariant.txt"
        assert r.certificate.invariant in written[0].read_text()
        paths += [p for p in written if p.suffix == ".smt2"]
    verdicts = _z3_in_a_subprocess(paths)
    assert len(verdicts) == len(paths) >= 18
    assert set(verdicts.values()) == {"unsat"}


def test_induction_certificates_recheck_too(tmp_path):
    inst = corpus("two_index.spec")
    r = by_name(Induction(inst).check(list(inst.model.properties), Budget(max_depth=4)))["no_uaf"]
    assert (r.verdict, r.depth) == (Verdict.PROVED, 1)
    paths = [p for p in write_certificate(r, tmp_path) if p.suffix == ".smt2"]
    assert set(_z3_in_a_subprocess(paths).values()) == {"unsat"}


def test_a_non_inductive_invariant_is_rejected():
    inst = corpus("k_induction.spec")
    enc = Encoding(inst)
    prop = inst.model.property("nb")
    s0 = enc.state(0)
    # `!b` holds in every reachable state but is not inductive (a && !b steps to b)
    weak = enc.holds(prop.expr, s0)
    assert certificate_failure(build_certificate(enc, "test", goal_of(prop), weak), None) == \
        "certificate query `consecution` is sat"
    # `!a && !b` is inductive
    strong = enc.conj([weak, enc.neg(enc.holds(ir.Var("a", BOOL), s0))])
    assert certificate_failure(build_certificate(enc, "test", goal_of(prop), strong), None) is None


def test_results_without_certificates_write_nothing(tmp_path):
    inst = corpus("mutex_broken.spec")
    [r] = Pdr(inst).check(list(inst.model.properties), Budget())
    assert r.verdict is Verdict.VIOLATED
    assert write_certificate(r, tmp_path / "none") == []
    assert not (tmp_path / "none").exists()
