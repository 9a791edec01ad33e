"""The real engines and the interpreter behind the scheduler's small interfaces (checker/schedule.py).

Adapters only: each engine keeps its own API; this module turns it into `Engine.run(props, budget)
-> EngineRun`, and `checker.interp.replay` + `checker.interp.semantics` into a `TraceChecker`. An engine module
that is missing from this build gives UNKNOWN verdicts that say so, never a pass.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from checker.result import Budget, PropertyResult, State, Step, Trace, Verdict
from checker.schedule import Backend, Engine, EngineKind, EngineRun, Options, Progress, TraceChecker
from spec import ir


def default_backend() -> Backend:
    """A backend for one run: the symbolic engines share one Z3 encoding of the instance (the
    engines accept one for exactly this), so `auto` encodes the model once, not three times."""
    shared: dict[int, Any] = {}

    def engine(kind: EngineKind, inst: ir.Instance, options: Options, progress: Progress | None) -> Engine:
        return make_engine(kind, inst, options, progress, shared)

    return Backend(engine=engine, checker=make_checker)


# ---------------------------------------------------------------- interpreter


@dataclass
class InterpChecker:
    sem: Any  # checker.interp.semantics.Semantics

    def mismatch(self, trace: Trace) -> str | None:
        from checker.interp.replay import replay

        res = replay(trace, self.sem)
        return None if res.ok else str(res)

    def fire(self, state: State, action: str) -> Step | None:
        for ai in self.sem.action_instances():
            if ai.action != action:
                continue
            for o in self.sem.outcomes(state, ai):
                if isinstance(o, State):
                    return Step(action, ai.args, o)
        return None


def make_checker(inst: ir.Instance) -> TraceChecker:
    from checker.interp.semantics import Semantics

    return InterpChecker(Semantics(inst))


# ---------------------------------------------------------------- engines


@dataclass
class Unavailable:
    """Stands in for an engine this build does not have: every property UNKNOWN, with the reason."""

    name: str
    why: str

    def run(self, props: Sequence[ir.Property], budget: Budget) -> EngineRun:
        return EngineRun(tuple(PropertyResult(p.name, p.kind, Verdict.UNKNOWN, self.name, reason=self.why)
                               for p in props))


@dataclass
class Symbolic:
    """bmc / induction / pdr, and simulate: `check(props, budget) -> list[PropertyResult]`."""

    name: str
    impl: Any

    def run(self, props: Sequence[ir.Property], budget: Budget) -> EngineRun:
        return EngineRun(tuple(self.impl.check(list(props), budget)))


@dataclass
class Explicit:
    name: str
    impl: Any  # checker.explicit.engine.ExplicitEngine

    def run(self, props: Sequence[ir.Property], budget: Budget) -> EngineRun:
        out = self.impl.check(list(props), budget)
        stats = getattr(out, "stats", None)
        return EngineRun(tuple(out.results), tuple(out.warnings), getattr(out, "graph", None),
                         () if stats is None else (stats,))


_SYMBOLIC = {EngineKind.BMC: ("checker.symbolic.bmc", "Bmc"), EngineKind.INDUCTION: ("checker.symbolic.induction", "Induction"),
             EngineKind.PDR: ("checker.symbolic.pdr", "Pdr")}


def make_engine(kind: EngineKind, inst: ir.Instance, options: Options, progress: Progress | None,
                encodings: dict[int, Any] | None = None) -> Engine:
    try:
        if kind is EngineKind.EXPLICIT:
            from checker.explicit.engine import ExplicitEngine

            def tick(states: int, depth: int, rate: float) -> None:
                if progress is not None:
                    progress(f"explicit: {states} states, depth {depth}, {rate:,.0f} states/s")

            return Explicit("explicit", ExplicitEngine(inst, symmetry=options.symmetry, keep_graph=options.keep_graph,
                                                       deadlock=options.deadlock.value, progress=tick,
                                                       count_orbits=options.stats))
        if kind is EngineKind.SIMULATE:
            from checker.explicit.simulate import Simulator

            return Symbolic("simulate", Simulator(inst, seed=options.seed, walks=options.walks, progress=progress))
        module, cls = _SYMBOLIC[kind]
        engine_cls = getattr(importlib.import_module(module), cls)
        if encodings is None:
            return Symbolic(kind.value, engine_cls(inst))
        if id(inst) not in encodings:
            from checker.solver.encode import Encoding

            encodings[id(inst)] = Encoding(inst)
        return Symbolic(kind.value, engine_cls(inst, encodings[id(inst)]))
    except (ImportError, AttributeError) as err:
        return Unavailable(kind.value, f"the {kind.value} engine is not available in this build ({err})")
