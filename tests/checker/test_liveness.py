"""Liveness (checker/explicit/liveness.py, checker/interp/lasso.py): a truth table of small models
with fair and unfair variants, a differential test against an independent oracle on generated
models, and the interpreter's check of lassos."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from pathlib import Path

import pytest

from checker.explicit.liveness import check_liveness
from checker.interp.lasso import lasso_mismatch
from checker.interp.semantics import Semantics, Violation
from checker.result import Budget, Step, Trace, Verdict
from checker.symbolic.lasso import check_lasso
from checker.symbolic.live_proof import prove_liveness
from spec import ir
from spec.frontend import load_instance
from spec.irutil import subst
from spec.ops import Fairness

V, P = Verdict.VIOLATED, Verdict.PROVED

START_FINISH = """
model m;
sort Vcpu = 2;
var busy: Vcpu -> bool = false;
var done: Vcpu -> bool = false;
{start} action start(v: Vcpu) {{ require !busy[v] && !done[v]; busy[v] := true; }}
{finish} action finish(v: Vcpu) {{ require busy[v]; busy[v] := false; done[v] := true; }}
action spin() {{ skip; }}
property all_finish: forall v: Vcpu :: always (busy[v] -> eventually done[v]);
property some_done: eventually (exists v: Vcpu :: done[v]);
property each_done: forall v: Vcpu :: always eventually done[v];
"""

# A fault retries while invalidations keep coming: with `limit` invalidations at most the retry
# loop ends; with an unbounded supply (limit=-1) it may go on forever, fairly.
RETRY = """
model m;
var retry: bool = false;
var done: bool = false;
var inv: 0..1 = 0;
var left: 0..3 = {limit};
fair action fault() {{ require !done; if inv == 0 {{ done := true; }} else {{ retry := true; }} }}
fair action invalidate() {{ require !done && inv == 0 && left != 0; inv := 1; if left != 3 {{ left := left - 1; }} }}
fair action settle() {{ require inv == 1; inv := 0; }}
property completes: always (retry -> eventually done);
property ends: eventually done;
"""

# `act` is enabled every other state: weak fairness does not make it fire, strong fairness does.
BLINK = """
model m;
var on: bool = false;
var acted: bool = false;
fair action toggle() { on := !on; }
{act} action act() { require on && !acted; acted := true; }
property acts: eventually acted;
"""

STUCK = """
model m;
var x: 0..2 = 0;
fair action step() { require x < 1; x := x + 1; }
property reaches_two: eventually (x == 2);
property leaves_zero: always (x == 0 -> eventually (x != 0));
"""

CASES = {
    "both fair": (START_FINISH.format(start="fair", finish="strong fair"), {"all_finish": P, "some_done": P,
                                                                            "each_done": P}),
    "start unfair": (START_FINISH.format(start="", finish="fair"), {"all_finish": P, "some_done": V,
                                                                    "each_done": V}),
    "finish unfair": (START_FINISH.format(start="fair", finish=""), {"all_finish": V, "some_done": V,
                                                                     "each_done": V}),
    "unbounded invalidations": (RETRY.format(limit=3), {"completes": V, "ends": V}),
    "two invalidations": (RETRY.format(limit=2), {"completes": P, "ends": P}),
    "weakly fair blink": (BLINK.replace("{act}", "fair"), {"acts": V}),
    "strongly fair blink": (BLINK.replace("{act}", "strong fair"), {"acts": P}),
    "unfair blink": (BLINK.replace("{act}", ""), {"acts": V}),
    "deadlock": (STUCK, {"reaches_two": V, "leaves_zero": P}),
}


def _inst(tmp_path: Path, text: str) -> ir.Instance:
    path = tmp_path / "m.spec"
    path.write_text(text, encoding="utf-8")
    return load_instance(path)


def _live(inst: ir.Instance) -> list[ir.Property]:
    return [p for p in inst.model.properties if p.kind is ir.PropKind.LIVENESS]


@pytest.mark.parametrize("case", sorted(CASES))
def test_truth_table(tmp_path, case):
    text, expected = CASES[case]
    inst = _inst(tmp_path, text)
    sem = Semantics(inst)
    results = {r.prop: r for r in check_liveness(inst, _live(inst), Budget())}
    assert {n: r.verdict for n, r in results.items()} == expected
    for name, r in results.items():
        if r.verdict is V:
            assert r.trace is not None and r.trace.loop_start is not None
            assert lasso_mismatch(sem, inst.model.property(name), r.trace) is None


def test_the_retry_livelock_is_a_loop_of_fault_settle_invalidate(tmp_path):
    inst = _inst(tmp_path, RETRY.format(limit=3))
    r = check_liveness(inst, [inst.model.property("completes")], Budget())[0]
    assert r.trace is not None and r.trace.loop_start is not None
    loop = [s.action for s in r.trace.steps[r.trace.loop_start + 1:]]
    assert sorted(set(loop)) == ["fault", "invalidate", "settle"]


def test_the_interpreter_rejects_a_lasso_that_does_not_close_is_unfair_or_does_not_violate(tmp_path):
    inst = _inst(tmp_path, RETRY.format(limit=3))
    sem = Semantics(inst)
    prop = inst.model.property("completes")
    trace = check_liveness(inst, [prop], Budget())[0].trace
    assert trace is not None and trace.loop_start is not None
    assert "does not close" in (lasso_mismatch(sem, prop, replace(trace, steps=trace.steps[:-1])) or "")
    # stop at the loop's first state and stutter there: `fault` stays enabled and is never taken
    stutter = replace(trace, steps=trace.steps[:trace.loop_start + 1])
    assert "not fair" in (lasso_mismatch(sem, prop, stutter) or "")
    # with `done` true at the start every action is disabled: stuttering there is fair, and done
    done = _inst(tmp_path, RETRY.format(limit=3).replace("var done: bool = false;", "var done: bool = true;"))
    sem = Semantics(done)
    s0 = next(s for s in sem.initial_outcomes() if not isinstance(s, Violation))
    still = Trace((Step(None, (), s0),), loop_start=0)
    assert "does not violate" in (lasso_mismatch(sem, done.model.property("ends"), still) or "")


def test_a_state_limit_without_a_lasso_is_unknown_never_proved(tmp_path):
    inst = _inst(tmp_path, CASES["both fair"][0])
    results = check_liveness(inst, _live(inst), Budget(max_states=3))
    assert {r.verdict for r in results} == {Verdict.UNKNOWN}
    assert all("state limit" in (r.reason or "") for r in results)


# ---------------------------------------------------------------- differential

def _random_model(rng: random.Random) -> str:
    """Two small counters and a flag, four actions with random guards, updates and fairness,
    and one property of each form over random atoms."""
    atoms = ["a == 0", "a == 1", "a == 2", "b == 0", "b == 1", "f", "!f"]
    lines = ["model g;", "var a: 0..2 = 0;", "var b: 0..1 = 0;", "var f: bool = false;"]
    updates = ["if a < 2 { a := a + 1; } else { a := 0; }", "b := 1 - b;", "f := !f;", "f := true;", "a := 0;", "if f { b := 0; } else { b := 1; }"]
    for n in range(4):
        fair = rng.choice(["", "", "fair ", "strong fair "])
        guard = rng.choice(["true", *atoms])
        body = " ".join(rng.sample(updates, rng.randint(1, 2)))
        lines.append(f"{fair}action act{n}() {{ require {guard}; {body} }}")
    p, q, r = rng.choice(atoms), rng.choice(atoms), rng.choice(atoms)
    lines += [f"property leads: always ({p} -> eventually {q.join('()')});",
              f"property ev: eventually ({r});", f"property inf: always eventually ({q});"]
    return "\n".join(lines) + "\n"


def _random_sorted_model(rng: random.Random) -> str:
    """A sort of two interchangeable elements (the symmetric case): a per-element flag and a
    shared counter, actions over an element with random guards and fairness, properties with a
    `forall` binder."""
    atoms = ["on[e]", "!on[e]", "n == 0", "n == 1", "n == 2"]
    lines = ["model s;", "sort Elem = 2;", "var on: Elem -> bool = false;", "var n: 0..2 = 0;"]
    updates = ["on[e] := !on[e];", "on[e] := true;", "if n < 2 { n := n + 1; } else { n := 0; }", "n := 0;",
               "forall x: Elem { on[x] := false; }"]
    for k in range(3):
        fair = rng.choice(["", "fair ", "strong fair "])
        guard = rng.choice(["true", *atoms])
        body = " ".join(rng.sample(updates, rng.randint(1, 2)))
        lines.append(f"{fair}action act{k}(e: Elem) {{ require {guard}; {body} }}")
    p, q = rng.choice(atoms), rng.choice(atoms)
    lines += [f"property leads: forall e: Elem :: always ({p} -> eventually ({q}));",
              f"property inf: forall e: Elem :: always eventually ({q});",
              "property ev: eventually (exists x: Elem :: on[x]);"]
    return "\n".join(lines) + "\n"


def _oracle_any(inst: ir.Instance, prop: ir.Property) -> bool:
    """`_oracle` for every value of the property's binders: violated for one of them."""
    live = prop.live
    assert live is not None
    for values in itertools.product(*(inst.domain(t) for _, t in live.binders)):
        env = {n: ir.Lit(v, t) for (n, t), v in zip(live.binders, values, strict=True)}
        bound = ir.Live(form=live.form, binders=(), p=subst(live.p, env) if live.p is not None else None,
                        q=subst(live.q, env))
        if _oracle(inst, replace(prop, live=bound)):
            return True
    return False


