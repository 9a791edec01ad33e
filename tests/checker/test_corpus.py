"""Every symbolic engine over every corpus model: each verdict must agree with the truth table
(tests/checker/corpus/verdicts.py), every trace must replay in the interpreter, and every
certificate must re-check."""

from __future__ import annotations

import time

import pytest

from checker.result import Budget, PropertyResult, Verdict
from checker.symbolic.bmc import Bmc
from checker.symbolic.induction import Induction
from checker.symbolic.pdr import Pdr
from tests.checker.corpus.verdicts import INDUCTION_K, NOT_K_INDUCTIVE, VERDICTS, Kind, Truth
from tests.checker.symbolic_helpers import CORPUS, assert_well_formed, by_name, corpus

MODELS = sorted(VERDICTS)
BMC_DEPTH = max(t.depth or 0 for props in VERDICTS.values() for t in props.values()) + 2
MAX_K = 12


def test_the_table_covers_the_corpus():
    assert sorted(p.name for p in CORPUS.glob("*.spec")) == MODELS
    assert len(MODELS) >= 25
    for name in MODELS:
        assert {p.name for p in corpus(name).model.properties} == set(VERDICTS[name]), name


def _run(engine_cls: type, name: str, budget: Budget) -> dict[str, PropertyResult]:
    inst = corpus(name)
    results = engine_cls(inst).check(list(inst.model.properties), budget)
    for r in results:
        assert r.verdict is not Verdict.UNKNOWN, f"{name}: {r.prop}: {r.reason}"
        assert_well_formed(r, inst)
    return by_name(results)


def _found(truth: Truth) -> Verdict:
    return Verdict.REACHED if truth.kind is Kind.REACHABLE else Verdict.VIOLATED


@pytest.mark.parametrize("name", MODELS)
def test_bmc(name):
    results = _run(Bmc, name, Budget(max_depth=BMC_DEPTH, deadline=time.monotonic() + 60))
    for prop, truth in VERDICTS[name].items():
        r = results[prop]
        if truth.kind in (Kind.VIOLATED, Kind.REACHABLE):
            assert (r.verdict, r.depth) == (_found(truth), truth.depth), prop  # the shortest trace
        else:
            assert (r.verdict, r.depth) == (Verdict.HOLDS_TO_DEPTH, BMC_DEPTH), prop


@pytest.mark.parametrize("name", MODELS)
def test_induction(name):
    results = _run(Induction, name, Budget(max_depth=MAX_K, deadline=time.monotonic() + 60))
    for prop, truth in VERDICTS[name].items():
        r = results[prop]
        if truth.kind in (Kind.VIOLATED, Kind.REACHABLE):
            if truth.depth < MAX_K:  # the base case searches depths 0 .. MAX_K - 1
                assert (r.verdict, r.depth) == (_found(truth), truth.depth), prop
            else:
                assert r.verdict is Verdict.HOLDS_TO_DEPTH and r.depth < truth.depth, prop
            continue
        proved = Verdict.UNREACHABLE if truth.kind is Kind.UNREACHABLE else Verdict.PROVED
        if (name, prop) in NOT_K_INDUCTIVE:
            assert (r.verdict, r.depth) == (Verdict.HOLDS_TO_DEPTH, MAX_K - 1), prop
            continue
        assert r.verdict is proved, prop
        assert r.depth == INDUCTION_K.get((name, prop), r.depth), prop
        # a certificate exactly when the property is itself inductive
        assert (r.certificate is not None) == (r.depth == 1), prop


@pytest.mark.parametrize("name", MODELS)
def test_pdr(name):
    results = _run(Pdr, name, Budget(deadline=time.monotonic() + 60))
    for prop, truth in VERDICTS[name].items():
        r = results[prop]
        if truth.kind in (Kind.VIOLATED, Kind.REACHABLE):
            assert (r.verdict, r.depth) == (_found(truth), truth.depth), prop
        else:
            proved = Verdict.UNREACHABLE if truth.kind is Kind.UNREACHABLE else Verdict.PROVED
            # a proof for all sizes is also a proof at these (tests/checker/test_all_sizes.py checks other sizes)
            assert r.verdict is proved or (proved, r.verdict) == (Verdict.PROVED, Verdict.PROVED_ALL_SIZES), prop
            assert r.certificate is not None and r.certificate.engine == "pdr", prop
