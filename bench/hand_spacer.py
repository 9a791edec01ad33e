"""A hand-written z3py Spacer encoding of bench/models/gmem.spec (fixed design), the baseline of
issue 11's PDR figure: `spec-check check gmem.spec --engine pdr` should cost at most 1.2x this.

One Horn query proves every safety property of the model at once (the four invariants, the
`guest_sees_private` assert and the two range checks); one integer per page counter, one Boolean
per flag, `fpage` as one integer per vCPU. `python bench/hand_spacer.py PAGES` prints `unsat`
(proved) and the seconds spent; bench/scale_bench.py times it as a whole process.
"""

from __future__ import annotations

import sys
import time

import z3

FREE, SHARED, PRIVATE = 0, 1, 2
VCPUS = 2


def _state(n: int, tag: str) -> dict[str, list[z3.ExprRef]]:
    def ints(name: str, k: int) -> list[z3.ExprRef]:
        return [z3.Int(f"{name}{i}{tag}") for i in range(k)]

    def bools(name: str, k: int) -> list[z3.ExprRef]:
        return [z3.Bool(f"{name}{i}{tag}") for i in range(k)]

    return {"st": ints("st", n), "ref": ints("ref", n), "hm": ints("hm", n), "ept": bools("ept", n),
            "acc": bools("acc", n), "inf": bools("inf", VCPUS), "fp": ints("fp", VCPUS),
            "stale": bools("stale", VCPUS), "crashed": [z3.Bool(f"crashed{tag}")]}


def _flat(s: dict[str, list[z3.ExprRef]]) -> list[z3.ExprRef]:
    return [x for k in ("st", "ref", "hm", "ept", "acc", "inf", "fp", "stale", "crashed") for x in s[k]]


def _step(s, t, n: int) -> z3.BoolRef:
    """One step of any action: the guard, the writes, and every other location unchanged."""
    def same(*skip: tuple[str, int]) -> list[z3.BoolRef]:
        return [t[k][i] == s[k][i] for k in s for i in range(len(s[k])) if (k, i) not in skip]

    def page(p: int, guard, **writes) -> z3.BoolRef:
        return z3.And(guard, *[t[k][p] == v for k, v in writes.items()],
                      *same(*[(k, p) for k in writes]))

    stale_all = [t["stale"][v] for v in range(VCPUS)]
    moves = []
    for p in range(n):
        st, ref, hm, ept, acc = (s[k][p] for k in ("st", "ref", "hm", "ept", "acc"))
        moves += [
            page(p, st == FREE, st=SHARED, ref=ref + 1),
            page(p, z3.And(st == SHARED, hm < 2), hm=hm + 1),
            page(p, hm > 0, hm=hm - 1),
            page(p, z3.And(st == SHARED, hm == 0), st=PRIVATE, acc=False),
            z3.And(st == PRIVATE, t["st"][p] == SHARED, z3.Not(t["ept"][p]), z3.Not(t["acc"][p]), *stale_all,
                   *same(("st", p), ("ept", p), ("acc", p), *[("stale", v) for v in range(VCPUS)])),
            page(p, ept, ept=False, acc=False),
            page(p, z3.And(ept, z3.Not(acc)), acc=True),
            z3.And(st != FREE, hm == 0, t["st"][p] == FREE, z3.Not(t["ept"][p]), z3.Not(t["acc"][p]),
                   t["ref"][p] == ref - 1, *stale_all,
                   *same(("st", p), ("ept", p), ("acc", p), ("ref", p), *[("stale", v) for v in range(VCPUS)])),
            z3.And(hm > 0, t["crashed"][0] == z3.Or(s["crashed"][0], st == PRIVATE), *same(("crashed", 0))),
            z3.And(acc, *same()),  # guest_access: its assert is a property below
        ]
        for v in range(VCPUS):
            moves.append(z3.And(z3.Not(s["inf"][v]), st == PRIVATE, t["inf"][v], t["fp"][v] == p,
                                z3.Not(t["stale"][v]), *same(("inf", v), ("fp", v), ("stale", v))))
    for v in range(VCPUS):
        install = [t["ept"][p] == z3.Or(s["ept"][p], z3.And(s["fp"][v] == p, z3.Not(s["stale"][v]))) for p in range(n)]
        moves.append(z3.And(s["inf"][v], z3.Not(t["inf"][v]), *install,
                            *same(("inf", v), *[("ept", p) for p in range(n)])))
    return z3.Or(moves)


def _init(s, n: int) -> z3.BoolRef:
    return z3.And(*[z3.And(s["st"][p] == FREE, s["ref"][p] == 0, s["hm"][p] == 0, z3.Not(s["ept"][p]),
                           z3.Not(s["acc"][p])) for p in range(n)],
                  *[z3.And(z3.Not(s["inf"][v]), z3.Not(s["stale"][v]), s["fp"][v] >= 0, s["fp"][v] < n)
                    for v in range(VCPUS)], z3.Not(s["crashed"][0]))


def _bad(s, n: int) -> z3.BoolRef:
    bad = [s["crashed"][0]]
    for p in range(n):
        st, ref, hm, ept, acc = (s[k][p] for k in ("st", "ref", "hm", "ept", "acc"))
        bad += [z3.And(ept, st != PRIVATE), z3.And(acc, z3.Not(ept)), (st == FREE) != (ref == 0),
                z3.And(acc, st != PRIVATE), z3.Or(ref < 0, ref > 3), z3.Or(hm < 0, hm > 2)]
    return z3.Or(bad)


def prove(n: int) -> z3.CheckSatResult:
    s, t = _state(n, ""), _state(n, "'")
    xs, ys = _flat(s), _flat(t)
    inv = z3.Function("inv", *[x.sort() for x in xs], z3.BoolSort())
    fp = z3.Fixedpoint()
    fp.set(engine="spacer")
    fp.register_relation(inv)
    fp.declare_var(*xs, *ys)
    fp.rule(inv(*xs), _init(s, n))
    fp.rule(inv(*ys), [inv(*xs), _step(s, t, n)])
    err = z3.Bool("err")
    fp.register_relation(err.decl())
    fp.rule(err, [inv(*xs), _bad(s, n)])
    return fp.query(err)


if __name__ == "__main__":
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    t0 = time.perf_counter()
    result = prove(pages)
    print(f"{result} ({'proved' if result == z3.unsat else 'NOT proved'}) in {time.perf_counter() - t0:.2f} s")
