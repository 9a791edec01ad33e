"""The Z3 encoding against the independent Python semantics: on random well-typed models, BMC
finds exactly the shortest depths a breadth-first search of the interpreter finds, with either
function encoding, and every trace replays. Plus unit checks of values, types and printing."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from checker import smt
from checker.bmc import Bmc
from checker.encode import Encoding, FunctionEncoding
from checker.interp import Semantics
from checker.replay import replay
from checker.result import Budget, Verdict
from spec import ir
from spec.ops import BinOp, UnOp
from spec.types import BOOL, INT, EnumT, SortT
from tests.checker.oracle import shortest_depths
from tests.checker.symbolic_helpers import corpus, load_text
from tests.gen.models import models

DEPTH = 3


def _agree(tmp_path_factory, text: str, functions: FunctionEncoding) -> None:
    inst = load_text(tmp_path_factory.mktemp("gen"), text)
    want = shortest_depths(inst, DEPTH)
    results = Bmc(inst, Encoding(inst, functions)).check(list(inst.model.properties), Budget(max_depth=DEPTH))
    sem = Semantics(inst)
    got = {}
    for r in results:
        assert r.verdict is not Verdict.UNKNOWN, r.reason
        if r.trace is not None:
            got[r.prop] = r.depth
            assert replay(r.trace, sem).ok, (r.prop, str(replay(r.trace, sem)))
    assert got == want


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_bmc_matches_the_interpreter_on_random_models(tmp_path_factory, text):
    _agree(tmp_path_factory, text, FunctionEncoding.SCALARS)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_array_encoding_matches_the_interpreter_on_random_models(tmp_path_factory, text):
    _agree(tmp_path_factory, text, FunctionEncoding.ARRAYS)


def test_values_round_trip():
    inst = corpus("fault_race_fixed.spec")
    enc = Encoding(inst)
    for t in (EnumT("St"), SortT("Page"), SortT("Vcpu"), BOOL):
        for v in inst.domain(t):
            assert enc.values.concrete(enc.values.const(v)) == v
    assert enc.values.concrete(enc.values.const(7)) == 7


def test_states_stay_in_their_ranges_and_assumes():
    inst = corpus("assume_bound.spec")
    enc = Encoding(inst)
    s0 = enc.state(0)
    x = ir.Var("x", INT)
    for bound, status in ((3, smt.Status.SAT), (4, smt.Status.UNSAT)):  # assume small: x <= 3
        at_least = enc.holds(ir.Binary(BinOp.GE, x, ir.lit(bound), BOOL), s0)
        assert smt.check_formula(enc, enc.conj([enc.state_ok(s0), at_least]), None).status is status


def test_formulas_print_in_the_models_terms():
    inst = corpus("fault_race_fixed.spec")
    enc = Encoding(inst)
    st = ir.Read("st", (ir.lit(ir.Elem("Page", 1)),), EnumT("St"))
    private = ir.lit(inst.model.enum("St").value("Private"))
    stale = ir.Read("stale", (ir.lit(ir.Elem("Vcpu", 0)),), BOOL)
    e = ir.Binary(BinOp.OR, ir.Binary(BinOp.NE, st, private, BOOL), ir.Unary(UnOp.NOT, stale, BOOL), BOOL)
    assert smt.describe(enc, enc.holds(e, enc.state(0))) == "st[page1] != Private || !stale[vcpu0]"


def test_reads_with_a_state_dependent_index(tmp_path):
    # `ept[fpage[v]]`: the index is itself a location of the state
    inst = load_text(tmp_path, """
sort Page = 3;
var ptr: Page;
var mark: Page -> bool = false;
action point(p: Page) { ptr := p; }
action hit() { mark[ptr] := true; }
reachable two: (count p: Page :: mark[p]) == 2;
""")
    [r] = Bmc(inst).check(list(inst.model.properties), Budget(max_depth=5))
    assert (r.verdict, r.depth) == (Verdict.REACHED, 3)  # hit, point, hit
    assert replay(r.trace, Semantics(inst)).ok
