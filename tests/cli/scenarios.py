"""Scripted backends for command transcripts that must not depend on the real engines' choices:
`fake: NAME` in a case file replaces the default backend by SCENARIOS[NAME]()."""

from __future__ import annotations

from collections.abc import Callable

from checker.backends import Backend, EngineKind
from checker.result import Certificate, State, Step, Trace, Verdict
from tests.checker.fake_engines import Answer, FakeChecker, Fakes, answer
from tests.checker.sample_reports import P0, crash_trace, range_trace, witness_trace

BMC, IND, PDR = EngineKind.BMC, EngineKind.INDUCTION, EngineKind.PDR


class PagesChecker(FakeChecker):
    """Fires every action with p=page0, keeping the state (enough for display)."""

    def fire(self, state, action):
        return Step(action, (("p", P0),), state)


def _proved_with_certificate(engine: str) -> Answer:
    def f(p, budget):
        r = answer(Verdict.PROVED, engine)(p, budget)
        cert = Certificate(engine, "forall p: Page :: st[p] == Private -> ref[p] >= 1",
                           {"initiation": "(assert false)\n(check-sat)\n", "consecution": "(check-sat)\n"})
        return type(r)(r.prop, r.kind, r.verdict, r.engine, r.time_s, r.depth, None, None, cert)

    return f


def pages() -> Backend:
    w = witness_trace()
    bmc = {"no_crash": answer(Verdict.VIOLATED, "bmc", 3, crash_trace()),
           "private_page": answer(Verdict.REACHED, "bmc", 2, w),
           "private_counted": answer(Verdict.HOLDS_TO_DEPTH, "bmc", 10),
           "ref:range": answer(Verdict.HOLDS_TO_DEPTH, "bmc", 10),
           **{f"{a}:fires": answer(Verdict.REACHED, "bmc", 0, Trace(w.steps[:1])) for a in ("alloc", "convert", "write")}}
    ind = {"private_counted": answer(Verdict.UNKNOWN, "induction", reason="not 10-inductive"),
           "ref:range": answer(Verdict.UNKNOWN, "induction", reason="not 10-inductive")}
    pdr = {"private_counted": _proved_with_certificate("pdr"),
           "ref:range": answer(Verdict.UNKNOWN, "pdr", reason="timeout after 100.0s")}
    return Fakes({BMC: bmc, IND: ind, PDR: pdr}, PagesChecker()).backend()


def range_violation() -> Backend:
    return Fakes({BMC: {"ref:range": answer(Verdict.VIOLATED, "bmc", 2, range_trace())}}, PagesChecker()).backend()


def corrupt_trace() -> Backend:
    t = crash_trace()
    return Fakes({BMC: {"no_crash": answer(Verdict.VIOLATED, "bmc", 3, t)}}, FakeChecker(bad=[t])).backend()


class DeadChecker(FakeChecker):
    def fire(self, state, action):
        return Step(action, (), State(((("x", ()), True), (("locked", ()), False))))


def dead() -> Backend:
    t = Trace((Step(None, (), State(((("x", ()), False), (("locked", ()), False)))),))
    table = {"not_locked": answer(Verdict.PROVED, "pdr"), "set_x:fires": answer(Verdict.REACHED, "pdr", 0, t),
             "unlock:fires": answer(Verdict.UNREACHABLE, "pdr"),
             "unlock:require@8:3": answer(Verdict.REACHED, "pdr", 0, t),
             "unlock:require@9:3": answer(Verdict.UNREACHABLE, "pdr")}
    return Fakes({PDR: table}, DeadChecker()).backend()


SCENARIOS: dict[str, Callable[[], Backend]] = {
    "pages": pages, "range-violation": range_violation, "corrupt-trace": corrupt_trace, "dead": dead,
}
