"""PROVED ALL SIZES: invariants checked with every sort uninterpreted (checker/solver/parametric.py)
and the step that upgrades fixed-size proofs (checker/all_sizes.py).

Soundness first: a property true only at the default size must never be PROVED ALL SIZES, and on
generated models nothing PROVED ALL SIZES is violated by the explicit engine at other sizes."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from checker.all_sizes import upgrade
from checker.explicit.engine import ExplicitEngine
from checker.interp.replay import replay
from checker.interp.semantics import Semantics
from checker.result import Budget, PropertyResult, Step, Trace, Verdict
from checker.solver import houdini_all, parametric
from checker.symbolic.generalize import conjunction
from checker.symbolic.pdr import Pdr
from spec import ir
from spec.frontend import load_instance
from spec.ops import UnOp
from tests.gen.models import models

OWNERSHIP = """
model own;
sort Page = 3;
enum Owner { Nobody, Host, Guest }
var owner: Page -> Owner = Nobody;
var hmap: Page -> bool = false;
var gmap: Page -> bool = false;
var writes: Page -> 0..3 = 0;

action give_host(p: Page) { require owner[p] == Nobody; owner[p] := Host; }
action give_guest(p: Page) { require owner[p] == Nobody; owner[p] := Guest; }
action host_map(p: Page) { require owner[p] == Host; hmap[p] := true; }
action guest_map(p: Page) { require owner[p] == Guest; gmap[p] := true; }
action host_write(p: Page) {
  require hmap[p];
  assert host_owns: owner[p] == Host;
  if writes[p] < 3 { writes[p] := writes[p] + 1; }
}
action release(p: Page) {
  require owner[p] != Nobody;
  owner[p] := Nobody; hmap[p] := false; gmap[p] := false;
}
action reset_all() { forall q: Page { hmap[q] := false; gmap[q] := false; owner[q] := Nobody; } }

invariant exclusive: forall p: Page :: !(hmap[p] && gmap[p]);
"""

OWNERSHIP_INV = ("forall p: Page :: (hmap[p] -> owner[p] == Host) && (gmap[p] -> owner[p] == Guest)"
                 " && !(hmap[p] && gmap[p])")

# True with one vCPU only: the "lock" is a per-vCPU flag, and the guard checks the caller's own.
ONE_VCPU = """
model lock;
sort Vcpu = 1;
var held: Vcpu -> bool = false;
action acquire(v: Vcpu) { require !held[v]; held[v] := true; }
action release(v: Vcpu) { require held[v]; held[v] := false; }
invariant mutex: forall a: Vcpu :: forall b: Vcpu :: held[a] && held[b] -> a == b;
"""

# True with two pages only: two used pages are all the pages there are.
TWO_PAGES = """
model two;
sort Page = 2;
var used: Page -> bool = false;
action take(p: Page) { require !used[p]; used[p] := true; }
invariant two_are_all: forall a: Page :: forall b: Page :: a != b && used[a] && used[b] -> (forall c: Page :: used[c]);
"""

COUNTING = """
model cnt;
sort Page = 2;
var used: Page -> bool = false;
action take(p: Page) { require (count q: Page :: used[q]) < 1; used[p] := true; }
invariant at_most_one: forall a: Page :: forall b: Page :: used[a] && used[b] -> a == b;
"""


def _load(tmp_path: Path, text: str, **sizes: int) -> ir.Instance:
    path = tmp_path / "m.spec"
    path.write_text(text, encoding="utf-8")
    return load_instance(path, sizes=sizes or None)


def _expr(inst: ir.Instance, tmp_path: Path, text: str) -> ir.Expr:
    """`text` as a typed IR expression of `inst`'s model (via a throwaway invariant)."""
    src = (tmp_path / "m.spec").read_text(encoding="utf-8") + f"\ninvariant zz_candidate: {text};\n"
    (tmp_path / "c.spec").write_text(src, encoding="utf-8")
    e = load_instance(tmp_path / "c.spec").model.property("zz_candidate").expr
    assert e is not None
    return e


