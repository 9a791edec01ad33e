"""Certificate queries are portable SMT-LIB 2.6 (checker/solver/smtlib.py): a declared logic that
fits what they use, no constant arrays, lambdas or arrays with several indices (the ARRAYS
encoding of PDR's full-size Spacer runs has all three), and cvc5 agrees with Z3 on them: unsat
for a real certificate, sat for a wrong invariant (the axioms that replace array literals do not
make everything unsat)."""

from __future__ import annotations

import re

import pytest

from checker.solver import smt, smtlib
from checker.solver.encode import Domains, Encoding, FunctionEncoding
from checker.solver.goals import goal_of
from checker.symbolic.certificate import build_certificate, certificate_failure
from spec import ir
from spec.types import BOOL
from tests.checker.cvc5_check import cvc5_answers
from tests.checker.symbolic_helpers import corpus

LOGIC = re.compile(r"^\(set-logic (\S+)\)$", re.M)
NOT_PORTABLE = ("(as const", "(lambda", "not portable")


def _cvc5(tmp_path, texts: dict[str, str]) -> dict[str, str]:
    paths = {}
    for name, text in texts.items():
        paths[name] = tmp_path / f"{name}.smt2"
        paths[name].write_text(text, encoding="utf-8")
    got = cvc5_answers(list(paths.values()), timeout_s=30, total_s=300)
    return {name: got[p] for name, p in paths.items()}


def _z3(texts: dict[str, str]) -> dict[str, str]:
    return {name: smt.check_smtlib(text, None).status.value for name, text in texts.items()}


def _spacer_certificate(name: str, prop: str, domains: Domains):
    """The certificate of Spacer's invariant on the ARRAYS encoding (PDR at full size)."""
    inst = corpus(name)
    enc = Encoding(inst, FunctionEncoding.ARRAYS, domains)
    goal = goal_of(inst.model.property(prop))
    res = smt.solve_horn(enc, enc.horn([goal]), None)
    assert res.status is smt.Status.SAT and res.invariant is not None
    return enc, goal, build_certificate(enc, "pdr", goal, res.invariant)


@pytest.mark.parametrize("unused, logic", [
    (set(), "QF_UF"), ({"BV"}, "QF_BV"), ({"BV", "UF"}, "QF_UFBV"), ({"LIA"}, "QF_LIA"),
    ({"LIA", "NIA"}, "QF_NIA"), ({"UF", "LIA"}, "QF_UFLIA"), ({"DT"}, "QF_DT"), ({"DT", "UF"}, "QF_UFDT"),
    ({"DT", "LIA"}, "QF_UFDTLIA"), ({"DT", "LIA", "NIA"}, "QF_UFDTNIA"), ({"BV", "LIA"}, "ALL"),
    ({"BV", "DT"}, "ALL"), ({"A", "DT"}, "ALL"), ({"Q", "LIA"}, "ALL"), ({"other"}, "ALL")])
def test_the_logic_is_the_smallest_standard_one_for_what_is_used(unused, logic):
    assert smtlib.logic_of(unused) == logic


def test_scalar_certificates_declare_a_quantifier_free_logic(tmp_path):
    inst = corpus("counter_guarded.spec")
    prop = inst.model.property("nonneg")
    texts = {}
    # initiation and safety use integers only; consecution also the action selector (a datatype)
    for domains, logics in [(Domains.THEORIES, ["QF_LIA", "QF_UFDTLIA", "QF_LIA"]),
                            (Domains.BITS, ["QF_BV", "QF_BV", "QF_BV"])]:
        enc = Encoding(inst, FunctionEncoding.SCALARS, domains)
        cert = build_certificate(enc, "test", goal_of(prop), enc.holds(prop.expr, enc.state(0)))
        assert certificate_failure(cert, None) is None
        assert list(cert.smt2) == ["initiation", "consecution", "safety"]
        assert [LOGIC.findall(text) for text in cert.smt2.values()] == [[logic] for logic in logics]
        texts.update({f"{domains.value}.{q}": text for q, text in cert.smt2.items()})
    assert set(_cvc5(tmp_path, texts).values()) == {"unsat"}


@pytest.mark.parametrize("name, prop", [("fault_race_fixed.spec", "ept_private"), ("two_index.spec", "no_uaf")])
@pytest.mark.parametrize("domains", [Domains.THEORIES, Domains.BITS])
def test_array_certificates_have_no_array_literals_and_recheck_in_cvc5(tmp_path, name, prop, domains):
    _, _, cert = _spacer_certificate(name, prop, domains)
    for q, text in cert.smt2.items():
        assert LOGIC.findall(text) == ["ALL"] or q == "safety", (q, text[:300])
        assert not [w for w in NOT_PORTABLE if w in text], (q, text)
    assert "$array_literal!" in cert.smt2["initiation"]  # the initial value of every function
    assert certificate_failure(cert, None) is None
    assert set(_cvc5(tmp_path, cert.smt2).values()) == {"unsat"}


