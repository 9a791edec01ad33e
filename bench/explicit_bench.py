"""Explicit-engine throughput: states/s and states stored, with and without symmetry reduction.

`bench_explicit()` returns `(name, result)` rows for bench/run.py:
- models/tdx.spec (the shipped model) at increasing sizes, each search capped at 20 s of CPU;
- the first-cut TDX model (tests/checker/explicit_models/tdx_first_cut.spec: 3 actions per page)
  at increasing sizes, whose state counts are known (2^Page x 2 unreduced);
- a model whose only sort appears in a relation (the costly symmetry scheme).
Symmetry rows also say how many states the stored orbits stand for (an untimed extra search).
Rates are per second of CPU time of this process (the machine may be shared), best of repeated
runs for small searches (repeated until 0.2 s of CPU).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from table import print_table  # bench/ is on sys.path when run as a script

from checker.explicit.engine import ExplicitEngine
from checker.result import Budget
from spec.frontend import load_instance

ROOT = Path(__file__).resolve().parent.parent
FIRST_CUT = ROOT / "tests" / "checker" / "explicit_models" / "tdx_first_cut.spec"
RELATION = """
sort S = 3;
var r: (S, S) -> bool = false;
action add(p: S, q: S) { require !r[p, q]; r[p, q] := true; }
invariant anything: true;
"""
CAP_S = 20.0
TARGET = 50_000  # states/s on models/tdx.spec (the aim)


def measure_search(path: Path, sizes: dict[str, int], symmetry: bool) -> tuple[int, int, float, bool]:
    """(states, transitions, CPU seconds per search, exhaustive), best of the repetitions."""
    inst = load_instance(path, sizes=sizes)
    engine = ExplicitEngine(inst, symmetry=symmetry)
    best, total = float("inf"), 0.0
    out = None
    while total < 0.2:
        engine.forget()  # search anew, not from the states of the previous repetition
        t0 = time.process_time()
        out = engine.check(inst.model.properties, Budget(deadline=time.monotonic() + CAP_S))
        dt = time.process_time() - t0
        best, total = min(best, dt), total + dt
    assert out is not None
    return out.states, out.transitions, max(best, 1e-9), out.exhaustive


def _represented(path: Path, sizes: dict[str, int]) -> str:
    """`, standing for N states` (the sum of the stored orbits' sizes), from an untimed search."""
    inst = load_instance(path, sizes=sizes)
    out = ExplicitEngine(inst, symmetry=True, count_orbits=True).check(
        inst.model.properties, Budget(deadline=time.monotonic() + 2 * CAP_S))
    s = out.stats
    if s is None or s.represented is None or not out.exhaustive:
        return ""
    return f" standing for {s.represented:,} states ({s.group} permutations),"


def _row(label: str, path: Path, sizes: dict[str, int], symmetry: bool,
         rates: list[float] | None = None) -> tuple[str, str]:
    """One table row; the states/s also goes to `rates` when given."""
    states, transitions, dt, exhaustive = measure_search(path, sizes, symmetry)
    if rates is not None:
        rates.append(states / dt)
    size_text = " ".join(f"{k}={v}" for k, v in sizes.items())
    cut = "" if exhaustive else f" (stopped at the {CAP_S:.0f} s cap)"
    orbits = _represented(path, sizes) if symmetry and exhaustive else ""
    return (f"explicit: {label} {size_text} symmetry={'on' if symmetry else 'off'}",
            f"{states} states,{orbits} {transitions} transitions, {dt:.2f} s CPU, {states / dt:,.0f} states/s, "
            f"{transitions / dt:,.0f} transitions/s{cut}")


def bench_explicit() -> list[tuple[str, str]]:
    rows = []
    tdx = ROOT / "models" / "tdx.spec"
    plain: list[float] = []
    for sizes in ({}, {"Page": 3}, {"Page": 3, "Gfn": 2, "Vcpu": 2}):
        for sym in (False, True):
            rows.append(_row("tdx.spec", tdx, sizes, sym, None if sym else plain))
    worst = min(plain)
    rows.append(("explicit: tdx.spec aim >= 50,000 states/s (one core, no symmetry)",
                 f"{'met' if worst >= TARGET else 'NOT met'}: slowest of the sizes above {worst:,.0f} states/s"))
    for pages in (3, 6, 10, 14):
        rows.append(_row("tdx_first_cut.spec", FIRST_CUT, {"Page": pages, "Vcpu": 2}, False))
    for pages in (3, 14, 32):
        rows.append(_row("tdx_first_cut.spec", FIRST_CUT, {"Page": pages, "Vcpu": 2}, True))
    with tempfile.TemporaryDirectory() as tmp:
        rel = Path(tmp) / "relation.spec"
        rel.write_text(RELATION, encoding="utf-8")
        for n in (3, 4):
            rows.append(_row("relation (S,S)->bool", rel, {"S": n}, False))
            rows.append(_row("relation (S,S)->bool", rel, {"S": n}, True))
    return rows


if __name__ == "__main__":
    print_table(bench_explicit())
