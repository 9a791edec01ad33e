"""Symbolic engines: time to a proof or a shortest counterexample on a guest-memory model.

`bench_symbolic()` returns `(name, result)` rows for bench/run.py (`python bench/symbolic_bench.py`
prints them alone). The model is bench/models/gmem.spec (12 actions per page, a KVM fault path
with an invalidation retry); `fixed=false` is the broken design, whose shortest counterexample
has 5 steps. Rows:
- the performance aims: PDR proof of the correct design at 4 and 16 pages (2 vcpus), BMC's
  depth-5 shortest counterexample at 16 pages, and the share of front end + encoding;
- the measurements behind docs/decisions/0004-function-encoding.md: scalar constants per
  location vs one array per function, and theory vs bit-vector domains, for BMC and PDR.
Times are CPU seconds of this process (the machine may be shared), wall time in brackets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from table import print_table  # bench/ is on sys.path when run as a script

from checker.result import Budget, PropertyResult
from checker.solver.encode import Domains, Encoding, FunctionEncoding
from checker.solver.goals import goal_of
from checker.symbolic.bmc import Bmc, search
from checker.symbolic.induction import Induction
from checker.symbolic.pdr import Pdr
from spec import ir
from spec.frontend import load_instance

ROOT = Path(__file__).resolve().parent.parent
GMEM = ROOT / "bench" / "models" / "gmem.spec"
CAP_S = 120.0  # deadline of one engine run
CAP_REPR_S = 30.0  # deadline of one run in the representation comparison (slow ones hit it)


def _timed(f: Callable[[], object]) -> tuple[object, float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    out = f()
    return out, time.process_time() - c0, time.perf_counter() - w0


def _secs(cpu: float, wall: float) -> str:
    return f"{cpu:7.2f} s  ({wall:.2f} s wall)"


def _instance(pages: int, fixed: bool) -> ir.Instance:
    return load_instance(GMEM, sizes={"Page": pages, "Vcpu": 2}, params={"fixed": "true" if fixed else "false"})


def _summary(results: list[PropertyResult]) -> str:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    return ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))


def _budget(**kw: int) -> Budget:
    return Budget(deadline=time.monotonic() + CAP_S, **kw)


def bench_aims() -> list[tuple[str, str]]:
    rows = []
    for pages in (4, 16):
        inst, fe_cpu, fe_wall = _timed(lambda pages=pages: _instance(pages, True))
        enc, en_cpu, en_wall = _timed(lambda inst=inst: _encoded(inst))  # type: ignore[arg-type]
        res, cpu, wall = _timed(lambda inst=inst, enc=enc: Pdr(inst, enc).check(  # type: ignore[arg-type]
            list(inst.model.properties), _budget()))  # type: ignore[union-attr]
        rows.append((f"pdr, correct design, Page={pages} Vcpu=2 (aim < {1 if pages == 4 else 10} s)",
                     f"{_secs(cpu, wall)}  {_summary(res)}"))  # type: ignore[arg-type]
        share = (fe_cpu + en_cpu) / (fe_cpu + en_cpu + cpu)
        rows.append((f"  front end + encoding, Page={pages}", f"{_secs(fe_cpu + en_cpu, fe_wall + en_wall)}  "
                     f"{share:.0%} of the total (aim < 20%)"))
    inst = _instance(16, False)
    prop = inst.model.property("ept_private")
    res, cpu, wall = _timed(lambda: Bmc(inst).check([prop], _budget(max_depth=10)))
    [r] = res  # type: ignore[misc]
    rows.append(("bmc, broken design, Page=16: shortest counterexample (aim < 5 s)",
                 f"{_secs(cpu, wall)}  {r.verdict.value} at depth {r.depth}"))
    res, cpu, wall = _timed(lambda: Bmc(inst).check(list(inst.model.properties), _budget(max_depth=8)))
    rows.append(("bmc, broken design, Page=16, every property to depth 8", f"{_secs(cpu, wall)}  {_summary(res)}"))
    for pages in (4, 16):
        inst = _instance(pages, True)
        res, cpu, wall = _timed(lambda inst=inst: Induction(inst).check(list(inst.model.properties),
                                                                        _budget(max_depth=6)))
        rows.append((f"induction (k <= 6), correct design, Page={pages}", f"{_secs(cpu, wall)}  {_summary(res)}"))
    return rows


def _encoded(inst: ir.Instance) -> Encoding:
    """Both encodings with their transition templates built (what engines pay before solving)."""
    enc = Encoding(inst)
    enc.step(0)
    enc.with_domains(Domains.BITS).step(0)
    return enc


def _bmc_row(inst: ir.Instance, functions: FunctionEncoding, domains: Domains, depth: int) -> str:
    enc = Encoding(inst, functions, domains)
    goals = [goal_of(p) for p in inst.model.properties]
    found, cpu, wall = _timed(lambda: search(enc, goals, depth, time.monotonic() + CAP_REPR_S))
    hits = [f.depth for f in found.values() if f.trace is not None]  # type: ignore[union-attr]
    unknown = sum(1 for f in found.values() if f.reason is not None)  # type: ignore[union-attr]
    return f"{_secs(cpu, wall)}  {len(hits)} found" + (f", {unknown} unknown" if unknown else "")


def bench_representations() -> list[tuple[str, str]]:
    rows = []
    for pages in (4, 16):
        inst = _instance(pages, False)
        for functions in FunctionEncoding:
            for domains in Domains:
                rows.append((f"bmc depth 6, broken, Page={pages}: {functions.value} + {domains.value}",
                             _bmc_row(inst, functions, domains, 6)))
    for pages in (4, 8):
        inst = _instance(pages, True)
        safety = [p for p in inst.model.properties if p.kind is not ir.PropKind.REACHABLE]
        for functions in FunctionEncoding:
            enc = Encoding(inst, functions)
            res, cpu, wall = _timed(lambda inst=inst, enc=enc, safety=safety: _spacer_only(inst, enc, safety))
            rows.append((f"spacer alone, every safety property, Page={pages}: {functions.value}",
                         f"{_secs(cpu, wall)}  {res}"))
    return rows


def _spacer_only(inst: ir.Instance, enc: Encoding, props: list[ir.Property]) -> str:
    from checker.solver import smt

    res = smt.solve_horn(enc, enc.horn([goal_of(p) for p in props]), time.monotonic() + CAP_REPR_S)
    return {smt.Status.SAT: "proved", smt.Status.UNSAT: "counterexample"}.get(res.status, f"unknown ({res.reason})")


def bench_symbolic() -> list[tuple[str, str]]:
    return bench_aims() + bench_representations()


def main() -> None:
    rows = bench_symbolic()
    print_table(rows)


if __name__ == "__main__":
    main()
