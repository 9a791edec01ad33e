"""Pre-merge gates: compare a run against a saved baseline and find regressions only.

A regression is a property that was PROVED (or PROVED ALL SIZES / REACHED) and now is not, a
new violation, or a verdict that became UNKNOWN. Improvements are reported but pass. Rows are
keyed by (configuration, property) so one baseline file covers an explore matrix too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from checker.result import Report, Verdict, as_expected
from spec.ir import Expect

BASELINE_VERSION = 1


class Change(Enum):
    REGRESSION = "regression"
    IMPROVEMENT = "improvement"
    CHANGED = "changed"  # an open question (`expect any`) answered the other way: neither better nor worse
    NEW = "new"  # not in the baseline
    GONE = "gone"  # in the baseline, not in this run


@dataclass(frozen=True)
class Difference:
    config: str
    prop: str
    before: Verdict | None
    after: Verdict | None
    change: Change


def _rank(v: Verdict, expect: Expect) -> int:
    """Goodness: proofs for all sizes > passes (a goal answered as expected) > bounded > unknown >
    failures."""
    ok = as_expected(v, expect)
    if ok is not None:
        return 5 if v is Verdict.PROVED_ALL_SIZES else 4 if ok else 0
    return 2 if v is Verdict.HOLDS_TO_DEPTH else 1


def classify(before: Verdict, after: Verdict, expect: Expect = Expect.REACHED,
             expected_before: Expect | None = None) -> Change | None:
    """How a verdict changed; `expect` is the goal's expected answer in this run's model and
    `expected_before` the one the baseline recorded (default: the same). The same verdict judged
    against a changed expectation is a change too (`reachable G expect unreachable` written over a
    goal that is still reached is a regression)."""
    was, now = as_expected(before, expected_before or expect), as_expected(after, expect)
    if before == after and was == now:
        return None
    if after is Verdict.UNKNOWN or now is False and was is not False or was is True and now is not True:
        return Change.REGRESSION
    if before == after or _rank(after, expect) == _rank(before, expect):
        return Change.CHANGED
    return Change.IMPROVEMENT if _rank(after, expect) > _rank(before, expect) else Change.REGRESSION


def to_table(reports: Iterable[Report]) -> dict[str, dict[str, str]]:
    return {r.config: {p.prop: p.verdict.value for p in r.results} for r in reports}


def expectations(reports: Iterable[Report]) -> dict[str, dict[str, str]]:
    """The goals whose expected answer is not the default (`expect unreachable|any`)."""
    return {r.config: {p.prop: p.expect.value for p in r.results if p.expect is not Expect.REACHED} for r in reports}


def dumps(reports: Iterable[Report]) -> str:
    """The text of a baseline file (`--save-baseline`): the verdicts and the model they are of."""
    reports = list(reports)
    data: dict[str, object] = {"spec-check-baseline": BASELINE_VERSION, "verdicts": to_table(reports),
                               "expect": expectations(reports)}
    if reports:
        data |= {"model": reports[0].model, "file": reports[0].file}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def save(path: Path, reports: Iterable[Report]) -> None:
    path.write_text(dumps(reports), encoding="utf-8")


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"cannot read baseline {path}: {err}") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"baseline {path} is not JSON: {err}") from None
    if not isinstance(data, dict) or data.get("spec-check-baseline") != BASELINE_VERSION:
        raise ValueError(f"{path} is not a spec-check baseline (write one with --save-baseline)")
    return data


def against(path: Path, reports: Iterable[Report]) -> list[Difference]:
    """The differences of `reports` from the baseline at `path`, the file read once. A baseline
    records the model it was saved from: comparing another model's run with it would call every
    difference new or gone and pass, so that is a ValueError (a baseline saved before the model
    was recorded is accepted), as is a file that is not a baseline."""
    reports = list(reports)
    data = _read(path)
    model = data.get("model")
    for r in reports:
        if model is not None and r.model != model:
            raise ValueError(f"baseline {path} was saved from model `{model}` ({data.get('file')}), not `{r.model}` "
                             f"({r.file}); save one of this model with --save-baseline")
    return compare(_verdicts(data, path), reports, _expected(data, path))


def load(path: Path) -> dict[str, dict[str, Verdict]]:
    """Raises ValueError with a readable reason when the file is not a baseline."""
    return _verdicts(_read(path), path)


def _expected(data: dict, path: Path) -> dict[str, dict[str, Expect]]:
    """The goals' expected answers the baseline recorded (none in a baseline saved before they
    were recorded: every goal then expected to be reached)."""
    try:
        return {str(c): {str(p): Expect(v) for p, v in props.items()} for c, props in data.get("expect", {}).items()}
    except (AttributeError, ValueError) as err:
        raise ValueError(f"baseline {path} is malformed: {err}") from None


def _verdicts(data: dict, path: Path) -> dict[str, dict[str, Verdict]]:
    out: dict[str, dict[str, Verdict]] = {}
    try:
        for config, props in data["verdicts"].items():
            out[str(config)] = {str(p): Verdict(v) for p, v in props.items()}
    except (KeyError, AttributeError, ValueError) as err:
        raise ValueError(f"baseline {path} is malformed: {err}") from None
    return out


def compare(baseline: dict[str, dict[str, Verdict]], reports: Iterable[Report],
            expected: dict[str, dict[str, Expect]] | None = None) -> list[Difference]:
    """Differences per (configuration, property). A one-configuration run against a
    one-configuration baseline compares the two whatever their parameter values (a pre-merge
    run of a model whose defaults changed is still compared with its baseline)."""
    reports = list(reports)
    expected = expected or {}
    if len(baseline) == 1 and len(reports) == 1 and reports[0].config not in baseline:
        old = next(iter(baseline))
        baseline = {reports[0].config: baseline[old]}
        expected = {reports[0].config: expected.get(old, {})}
    diffs: list[Difference] = []
    seen: set[tuple[str, str]] = set()
    for rep in reports:
        before_props = baseline.get(rep.config, {})
        for r in rep.results:
            seen.add((rep.config, r.prop))
            before = before_props.get(r.prop)
            if before is None:
                change = Change.REGRESSION if r.fails else Change.NEW
                diffs.append(Difference(rep.config, r.prop, None, r.verdict, change))
                continue
            c = classify(before, r.verdict, r.expect, expected.get(rep.config, {}).get(r.prop, Expect.REACHED))
            if c is not None:
                diffs.append(Difference(rep.config, r.prop, before, r.verdict, c))
    run_configs = {d.config for d in diffs} | {c for c, _ in seen}
    for config, props in baseline.items():
        if config not in run_configs:
            continue  # a configuration this run did not check is not a regression
        for prop, before in props.items():
            if (config, prop) not in seen:
                diffs.append(Difference(config, prop, before, None, Change.GONE))
    return diffs


def has_regression(diffs: Iterable[Difference]) -> bool:
    return any(d.change is Change.REGRESSION for d in diffs)
