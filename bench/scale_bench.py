"""Issue 11 (the default engine at real sizes): every figure next to its target.

Rows, each saying `met` or `NOT met`:
- symmetry: orbits/s of the exhaustive explicit search on bench/models/gmem.spec (fixed design,
  Vcpu=2) at 3, 4 and 5 pages (target 50,000/s, CPU time of this process, best of repetitions)
  and the 5-page search's time (target 10 s);
- auto against the best single engine, whole `spec-check check` processes (wall time, one run
  each, `--no-cache`, `--timeout 60`), gmem.spec from 2 to 32 pages: the bug (broken design,
  `--property ept_private`, decided = VIOLATED) and the proofs (fixed design, every property,
  decided = every verdict PROVED or REACHED); target: auto within 1.5x of the fastest engine that
  decided;
- PDR alone on the fixed design at 4, 8 and 16 pages against bench/hand_spacer.py, a hand-written
  z3py Spacer encoding of the same model (target: within 1.2x);
- front end: `spec-check lint models/*.spec` and `spec-check --help` (target 0.3 s each);
- models/tdx.spec: which sizes each engine decides completely within 60 s, with peak memory
  (target: every property decided at Page=4 Gfn=3 Vcpu=2).

`python bench/scale_bench.py` prints this table alone (several minutes: the slow cells run into
their 60 s timeout).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from explicit_bench import measure_search  # bench/ is on sys.path when run as a script
from table import print_table

ROOT = Path(__file__).resolve().parent.parent
GMEM = ROOT / "bench" / "models" / "gmem.spec"
TDX = ROOT / "models" / "tdx.spec"
SPEC_CHECK = str(Path(sys.executable).parent / "spec-check")
TIMEOUT_S = 60
ORBITS_TARGET = 50_000
FIVE_PAGES_TARGET_S = 10.0
AUTO_RATIO_TARGET = 1.5
FRONT_END_TARGET_S = 0.3
PASS = {"PROVED", "PROVED ALL SIZES", "REACHED"}


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _process(args: list[str]) -> tuple[float, float, dict | None]:
    """Wall seconds, peak memory (MB) and the JSON report of one spec-check process."""
    t0 = time.perf_counter()
    p = subprocess.Popen([SPEC_CHECK, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = p.stdout.read() if p.stdout is not None else ""
    _, _, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    try:
        report = json.loads(out) if out else None
    except json.JSONDecodeError:
        report = None
    return wall, usage.ru_maxrss / 1024, report


def _check(model: Path, engine: str, *extra: str) -> tuple[float, float, dict | None]:
    # auto's all-sizes step is measured in all_sizes_bench.py; here auto is timed as a scheduler
    # of the fixed-size engines, against them alone
    fixed = ["--no-all-sizes"] if engine == "auto" else []
    return _process(["check", str(model), "--engine", engine, "--format", "json", "--no-cache",
                     "--timeout", str(TIMEOUT_S), *fixed, *extra])


def _decided(report: dict | None, bug: str | None) -> bool:
    if report is None:
        return False
    verdicts = {r["property"]: r["verdict"] for r in report["results"]}
    if bug is not None:
        return verdicts.get(bug) == "VIOLATED"
    return all(v in PASS for v in verdicts.values())


def bench_symmetry() -> list[tuple[str, str]]:
    rows = []
    rates = []
    five = 0.0
    for pages in (3, 4, 5):
        states, _, cpu, exhaustive = measure_search(GMEM, {"Page": pages, "Vcpu": 2}, True)
        rates.append(states / cpu)
        if pages == 5:
            five = cpu if exhaustive else float("inf")
        rows.append((f"issue 11: symmetry, gmem.spec Page={pages} Vcpu=2, exhaustive",
                     f"{states:,} orbits in {cpu:.2f} s CPU, {states / cpu:,.0f} orbits/s "
                     f"(target {ORBITS_TARGET:,}/s: {_met(states / cpu >= ORBITS_TARGET)})"))
    rows.append(("issue 11: symmetry, gmem.spec Page=5 exhaustive time",
                 f"{five:.1f} s (target {FIVE_PAGES_TARGET_S:.0f} s: {_met(five <= FIVE_PAGES_TARGET_S)})"))
    return rows


def _versus(label: str, runs: dict[str, tuple[float, bool]]) -> tuple[str, str]:
    auto, auto_ok = runs.pop("auto")
    decided = {e: t for e, (t, ok) in runs.items() if ok}
    cells = " ".join(f"{e} {t:.2f}s{'' if ok else '(undecided)'}" for e, (t, ok) in runs.items())
    if not decided:
        verdict = "no single engine decided it"
    else:
        best = min(decided, key=lambda e: decided[e])
        ratio = auto / decided[best]
        verdict = (f"auto {auto:.2f}s{'' if auto_ok else ' (undecided)'} = {ratio:.1f}x {best} "
                   f"(target {AUTO_RATIO_TARGET}x: {_met(auto_ok and ratio <= AUTO_RATIO_TARGET)})")
    return label, f"{verdict}; {cells}"


def bench_auto() -> list[tuple[str, str]]:
    rows = []
    for pages in (2, 4, 8, 16, 32):
        size = ["--size", f"Page={pages}"]
        bug: dict[str, tuple[float, bool]] = {}
        for engine in ("auto", "bmc", "pdr", "explicit"):
            wall, _, rep = _check(GMEM, engine, *size, "--set", "fixed=false", "--property", "ept_private")
            bug[engine] = (wall, _decided(rep, "ept_private"))
        rows.append(_versus(f"issue 11: auto vs best, gmem.spec Page={pages}, 5-step bug", bug))
        proof: dict[str, tuple[float, bool]] = {}
        for engine in ("auto", "pdr", "induction", "explicit"):
            wall, _, rep = _check(GMEM, engine, *size, "--set", "fixed=true")
            proof[engine] = (wall, _decided(rep, None))
        rows.append(_versus(f"issue 11: auto vs best, gmem.spec Page={pages}, proofs", proof))
    return rows


def bench_pdr() -> list[tuple[str, str]]:
    """`--engine pdr --no-vacuity` against bench/hand_spacer.py (one hand-written Spacer query for
    the same seven safety properties), both as whole processes."""
    rows = []
    hand_script = str(ROOT / "bench" / "hand_spacer.py")
    for pages in (4, 8, 16):
        wall, mb, rep = _check(GMEM, "pdr", "--size", f"Page={pages}", "--set", "fixed=true", "--no-vacuity")
        t0 = time.perf_counter()
        hand = subprocess.run([sys.executable, hand_script, str(pages)], capture_output=True, text=True)
        hand_wall = time.perf_counter() - t0
        proved = hand.returncode == 0 and hand.stdout.startswith("unsat")
        ratio = wall / hand_wall
        rows.append((f"issue 11: pdr vs hand-written Spacer, gmem.spec Page={pages}",
                     f"pdr {wall:.2f} s ({'all decided' if _decided(rep, None) else 'NOT all decided'}, {mb:.0f} MB), "
                     f"hand {hand_wall:.2f} s ({'proved' if proved else 'NOT proved'}) = {ratio:.1f}x "
                     f"(target 1.2x: {_met(ratio <= 1.2)})"))
    return rows


def bench_front_end() -> list[tuple[str, str]]:
    rows = []
    models = sorted(str(p) for p in (ROOT / "models").glob("*.spec"))
    for label, args in (("lint models/*.spec", ["lint", *models]), ("--help", ["--help"])):
        best = min(_process(args)[0] for _ in range(5))
        rows.append((f"issue 11: front end, spec-check {label}",
                     f"{best:.2f} s best of 5 (target {FRONT_END_TARGET_S} s: {_met(best <= FRONT_END_TARGET_S)})"))
    return rows


TDX_SIZES = ({"Page": 2, "Gfn": 1, "Vcpu": 1}, {"Page": 3, "Gfn": 2, "Vcpu": 2}, {"Page": 4, "Gfn": 2, "Vcpu": 2},
             {"Page": 4, "Gfn": 3, "Vcpu": 2})


def bench_tdx_frontier() -> list[tuple[str, str]]:
    rows = []
    for sizes in TDX_SIZES:
        args = [a for k, v in sizes.items() for a in ("--size", f"{k}={v}")]
        cells = []
        any_all = False
        for engine in ("auto", "explicit", "pdr", "induction"):
            wall, mb, rep = _check(TDX, engine, *args)
            n = len(rep["results"]) if rep else 0
            done = sum(1 for r in rep["results"] if r["verdict"] in PASS | {"VIOLATED", "UNREACHABLE"}) if rep else 0
            any_all = any_all or (rep is not None and done == n)
            cells.append(f"{engine} {done}/{n} in {wall:.1f}s {mb:.0f}MB")
        label = " ".join(f"{k}={v}" for k, v in sizes.items())
        target = f" (target: all decided: {_met(any_all)})" if sizes == TDX_SIZES[-1] else ""
        rows.append((f"issue 11: tdx.spec {label}, decided within {TIMEOUT_S} s", "; ".join(cells) + target))
    return rows


def bench_scale() -> list[tuple[str, str]]:
    return bench_front_end() + bench_symmetry() + bench_auto() + bench_pdr() + bench_tdx_frontier()


if __name__ == "__main__":
    print_table(bench_scale())