def _deadline() -> float:
    return time.monotonic() + 60


def _pdr(inst: ir.Instance) -> dict[str, Verdict]:
    return {r.prop: r.verdict for r in Pdr(inst).check(list(inst.model.properties), Budget(deadline=_deadline()))}


def test_ownership_is_proved_for_all_sizes(tmp_path):
    inst = _load(tmp_path, OWNERSHIP)
    inv = _expr(inst, tmp_path, OWNERSHIP_INV)
    res = parametric.check_all_sizes(inst, inv, inst.model.properties, _deadline())
    assert res.status == parametric.PROVED, res
    assert set(res.proved) == {"exclusive", "host_owns", "writes:range"}
    assert {"initiation", "consecution:reset_all", "safety:host_owns", "init_safety:host_owns"} <= set(res.smt2)


def test_ownership_property_alone_is_not_inductive(tmp_path):
    inst = _load(tmp_path, OWNERSHIP)
    prop = inst.model.property("exclusive")
    assert prop.expr is not None
    res = parametric.check_all_sizes(inst, prop.expr, [prop], _deadline())
    assert res.status == parametric.CTI and res.action in {"host_map", "guest_map"}


def _upgraded(inst: ir.Instance) -> dict[str, PropertyResult]:
    """PDR's fixed-size results, then the all-sizes step the scheduler runs after them."""
    props = list(inst.model.properties)
    results = {r.prop: r for r in Pdr(inst).check(props, Budget(deadline=_deadline()))}
    return {**results, **upgrade(inst, props, results, _deadline())}


def test_the_all_sizes_step_reports_proved_all_sizes_with_the_queries_in_the_certificate(tmp_path):
    results = _upgraded(_load(tmp_path, OWNERSHIP))
    r = results["exclusive"]
    assert r.verdict is Verdict.PROVED_ALL_SIZES
    assert r.certificate is not None and r.certificate.engine == "all-sizes"
    assert {"all_sizes.initiation", "all_sizes.safety"} <= set(r.certificate.smt2)
    assert "forall p0: Page ::" in r.certificate.invariant and r.lemmas == ()
    assert results["host_owns"].verdict is Verdict.PROVED_ALL_SIZES


def test_a_proof_for_one_vcpu_only_comes_with_the_run_that_breaks_it_with_two(tmp_path):
    r = _upgraded(_load(tmp_path, ONE_VCPU))["mutex"]
    assert r.verdict is Verdict.PROVED and r.all_sizes is not None
    note = r.all_sizes
    assert note.reachable and note.sizes == "Vcpu=2" and "violated with Vcpu=2" in note.why
    assert note.cti is not None and [s.action for s in note.cti.steps] == [None, "acquire", "acquire"]


def test_a_counterexample_to_induction_is_two_states_the_interpreter_steps_between(tmp_path):
    inst = _load(tmp_path, USER_LEMMA)
    prop = inst.model.property("c_has_a").expr
    assert prop is not None
    h = houdini_all.houdini(inst, [prop], _deadline(), watch=[prop])
    assert h.status == houdini_all.DONE and h.kept == ()
    [cti] = h.ctis
    assert cti.action == "set_c" and cti.pre is not None  # b without a, which no lemma ruled out
    pre, post = dict(cti.pre.values), dict(cti.post.values)
    [p] = [i for (v, i), x in post.items() if v == "c" and x and not post[("a", i)]]
    assert pre[("b", p)] and not pre[("c", p)] and cti.args == (("p", p[0]),)
    trace = Trace((Step(None, (), cti.pre), Step(cti.action, cti.args, cti.post)))
    assert replay(trace, Semantics(cti.inst), initial=False).ok
    assert not replay(trace, Semantics(cti.inst)).ok  # it starts from a state no run reaches


def test_count_leaves_the_encoding_and_the_note_says_where(tmp_path):
    r = _upgraded(_load(tmp_path, COUNTING))["at_most_one"]
    assert r.verdict is Verdict.PROVED and r.all_sizes is not None
    assert "count" in r.all_sizes.why and ":5:" in r.all_sizes.why


