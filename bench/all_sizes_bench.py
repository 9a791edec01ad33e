"""Issue 13 (PROVED ALL SIZES), every figure next to its target:
- bench/models/gmem.spec (fixed design): every safety property PROVED ALL SIZES with no invariant
  written by hand, whole `spec-check check` process (engine auto, which tries all sizes; wall
  time, `--no-cache`), target at most 1 s; and the same run with `--no-all-sizes`, for the
  step's own cost;
- models/tdx.spec: how many of its PROVED properties become PROVED ALL SIZES (target: every
  guest_memfd guarantee), and the time.

`python bench/all_sizes_bench.py` prints this table alone (about five minutes).
"""

from __future__ import annotations

from scale_bench import GMEM, TDX, _met, _process  # bench/ is on sys.path when run as a script
from table import print_table

GMEM_TARGET_S = 1.0


def _run(model, *extra: str) -> tuple[float, dict[str, str], set[str]]:
    """Wall time, verdicts, and the liveness properties (all sizes is not tried for them)."""
    wall, _, report = _process(["check", str(model), "--format", "json", "--no-cache", "--timeout", "600", *extra])
    results = report["results"] if report else []
    return wall, {r["property"]: r["verdict"] for r in results}, {r["property"] for r in results if r["kind"] == "property"}


def bench_all_sizes() -> list[tuple[str, str]]:
    rows = []
    wall, verdicts, _ = _run(GMEM)
    base, _, _ = _run(GMEM, "--no-all-sizes")
    safety = [p for p, v in verdicts.items() if v in ("PROVED", "PROVED ALL SIZES")]
    upgraded = [p for p in safety if verdicts[p] == "PROVED ALL SIZES"]
    ok = wall <= GMEM_TARGET_S and len(upgraded) == len(safety)
    rows.append(("issue 13: gmem.spec all sizes, no hand-written invariant",
                 f"{len(upgraded)}/{len(safety)} PROVED ALL SIZES in {wall:.2f} s ({base:.2f} s with "
                 f"--no-all-sizes); target every one in <= {GMEM_TARGET_S:g} s: {_met(ok)}"))
    wall, verdicts, kinds_live = _run(TDX)
    proved = [p for p, v in verdicts.items() if v in ("PROVED", "PROVED ALL SIZES") and p not in kinds_live]
    upgraded = [p for p in proved if verdicts[p] == "PROVED ALL SIZES"]
    rows.append(("issue 13: tdx.spec all sizes",
                 f"{len(upgraded)}/{len(proved)} PROVED ALL SIZES in {wall:.1f} s; not: "
                 f"{', '.join(sorted(set(proved) - set(upgraded))) or 'none'}; target every guest_memfd "
                 f"guarantee: {_met(len(upgraded) == len(proved))}"))
    return rows


if __name__ == "__main__":
    print_table(bench_all_sizes())
