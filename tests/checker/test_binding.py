"""A violated invariant names the `forall` binding it fails for (`p=page1`), found by the
interpreter on the trace's last state: in the text report, JSON, SARIF and the result cache."""

from __future__ import annotations

import json
from pathlib import Path

from checker.explore.serialize import result_from_data, result_to_data
from checker.interp.binding import failing_binding
from checker.interp.semantics import Semantics
from spec import ir
from spec.frontend import instantiate, load_model
from tests.checker.test_report_json import SCHEMA, validate
from tests.conftest import run_cli

MODEL = """model b;
sort Page = 3;
sort Gfn = 2;
var ref: Page -> 0..2 = 0;
var map: (Gfn, Page) -> bool = false;
var flag: bool = false;
action get(p: Page) "take a reference" { ref[p] := 1; }
action map_it(g: Gfn, p: Page) "map a page" { map[g, p] := true; }
invariant no_ref "nothing is referenced": forall p: Page :: ref[p] == 0;
invariant mapped_unreferenced "a mapped page has no reference":
  forall g: Gfn :: forall p: Page :: map[g, p] -> ref[p] == 0;
invariant scalar "no quantifier": !flag;
"""


def _model(tmp_path: Path) -> Path:
    p = tmp_path / "b.spec"
    p.write_text(MODEL, encoding="utf-8")
    return p


def test_the_text_report_names_the_failing_binding(tmp_path: Path):
    out = run_cli([str(_model(tmp_path)), "--engine", "explicit"]).out
    assert "no_ref: VIOLATED for p=page0 after 1 step" in out
    assert "mapped_unreferenced: VIOLATED for g=gfn0, p=page0 after 2 steps" in out
    assert "scalar:" not in out  # it holds


def test_json_and_sarif_carry_the_binding(tmp_path: Path):
    m = _model(tmp_path)
    data = json.loads(run_cli([str(m), "--engine", "explicit", "--format", "json"]).out)
    got = {r["property"]: r["binding"] for r in data["results"] if not r["generated"]}
    assert got == {"no_ref": {"p": "page0"}, "mapped_unreferenced": {"g": "gfn0", "p": "page0"}, "scalar": None,
                   "ref:range": None}
    sarif = json.loads(run_cli([str(m), "--engine", "explicit", "--format", "sarif"]).out)
    texts = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert any(t.startswith("no_ref: VIOLATED for p=page0 (explicit)") for t in texts)


def test_the_binding_survives_the_result_cache(tmp_path: Path):
    from checker.api import check

    r = check(_model(tmp_path), engine="explicit").result("mapped_unreferenced")
    assert r.binding == (("g", ir.Elem("Gfn", 0)), ("p", ir.Elem("Page", 0)))
    assert result_from_data(json.loads(json.dumps(result_to_data(r)))) == r


def test_the_walk_goes_through_implications_and_conjunctions_only_where_they_fail(tmp_path: Path):
    inst = instantiate(load_model(_model(tmp_path)))
    sem = Semantics(inst)
    state = next(s for s in sem.initial_outcomes() if not isinstance(s, Exception))
    page, gfn = [ir.Elem("Page", i) for i in range(3)], [ir.Elem("Gfn", i) for i in range(2)]
    # page0 referenced but unmapped (the implication holds there), page2 mapped by gfn1 and referenced
    changed = {("ref", (page[0],)): 1, ("ref", (page[2],)): 1, ("map", (gfn[1], page[2])): True}
    bad = type(state)(tuple((loc, changed.get(loc, x)) for loc, x in state.values))
    assert failing_binding(sem, inst.model.property("no_ref").expr, bad) == (("p", page[0]),)
    assert failing_binding(sem, inst.model.property("mapped_unreferenced").expr, bad) == \
        (("g", gfn[1]), ("p", page[2]))
    assert failing_binding(sem, inst.model.property("no_ref").expr, state) == ()  # it holds: nothing to name


# ---------------------------------------------------------------- range violations

RANGES = """model r;
sort Page = 2;
var ref: Page -> 0..2 = 0;
var pins: Page -> 0..1 = 0;
var level: 0..1 = 0;
action get(p: Page) "get_page" { ref[p] := ref[p] + 1; }
action pin_all() "pin every page" { forall p: Page { pins[p] := pins[p] + 1; } }
action bump() "raise by one or two" { choose d: 1..2; level := level + 1 + d; }
"""


def _ranges(tmp_path: Path) -> Path:
    p = tmp_path / "r.spec"
    p.write_text(RANGES, encoding="utf-8")
    return p


def _attempted(data: dict, prop: str) -> list:
    return next(r for r in data["results"] if r["property"] == prop)["trace"]["failure"]["attempted"]


def test_a_range_violation_shows_the_value_it_tried_to_store(tmp_path: Path):
    m = _ranges(tmp_path)
    for engine in ("explicit", "bmc"):  # the value comes from the interpreter, whatever found the trace
        data = json.loads(run_cli([str(m), "--engine", engine, "--format", "json"]).out)
        assert validate(data, SCHEMA) == []
        assert _attempted(data, "ref:range") in ([{"location": "ref[page0]", "value": 3}],
                                                  [{"location": "ref[page1]", "value": 3}]), engine
        # inside a forall: the first element whose write fails (domain order)
        assert _attempted(data, "pins:range") == [{"location": "pins[page0]", "value": 2}], engine
    out = run_cli([str(m), "--engine", "explicit"]).out
    assert "ref[p] leaves its range 0..2 (ref[page0] := 3)" in out


def test_a_choose_that_leads_to_different_values_lists_them_all(tmp_path: Path):
    data = json.loads(run_cli([str(_ranges(tmp_path)), "--engine", "explicit", "--format", "json"]).out)
    got = _attempted(data, "level:range")
    # from level 0 both choices fail, storing 2 or 3: the step shows both
    assert sorted(a["value"] for a in got) == [2, 3] and {a["location"] for a in got} == {"level"}


def test_the_attempted_value_survives_the_result_cache(tmp_path: Path):
    from checker.api import check

    r = check(_ranges(tmp_path), engine="explicit").result("pins:range")
    assert r.trace is not None and r.trace.failure is not None
    assert r.trace.failure.attempted == (("pins[page0]", 2),)
    back = result_from_data(json.loads(json.dumps(result_to_data(r))))
    assert back.trace is not None and back.trace.failure is not None
    assert back.trace.failure.attempted == (("pins[page0]", 2),)
