"""Candidate lemmas from reachable states (checker/explicit/mined.py, checker/explicit/sampled.py):
what they keep must hold in every sampled state, what they refute must be false in a real run."""

from __future__ import annotations

from pathlib import Path

from checker.explicit.mined import mine
from checker.explicit.sampled import refuted
from checker.interp.replay import replay
from checker.interp.semantics import Semantics
from spec import ir
from spec.frontend import load_instance
from spec.printer import print_ir_expr

MODEL = """
model m;
sort Page = 2;
sort Vcpu = 1;
enum St { Free, Used }
var st: Page -> St = Free;
var mapped: Page -> bool = false;
var holds: (Vcpu, Page) -> bool = false;
action take(p: Page) { require st[p] == Free; st[p] := Used; }
action map(p: Page) { require st[p] == Used; mapped[p] := true; }
action grab(v: Vcpu, p: Page) { require mapped[p] && (forall q: Page :: !holds[v, q]); holds[v, p] := true; }
action drop(v: Vcpu, p: Page) { require holds[v, p]; holds[v, p] := false; }
invariant used: forall p: Page :: mapped[p] -> st[p] == Used;
"""


def _inst(tmp_path: Path) -> ir.Instance:
    (tmp_path / "m.spec").write_text(MODEL, encoding="utf-8")
    return load_instance(tmp_path / "m.spec")


def test_mined_clauses_include_the_relations_the_model_keeps(tmp_path):
    got = {print_ir_expr(x) for x in mine(_inst(tmp_path), None)}
    assert "forall p0: Page :: !(st[p0] == Free) || !mapped[p0]" in got  # the property, found by itself
    assert "forall p0: Page :: forall v0: Vcpu :: mapped[p0] || !holds[v0, p0]" in got
    # a vCPU holds at most one page: two variables of one sort, related by equality
    assert "forall p0: Page :: forall p1: Page :: forall v0: Vcpu :: p0 == p1 || !holds[v0, p0] || " \
           "!holds[v0, p1]" in got
    # no variable that only an equality names
    assert all("p0" in g.replace("p0 == p1", "").replace("forall p0", "") for g in got if "p0 == p1" in g)


def test_every_mined_clause_holds_in_every_reachable_state_at_sizes_one_to_three(tmp_path):
    inst = _inst(tmp_path)
    clauses = mine(inst, None)
    assert clauses and refuted(inst, clauses, None, max_states=100_000) == {}


def test_a_refutation_is_a_real_run_at_the_size_it_names(tmp_path):
    inst = _inst(tmp_path)
    wrong = [inst.model.property("used").expr,
             load_expr(tmp_path, "forall p: Page :: forall q: Page :: mapped[p] && mapped[q] -> p == q")]
    bad = refuted(inst, wrong, None)
    assert set(bad) == {1}  # two pages can both be mapped, which takes two of them
    ref = bad[1]
    assert dict(ref.inst.sizes)["Page"] == 2 and replay(ref.trace, Semantics(ref.inst)).ok
    last = ref.trace.steps[-1].state
    assert last is not None and sum(1 for (v, _), x in last.values if v == "mapped" and x) == 2


def load_expr(tmp_path: Path, text: str) -> ir.Expr:
    (tmp_path / "c.spec").write_text(MODEL + f"invariant zz: {text};\n", encoding="utf-8")
    e = load_instance(tmp_path / "c.spec").model.property("zz").expr
    assert e is not None
    return e


FAULT = """
model f;
sort Page = 2;
sort Vcpu = 2;
enum St { Free, Shared, Private }
var st: Page -> St = Free;
var inflight: Vcpu -> bool = false;
var fpage: Vcpu -> Page;
var stale: Vcpu -> bool = false;
var ept: Page -> bool = false;
action alloc(p: Page) { require st[p] == Free; st[p] := Shared; }
action to_private(p: Page) { require st[p] == Shared; st[p] := Private; }
action to_shared(p: Page) { require st[p] == Private; st[p] := Shared; ept[p] := false;
  forall v: Vcpu { stale[v] := true; } }
action fault_begin(v: Vcpu, p: Page) { require !inflight[v] && st[p] == Private;
  inflight[v] := true; fpage[v] := p; stale[v] := false; }
action fault_end(v: Vcpu) { require inflight[v]; if !stale[v] { ept[fpage[v]] := true; } inflight[v] := false; }
invariant ept_private: forall p: Page :: ept[p] -> st[p] == Private;
"""


def test_a_variable_whose_values_are_elements_is_read_through(tmp_path):
    # the fault's page read through `fpage`: the relation the proof of ept_private needs, in one
    # variable instead of a vCPU, a page and an equality
    (tmp_path / "f.spec").write_text(FAULT, encoding="utf-8")
    inst = load_instance(tmp_path / "f.spec")
    clauses = mine(inst, None)
    got = {frozenset(print_ir_expr(x).removeprefix("forall v0: Vcpu :: ").split(" || ")) for x in clauses}
    assert {"!inflight[v0]", "stale[v0]", "st[fpage[v0]] == Private"} in got
    # no tautology over all of a variable's values, no clause only about the page a vCPU names
    assert {"st[fpage[v0]] == Free", "st[fpage[v0]] == Shared", "st[fpage[v0]] == Private"} not in got
    assert {"st[fpage[v0]] == Private", "!ept[fpage[v0]]"} not in got
    assert refuted(inst, clauses, None, max_states=100_000) == {}


UNIFORM = """
model u;
sort Gfn = 2;
var attr: Gfn -> bool = true;
var mixed: bool = false;
var huge: bool = false;
action flip(g: Gfn) { require !huge; attr[g] := !attr[g]; mixed := exists a: Gfn :: exists b: Gfn :: attr[a] != attr[b]; }
action map_huge() { require !mixed; huge := true; }
action unmap_huge() { huge := false; }
invariant huge_uniform: huge -> (forall a: Gfn :: forall b: Gfn :: attr[a] == attr[b]);
"""


def test_a_flag_that_says_a_sort_is_uniform_is_mined(tmp_path):
    # `mixed || attr[g0] == attr[g1]` relates g0 and g1 only through the flag: the proof of
    # huge_uniform needs it, and a clause over unrelated variables is otherwise never kept
    (tmp_path / "u.spec").write_text(UNIFORM, encoding="utf-8")
    inst = load_instance(tmp_path / "u.spec")
    clauses = mine(inst, None)
    got = {frozenset(print_ir_expr(x).removeprefix("forall g0: Gfn :: forall g1: Gfn :: ").split(" || "))
           for x in clauses}
    assert {"mixed", "attr[g0]", "!attr[g1]"} in got
    assert refuted(inst, clauses, None, max_states=100_000) == {}


def test_rows_kept_per_sample_give_the_clauses_a_fresh_mining_gives(tmp_path):
    # the quick all-sizes round mines the 1- and 2-element samples, the next one all three with
    # the same cache: the cached rows of the first two must not change what the second finds
    from checker.explicit.mined import sample

    inst = _inst(tmp_path)
    samples = sample(inst, None)
    cache: dict = {}
    mine(inst, None, samples[:2], rows_cache=cache)
    assert cache and all(sizes != samples[2][0].sizes for sizes, _ in cache)
    again = [print_ir_expr(x) for x in mine(inst, None, samples, rows_cache=cache)]
    assert again == [print_ir_expr(x) for x in mine(inst, None, samples)]
    assert again != [print_ir_expr(x) for x in mine(inst, None, samples[:1])]  # the samples do matter
