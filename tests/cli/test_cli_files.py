"""Options that write files (-o, --trace-dot, --certificate), the Python API on every kind of
model argument, and an engine trace that does not replay, end to end through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker import check
from checker.result import Verdict
from spec.frontend import load, load_instance
from tests.cli.scenarios import SCENARIOS
from tests.conftest import run_cli

MODELS = Path(__file__).parent / "models"
PAGES = str(MODELS / "pages.spec")


def test_output_file_holds_the_report_and_stdout_stays_empty(tmp_path):
    out = tmp_path / "report.json"
    r = run_cli([PAGES, "--engine", "explicit", "--format", "json", "-o", str(out)])
    assert r.code == 1 and r.out == ""
    data = json.loads(out.read_text())
    assert data["exit_code"] == 1 and {x["property"] for x in data["results"]} >= {"no_crash", "private_page"}


def test_trace_dot_writes_every_trace(tmp_path):
    dot = tmp_path / "t.dot"
    r = run_cli([PAGES, "--engine", "explicit", "--trace-dot", str(dot), "--no-vacuity"])
    assert r.code == 1
    text = dot.read_text()
    assert text.startswith("digraph traces") and text.count("subgraph cluster_") == 2
    assert "write(p=page0)" in text


def test_certificate_directory_gets_the_invariant_and_queries(tmp_path, monkeypatch):
    monkeypatch.setattr("checker.backends.default_backend", SCENARIOS["pages"])
    certs = tmp_path / "certs"
    r = run_cli([PAGES, "--certificate", str(certs)])
    assert r.code == 1  # no_crash is violated in this scenario
    names = sorted(p.name for p in certs.iterdir())
    assert names == ["private_counted.consecution.smt2", "private_counted.initiation.smt2",
                     "private_counted.invariant.txt"]
    assert "st[p] == Private" in (certs / "private_counted.invariant.txt").read_text()
    assert "wrote 1 certificate" in r.err


def _model_copy(tmp_path: Path) -> Path:
    m = tmp_path / "pages.spec"
    m.write_text(Path(PAGES).read_text(encoding="utf-8"), encoding="utf-8")
    return m


@pytest.mark.parametrize("option", ["-o", "--trace-dot", "--save-baseline"])
def test_nothing_is_written_over_the_model(tmp_path, option):
    m = _model_copy(tmp_path)
    before = m.read_text(encoding="utf-8")
    r = run_cli([str(m), "--engine", "explicit", option, str(m)])
    assert r.code == 2 and "refusing to write over an input" in r.err
    assert m.read_text(encoding="utf-8") == before


def test_nothing_is_written_over_an_included_file_or_through_a_link_to_the_model(tmp_path):
    lib = tmp_path / "lib.spec"
    lib.write_text("var crashed: bool = false;\n", encoding="utf-8")
    m = tmp_path / "m.spec"
    m.write_text('model m;\ninclude "lib.spec";\naction crash() { crashed := true; }\ninvariant ok: !crashed;\n',
                 encoding="utf-8")
    r = run_cli([str(m), "--engine", "explicit", "-o", str(lib)])
    assert r.code == 2 and "refusing" in r.err and lib.read_text(encoding="utf-8").startswith("var crashed")
    link = tmp_path / "report.txt"
    link.symlink_to(m)
    r = run_cli([str(m), "--engine", "explicit", "-o", str(link)])
    assert r.code == 2 and m.read_text(encoding="utf-8").startswith("model m;")


def test_a_symlink_where_the_report_goes_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "report.txt"
    out.symlink_to(victim)
    r = run_cli([PAGES, "--engine", "explicit", "-o", str(out)])
    assert r.code == 1
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not out.is_symlink() and "no_crash" in out.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary file left


def test_a_symlink_planted_in_the_certificate_folder_is_not_followed(tmp_path, monkeypatch):
    monkeypatch.setattr("checker.backends.default_backend", SCENARIOS["pages"])
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    certs = tmp_path / "certs"
    certs.mkdir()
    (certs / "private_counted.invariant.txt").symlink_to(victim)
    r = run_cli([PAGES, "--certificate", str(certs)])
    assert r.code == 1 and "wrote 1 certificate" in r.err
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert "st[p] == Private" in (certs / "private_counted.invariant.txt").read_text(encoding="utf-8")


def test_json_to_stdout_is_valid_json_even_with_warnings(tmp_path):
    r = run_cli([str(MODELS / "dead.spec"), "--engine", "explicit", "--format", "json"])
    data = json.loads(r.out)
    assert data["warnings"][0]["code"] == "dead-action" and r.code == 0


def test_api_accepts_a_path_a_model_and_an_instance():
    by_path = check(PAGES, engine="explicit", sizes={"Page": 1})
    by_model = check(load(PAGES), engine="explicit", sizes={"Page": 1})
    by_inst = check(load_instance(PAGES, sizes={"Page": 1}), engine="explicit")
    for rep in (by_path, by_model, by_inst):
        assert rep.config == "Page=1"
        assert rep.result("no_crash").verdict is Verdict.VIOLATED
        assert rep.result("private_counted").verdict is Verdict.PROVED
    assert by_path.file == PAGES
    assert [r.prop for r in by_path.results] == [r.prop for r in by_inst.results]


def test_api_selects_properties_and_rejects_config_on_an_instance():
    rep = check(PAGES, properties=["no_crash"], engine="explicit")
    assert [r.prop for r in rep.results] == ["no_crash"]
    with pytest.raises(ValueError):
        check(load_instance(PAGES), sizes={"Page": 1})


def test_check_request_runs_one_explore_configuration():
    from checker.api import check_request
    from checker.explore.matrix import Request

    req = Request(load(PAGES), PAGES, (), (), (("Page", 1),), (("engine", "explicit"), ("vacuity", False)))
    rep = check_request(req)
    assert rep.config == "Page=1" and rep.file == PAGES
    assert [r.prop for r in rep.results] == ["no_crash", "private_counted", "private_page", "ref:range"]
    assert rep.result("no_crash").verdict is Verdict.VIOLATED
