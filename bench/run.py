"""`make bench`: performance figures for spec-check, printed as a table.

Benchmarks are added here by each engine; they are measurements, not tests (nothing here fails
a build).
"""

from __future__ import annotations

import time
from pathlib import Path

from all_sizes_bench import bench_all_sizes  # bench/ is on sys.path when run as bench/run.py
from explicit_bench import bench_explicit
from explore_bench import bench_explore
from scale_bench import bench_scale
from simulate_bench import bench_simulate
from sizes_bench import bench_sizes
from symbolic_bench import bench_symbolic
from table import print_table  # bench/ is on sys.path when run as a script

from spec.frontend import instantiate, load_model

ROOT = Path(__file__).resolve().parent.parent


def bench_frontend() -> list[tuple[str, str]]:
    rows = []
    for path in sorted((ROOT / "models").glob("*.spec")):
        t0 = time.perf_counter()
        loaded = load_model(path)
        instantiate(loaded)
        rows.append((f"front end: {path.name}", f"{(time.perf_counter() - t0) * 1000:.1f} ms"))
    return rows


def main() -> None:
    rows = bench_frontend()
    rows += bench_explicit()
    rows += bench_simulate()
    rows += bench_symbolic()
    rows += bench_sizes()
    rows += bench_scale()
    rows += bench_all_sizes()
    rows += bench_explore()
    print_table(rows)


if __name__ == "__main__":
    main()
