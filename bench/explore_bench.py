"""Issue 18 (explore on Dask): the whole design x hardware matrix of models/tdx.spec (the one
docs/models.md shows: explicit engine, 28 configurations), whole `spec-check explore` process,
`--no-cache`, on a LocalCluster (`--dask local:N`, N = this machine's CPUs) against `--jobs 1`,
with the cells compared. There is no target: the figure says what a cluster buys on this
machine (at most the number of cores, less the cluster's start-up).

`python bench/explore_bench.py` prints this table alone (about five minutes on two cores).
"""

from __future__ import annotations

import os

from scale_bench import TDX, _process  # bench/ is on sys.path when run as a script
from table import print_table

ARGS = ["explore", str(TDX), "--vary", "hardware,design", "--engine", "explicit", "--format", "json", "--no-cache"]


def _cells(report: dict | None) -> list:
    if report is None:
        return []
    return [(row["bindings"], [(r["property"], r["verdict"], r.get("depth")) for r in row["results"]])
            for row in report["rows"]]


def bench_explore() -> list[tuple[str, str]]:
    n = os.cpu_count() or 1
    one, _, rep_one = _process(ARGS + ["--jobs", "1"])
    dask, _, rep_dask = _process(ARGS + ["--dask", f"local:{n}"])
    same = bool(_cells(rep_one)) and _cells(rep_one) == _cells(rep_dask)
    return [("issue 18: tdx design x hardware matrix (28 cells), --jobs 1", f"{one:.1f} s"),
            (f"issue 18: the same on a LocalCluster (--dask local:{n})",
             f"{dask:.1f} s ({one / dask:.2f}x); cells identical to --jobs 1: {'yes' if same else 'NO'}")]


if __name__ == "__main__":
    print_table(bench_explore())
