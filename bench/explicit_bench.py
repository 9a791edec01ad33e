"""Explicit-engine throughput: states/s and states stored, with and without symmetry reduction.

`bench_explicit()` returns `(name, result)` rows for bench/run.py: models/tdx.spec at increasing
sizes, and a model whose only sort appears in a relation (the costly symmetry scheme). A small
search is repeated until it has run for at least 0.2 s, so the rate is not a timer artefact.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from checker.explicit import ExplicitEngine
from checker.result import Budget
from spec.frontend import load_instance

ROOT = Path(__file__).resolve().parent.parent
RELATION = """
sort S = 3;
var r: (S, S) -> bool = false;
action add(p: S, q: S) { require !r[p, q]; r[p, q] := true; }
invariant irreflexive_or_not: true;
"""


def _measure(path: Path, sizes: dict[str, int], symmetry: bool) -> tuple[int, int, float]:
    """(states, transitions, seconds per search), best of the repetitions."""
    inst = load_instance(path, sizes=sizes)
    engine = ExplicitEngine(inst, symmetry=symmetry)
    best = float("inf")
    total = 0.0
    out = None
    while total < 0.2:
        t0 = time.perf_counter()
        out = engine.check(inst.model.properties, Budget())
        dt = time.perf_counter() - t0
        best = min(best, dt)
        total += dt
    assert out is not None
    return out.states, out.transitions, best


def _row(label: str, path: Path, sizes: dict[str, int], symmetry: bool) -> tuple[str, str]:
    states, transitions, dt = _measure(path, sizes, symmetry)
    size_text = " ".join(f"{k}={v}" for k, v in sizes.items())
    return (f"explicit: {label} {size_text} symmetry={'on' if symmetry else 'off'}",
            f"{states} states, {transitions} transitions, {dt * 1000:.1f} ms, {states / dt:,.0f} states/s, "
            f"{transitions / dt:,.0f} transitions/s")


def bench_explicit() -> list[tuple[str, str]]:
    tdx = ROOT / "models" / "tdx.spec"
    rows = []
    for pages in (3, 6, 10, 14):
        rows.append(_row("tdx.spec", tdx, {"Page": pages, "Vcpu": 2}, False))
    for pages in (3, 6, 10, 14, 32):
        rows.append(_row("tdx.spec", tdx, {"Page": pages, "Vcpu": 2}, True))
    with tempfile.TemporaryDirectory() as tmp:
        rel = Path(tmp) / "relation.spec"
        rel.write_text(RELATION, encoding="utf-8")
        for n in (3, 4):
            rows.append(_row("relation (S,S)->bool", rel, {"S": n}, False))
            rows.append(_row("relation (S,S)->bool", rel, {"S": n}, True))
    return rows


if __name__ == "__main__":
    for name, value in bench_explicit():
        print(f"{name:55} {value}")
