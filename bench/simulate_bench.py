"""Random-walk throughput (checker/explicit/simulate.py): walks and steps per CPU second on models/tdx.spec,
and how soon the walks find the upstream bug P5 (attr_check_before_snapshot=true), per seed.

`bench_simulate()` returns `(name, result)` rows for bench/run.py.
"""

from __future__ import annotations

import time
from pathlib import Path

from table import print_table  # bench/ is on sys.path when run as a script

from checker.explicit.simulate import Simulator
from checker.result import Budget, Verdict
from spec.frontend import load_instance

ROOT = Path(__file__).resolve().parent.parent
TDX = ROOT / "models" / "tdx.spec"


def bench_simulate() -> list[tuple[str, str]]:
    rows = []
    for sizes in ({}, {"Page": 4, "Gfn": 2, "Vcpu": 2}):
        inst = load_instance(TDX, sizes=sizes)
        walks, depth = 100, 100
        t0 = time.process_time()
        results = Simulator(inst, walks=walks).check(inst.model.properties, Budget(max_depth=depth))
        dt = time.process_time() - t0
        found = sum(r.verdict in (Verdict.VIOLATED, Verdict.REACHED) for r in results)
        size_text = " ".join(f"{k}={v}" for k, v in sizes.items()) or "defaults"
        rows.append((f"simulate: tdx.spec {size_text}, {walks} walks of {depth} steps",
                     f"{dt:.2f} s CPU, {walks * depth / dt:,.0f} steps/s (every successor examined), "
                     f"{found} of {len(results)} properties found"))
    inst = load_instance(TDX, params={"attr_check_before_snapshot": "true"}, sizes={"Page": 8, "Gfn": 4, "Vcpu": 4})
    prop = [p for p in inst.model.properties if p.name == "P5_spte_kind"]
    cells = []
    for seed in range(5):
        t0 = time.process_time()
        r = Simulator(inst, seed=seed, walks=1000).check(prop, Budget())[0]
        cells.append(f"{time.process_time() - t0:.2f} s (depth {r.depth})" if r.trace else "not found")
    rows.append(("simulate: upstream bug P5 at Page=8 Gfn=4 Vcpu=4, seeds 0-4", " | ".join(cells)))
    return rows


if __name__ == "__main__":
    print_table(bench_simulate())
