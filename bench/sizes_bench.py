"""Scaling table (issue 3): for models/tdx.spec and the generated-style guest-memory family
bench/models/gmem.spec at increasing page counts: the time to the first counterexample (BMC on
the property the broken design violates), BMC to depth 20 on every property (broken design; a
property that holds stays HOLDS TO DEPTH 20, so "decided" counts the violations and witnesses),
the PROVED verdicts of the correct design (PDR), and the peak memory (largest of the three runs).

Every cell runs in a fresh process (so its peak memory is its own); times are wall seconds of
that process' check, capped at CAP_S. `python bench/sizes_bench.py` prints the table alone.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
from pathlib import Path

from table import print_table  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
CAP_S = 120.0

# (label, model, sizes, broken params, fixed params, the property the broken design violates)
CASES = [
    *[(f"gmem Page={n} Vcpu=2", ROOT / "bench/models/gmem.spec", {"Page": n, "Vcpu": 2},
       {"fixed": "false"}, {"fixed": "true"}, "ept_private") for n in (2, 4, 8, 16)],
    *[(f"tdx.spec Page={n}", ROOT / "models/tdx.spec", {"Page": n},
       {"design": "rfc2021"}, {"design": "guest_memfd"}, "P3_guest_pages_not_movable") for n in (2, 4, 8)],
]


def _cell(kind: str, model: Path, sizes: dict, params: dict, prop: str | None, out: mp.Queue) -> None:
    from checker import check
    from checker.result import Verdict

    t0 = time.perf_counter()
    if kind == "cex":
        rep = check(model, properties=[prop] if prop else None, engine="bmc", depth=20, sizes=sizes,
                    params=params, timeout=CAP_S, vacuity_goals=False)
        depths = [r.depth for r in rep.results if r.verdict is Verdict.VIOLATED and r.depth is not None]
        text = f"depth {min(depths)}" if depths else "none found"
    elif kind == "bmc20":
        rep = check(model, engine="bmc", depth=20, sizes=sizes, params=params, timeout=CAP_S, vacuity_goals=False)
        text = f"{sum(1 for r in rep.results if r.verdict.is_definitive)}/{len(rep.results)} decided"
    else:
        rep = check(model, engine="pdr", sizes=sizes, params=params, timeout=CAP_S, vacuity_goals=False)
        proved = sum(1 for r in rep.results if r.verdict in (Verdict.PROVED, Verdict.REACHED))
        text = f"{proved}/{len(rep.results)} proved/reached"
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((wall, text, peak_mb))


def _run(kind: str, model: Path, sizes: dict, params: dict, prop: str | None) -> tuple[float, str, float]:
    q: mp.Queue = mp.Queue()
    p = mp.Process(target=_cell, args=(kind, model, sizes, params, prop, q))
    p.start()
    p.join(CAP_S * 2)
    if p.is_alive():
        p.kill()
        return CAP_S * 2, "killed", 0.0
    return q.get() if not q.empty() else (0.0, "failed", 0.0)


def bench_sizes() -> list[tuple[str, str]]:
    rows = []
    for label, model, sizes, broken, fixed, prop in CASES:
        cells = []
        peak = 0.0
        for kind, params in (("cex", broken), ("bmc20", broken), ("proof", fixed)):
            wall, text, mb = _run(kind, model, sizes, params, prop)
            cells.append(f"{wall:6.2f} s ({text})")
            peak = max(peak, mb)
        rows.append((f"scaling: {label}", f"first cex {cells[0]} | bmc to 20 {cells[1]} | proof {cells[2]} | "
                                          f"peak {peak:.0f} MB"))
    return rows


if __name__ == "__main__":
    print_table(bench_sizes())
