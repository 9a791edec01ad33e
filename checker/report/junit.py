"""JUnit XML (`--format junit`): one testsuite per report, one testcase per property.

A failure (VIOLATED, UNREACHABLE) is a `<failure>` with the trace as text; an undecided verdict
(UNKNOWN, and HOLDS TO DEPTH unless a bounded check was the goal) is an `<error>`, so no CI shows
it as green; generated vacuity goals outside --strict pass, with their verdict in system-out. Under a
baseline (`--baseline`) only the regressions fail, as in the exit code; the rest pass with their
verdict and "as in the baseline". Test names are unique in the suite: a warning's names its
place in the model.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from checker.policy import DEFAULT_POLICY, Policy, Status, baseline_note, gone, status
from checker.report.common import Context, verdict_text
from checker.report.text import trace_lines
from checker.result import PropertyResult, Report


def _case(suite: ET.Element, r: PropertyResult, classname: str, ctx: Context, policy: Policy) -> Status:
    case = ET.SubElement(suite, "testcase", name=r.prop, classname=classname, time=f"{r.time_s:.3f}")
    st = status(r, policy)
    headline = f"{verdict_text(r)} ({r.engine})"
    if r.reason:
        headline += f": {r.reason}"
    headline += baseline_note(r, policy)
    body = "\n".join(trace_lines(r.trace, ctx)) if r.trace is not None else ""
    if st is Status.FAIL:
        ET.SubElement(case, "failure", message=headline, type=r.verdict.name).text = body
    elif st is Status.UNDECIDED:
        ET.SubElement(case, "error", message=headline, type=r.verdict.name).text = body
    else:
        ET.SubElement(case, "system-out").text = headline + ("\n" + body if body else "")
    return st


def render_junit(report: Report, ctx: Context | None = None, policy: Policy = DEFAULT_POLICY) -> str:
    """Under a baseline (`policy.baseline`) only the regressions are failures, and the properties
    it has that this run does not are testcases too (failures under --fail-on-gone)."""
    ctx = ctx or Context()
    root = ET.Element("testsuites", name="spec-check")
    name = f"{report.model} {report.config}".strip()
    suite = ET.SubElement(root, "testsuite", name=name, timestamp="", hostname="")
    props = ET.SubElement(suite, "properties")
    for k, v in (("file", report.file), ("config", report.config), ("interrupted", str(report.interrupted).lower())):
        ET.SubElement(props, "property", name=k, value=v)
    statuses = [_case(suite, r, report.model, ctx, policy) for r in report.results]
    names: set[str] = set()
    for w in report.warnings:
        name = f"warning: {w.code} at {w.span}" if w.span.line > 0 else f"warning: {w.code}: {w.message}"
        name = next(n for k in itertools.count(1) if (n := name if k == 1 else f"{name} #{k}") not in names)
        names.add(name)
        case = ET.SubElement(suite, "testcase", name=name, classname=report.model, time="0")
        ET.SubElement(case, "system-out").text = f"{w.span}: {w.message}" if w.span.line > 0 else w.message
    for prop, text, fails in gone(policy):
        case = ET.SubElement(suite, "testcase", name=f"gone: {prop}", classname=report.model, time="0")
        if fails:
            ET.SubElement(case, "failure", message=text, type="GONE")
            statuses.append(Status.FAIL)
        else:
            ET.SubElement(case, "system-out").text = text
            statuses.append(Status.PASS)
    nfail = statuses.count(Status.FAIL)
    nerr = statuses.count(Status.UNDECIDED)
    ntests = len(statuses) + len(report.warnings)
    for el in (root, suite):
        el.set("tests", str(ntests))
        el.set("failures", str(nfail))
        el.set("errors", str(nerr))
        el.set("time", f"{report.time_s:.3f}")
    suite.set("skipped", "0")
    del suite.attrib["timestamp"], suite.attrib["hostname"]
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
