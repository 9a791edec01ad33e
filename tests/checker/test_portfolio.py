"""`auto` with its two columns side by side: the symbolic chain in a forked child, the explicit
search here (checker/portfolio.py, checker/schedule.py `_side_by_side`). Scripted engines in the
child, real ones end to end."""

from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import replace

import pytest

from checker import portfolio
from checker.api import select
from checker.backends import Backend, EngineKind, EngineRun, Options, default_backend
from checker.result import Budget, Verdict
from checker.schedule import InternalError, schedule
from spec.frontend import load_instance
from tests.checker.fake_engines import Fakes, answer, simple_trace
from tests.checker.test_schedule import MODEL

BMC, IND, PDR, EXP = EngineKind.BMC, EngineKind.INDUCTION, EngineKind.PDR, EngineKind.EXPLICIT

pytestmark = pytest.mark.skipif(not portfolio.available(), reason="needs fork and two cores")


@pytest.fixture
def inst(tmp_path):
    p = tmp_path / "sched.spec"
    p.write_text(MODEL, encoding="utf-8")
    return load_instance(p)


def _run(inst, backend: Backend, options: Options | None = None):
    options = options or Options(vacuity=False, timeout=60)
    props, goals = select(inst.model, None, options.vacuity)
    return schedule(inst, props, goals, options, backend, file="sched.spec").report


def _side_by_side(fakes: Fakes) -> Backend:
    return replace(fakes.backend(), side_by_side=True)


def test_the_childs_verdicts_come_back_and_the_explicit_search_runs_here(inst):
    t = simple_trace()
    fakes = Fakes({
        EXP: {n: answer(Verdict.HOLDS_TO_DEPTH, "explicit", 3, reason="the state limit") for n in ("inv1", "inv2")},
        BMC: {"goal": answer(Verdict.REACHED, "bmc", 1, t)},
        PDR: {"inv1": answer(Verdict.PROVED, "pdr")},
        IND: {"inv2": answer(Verdict.PROVED, "induction", 1)},
    })
    rep = _run(inst, _side_by_side(fakes))
    assert fakes.engines_called() == ["explicit"]  # the symbolic engines ran in the child
    verdicts = {r.prop: (r.verdict, r.engine) for r in rep.results}
    assert verdicts == {"inv1": (Verdict.PROVED, "pdr"), "inv2": (Verdict.PROVED, "induction"),
                        "goal": (Verdict.REACHED, "bmc")}


def test_a_trace_from_the_child_is_replayed_here(inst):
    t = simple_trace(2)
    fakes = Fakes({BMC: {"goal": answer(Verdict.REACHED, "bmc", 2, t)}})
    fakes.checker.bad.append(t)
    with pytest.raises(InternalError, match="does not replay"):
        _run(inst, _side_by_side(fakes))


def test_a_crash_in_the_child_is_a_bug_not_a_verdict(inst):
    def boom():
        raise RuntimeError("solver exploded")

    fakes = Fakes(hooks={BMC: boom})
    with pytest.raises(InternalError, match="solver exploded"):
        _run(inst, _side_by_side(fakes))


def test_a_witness_and_a_proof_from_the_two_columns_are_a_bug(inst):
    fakes = Fakes({EXP: {"inv1": answer(Verdict.PROVED, "explicit")},
                   BMC: {"inv1": answer(Verdict.VIOLATED, "bmc", 1, simple_trace())}})
    slow_explicit = _explicit_that_waits(fakes, _child_finished)
    with pytest.raises(InternalError, match="engines disagree on `inv1`"):
        _run(inst, slow_explicit)


def _explicit_that_waits(fakes: Fakes, until) -> Backend:
    """The fakes, but the explicit engine polls `until(budget)` (as the real search polls
    Budget.stop) for up to 20 s before it answers from its table."""
    base = _side_by_side(fakes)

    class Waiting:
        name = "explicit"

        def __init__(self, inner):
            self.inner = inner
            self.stopped = False

        def run(self, props, budget: Budget) -> EngineRun:
            end = time.monotonic() + 20
            while time.monotonic() < end:
                if until(budget):
                    self.stopped = True
                    break
                time.sleep(0.01)
            return self.inner.run(props, budget)

    def make(kind, inst, options, progress):
        e = base.engine(kind, inst, options, progress)
        return Waiting(e) if kind is EXP else e

    return replace(base, engine=make)


def test_the_explicit_search_stops_when_the_child_decided_everything(inst):
    t = simple_trace()
    fakes = Fakes({BMC: {"goal": answer(Verdict.REACHED, "bmc", 1, t)},
                   PDR: {"inv1": answer(Verdict.PROVED, "pdr"), "inv2": answer(Verdict.PROVED, "pdr")}})
    backend = _explicit_that_waits(fakes, lambda budget: budget.stop is not None and budget.stop())
    t0 = time.monotonic()
    rep = _run(inst, backend)
    assert time.monotonic() - t0 < 15  # not the explicit engine's 20 s: stop() said the rest is decided
    assert {r.prop: r.verdict for r in rep.results} == {
        "inv1": Verdict.PROVED, "inv2": Verdict.PROVED, "goal": Verdict.REACHED}


