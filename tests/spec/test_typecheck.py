"""Name resolution and type checking beyond the golden messages: what the elaborated IR looks
like (enum members picked by the expected type, component scoping, def inlining without
capture, implicit range and assert properties) and which programs are accepted."""

from __future__ import annotations

from spec import ir
from spec.irutil import walk
from spec.ops import BinOp, QuantKind
from spec.types import BOOL, INT, EnumT, FunT, RangeT, SortT
from tests.spec.helpers import action_body, codes, errors_of, model_of

TWO_ENUMS = """
enum PageState { Free, Shared }
enum SlotState { Free, Busy }
var st: PageState = Free;
var slot: SlotState = Free;
"""


def _assigns(stmts: tuple[ir.Stmt, ...]) -> list[ir.Assign]:
    out: list[ir.Assign] = []
    for s in stmts:
        if isinstance(s, ir.Assign):
            out.append(s)
        elif isinstance(s, ir.If):
            out += _assigns(s.then) + _assigns(s.else_)
        elif isinstance(s, ir.Forall):
            out += _assigns(s.body)
    return out


# ---------------------------------------------------------------- enums


def test_bare_member_takes_the_enum_the_context_expects(tmp_path):
    m = model_of(tmp_path, TWO_ENUMS + """
action a() {
  st := Free;
  slot := Free;
  require st == Free && Free != slot;
}
""")
    assert m.var("st").init == ir.Lit(ir.EnumVal("PageState", "Free", 0), EnumT("PageState"))
    assert m.var("slot").init == ir.Lit(ir.EnumVal("SlotState", "Free", 0), EnumT("SlotState"))
    st_assign, slot_assign = action_body(m, "a")[:2]
    assert st_assign.value.type == EnumT("PageState")
    assert slot_assign.value.type == EnumT("SlotState")
    cond = action_body(m, "a")[2].cond
    lits = [n for n in walk(cond) if isinstance(n, ir.Lit)]
    assert {lit.type for lit in lits} == {EnumT("PageState"), EnumT("SlotState")}


def test_ambiguous_member_without_context_is_an_error_and_qualified_is_fine(tmp_path):
    errs = errors_of(tmp_path, TWO_ENUMS + "invariant i: Free == Free;\n")
    assert codes(errs) == ["E0302"]
    m = model_of(tmp_path, TWO_ENUMS + "invariant i: PageState.Free != PageState.Shared && SlotState.Busy != slot;\n")
    assert m.property("i").expr is not None


def test_match_patterns_use_the_scrutinee_enum(tmp_path):
    m = model_of(tmp_path, TWO_ENUMS + """
var hits: 0..3 = 0;
action a() {
  match slot {
    Free => hits := 1;
    Busy => hits := 2;
  }
}
""")
    (chain,) = action_body(m, "a")
    assert isinstance(chain, ir.If)
    assert chain.cond == ir.Binary(BinOp.EQ, ir.Var("slot", EnumT("SlotState")),
                                   ir.Lit(ir.EnumVal("SlotState", "Free", 0), EnumT("SlotState")), BOOL)
    # The last arm needs no test: the match is exhaustive.
    assert [type(s) for s in chain.else_] == [ir.Check, ir.Assign]


def test_match_on_bool_and_wildcard(tmp_path):
    m = model_of(tmp_path, """
var b: bool;
var n: 0..3 = 0;
action a() {
  match b {
    true => n := 1;
    _ => n := 2;
  }
}
""")
    (chain,) = action_body(m, "a")
    assert chain.cond == ir.Binary(BinOp.EQ, ir.Var("b", BOOL), ir.Lit(True, BOOL), BOOL)


# ---------------------------------------------------------------- components


COMPONENTS = """
var flag: bool;
component kvm {
  var flag: bool;
  var other: bool;
  def set(): bool = flag;
  action poke() { flag := true; other := flag; }
  invariant mine: flag -> other;
}
action outer() { flag := kvm.flag; kvm.other := false; }
invariant theirs: kvm.set() || flag;
"""


def test_component_names_are_qualified_and_local_first(tmp_path):
    m = model_of(tmp_path, COMPONENTS)
    assert [v.name for v in m.vars] == ["flag", "kvm.flag", "kvm.other"]
    assert {a.name for a in m.actions} == {"kvm.poke", "outer"}
    poke = action_body(m, "kvm.poke")
    assert [s.var for s in poke] == ["kvm.flag", "kvm.other"]
    assert poke[1].value == ir.Var("kvm.flag", BOOL)
    outer = action_body(m, "outer")
    assert [s.var for s in outer] == ["flag", "kvm.other"]
    assert outer[0].value == ir.Var("kvm.flag", BOOL)
    # The def body means the component's flag, wherever it is called from.
    assert m.property("theirs").expr == ir.Binary(BinOp.OR, ir.Var("kvm.flag", BOOL), ir.Var("flag", BOOL), BOOL)
    assert m.property("kvm.mine").kind is ir.PropKind.INVARIANT


