"""Why PROVED (checker/solver/depends.py): the model elements a proof rests on.

Soundness: weakening every element not listed keeps the proof, on generated models, checked by
the explicit engine (an engine the explanation does not use) at several sizes."""

from __future__ import annotations

import json
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from checker import api
from checker.all_sizes import upgrade
from checker.explicit.engine import ExplicitEngine
from checker.policy import VACUOUS_PROOF, Policy, exit_status
from checker.report.json import render_json
from checker.report.sarif import sarif_data
from checker.report.text import TextOptions, render_text
from checker.result import Budget, Verdict
from checker.symbolic.pdr import Pdr
from spec.frontend import load_instance
from tests.checker.weaken import key, weaken
from tests.gen.models import models

# A page is handed to the guest only when free, and the host may write it only while shared: the
# proof of `no_host_write_to_private` rests on to_private's guard, not on `unrelated`.
MODEL = """
enum St { Free, Shared, Private }
sort Page = 2;
param fixed: bool = true;
var st: Page -> St = Free;
var hostmap: Page -> bool = false;
var crashed: bool = false;
var counter: 0..3 = 0;
action alloc(p: Page) { require st[p] == Free; st[p] := Shared; }
action host_map(p: Page) { require st[p] == Shared; hostmap[p] := true; }
action host_unmap(p: Page) { hostmap[p] := false; }
action to_private(p: Page) {
  if fixed { require !hostmap[p]; }
  require st[p] == Shared;
  st[p] := Private;
}
action host_write(p: Page) { require hostmap[p]; if st[p] == Private { crashed := true; } }
action unrelated() { require counter < 3; counter := counter + 1; }
invariant no_crash: !crashed;
invariant counter_small: fixed || counter <= 3;
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.spec"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_proof_names_the_guard_it_rests_on_and_not_the_unrelated_action(tmp_path):
    path = _write(tmp_path, MODEL)
    report = api.check(path)
    r = report.result("no_crash")
    assert r.verdict is Verdict.PROVED_ALL_SIZES and r.depends_on is not None
    lines = {(d.kind, d.action, d.span.line) for d in r.depends_on}
    text = MODEL.splitlines()
    guard = next(i + 1 for i, ln in enumerate(text) if "require !hostmap[p]" in ln)
    crash = next(i + 1 for i, ln in enumerate(text) if "crashed := true" in ln)
    assert ("require", "to_private", guard) in lines  # the mechanism: no conversion while host-mapped
    assert any(d.action == "host_write" for d in r.depends_on)
    assert ("assign", "host_write", crash) in lines or ("if", "host_write", crash) in lines
    assert not any(d.action == "unrelated" for d in r.depends_on)
    # the guard sits inside `if fixed`, which binding decided: the value is named
    assert any(d.kind == "param" and d.text == "fixed = true" and d.span.line == guard for d in r.depends_on)
    assert all(d.text for d in r.depends_on)


def test_a_proof_by_the_formula_alone_is_a_vacuous_proof_that_fails_strict(tmp_path):
    path = _write(tmp_path, MODEL)
    report = api.check(path)
    r = report.result("counter_small")
    assert r.verdict is Verdict.PROVED_ALL_SIZES
    assert r.depends_on is not None and all(d.kind == "param" for d in r.depends_on)
    assert [d.text for d in r.depends_on] == ["fixed = true"]
    vac = [w for w in report.warnings if w.code == VACUOUS_PROOF]
    assert len(vac) == 1 and "`counter_small`" in vac[0].message and "fixed = true" in vac[0].message
    assert vac[0].span.line > 0
    assert exit_status(report, Policy(strict=False)) == 0
    assert exit_status(report, Policy(strict=True)) == 1


def test_a_proof_resting_only_on_initial_values_is_vacuous(tmp_path):
    path = _write(tmp_path, """
sort Page = 2;
var a: Page -> bool = false;
var b: bool = false;
action set(p: Page) { require b; a[p] := true; }
invariant never: forall p: Page :: !a[p];
""")
    report = api.check(path)
    r = report.result("never")
    assert r.verdict is Verdict.PROVED_ALL_SIZES and r.depends_on is not None
    assert {d.kind for d in r.depends_on} <= {"init", "require"}
    assert any(w.code == VACUOUS_PROOF and "`never`" in w.message for w in report.warnings) == \
        all(d.kind == "init" for d in r.depends_on)


def test_reports_carry_what_a_proof_rests_on(tmp_path):
    path = _write(tmp_path, MODEL)
    prep = api.prepare(path)
    report = api.check(path)
    data = json.loads(render_json(report))
    res = {r["property"]: r for r in data["results"]}
    deps = res["no_crash"]["depends_on"]
    assert deps and {"kind", "action", "location", "text", "disabled"} <= set(deps[0])
    assert any(d["action"] == "to_private" and d["kind"] == "require" for d in deps)
    assert res["no_crash"]["depends_note"] is None
    assert all(r["depends_note"] is None for r in data["results"] if r["status"] != "pass")
    sarif = sarif_data(report)
    run = sarif["runs"][0]
    result = next(x for x in run["results"] if x["ruleId"] == "no_crash")
    assert any("to_private" in loc["message"]["text"] for loc in result["relatedLocations"])
    text = render_text(report, None, TextOptions(explain=True))
    assert "no_crash rests on:" in text and "require !hostmap[p];" in text and "under fixed = true" in text
    assert "no_crash rests on" not in render_text(report)
    assert prep.instance.folded  # the bound `if fixed` was recorded


def test_weakening_every_element_breaks_the_proof(tmp_path):
    # the weakening helper really weakens: with nothing kept, the host writes a private page
    inst = load_instance(_write(tmp_path, MODEL))
    weak = weaken(inst, keep=())
    results = ExplicitEngine(weak).check(list(weak.model.properties), Budget(deadline=time.monotonic() + 20)).results
    assert {r.prop: r.verdict for r in results}["no_crash"] is Verdict.VIOLATED


# ---------------------------------------------------------------- soundness on generated models

SIZES = ({"S": 1, "T": 1}, {"S": 2, "T": 2}, {"S": 3, "T": 1})


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(models())
def test_weakening_what_a_proof_does_not_list_keeps_the_proof(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("gen") / "m.spec"
    path.write_text(text, encoding="utf-8")
    inst = load_instance(path)
    props = list(inst.model.properties)
    results = {r.prop: r for r in Pdr(inst).check(props, Budget(deadline=time.monotonic() + 20))}
    upgraded = upgrade(inst, props, results, time.monotonic() + 30)
    for name, r in upgraded.items():
        if r.verdict is not Verdict.PROVED_ALL_SIZES or r.depends_on is None:
            continue
        keep = {key(d) for d in r.depends_on}
        for sizes in SIZES:
            weak = weaken(load_instance(path, sizes=sizes), keep)
            prop = [p for p in weak.model.properties if p.name == name]
            budget = Budget(deadline=time.monotonic() + 10, max_states=50_000)
            got = ExplicitEngine(weak).check(prop, budget).results[0]
            assert got.verdict is not Verdict.VIOLATED, (name, sizes, r.depends_on, text)
