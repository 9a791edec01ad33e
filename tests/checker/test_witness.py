"""Choose values in explicit traces (checker/explicit/witness.py): every step shows the values its
chooses took, and those values, pinned in the naive reference interpreter, give the step's state."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from checker.explicit.engine import ExplicitEngine
from checker.explicit.witness import ChoiceFinder
from checker.interp.semantics import Semantics, Violation
from checker.interp.stmt import _flatten
from checker.result import Budget, Trace
from spec import ir
from spec.frontend import load_instance
from tests.checker.interp_helpers import load
from tests.checker.reference_interp import Reference
from tests.checker.test_transitions import reachable
from tests.gen.models import generated_instance, models

ROOT = Path(__file__).resolve().parents[2]


def traces(inst: ir.Instance, budget: Budget) -> list[Trace]:
    out = ExplicitEngine(inst).check(inst.model.properties, budget)
    return [r.trace for r in out.results if r.trace is not None] + [w.trace for w in out.warnings if w.trace]


def assert_choices_reproduce_each_step(inst: ir.Instance, trace: Trace) -> None:
    ref = Reference(inst)
    for prev, step in zip(trace.steps, trace.steps[1:], strict=False):
        if step.state is None or prev.state is None:
            continue  # the failing last step: no successor to reproduce
        assert step.action is not None
        assert step.state in ref.outcomes(prev.state, step.action, step.args, step.choices), \
            (step.action, step.args, step.choices)


def test_a_chosen_page_is_shown(tmp_path):
    inst = load(tmp_path, """
    sort Page = 3;
    var used: Page -> bool = false;
    var n: 0..3 = 0;
    action alloc() {
      choose p: Page where !used[p];
      used[p] := true;
      n := n + 1;
    }
    var touched: bool = false;
    action touch(q: Page) {
      require used[q];
      forall r: Page { choose x: bool where x; }  // inside a forall: one value per run
      touched := true;
    }
    reachable two: n == 2;
    reachable touched_one: touched;
    """)
    out = ExplicitEngine(inst, symmetry=False).check(inst.model.properties, Budget())
    touch = out.results[1].trace
    assert touch is not None and [s.action for s in touch.steps] == [None, "alloc", "touch"]
    assert touch.steps[1].choices  # and one value per forall run, named after its element:
    assert touch.steps[2].choices == tuple((f"x(r=page{k})", True) for k in range(3))
    trace = out.results[0].trace
    assert trace is not None and [s.action for s in trace.steps] == [None, "alloc", "alloc"]
    for prev, step in zip(trace.steps, trace.steps[1:], strict=False):
        assert step.state is not None and prev.state is not None
        newly = [idx[0] for (var, idx), v in step.state.values if var == "used" and v and not prev.state.as_dict()[(var, idx)]]
        assert step.choices == (("p", newly[0]),)
    assert_choices_reproduce_each_step(inst, trace)


def test_shipped_tdx_traces_show_the_gfn_and_page_get_pfn_chose():
    inst = load_instance(ROOT / "models" / "tdx.spec")
    found = 0
    for trace in traces(inst, Budget()):
        assert_choices_reproduce_each_step(inst, trace)
        for step in trace.steps:
            if step.action == "gmem.get_pfn":
                found += 1
                assert [name for name, _ in step.choices][:1] == ["g"]
    assert found > 0


def test_every_shipped_model_s_traces_reproduce_with_their_choices():
    for name in ("snp", "cca", "pkvm"):
        inst = load_instance(ROOT / "models" / f"{name}.spec")
        for trace in traces(inst, Budget()):
            assert_choices_reproduce_each_step(inst, trace)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_generated_models_every_successor_reproduces_with_its_choices(tmp_path_factory, text):
    # Not only trace steps: every successor of every action instance in up to 60 reachable states.
    inst = generated_instance(tmp_path_factory, text)
    _every_successor_reproduces(inst, 60, some=False)



NESTED = """
sort S = 2;
sort T = 2;
enum E { A, B, C }
var f: S -> bool = false;
var g: (S, T) -> E = A;
var n: 0..3 = 0;
action pick() { choose x: S where !f[x]; f[x] := true; if n < 3 { choose u: T; n := n + 1; } }
action spread(e: E) {
  forall s: S {
    choose y: bool;
    if y { forall t: T { choose z: E where z != e; g[s, t] := z; } } else { f[s] := false; }
  }
}
action both() { choose w: S; forall s: S { choose y: bool where y || s == w; f[s] := y; } }
"""


def test_every_successor_of_nested_foralls_reproduces_with_its_choices(tmp_path):
    inst = load(tmp_path, NESTED)
    _every_successor_reproduces(inst, 200)


def test_every_successor_of_the_shipped_tdx_model_reproduces_with_its_choices():
    _every_successor_reproduces(load_instance(ROOT / "models" / "tdx.spec"), 150)


def _every_successor_reproduces(inst: ir.Instance, states: int, some: bool = True) -> int:
    """Pin each successor's choices in the reference interpreter: it must reproduce the successor.
    `some`: at least one choice must have been shown (the model has reachable chooses)."""
    sem = Semantics(inst)
    finder = ChoiceFinder(sem)
    ref = Reference(inst)
    chooses = {a.name: {s.var for s in _flatten(a.body) if isinstance(s, ir.Choose)} for a in inst.model.actions}
    shown = 0
    for s in reachable(sem, states):
        for i, ai in enumerate(sem.action_instances()):
            for t in dict.fromkeys(sem.runners[i](s)):
                if isinstance(t, Violation):
                    continue
                chosen = finder.choices(i, s, t)
                shown += len(chosen)
                assert {name.split("(")[0] for name, _ in chosen} <= chooses[ai.action]
                assert sem.to_state(t) in ref.outcomes(sem.to_state(s), ai.action, ai.args, chosen), (ai, chosen)
    assert shown > 0 or not some
    return shown