def test_an_exhaustive_explicit_search_ends_the_child(inst):
    t = simple_trace()
    fakes = Fakes({EXP: {"inv1": answer(Verdict.PROVED, "explicit"), "inv2": answer(Verdict.PROVED, "explicit"),
                         "goal": answer(Verdict.REACHED, "explicit", 1, t)},
                   BMC: {}}, hooks={BMC: lambda: time.sleep(30)})
    t0 = time.monotonic()
    rep = _run(inst, _side_by_side(fakes))
    assert time.monotonic() - t0 < 10  # the child (asleep in BMC for 30 s) was ended, not waited for
    assert {r.engine for r in rep.results} == {"explicit"}


def test_the_same_verdicts_from_either_column_pick_the_explicit_one(inst):
    # arrival order does not matter: equal-length witnesses and proofs are taken from explicit
    t = simple_trace()
    fakes = Fakes({EXP: {"inv1": answer(Verdict.PROVED, "explicit"), "inv2": answer(Verdict.PROVED, "explicit"),
                         "goal": answer(Verdict.REACHED, "explicit", 1, t)},
                   BMC: {"goal": answer(Verdict.REACHED, "bmc", 1, t)},
                   PDR: {"inv1": answer(Verdict.PROVED, "pdr")}})
    backend = _explicit_that_waits(fakes, _child_finished)
    rep = _run(inst, backend)
    assert {r.prop: r.engine for r in rep.results} == {"inv1": "explicit", "inv2": "explicit", "goal": "explicit"}


def _child_finished(budget: Budget) -> bool:
    """Whether the child is gone, after taking in what it sent (Budget.stop does)."""
    assert budget.stop is not None
    budget.stop()
    return not mp.active_children()


def _in_a_daemon(q) -> None:
    q.put(portfolio.available())


def test_a_daemon_process_runs_the_phases_one_after_the_other():
    # explore's --jobs workers are daemons, which may not have children
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_in_a_daemon, args=(q,), daemon=True)
    p.start()
    assert q.get(timeout=30) is False
    p.join()


def test_sequential_by_request(monkeypatch):
    monkeypatch.setenv("SPEC_CHECK_SEQUENTIAL", "1")
    assert not portfolio.available()


GMEM_LIKE = """model g;
param fixed: bool = false;
sort Page = 6;
sort Vcpu = 2;
var priv: Page -> bool = false;
var ept: Page -> bool = false;
var inflight: Vcpu -> bool = false;
var fpage: Vcpu -> Page;
var stale: Vcpu -> bool = false;
action to_private(p: Page) { require !priv[p]; priv[p] := true; }
action to_shared(p: Page) {
  require priv[p];
  priv[p] := false;
  ept[p] := false;
  if fixed { forall v: Vcpu { stale[v] := true; } }
}
action fault_begin(v: Vcpu, p: Page) { require !inflight[v] && priv[p]; inflight[v] := true; fpage[v] := p; stale[v] := false; }
action fault_end(v: Vcpu) { require inflight[v]; if !stale[v] { ept[fpage[v]] := true; } inflight[v] := false; }
invariant ept_private: forall p: Page :: ept[p] -> priv[p];
reachable mapped: exists p: Page :: ept[p];
"""


@pytest.mark.parametrize("fixed", [False, True])
@pytest.mark.parametrize("max_states", [None, 3])  # 3: the explicit search gives up, the child decides
def test_real_engines_side_by_side_agree_with_one_after_the_other(tmp_path, monkeypatch, fixed, max_states):
    p = tmp_path / "g.spec"
    p.write_text(GMEM_LIKE, encoding="utf-8")
    inst = load_instance(p, params={"fixed": fixed})
    options = Options(timeout=120, max_states=max_states)
    together = _run(inst, default_backend(), options)
    monkeypatch.setenv("SPEC_CHECK_SEQUENTIAL", "1")
    apart = _run(inst, default_backend(), options)

    def verdicts(rep) -> dict[str, tuple[Verdict, int | None]]:
        return {r.prop: (r.verdict, r.depth if r.verdict in (Verdict.VIOLATED, Verdict.REACHED) else None)
                for r in rep.results}

    assert verdicts(together) == verdicts(apart)
    proofs = (Verdict.PROVED, Verdict.PROVED_ALL_SIZES)  # PDR's invariant here holds for every size
    assert verdicts(together)["ept_private"][0] in (proofs if fixed else (Verdict.VIOLATED,))
    if max_states is not None:
        assert {r.engine for r in together.results} - {"explicit"}
