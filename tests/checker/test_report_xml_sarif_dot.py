"""JUnit parses as XML with one testcase per property; SARIF 2.1.0 has the required structure and
locations; the trace graph is well-formed Graphviz."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from checker.policy import Policy
from checker.report.common import Context
from checker.report.dot import render_trace_dot
from checker.report.junit import render_junit
from checker.report.sarif import render_sarif
from tests.checker.sample_reports import model, sample_report


@pytest.fixture
def ctx(tmp_path):
    return Context(model(tmp_path))


def _cases(xml: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    return {c.get("name"): c for c in suite.findall("testcase")}


def test_junit_one_testcase_per_property_failures_and_errors(ctx):
    xml = render_junit(sample_report(), ctx)
    root = ET.fromstring(xml)
    cases = _cases(xml)
    assert set(cases) >= {"no_crash", "private_counted", "private_page", "ref:range", "alloc:fires"}
    assert cases["no_crash"].find("failure").get("type") == "VIOLATED"
    assert "crashed: false -> true" in cases["no_crash"].find("failure").text
    assert cases["ref:range"].find("error") is not None  # bounded is not green
    assert cases["private_counted"].find("failure") is None and cases["private_counted"].find("error") is None
    assert cases["alloc:fires"].find("error") is None  # vacuity goals count only with --strict
    suite = root.find("testsuite")
    assert (suite.get("failures"), suite.get("errors")) == ("1", "1")
    assert int(suite.get("tests")) == len(cases)


def test_junit_strict_and_bounded_depth_policies(ctx):
    strict = _cases(render_junit(sample_report(), ctx, Policy(strict=True)))
    assert strict["alloc:fires"].find("error") is not None
    bounded = _cases(render_junit(sample_report(), ctx, Policy(bounded_depth=10)))
    assert bounded["ref:range"].find("error") is None


def test_sarif_structure_levels_and_locations(ctx):
    data = json.loads(render_sarif(sample_report(), ctx))
    assert data["version"] == "2.1.0" and data["$schema"].endswith("sarif-2.1.0.json")
    [run] = data["runs"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results = {r["ruleId"]: r for r in run["results"]}
    for r in run["results"]:
        assert rules[r["ruleIndex"]] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note", "none") and r["message"]["text"]
    crash = results["no_crash"]
    assert crash["level"] == "error" and crash["kind"] == "fail"
    region = crash["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 23 and region["startColumn"] >= 1
    flow = crash["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(flow) == 4 and "alloc(p=page1)" in flow[1]["location"]["message"]["text"]
    assert flow[1]["location"]["physicalLocation"]["region"]["startLine"] == 8  # the action's declaration
    assert results["ref:range"]["level"] == "warning" and results["private_counted"]["kind"] == "pass"
    assert results["dead-action"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 19


def test_sarif_locates_a_failing_check_at_the_statement(ctx):
    from dataclasses import replace

    from checker.result import PropertyResult, Verdict
    from spec.ir import PropKind
    from tests.checker.sample_reports import range_trace

    rep = replace(sample_report(), results=(PropertyResult("ref:range", PropKind.RANGE, Verdict.VIOLATED, "bmc",
                                                           0.1, 2, range_trace()),), warnings=())
    [res] = json.loads(render_sarif(rep, ctx))["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 11


def test_trace_dot_is_a_graph_of_states_and_action_edges():
    dot = render_trace_dot(sample_report())
    assert dot.startswith("digraph traces {") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    assert dot.count("subgraph cluster_") == 2  # the violation and the witness
    edges = re.findall(r"(t\d+_\d+) -> (t\d+_\d+) \[label=\"([^\"]+)\"", dot)
    assert ("t1_0", "t1_1", "alloc(p=page1)") in edges and ("t1_2", "t1_3", "write(p=page1)") in edges
    assert "crashed: false -> true" in dot