USER_LEMMA = """
model lem;
sort Page = 2;
var a: Page -> bool = false;
var b: Page -> bool = false;
var c: Page -> bool = false;
action set_a(p: Page) { a[p] := true; }
action set_b(p: Page) { require a[p]; b[p] := true; }
action set_c(p: Page) { require b[p]; c[p] := true; }
action clear(p: Page) { require !b[p]; a[p] := false; }
invariant c_has_a: forall p: Page :: c[p] -> a[p];
"""


def test_a_users_lemma_is_checked_and_named_in_the_verdict(tmp_path):
    inst = _load(tmp_path, USER_LEMMA + "lemma b_has_a: forall p: Page :: b[p] -> a[p];\n")
    results = _upgraded(inst)
    assert results["c_has_a"].verdict is Verdict.PROVED_ALL_SIZES
    assert results["c_has_a"].lemmas == ("b_has_a",) and "b_has_a" in (results["c_has_a"].reason or "")
    assert results["b_has_a"].verdict is Verdict.PROVED_ALL_SIZES  # a lemma is proved like any invariant


def test_a_wrong_lemma_is_refuted_not_trusted(tmp_path):
    inst = _load(tmp_path, USER_LEMMA + "lemma wrong: forall p: Page :: a[p] -> b[p];\n")
    results = _upgraded(inst)
    assert results["wrong"].verdict is Verdict.VIOLATED
    assert results["c_has_a"].lemmas == ()


def test_a_guard_that_works_for_one_vcpu_only(tmp_path):
    assert _pdr(_load(tmp_path, ONE_VCPU))["mutex"] is Verdict.PROVED
    inst = _load(tmp_path, ONE_VCPU)
    prop = inst.model.property("mutex")
    assert prop.expr is not None
    res = parametric.check_all_sizes(inst, prop.expr, [prop], _deadline())
    assert res.status == parametric.CTI and res.action == "acquire"
    bigger = _pdr(_load(tmp_path, ONE_VCPU, Vcpu=2))
    assert bigger["mutex"] is Verdict.VIOLATED


def test_a_property_that_holds_only_with_two_pages(tmp_path):
    inst = _load(tmp_path, TWO_PAGES)
    assert _pdr(inst)["two_are_all"] is Verdict.PROVED
    prop = inst.model.property("two_are_all")
    assert prop.expr is not None
    res = parametric.check_all_sizes(inst, prop.expr, [prop], _deadline())
    assert res.status == parametric.CTI
    assert _pdr(_load(tmp_path, TWO_PAGES, Page=3))["two_are_all"] is Verdict.VIOLATED


def test_count_over_a_sort_is_refused_with_its_span(tmp_path):
    inst = _load(tmp_path, COUNTING)
    prop = inst.model.property("at_most_one")
    assert prop.expr is not None
    res = parametric.check_all_sizes(inst, prop.expr, [prop], _deadline())
    assert res.status == parametric.OUTSIDE
    assert res.reason is not None and "count" in res.reason and "Page" in res.reason
    assert res.span is not None and res.span.line == 5
    assert _pdr(inst)["at_most_one"] is Verdict.PROVED  # the fixed-size verdict stays


def test_an_element_literal_is_refused(tmp_path):
    inst = _load(tmp_path, TWO_PAGES)
    cand = ir.Unary(UnOp.NOT, ir.Read("used", (ir.lit(ir.Elem("Page", 0)),), ir.BOOL), ir.BOOL)
    res = parametric.check_all_sizes(inst, cand, [], _deadline())
    assert res.status == parametric.OUTSIDE and "page0" in (res.reason or "")


# ---------------------------------------------------------------- soundness on generated models

SIZES = [{"S": s, "T": t} for s, t in ((1, 1), (2, 1), (1, 2), (3, 2), (4, 1), (2, 3), (4, 2))]


