"""Scripted engines and a scripted trace checker, so the scheduler can be tested without Z3 or
the interpreter: each fake answers from a table `property name -> answer`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from checker.backends import Backend, EngineKind, EngineRun
from checker.result import Budget, PropertyResult, SearchStats, State, Step, Trace, Verdict, Warning_
from spec import ir

Answer = Callable[[ir.Property, Budget], PropertyResult | None]


def answer(verdict: Verdict, engine: str, depth: int | None = None, trace: Trace | None = None,
           reason: str | None = None, time_s: float = 0.1) -> Answer:
    def f(p: ir.Property, budget: Budget) -> PropertyResult:
        return PropertyResult(p.name, p.kind, verdict, engine, time_s, depth, trace, reason)

    return f


@dataclass
class FakeEngine:
    name: str
    table: dict[str, Answer]
    calls: list[tuple[str, tuple[str, ...], Budget]]
    warnings: tuple[Warning_, ...] = ()
    before: Callable[[], None] | None = None  # e.g. advance a fake clock, raise KeyboardInterrupt
    stats: tuple[SearchStats, ...] = ()  # what an explicit engine reports about its search

    def run(self, props: Sequence[ir.Property], budget: Budget) -> EngineRun:
        self.calls.append((self.name, tuple(p.name for p in props), budget))
        if self.before is not None:
            self.before()
        out = []
        for p in props:
            f = self.table.get(p.name)
            r = f(p, budget) if f is not None else None
            if r is not None:
                out.append(r)
        return EngineRun(tuple(out), self.warnings, stats=self.stats)


@dataclass
class FakeChecker:
    bad: list[Trace] = field(default_factory=list)  # traces that "do not replay"
    no_fire: set[str] = field(default_factory=set)  # actions the "interpreter" cannot fire

    def mismatch(self, trace: Trace) -> str | None:
        return "step 1: the successor is not among the outcomes of alloc(p=page0)" if trace in self.bad else None

    def fire(self, state: State, action: str) -> Step | None:
        return None if action in self.no_fire else Step(action, (), state)

    def binding(self, expr, state: State) -> tuple:
        return ()

    def attempted(self, trace: Trace) -> tuple:
        return ()


@dataclass
class Fakes:
    """A backend whose engines answer from per-engine tables; `calls` records every engine call."""

    tables: dict[EngineKind, dict[str, Answer]] = field(default_factory=dict)
    checker: FakeChecker = field(default_factory=FakeChecker)
    calls: list[tuple[str, tuple[str, ...], Budget]] = field(default_factory=list)
    hooks: dict[EngineKind, Callable[[], None]] = field(default_factory=dict)
    warnings: dict[EngineKind, tuple[Warning_, ...]] = field(default_factory=dict)
    stats: dict[EngineKind, tuple[SearchStats, ...]] = field(default_factory=dict)

    def backend(self) -> Backend:
        def make(kind, inst, options, progress):
            return FakeEngine(kind.value, self.tables.get(kind, {}), self.calls, self.warnings.get(kind, ()),
                              self.hooks.get(kind), self.stats.get(kind, ()))

        return Backend(engine=make, checker=lambda inst: self.checker)

    def engines_called(self) -> list[str]:
        return [c[0] for c in self.calls]


def simple_trace(depth: int = 1) -> Trace:
    s = State(((("x", ()), False),))
    return Trace((Step(None, (), s),) + tuple(Step("a", (), s) for _ in range(depth)))
