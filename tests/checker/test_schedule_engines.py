"""The scheduler on the real engines: `auto` with its explicit phase cut short (so BMC, induction and
PDR decide) and the exhaustive explicit engine must
never contradict each other on random models, vacuity goals and dead actions included."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from checker import check
from checker.result import Verdict
from tests.gen.models import models


def _agree(a: Verdict, b: Verdict) -> bool:
    a, b = (Verdict.PROVED if v is Verdict.PROVED_ALL_SIZES else v for v in (a, b))  # it implies PROVED here
    if a.is_definitive and b.is_definitive:
        return a == b
    return not ((a.is_failure and b.is_pass) or (a.is_pass and b.is_failure))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_auto_and_explicit_agree(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("sched") / "m.spec"
    path.write_text(text, encoding="utf-8")
    # max_states=1 stops auto's explicit phase at once, so BMC, induction and PDR decide through
    # the scheduler (merge, replay, vacuity), and are compared with the exhaustive explicit search.
    auto = check(path, timeout=30, max_states=1)
    explicit = check(path, engine="explicit")
    assert [r.prop for r in auto.results] == [r.prop for r in explicit.results]
    for a, e in zip(auto.results, explicit.results, strict=True):
        assert _agree(a.verdict, e.verdict), (a.prop, a.verdict, a.engine, e.verdict)
        for r in (a, e):  # every witness shown was replayed; a fires witness ends with the action
            if r.vacuity_of is not None and r.trace is not None:
                assert r.trace.steps[-1].action == r.vacuity_of
    dead = {w.message for w in auto.warnings if w.code == "dead-action"}
    dead_explicit = {w.message for w in explicit.warnings if w.code == "dead-action"}
    if all(r.verdict.is_definitive for r in auto.results + explicit.results if r.generated):
        assert dead == dead_explicit