def _oracle(inst: ir.Instance, prop: ir.Property) -> bool:
    """Whether a fair behaviour violates `prop`, by brute force: some set of states, strongly
    connected through its own steps (stuttering makes every state a cycle), that satisfies the
    fairness conditions as a whole, lies within not-Q, and is entered as the form requires."""
    sem = Semantics(inst)
    ais = sem.action_instances()
    states: list = []
    todo = [s for s in sem.initial_fast() if not isinstance(s, Violation)]
    init = set(todo)
    succ: dict = {}
    while todo:
        s = todo.pop()
        if s in succ:
            continue
        succ[s] = [(i, o) for i in range(len(ais)) for o in sem.runners[i](s) if not isinstance(o, Violation)]
        states.append(s)
        todo += [o for _, o in succ[s] if o not in succ]
    fair = {a.name: a.fairness for a in inst.model.actions}
    live = prop.live
    assert live is not None
    q = sem.predicate(subst(live.q, {}))
    bad = [s for s in states if not q(s)]

    def reach(src: set, allowed: set) -> set:
        seen, stack = set(src), list(src)
        while stack:
            s = stack.pop()
            for _, o in succ[s]:
                if o in allowed and o not in seen:
                    seen.add(o)
                    stack.append(o)
        return seen

    def fair_set(c: frozenset) -> bool:
        if any(reach({s}, set(c)) != set(c) for s in c):
            return False
        taken = {i for s in c for i, o in succ[s] if o in c}
        for i, ai in enumerate(ais):
            on = [any(j == i for j, _ in succ[s]) for s in c]
            if fair.get(ai.action) is Fairness.WEAK and i not in taken and all(on):
                return False
            if fair.get(ai.action) is Fairness.STRONG and i not in taken and any(on):
                return False
        return True

    cycles = [c for k in range(1, len(bad) + 1) for c in map(frozenset, itertools.combinations(bad, k))
              if fair_set(c)]
    if live.form is ir.LiveForm.INFINITELY_OFTEN:
        return bool(cycles)
    if live.form is ir.LiveForm.EVENTUALLY:
        starts = {s for s in init if not q(s)}
    else:
        assert live.p is not None
        p = sem.predicate(subst(live.p, {}))
        starts = {s for s in bad if p(s)}
    into = reach(starts, set(bad))
    return any(c & into for c in cycles)