def _violated_somewhere(path: Path) -> set[str]:
    """Properties the explicit engine violates at some size 1..4 (bounded searches: only
    violations count, they are definite)."""
    out: set[str] = set()
    for sizes in SIZES:
        inst = load_instance(path, sizes=sizes)
        budget = Budget(deadline=time.monotonic() + 5, max_states=20_000)
        for r in ExplicitEngine(inst).check(list(inst.model.properties), budget).results:
            if r.verdict is Verdict.VIOLATED:
                out.add(r.prop)
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(models())
def test_nothing_proved_for_all_sizes_is_violated_at_any_size(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("gen") / "m.spec"
    path.write_text(text, encoding="utf-8")
    inst = load_instance(path)
    props = list(inst.model.properties)
    claimed: set[str] = set()
    # the model's own invariants as the candidate: the most direct test of the encoding
    inv = conjunction([p.expr for p in props if p.kind is ir.PropKind.INVARIANT and p.expr is not None])
    res = parametric.check_all_sizes(inst, inv, props, time.monotonic() + 20)
    if res.status == parametric.PROVED:
        claimed |= set(res.proved)
    res = parametric.check_all_sizes(inst, ir.TRUE, props, time.monotonic() + 20)
    if res.status == parametric.PROVED:
        claimed |= set(res.proved)
    results = {r.prop: r for r in Pdr(inst).check(props, Budget(deadline=time.monotonic() + 20))}
    claimed |= {n for n, r in upgrade(inst, props, results, time.monotonic() + 20).items()
                if r.verdict is Verdict.PROVED_ALL_SIZES}
    assert not claimed & _violated_somewhere(path), text


def test_forall_writes_at_different_positions_are_refused(tmp_path):
    inst = _load(tmp_path, """
sort Page = 2;
var m: (Page, Page) -> bool = false;
action a(p: Page) { forall q: Page { choose r: Page where true; m[q, r] := true; m[r, q] := false; } }
invariant any: forall p: Page :: m[p, p] || !m[p, p];
""")
    res = parametric.check_all_sizes(inst, ir.TRUE, inst.model.properties, _deadline())
    assert res.status == parametric.OUTSIDE and "different argument positions" in (res.reason or "")


def test_mining_is_not_counted_against_the_solver_budget(tmp_path, monkeypatch):
    # `exclusive` needs mined lemmas (hmap -> Host, gmap -> Guest). Mining slower than the whole
    # solver budget must not cut it: its clauses would then depend on the machine's load.
    import checker.all_sizes as step

    real = step.mine

    def slow_mine(*args, **kwargs):
        time.sleep(3)
        return real(*args, **kwargs)

    monkeypatch.setattr(step, "ALL_SIZES_MAX_S", 2.0)
    monkeypatch.setattr(step, "mine", slow_mine)
    results = _upgraded(_load(tmp_path, OWNERSHIP))
    assert results["exclusive"].verdict is Verdict.PROVED_ALL_SIZES


def test_a_small_model_is_proved_without_the_three_element_sample(tmp_path, monkeypatch):
    # the quick round: few candidates from the 1- and 2-element samples prove `exclusive`, and
    # the 3-element sample (the costly one) is never taken
    import checker.all_sizes as step

    real, taken = step.sample, []

    def counted(inst, deadline, sizes=(1, 2, 3), **kw):
        taken.extend(sizes)
        return real(inst, deadline, sizes=sizes, **kw)

    monkeypatch.setattr(step, "sample", counted)
    results = _upgraded(_load(tmp_path, OWNERSHIP))
    assert results["exclusive"].verdict is Verdict.PROVED_ALL_SIZES
    assert sorted(taken) == [1, 2]
    monkeypatch.setattr(step, "QUICK_MAX_CANDIDATES", 0)  # no quick round: the full one takes all three
    taken.clear()
    assert _upgraded(_load(tmp_path, OWNERSHIP))["exclusive"].verdict is Verdict.PROVED_ALL_SIZES
    assert sorted(taken) == [1, 2, 3]
