"""The JSON report validates against the documented schema (docs/report-schema.json) and carries
the same facts as the Report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.policy import Policy
from checker.report.common import Context
from checker.report.json import SCHEMA_VERSION, render_json
from tests.checker.sample_reports import model, sample_report

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "report-schema.json").read_text())
_TYPES = {"object": dict, "array": list, "string": str, "number": (int, float), "null": type(None),
          "boolean": bool, "integer": int}


def validate(data: Any, schema: dict, path: str = "$") -> list[str]:
    """The subset of JSON Schema the documented schema uses: type, const, enum, required,
    properties, additionalProperties, items, $ref to #/$defs/..."""
    if "$ref" in schema:
        return validate(data, SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]], path)
    errors = []
    if "const" in schema and data != schema["const"]:
        errors.append(f"{path}: {data!r} != {schema['const']!r}")
    if "enum" in schema and data not in schema["enum"]:
        errors.append(f"{path}: {data!r} not in {schema['enum']}")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(isinstance(data, _TYPES[t]) and not (t in ("integer", "number") and isinstance(data, bool))
                 for t in types)
        if not ok:
            return errors + [f"{path}: {type(data).__name__} is not {types}"]
    if isinstance(data, dict):
        errors += [f"{path}: missing {k}" for k in schema.get("required", []) if k not in data]
        props = schema.get("properties", {})
        for k, v in data.items():
            if k in props:
                errors += validate(v, props[k], f"{path}.{k}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += validate(v, schema["additionalProperties"], f"{path}.{k}")
    if isinstance(data, list) and "items" in schema:
        for i, item in enumerate(data):
            errors += validate(item, schema["items"], f"{path}[{i}]")
    return errors


@pytest.fixture
def data(tmp_path):
    return json.loads(render_json(sample_report(), Context(model(tmp_path)), Policy(), exit_code=1))


def test_report_validates_against_the_documented_schema(data):
    assert validate(data, SCHEMA) == []
    assert data["schema_version"] == SCHEMA_VERSION


def test_a_report_under_a_baseline_validates_too(tmp_path):
    from checker.explore.baseline import Change, Difference
    from checker.policy import BaselineView
    from checker.result import Verdict

    rep = sample_report()
    diffs = [Difference(rep.config, "no_crash", Verdict.PROVED, Verdict.VIOLATED, Change.REGRESSION),
             Difference(rep.config, "gone_prop", Verdict.PROVED, None, Change.GONE)]
    policy = Policy(baseline=BaselineView.of(diffs, fail_on_gone=True, file="b.json"))
    data = json.loads(render_json(rep, Context(model(tmp_path)), policy, exit_code=1))
    assert validate(data, SCHEMA) == []
    r = {x["property"]: x for x in data["results"]}
    assert r["no_crash"]["baseline"] == {"state": "updated", "change": "regression",
                                         "note": "a regression from the baseline"}
    assert data["baseline"]["gone"] == [{"property": "gone_prop", "verdict": "PROVED"}]
    assert data["baseline"]["regression"] == 1 and data["baseline"]["file"] == "b.json"


def test_the_validator_rejects_a_broken_report(data):
    data["results"][0]["verdict"] = "MAYBE"
    del data["results"][1]["trace"]
    data["results"][0]["trace"]["steps"][1]["args"]["p"] = [1]
    errors = validate(data, SCHEMA)
    assert len(errors) == 3


def test_results_carry_verdicts_traces_and_locations(data):
    r = {x["property"]: x for x in data["results"]}
    assert r["no_crash"]["verdict"] == "VIOLATED" and r["no_crash"]["status"] == "fail"
    assert r["no_crash"]["location"]["line"] == 23 and r["no_crash"]["doc"].startswith("the host")
    steps = r["no_crash"]["trace"]["steps"]
    assert steps[1]["action"] == "alloc" and steps[1]["args"] == {"p": "page1"}
    assert steps[1]["changes"] == {"st[page1]": ["Free", "Shared"], "ref[page1]": [0, 1]}
    assert steps[0]["changes"] is None and steps[0]["state"]["crashed"] is False
    assert r["ref:range"]["verdict"] == "HOLDS TO DEPTH" and r["ref:range"]["depth"] == 10
    assert r["ref:range"]["status"] == "undecided"
    assert r["alloc:fires"]["generated"] and r["alloc:fires"]["status"] == "info"
    assert r["private_counted"]["certificate"]["invariant"].startswith("forall p")
    assert data["warnings"][0]["code"] == "dead-action" and data["warnings"][0]["location"]["line"] == 19
    assert data["summary"]["counts"] == {"VIOLATED": 1, "PROVED": 1, "REACHED": 1, "HOLDS TO DEPTH": 1, "UNKNOWN": 1}
    assert data["exit_code"] == 1