@pytest.mark.parametrize("seed", range(40))
def test_the_fair_cycle_search_agrees_with_brute_force(tmp_path, seed):
    inst = _inst(tmp_path, _random_model(random.Random(seed)))
    sem = Semantics(inst)
    for r in check_liveness(inst, _live(inst), Budget()):
        prop = inst.model.property(r.prop)
        assert r.verdict is (V if _oracle(inst, prop) else P), (seed, r.prop)
        if r.trace is not None:
            assert lasso_mismatch(sem, prop, r.trace) is None


# ---------------------------------------------------------------- from the command line

def test_the_command_line_shows_the_lasso_in_text_json_and_sarif(tmp_path):
    import json

    from tests.conftest import run_cli

    (tmp_path / "m.spec").write_text(RETRY.format(limit=3), encoding="utf-8")
    text = run_cli(["check", "m.spec", "--no-cache"], cwd=tmp_path)
    assert text.code == 1
    assert "completes: VIOLATED by a fair lasso, then steps" in text.out
    assert "-- loop: from here the steps repeat forever --" in text.out
    js = run_cli(["check", "m.spec", "--no-cache", "--format", "json"], cwd=tmp_path)
    res = {r["property"]: r for r in json.loads(js.out)["results"]}
    trace = res["completes"]["trace"]
    assert res["completes"]["verdict"] == "VIOLATED" and 0 <= trace["loop_start"] < len(trace["steps"]) - 1
    assert trace["steps"][-1]["state"] == trace["steps"][trace["loop_start"]]["state"]
    sarif = run_cli(["check", "m.spec", "--no-cache", "--format", "sarif"], cwd=tmp_path)
    assert "(loop: from here the steps repeat forever)" in sarif.out