def test_component_member_not_visible_bare_outside(tmp_path):
    errs = errors_of(tmp_path, "component c { var x: bool; }\ninvariant i: x;\n")
    assert codes(errs) == ["E0301"]
    assert "c.x" in (errs[0].hint or "")


def test_components_from_included_files(tmp_path):
    m = model_of(tmp_path, 'include "lib/c.spec";\ninvariant i: c.x;\n',
                 {"lib/c.spec": "component c { var x: bool = true; }\n"})
    assert m.var("c.x").init == ir.TRUE


def test_duplicate_names_across_files_point_at_both(tmp_path):
    errs = errors_of(tmp_path, 'include "a.spec";\nvar x: bool;\n', {"a.spec": "var x: bool;\n"})
    assert codes(errs) == ["E0202"]
    assert {errs[0].span.file.rsplit("/", 1)[-1]} | {n.span.file.rsplit("/", 1)[-1] for n in errs[0].notes} \
        >= {"m.spec", "a.spec"}


# ---------------------------------------------------------------- defs


def test_defs_are_inlined_with_arguments_substituted(tmp_path):
    m = model_of(tmp_path, """
sort Page = 2;
var ref: Page -> 0..3 = 0;
def busy(p: Page): bool = ref[p] > 0;
def both(p: Page, q: Page): bool = busy(p) && busy(q);
invariant i: forall a: Page :: both(a, a);
""")
    expr = m.property("i").expr
    assert isinstance(expr, ir.Quant) and expr.var == "a"
    read = ir.Read("ref", (ir.Local("a", SortT("Page")),), INT)
    busy_a = ir.Binary(BinOp.GT, read, ir.lit(0), BOOL)
    assert expr.body == ir.Binary(BinOp.AND, busy_a, busy_a, BOOL)


def test_def_inlining_avoids_capture(tmp_path):
    # The def's own binder is `q`; the caller passes its own `q`: it must not be captured.
    m = model_of(tmp_path, """
sort Page = 2;
var link: (Page, Page) -> bool = false;
def linked(p: Page): bool = exists q: Page :: link[p, q];
invariant i: forall q: Page :: linked(q);
""")
    outer = m.property("i").expr
    assert isinstance(outer, ir.Quant) and outer.kind is QuantKind.FORALL and outer.var == "q"
    inner = outer.body
    assert isinstance(inner, ir.Quant) and inner.kind is QuantKind.EXISTS
    assert inner.var != "q"
    assert inner.body == ir.Read("link", (ir.Local("q", SortT("Page")), ir.Local(inner.var, SortT("Page"))), BOOL)


def test_defs_are_not_recursive_and_cycles_are_named(tmp_path):
    errs = errors_of(tmp_path, "def f(): bool = g();\ndef g(): bool = f();\ninvariant i: f();\n")
    assert codes(errs) == ["E0316"]
    assert "f -> g -> f" in errs[0].message


def test_def_body_is_pure(tmp_path):
    # A def is an expression: no statements, and it reads the state it is called in.
    m = model_of(tmp_path, "var x: bool;\ndef get(): bool = x;\naction a() { x := !get(); }\n")
    (assign,) = action_body(m, "a")
    assert assign.value == ir.Unary(assign.value.op, ir.Var("x", BOOL), BOOL)


# ---------------------------------------------------------------- consts, ranges, properties


def test_consts_fold_into_range_bounds(tmp_path):
    m = model_of(tmp_path, "const K = 2 + 3;\nvar x: 0..K = K - 1;\n")
    assert m.var("x").type == RangeT(ir.lit(0), ir.lit(5))
    assert m.var("x").init == ir.lit(4)


def test_range_checks_are_properties_named_after_the_variable(tmp_path):
    m = model_of(tmp_path, """
sort Page = 2;
var ref: Page -> 0..3 = 0;
action get(p: Page) {
  ref[p] := ref[p] + 1;
  choose n: 0..3 where n == ref[p];
  n := n + 1;
}
""")
    body = action_body(m, "get")
    assert isinstance(body[0], ir.Check) and body[0].prop == "ref:range" and body[0].kind is ir.CheckKind.RANGE
    assert isinstance(body[1], ir.Assign)
    assert body[3].prop == "get.n:range" and isinstance(body[4], ir.SetLocal)
    assert m.property("ref:range").kind is ir.PropKind.RANGE
    assert m.property("get.n:range").kind is ir.PropKind.RANGE


