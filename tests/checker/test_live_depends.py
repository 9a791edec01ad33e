"""What a liveness proof rests on (checker/explicit/live_depends.py): the fairness assumptions it
needs. Checked against the brute-force oracle of test_liveness.py on generated models: with the
fairness of every action not listed dropped the property still holds, and dropping a listed
one as well breaks it (fairness is monotone, so the set found is minimal)."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from checker.explicit.liveness import check_liveness
from checker.result import Budget, Verdict
from spec import ir
from tests.checker.test_liveness import _inst, _live, _oracle_any, _random_model, _random_sorted_model


def _fair_only(inst: ir.Instance, names: set[str]) -> ir.Instance:
    acts = tuple(a if a.name in names else replace(a, fairness=None) for a in inst.model.actions)
    return replace(inst, model=replace(inst.model, actions=acts))


@pytest.mark.parametrize("seed", range(40))
def test_the_fairness_listed_is_enough_and_each_listed_one_is_needed(tmp_path, seed):
    rng = random.Random(1000 + seed)
    inst = _inst(tmp_path, (_random_model if seed % 2 else _random_sorted_model)(rng))
    for r in check_liveness(inst, _live(inst), Budget()):
        if r.verdict is not Verdict.PROVED:
            assert r.depends_on is None
            continue
        prop = inst.model.property(r.prop)
        assert r.depends_on is not None and all(d.kind == "fair" for d in r.depends_on), r
        listed = {d.action for d in r.depends_on}
        assert not _oracle_any(_fair_only(inst, listed), prop), (seed, r.prop, listed)
        for name in listed:
            assert _oracle_any(_fair_only(inst, listed - {name}), prop), (seed, r.prop, name)


def test_a_proof_that_needs_no_fairness_lists_none_and_is_not_called_vacuous(tmp_path):
    inst = _inst(tmp_path, "var a: 0..1 = 0;\nfair action go() { require a == 0; a := 1; }\n"
                           "property stays: always (a == 1 -> eventually (a == 1));\n"
                           "property moves: eventually (a == 1);\n")
    got = {r.prop: r for r in check_liveness(inst, _live(inst), Budget())}
    assert got["stays"].depends_on == () and not got["stays"].vacuous_proof
    assert [(d.kind, d.action, d.text) for d in got["moves"].depends_on or ()] == [("fair", "go", "fair action go")]
    assert "fairness assumptions only" in got["moves"].depends_note


def test_tdx_liveness_proofs_name_the_fair_actions_they_need():
    from checker import check
    from tests.conftest import ROOT

    rep = check(str(ROOT / "models" / "tdx.spec"), properties=["L2_offline_completes", "L3_punch_completes"],
                engine="explicit", vacuity_goals=False)
    deps = {r.prop: {d.action for d in r.depends_on or ()} for r in rep.results}
    # offlining ends because reclaim and offline_done are fair; a punch hole because its
    # commit (strongly fair: the invalidation may keep disabling it) and the zaps are
    assert deps == {"L2_offline_completes": {"mm.reclaim", "mm.offline_done"},
                    "L3_punch_completes": {"gmem.punch_commit", "kvm.zap"}}


def test_json_carries_the_fairness_list_with_its_scope_and_validates(tmp_path):
    import json

    from tests.checker.test_report_json import SCHEMA, validate
    from tests.conftest import run_cli

    path = tmp_path / "m.spec"
    path.write_text("var a: 0..1 = 0;\nfair action go() { require a == 0; a := 1; }\n"
                    "property moves: eventually (a == 1);\n", encoding="utf-8")
    run = run_cli(["check", str(path), "--engine", "explicit", "--format", "json", "--no-cache"])
    data = json.loads(run.out)
    assert validate(data, SCHEMA) == []
    (r,) = [x for x in data["results"] if x["property"] == "moves"]
    assert [(d["kind"], d["action"]) for d in r["depends_on"]] == [("fair", "go")]
    assert "fairness assumptions only" in r["depends_note"]