def test_bmc_searches_bounded_lassos_pdr_proves_and_induction_says_why_not(tmp_path):
    import json

    from tests.conftest import run_cli

    (tmp_path / "m.spec").write_text(RETRY.format(limit=2), encoding="utf-8")
    js = run_cli(["check", "m.spec", "--no-cache", "--engine", "bmc", "--depth", "8", "--format", "json"], cwd=tmp_path)
    res = {r["property"]: r for r in json.loads(js.out)["results"]}
    assert res["completes"]["verdict"] == "HOLDS TO DEPTH" and res["completes"]["depth"] == 8
    ind = run_cli(["check", "m.spec", "--no-cache", "--engine", "induction", "--format", "json"], cwd=tmp_path)
    res = {r["property"]: r for r in json.loads(ind.out)["results"]}
    assert res["completes"]["verdict"] == "UNKNOWN" and "proved by --engine pdr" in res["completes"]["reason"]
    pdr = run_cli(["check", "m.spec", "--no-cache", "--engine", "pdr", "--format", "json"], cwd=tmp_path)
    res = {r["property"]: r for r in json.loads(pdr.out)["results"]}
    assert res["completes"]["verdict"] == "PROVED" and res["completes"]["engine"] == "pdr"
    proved = run_cli(["check", "m.spec", "--no-cache", "--format", "json"], cwd=tmp_path)
    assert {r["property"]: r["verdict"] for r in json.loads(proved.out)["results"]}["completes"] == "PROVED"
    (tmp_path / "u.spec").write_text(RETRY.format(limit=3), encoding="utf-8")
    bmc = run_cli(["check", "u.spec", "--no-cache", "--engine", "bmc", "--format", "json"], cwd=tmp_path)
    res = {r["property"]: r for r in json.loads(bmc.out)["results"]}
    assert res["completes"]["verdict"] == "VIOLATED" and res["completes"]["engine"] == "bmc"
    assert res["completes"]["trace"]["loop_start"] is not None


def test_auto_falls_back_to_lassos_and_liveness_to_safety_when_the_state_graph_is_too_large(tmp_path):
    import json

    from tests.conftest import run_cli

    (tmp_path / "u.spec").write_text(RETRY.format(limit=3), encoding="utf-8")
    js = run_cli(["check", "u.spec", "--no-cache", "--max-states", "3", "--format", "json"], cwd=tmp_path)
    res = {r["property"]: r for r in json.loads(js.out)["results"]}
    assert res["completes"]["verdict"] == "VIOLATED" and res["completes"]["engine"] == "bmc"
    (tmp_path / "m.spec").write_text(RETRY.format(limit=2), encoding="utf-8")
    js = run_cli(["check", "m.spec", "--no-cache", "--max-states", "3", "--depth", "6", "--format", "json"],
                 cwd=tmp_path)
    res = {r["property"]: r for r in json.loads(js.out)["results"]}
    # the explicit search stopped, the lassos up to depth 6 found nothing, liveness to safety proves it
    assert res["completes"]["verdict"] == "PROVED" and res["completes"]["engine"] == "pdr"


# ---------------------------------------------------------------- lasso-shaped BMC

@pytest.mark.parametrize("case", sorted(CASES))
def test_lasso_bmc_truth_table(tmp_path, case):
    text, expected = CASES[case]
    inst = _inst(tmp_path, text)
    sem = Semantics(inst)
    for r in check_lasso(inst, _live(inst), Budget(max_depth=12)):
        assert r.verdict is (V if expected[r.prop] is V else Verdict.HOLDS_TO_DEPTH), r.prop
        if r.trace is not None:
            assert lasso_mismatch(sem, inst.model.property(r.prop), r.trace) is None


def test_lasso_bmc_finds_the_lasso_with_the_fewest_states(tmp_path):
    # ROUND (below): stuttering at x == 0 is unfair (`go` is enabled), at x == 1 fair: two states,
    # where the fair cycle through all six values of x would take seven
    inst = _inst(tmp_path, ROUND)
    [r] = check_lasso(inst, _live(inst), Budget(max_depth=10))
    assert r.verdict is V and r.trace is not None
    assert [s.action for s in r.trace.steps] == [None, "go"] and r.trace.loop_start == 1


