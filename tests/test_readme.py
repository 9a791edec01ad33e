"""The README's tour shows real output: these checks fail when a model, an engine or a report
change makes the README wrong."""

from __future__ import annotations

import re
from pathlib import Path

from checker import check
from spec import ir
from tests.conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


SUMMARY = re.compile(r"^summary: (.*) \(\d+\.\d+s\)$", re.M)
ROW = re.compile(r"^  ([A-Za-z0-9_.:]+) +(PROVED ALL SIZES|PROVED|REACHED|UNREACHABLE|VIOLATED) +explicit", re.M)


def test_make_run_summary_is_the_real_one(tdx_make_run):
    # `make run`'s command (engine auto: with the all-sizes step), run once for the session
    shown = SUMMARY.search(README)
    assert shown is not None
    run = tdx_make_run.wait()
    assert run.code == 1, run.err[-3000:]  # the shipped model carries known bugs
    printed = SUMMARY.search(run.out)
    assert printed is not None, run.out[-3000:]
    assert printed.group(1) == shown.group(1)
    verdicts = dict(ROW.findall(run.out))
    for prop, verdict in ROW.findall(README):
        assert verdicts.get(prop) == verdict, prop


def test_upstream_bug_trace_is_the_real_one():
    report = check(ROOT / "models" / "tdx.spec", params={"attr_check_before_snapshot": "true"},
                   properties=["P5_spte_kind"], vacuity_goals=False)
    r = report.result("P5_spte_kind")
    assert r.verdict.value == "VIOLATED" and r.depth == 7
    assert [s.action for s in r.trace.steps[1:]] == ["kvm.set_attr_begin", "kvm.set_attr_store", "gmem.create",
                                                      "kvm.fault_begin", "kvm.set_attr_commit", "gmem.get_pfn",
                                                      "kvm.fault_install"]
    gfn0, page0 = ir.Elem("Gfn", 0), ir.Elem("Page", 0)
    # shown as `choose g=gfn0, nomem=false, p=page0`
    assert r.trace.steps[6].choices == (("g", gfn0), ("nomem", False), ("p", page0))
    assert r.binding == (("g", gfn0),)  # shown as `VIOLATED for g=gfn0`


def test_the_toy_model_behaves_as_described(tmp_path: Path):
    toy = re.search(r"```\n(model toy;.*?)```", README, re.S)
    assert toy is not None
    path = tmp_path / "toy.spec"
    path.write_text(toy.group(1), encoding="utf-8")
    assert run_cli(["lint", str(path)]).code == 0
    broken = check(path, params={"reset_on_free": "false"})
    assert broken.result("no_crash").verdict.value == "VIOLATED" and broken.result("no_crash").depth == 3
    assert check(path, params={"hardware": "fixed"}).result("no_crash").verdict.value == "PROVED ALL SIZES"


def test_the_stats_line_is_the_real_one():
    shown = re.search(r"^(search \(explicit, properties, exhaustive\): .*standing for [\d,]+ states); \.\.\.$",
                      README, re.M)
    assert shown is not None
    out = run_cli(["models/tdx.spec", "--engine", "explicit", "--stats", "-q"], cwd=ROOT).out
    assert shown.group(1) + ";" in out