def test_asserts_are_properties_named_or_by_line(tmp_path):
    m = model_of(tmp_path, "var x: bool;\naction a() {\n  assert x;\n  assert named: !x;\n}\n")
    checks = [s for s in action_body(m, "a") if isinstance(s, ir.Check)]
    assert [c.prop for c in checks] == ["a:assert#1", "named"]
    assert {p.name for p in m.properties if p.kind is ir.PropKind.ASSERT} == {"a:assert#1", "named"}


def test_constant_out_of_range_is_static_but_state_dependent_is_a_check(tmp_path):
    assert codes(errors_of(tmp_path, "var x: 0..3 = 0;\naction a() { x := 2 + 2; }\n")) == ["E0310"]
    m = model_of(tmp_path, "var x: 0..3 = 0;\naction a() { x := x + 2; }\n")
    assert isinstance(action_body(m, "a")[0], ir.Check)


def test_function_types_of_several_sorts(tmp_path):
    m = model_of(tmp_path, "sort V = 2;\nsort P = 3;\nenum E { A, B }\nvar t: (V, P, E) -> 0..2 = 0;\n")
    assert m.var("t").type == FunT((SortT("V"), SortT("P"), EnumT("E")), RangeT(ir.lit(0), ir.lit(2)))


# ---------------------------------------------------------------- scopes and statements


def test_locals_never_shadow(tmp_path):
    errs = errors_of(tmp_path, """
sort P = 2;
var x: bool;
action a(p: P) {
  choose p: P;
  choose x: P;
}
invariant i: forall q: P :: exists q: P :: true;
""")
    assert codes(errs) == ["E0207", "E0207", "E0207"]


def test_forall_writes_must_be_indexed_by_the_bound_variable(tmp_path):
    ok = model_of(tmp_path, """
sort V = 2;
sort P = 2;
var tlb: (V, P) -> bool = false;
action flush(p: P) {
  forall v: V {
    choose w: V where w == v;
    w := v;
    tlb[v, p] := false;
  }
}
""")
    (forall,) = action_body(ok, "flush")
    assert isinstance(forall, ir.Forall) and forall.var == "v"
    errs = errors_of(tmp_path, """
sort V = 2;
var hits: 0..3 = 0;
action a() {
  choose w: V;
  forall v: V {
    hits := 1;
    w := v;
  }
}
""")
    assert codes(errs) == ["E0320", "E0320"]


def test_only_state_variables_and_choose_locals_are_assigned(tmp_path):
    errs = errors_of(tmp_path, """
sort P = 2;
param n: 0..3 = 1;
const K = 1;
action a(p: P) {
  p := p;
  n := 2;
  K := 2;
}
""")
    assert codes(errs) == ["E0317", "E0317", "E0317"]


def test_every_independent_error_is_reported_once(tmp_path):
    errs = errors_of(tmp_path, """
var x: 0..3 = 0;
var b: bool;
action a() {
  x := unknown + 1;
  b := x;
  require x;
}
invariant i: b + 1;
invariant j: missing;
""")
    assert codes(errs) == ["E0301", "E0318", "E0319", "E0304", "E0301"]


def test_sorts_have_no_order_and_enums_no_order(tmp_path):
    errs = errors_of(tmp_path, """
sort P = 2;
enum E { A, B }
var e: E;
action a(p: P, q: P) { require p < q || e < B; }
""")
    assert codes(errs) == ["E0305", "E0305"]


def test_count_is_an_integer(tmp_path):
    m = model_of(tmp_path, "sort P = 3;\nvar f: P -> bool = false;\ninvariant i: (count p: P :: f[p]) <= 2;\n")
    expr = m.property("i").expr
    assert isinstance(expr, ir.Binary) and isinstance(expr.lhs, ir.Quant) and expr.lhs.kind is QuantKind.COUNT


def test_quantifier_over_several_binders_nests(tmp_path):
    m = model_of(tmp_path, "sort P = 2;\nsort V = 2;\nvar t: (V, P) -> bool = false;\n"
                 "invariant i: forall v: V, p: P :: !t[v, p];\n")
    outer = m.property("i").expr
    assert isinstance(outer, ir.Quant) and outer.var == "v" and isinstance(outer.body, ir.Quant)
    assert outer.body.var == "p"
