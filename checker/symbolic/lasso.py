"""Liveness by lasso-shaped bounded model checking: a fair lasso of at most k steps that violates
a liveness property, found by a solver; ir.Instance x LIVENESS properties x Budget ->
PropertyResults (VIOLATED with the lasso, else HOLDS TO DEPTH k, never PROVED).

For instances too large to enumerate (checker/explicit/liveness.py needs every reachable state).
At depth k the path S_0 .. S_k (init, then k steps, as in checker/symbolic/bmc.py) is a lasso with
loop start l <= k when S_l = S_k: the steps l .. k-1 repeat forever (l = k: the last state
stutters forever). For one value of the property's binders (docs/semantics.md, Liveness):

- `always eventually Q` is violated when Q is false in every loop state;
- `eventually Q` when Q is false in every state of the lasso;
- `always (P -> eventually Q)` when some state S_i has P and Q is false from S_min(i, l) on (the
  loop states before i come back after it).

The lasso must be fair: each weakly fair action instance is taken in the loop or disabled in one
of its states, each strongly fair one taken in the loop or disabled in all of them
(`Encoding.enabled`). Stuttering inside a loop changes neither its states nor the instances it
takes, so loops without stutter steps are enough. Depths grow one at a time, so the first lasso
found has the fewest states; the scheduler replays it, loop and fairness included
(checker/interp/lasso.py), before it counts.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import replace

from checker.result import Budget, PropertyResult, Verdict
from checker.solver.deadline import ENCODING_TIMEOUT, EncodingTimeout
from checker.solver.encode import Domains, Encoding, Formula
from checker.solver.l2s import Instance, fair_instances
from checker.solver.smt import Status
from checker.symbolic.bmc import DEFAULT_DEPTH, Unroller
from spec import ir
from spec.irutil import subst

ENGINE = "bmc"


class _Goal:
    """One liveness property at one value of its binders, and its terms per state."""

    def __init__(self, enc: Encoding, prop: ir.Property, values: tuple[ir.Value, ...]):
        live = prop.live
        assert live is not None
        env: dict[str, ir.Expr] = {n: ir.Lit(v, t) for (n, t), v in zip(live.binders, values, strict=True)}
        self.prop, self.form = prop, live.form
        self.q = subst(live.q, env)
        self.p = subst(live.p, env) if live.p is not None else None
        self.bound = ", ".join(f"{n}={ir.format_value(v)}" for (n, _), v in zip(live.binders, values, strict=True))
        self.enc = enc

    def bad(self, k: int, start: int) -> Formula:
        """The lasso S_0 .. S_k looping back to S_l violates the property (fairness aside)."""
        enc = self.enc
        not_q = [enc.neg(enc.holds(self.q, enc.state(j))) for j in range(k + 1)]
        if self.form is ir.LiveForm.INFINITELY_OFTEN:
            return enc.conj(not_q[start:])
        if self.form is ir.LiveForm.EVENTUALLY:
            return enc.conj(not_q)
        assert self.p is not None
        return enc.disj([enc.conj([enc.holds(self.p, enc.state(i)), *not_q[min(i, start):]]) for i in range(k + 1)])


class Search:
    """The unrolling, the fair instances and the terms shared by every goal."""

    def __init__(self, inst: ir.Instance, enc: Encoding):
        self.inst, self.enc = inst, enc
        self.u = Unroller(enc, from_init=True, simple=False)
        self.weak, self.strong = fair_instances(inst)
        self._en: dict[tuple[Instance, int], Formula] = {}
        self._taken: dict[tuple[Instance, int], Formula] = {}

    def enabled(self, i: Instance, j: int) -> Formula:
        if (i, j) not in self._en:
            self._en[(i, j)] = self.enc.enabled(i[0], self.enc.state(j), i[1])
        return self._en[(i, j)]

    def taken(self, i: Instance, j: int) -> Formula:
        """Step j (S_j -> S_j+1) is a step of instance `i`."""
        if (i, j) not in self._taken:
            self._taken[(i, j)] = self.enc.taken(self.enc.step(j), i[0], i[1])
        return self._taken[(i, j)]

    def fair(self, k: int, start: int) -> Formula:
        """The loop S_l .. S_k (empty when start = k) is fair."""
        enc = self.enc
        states = range(start, k) if start < k else [k]
        parts = []
        for i in self.weak + self.strong:
            taken = enc.disj([self.taken(i, j) for j in range(start, k)])
            off = [enc.neg(self.enabled(i, j)) for j in states]
            parts.append(enc.disj([taken, enc.disj(off) if i in self.weak else enc.conj(off)]))
        return enc.conj(parts)

    def closes(self, k: int, start: int) -> Formula:
        enc = self.enc
        if start == k:
            return enc.true()
        return enc.neg(enc.distinct(enc.state(start), enc.state(k)))


def check_lasso(inst: ir.Instance, props: Sequence[ir.Property], budget: Budget,
                enc: Encoding | None = None) -> list[PropertyResult]:
    """Every LIVENESS property of `props`: the shortest fair violating lasso up to the depth bound."""
    enc = (enc or Encoding(inst)).with_domains(Domains.BITS)
    t0 = time.monotonic()
    max_depth = DEFAULT_DEPTH if budget.max_depth is None else budget.max_depth
    out: dict[str, PropertyResult] = {}
    goals = {p.name: [_Goal(enc, p, v) for v in itertools.product(*(inst.domain(t) for _, t in p.live.binders))]
             for p in props if p.live is not None}
    k = 0
    with enc.until(budget.deadline):
        try:
            s = Search(inst, enc)
            for k in range(max_depth + 1):
                if not goals:
                    break
                if budget.deadline is not None and time.monotonic() >= budget.deadline:
                    _stop(out, props, goals, k, "the time limit was reached", t0)
                    break
                if k == 0:
                    s.u.start()
                else:
                    s.u.advance()
                _level(s, k, goals, out, budget.deadline, t0)
        except EncodingTimeout:
            _stop(out, props, goals, k, ENCODING_TIMEOUT, t0)
    for p in props:
        if p.name not in out:
            out[p.name] = PropertyResult(p.name, p.kind, Verdict.HOLDS_TO_DEPTH, ENGINE, time.monotonic() - t0,
                                         depth=max_depth,
                                         reason=f"no fair lasso violates it up to depth {max_depth} (bounded, not a proof)")
    return [out[p.name] for p in props]


def _level(s: Search, k: int, goals: dict[str, list[_Goal]], out: dict[str, PropertyResult],
           deadline: float | None, t0: float) -> None:
    """Look for a lasso of exactly k steps for every open goal."""
    enc, session = s.enc, s.u.session
    loops = [(start, enc.conj([s.closes(k, start), s.fair(k, start)])) for start in range(k + 1)]
    for name in list(goals):
        for g in goals[name]:
            cases = [(start, enc.conj([shape, g.bad(k, start)])) for start, shape in loops]
            res = session.check(enc.disj([f for _, f in cases]), deadline=deadline)
            if res.status is Status.UNKNOWN:
                out[name] = PropertyResult(name, g.prop.kind, Verdict.UNKNOWN, ENGINE, time.monotonic() - t0,
                                           depth=max(k - 1, 0),
                                           reason=f"{res.reason}; no fair lasso up to depth {k - 1}")
                del goals[name]
                break
            if res.status is Status.SAT:
                start = next(start for start, f in cases if session.holds(f))
                trace = replace(session.trace(k, None), loop_start=start)
                why = f"a fair behaviour violates it for {g.bound}" if g.bound else None
                out[name] = PropertyResult(name, g.prop.kind, Verdict.VIOLATED, ENGINE, time.monotonic() - t0,
                                           depth=trace.depth, trace=trace, reason=why)
                del goals[name]
                break


def _stop(out: dict[str, PropertyResult], props: Sequence[ir.Property], goals: dict[str, list[_Goal]],
          k: int, why: str, t0: float) -> None:
    for p in props:
        if p.name in goals and p.name not in out:
            out[p.name] = PropertyResult(p.name, p.kind, Verdict.UNKNOWN, ENGINE, time.monotonic() - t0,
                                         depth=max(k - 1, 0), reason=f"{why}; no fair lasso up to depth {k - 1}")
            del goals[p.name]