def test_two_index_arrays_become_arrays_of_arrays():
    _, _, cert = _spacer_certificate("two_index.spec", "no_uaf", Domains.THEORIES)
    text = cert.smt2["consecution"]
    assert "(declare-fun mapped@0 () (Array Page (Array Vcpu Bool)))" in text
    assert "(store mapped@0 unmap$p@0 (store (select mapped@0 unmap$p@0) unmap$v@0 false))" in text
    # `mapped` starts false everywhere: an array of Vcpu that is false at each vcpu, at each page
    init = cert.smt2["initiation"]
    assert "(= mapped@0 $array_literal!1)" in init
    assert "(= (select $array_literal!1 Page.page1) $array_literal!0)" in init
    assert "(select $array_literal!0 Vcpu.vcpu1)" in init


def test_a_wide_index_sort_gets_a_forall_axiom(tmp_path, monkeypatch):
    monkeypatch.setattr(smtlib, "MAX_INDEX_BITS", 0)  # no bit-vector index sort is enumerated
    _, _, cert = _spacer_certificate("fault_race_fixed.spec", "ept_private", Domains.BITS)
    assert "(forall" in cert.smt2["initiation"] and LOGIC.findall(cert.smt2["initiation"]) == ["ALL"]
    assert certificate_failure(cert, None) is None
    assert set(_cvc5(tmp_path, cert.smt2).values()) == {"unsat"}


def test_wrong_invariants_are_sat_for_both_solvers(tmp_path):
    # arrays: `false` is not initial (initiation is sat), and the property alone is not inductive
    enc, goal, _ = _spacer_certificate("fault_race_fixed.spec", "ept_private", Domains.THEORIES)
    prop = enc.inst.model.property("ept_private")
    texts = {"initiation": build_certificate(enc, "test", goal, enc.neg(enc.true())).smt2["initiation"],
             "consecution": build_certificate(enc, "test", goal, enc.holds(prop.expr, enc.state(0))).smt2["consecution"]}
    # scalars: `!b` holds in every reachable state of k_induction.spec but is not inductive
    inst = corpus("k_induction.spec")
    scalars = Encoding(inst)
    nb = inst.model.property("nb")
    texts["scalars"] = build_certificate(scalars, "test", goal_of(nb), scalars.holds(nb.expr, scalars.state(0))).smt2["consecution"]
    assert _z3(texts) == {name: "sat" for name in texts}
    assert _cvc5(tmp_path, texts) == {name: "sat" for name in texts}
    strong = scalars.conj([scalars.holds(nb.expr, scalars.state(0)),
                           scalars.neg(scalars.holds(ir.Var("a", BOOL), scalars.state(0)))])
    good = build_certificate(scalars, "test", goal_of(nb), strong).smt2
    assert set(_cvc5(tmp_path, good).values()) == {"unsat"}


def test_a_construct_with_no_standard_equivalent_keeps_z3s_text_and_says_so(monkeypatch):
    def refuse(self, t):
        raise ValueError("no SMT-LIB equivalent of as-array")

    monkeypatch.setattr(smtlib._Portable, "term", refuse)
    _, _, cert = _spacer_certificate("fault_race_fixed.spec", "ept_private", Domains.THEORIES)
    init = cert.smt2["initiation"]
    assert init.startswith("; not portable SMT-LIB: no SMT-LIB equivalent of as-array\n")
    assert LOGIC.findall(init) == ["ALL"] and "(as const" in init
    assert certificate_failure(cert, None) is None  # Z3 still reads it


def _quantified(same_names: bool):
    """`forall x. exists y. f(x, y) != f(y, x)` over an uninterpreted sort, its two binders named
    alike or not: the two bound variables must stay apart in the printed text."""
    import z3

    ctx = z3.Context()
    s = z3.DeclareSort("S", ctx)
    f = z3.Function("f", s, s, s)
    x, y, r = z3.Const("p", s), z3.Const("p" if same_names else "q", s), z3.Const("r", s)
    inner = z3.Exists([y], f(r, y) != f(y, r))  # r stands for x until the outer binder exists
    return ctx, z3.ForAll([x], z3.substitute(inner, (r, x)))


@pytest.mark.parametrize("same_names", [False, True], ids=["distinct", "shadowing"])
def test_quantified_queries_print_unambiguously(same_names):
    import z3

    ctx, f = _quantified(same_names)
    text = smtlib.to_smtlib(ctx, f)
    assert "$array_literal" not in text
    binders = re.findall(r"\((?:forall|exists) \(\((\S+) S\)", text)
    assert len(binders) == 2 and len(set(binders)) == 2, text  # renamed when they were alike
    back = z3.Solver(ctx=ctx)
    back.from_string(text)
    same = z3.Solver(ctx=ctx)
    same.add(z3.Not(z3.And(*back.assertions()) == f))
    assert same.check() == z3.unsat  # the text says what the formula says
