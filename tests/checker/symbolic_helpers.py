"""Helpers for the symbolic-engine tests: load models, replay every trace, check certificates."""

from __future__ import annotations

from pathlib import Path

from checker.interp.replay import replay
from checker.interp.semantics import Semantics
from checker.result import PropertyResult, Verdict
from checker.symbolic.certificate import certificate_failure
from spec import ir
from spec.frontend import load_instance

CORPUS = Path(__file__).resolve().parent / "corpus"


def corpus(name: str, **sizes: int) -> ir.Instance:
    return load_instance(CORPUS / name, sizes=sizes or None)


def load_text(tmp_path: Path, text: str, **sizes: int) -> ir.Instance:
    path = tmp_path / "m.spec"
    path.write_text(text, encoding="utf-8")
    return load_instance(path, sizes=sizes or None)


def by_name(results: list[PropertyResult]) -> dict[str, PropertyResult]:
    return {r.prop: r for r in results}


def assert_well_formed(r: PropertyResult, inst: ir.Instance) -> None:
    """Every trace replays in the independent interpreter and has the result's depth; a failure
    ends the trace exactly for assert/range properties; every certificate re-checks."""
    if r.trace is not None:
        assert r.verdict in (Verdict.VIOLATED, Verdict.REACHED)
        res = replay(r.trace, Semantics(inst))
        assert res.ok, f"{r.prop}: {res}"
        assert r.trace.depth == r.depth
        is_check = r.kind in (ir.PropKind.ASSERT, ir.PropKind.RANGE)
        assert (r.trace.failure is not None) == is_check
        if is_check:
            assert r.trace.failure.prop == r.prop and r.trace.steps[-1].state is None
    if r.certificate is not None:
        assert r.verdict in (Verdict.PROVED, Verdict.PROVED_ALL_SIZES, Verdict.UNREACHABLE)
        assert certificate_failure(r.certificate, None) is None


def assert_consistent(r: PropertyResult, shortest: int | None) -> None:
    """`r` agrees with the exhaustive truth: `shortest` is the depth of the shortest violation
    (or witness) in the whole state space, None when there is none."""
    if r.verdict in (Verdict.VIOLATED, Verdict.REACHED):
        assert r.depth == shortest, (r.prop, r.verdict, r.depth, shortest)
    elif r.verdict in (Verdict.PROVED, Verdict.PROVED_ALL_SIZES, Verdict.UNREACHABLE):
        assert shortest is None, (r.prop, r.verdict, shortest)
    elif r.verdict is Verdict.HOLDS_TO_DEPTH:
        assert shortest is None or shortest > r.depth, (r.prop, r.depth, shortest)