# 3 * 2 * 2 states and four action instances: every fair lasso of these models has at most 25 steps.
@pytest.mark.parametrize("seed", range(40))
def test_lasso_bmc_agrees_with_brute_force(tmp_path, seed):
    inst = _inst(tmp_path, _random_model(random.Random(seed)))
    sem = Semantics(inst)
    for r in check_lasso(inst, _live(inst), Budget(max_depth=25)):
        prop = inst.model.property(r.prop)
        assert r.verdict is (V if _oracle(inst, prop) else Verdict.HOLDS_TO_DEPTH), (seed, r.prop)
        if r.trace is not None:
            assert lasso_mismatch(sem, prop, r.trace) is None


# The initial state's fair cycle goes around all six values of x (`go` is weakly fair and
# enabled at 0), but one step further, at x == 1, nothing fair is enabled: stuttering there is
# fair, and the shortest lasso says so.
ROUND = """
model m;
var x: 0..5 = 0;
var done: bool = false;
fair action go() { require x == 0; x := 1; }
action step() { require x != 0; x := x == 5 ? 0 : x + 1; }
property never: eventually done;
"""


def test_the_lasso_takes_the_shortest_fair_loop_near_the_component_entry(tmp_path):
    inst = _inst(tmp_path, ROUND)
    [r] = check_liveness(inst, _live(inst), Budget())
    assert r.verdict is V and r.trace is not None
    assert [s.action for s in r.trace.steps] == [None, "go"]  # x=0, then x=1 stutters forever
    assert r.trace.loop_start == 1
    assert lasso_mismatch(Semantics(inst), inst.model.property("never"), r.trace) is None


# ---------------------------------------------------------------- liveness to safety (pdr)

@pytest.mark.parametrize("case", sorted(CASES))
def test_liveness_to_safety_truth_table(tmp_path, case):
    text, expected = CASES[case]
    inst = _inst(tmp_path, text)
    for r in prove_liveness(inst, _live(inst), Budget()):
        if expected[r.prop] is V:
            assert r.verdict is Verdict.UNKNOWN and "Spacer found a fair behaviour" in (r.reason or ""), r.prop
        else:
            assert r.verdict is P, (r.prop, r.reason)


@pytest.mark.parametrize("seed", range(40))
def test_liveness_to_safety_agrees_with_brute_force(tmp_path, seed):
    inst = _inst(tmp_path, _random_model(random.Random(seed)))
    for r in prove_liveness(inst, _live(inst), Budget()):
        violated = _oracle(inst, inst.model.property(r.prop))
        assert r.verdict is (Verdict.UNKNOWN if violated else P), (seed, r.prop, r.reason)


def test_a_wrong_invariant_fails_its_clause(tmp_path):
    import z3

    from checker.solver.encode import Encoding
    from checker.solver.l2s import check_solution, l2s_system

    inst = _inst(tmp_path, RETRY.format(limit=3))  # `completes` is violated: no invariant can exist
    enc = Encoding(inst)
    live = inst.model.property("completes").live
    assert live is not None
    system = l2s_system(enc, live, live.q, live.p)
    assert check_solution(enc, system, z3.BoolVal(True, enc.ctx), None) == "the invariant fails the no fair loop clause"
    assert check_solution(enc, system, z3.BoolVal(False, enc.ctx), None) == "the invariant fails the initiation clause"


@pytest.mark.parametrize("seed", range(25))
def test_every_engine_agrees_with_brute_force_on_symmetric_models_with_binders(tmp_path, seed):
    # Symmetric models (a sort of two elements), properties under `forall`: the fair-cycle search
    # (symmetry reduction is off for liveness), lasso BMC and liveness to safety against the oracle.
    inst = _inst(tmp_path, _random_sorted_model(random.Random(seed)))
    sem = Semantics(inst)
    props = _live(inst)
    want = {p.name: _oracle_any(inst, p) for p in props}
    for r in check_liveness(inst, props, Budget()):
        assert r.verdict is (V if want[r.prop] else P), (seed, r.prop)
        if r.trace is not None:
            assert lasso_mismatch(sem, inst.model.property(r.prop), r.trace) is None
    for r in check_lasso(inst, props, Budget(max_depth=16)):
        assert r.verdict is (V if want[r.prop] else Verdict.HOLDS_TO_DEPTH), (seed, r.prop)
        if r.trace is not None:
            assert lasso_mismatch(sem, inst.model.property(r.prop), r.trace) is None
    for r in prove_liveness(inst, props, Budget()):
        assert r.verdict is (Verdict.UNKNOWN if want[r.prop] else P), (seed, r.prop, r.reason)
