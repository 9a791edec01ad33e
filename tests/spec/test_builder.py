"""spec.builder: a model written in Python gives the IR of the same model written as text.

Checked: the builder's IR equals `spec.load` of the text (a sketch of models/tdx.spec, a model using every
construct, a model with an include); `to_text()` parses back to the same IR; mistakes give the
front end's diagnostics located at the user's Python line; API misuse fails loudly; a sweep over
sizes and variants builds and instantiates; random builder expressions survive the text round trip.
"""

from __future__ import annotations

import inspect
import operator
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spec
from spec import ir
from spec.builder import E, ModelBuilder
from spec.diagnostics import FrontendError
from tests.conftest import write
from tests.spec import builder_models as bm

SKETCH = Path(__file__).parent / "data" / "tdx_sketch.spec"

THIS = Path(__file__).name


def _here() -> int:
    """The line number of the caller (so a test can name the line of a mistake it makes)."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


def _round_trip(m: ModelBuilder, tmp_path: Path) -> ir.Model:
    return spec.load(write(tmp_path, f"{m.name}_rt.spec", m.to_text()))


# ---------------------------------------------------------------- same IR as text


def test_tdx_builder_equals_shipped_model():
    # tests/spec/data/tdx_sketch.spec is a frozen early sketch of models/tdx.spec, written both ways.
    assert bm.tdx().build() == spec.load(SKETCH)


def test_full_builder_equals_text(tmp_path):
    built = bm.full().build()
    assert built == spec.load(write(tmp_path, "full.spec", bm.FULL_TEXT))
    # The model really contains what it claims to exercise.
    assert [p.name for p in built.params] == ["mode", "flush", "limit"] and built.params[1].mitigation
    assert {a.name for a in built.actions} == {"hw.raise_", "step", "tick"}
    assert {p.name for p in built.properties} >= {"hw.calm", "hw.named_hw", "ok", "bounded", "full_count"}
    assert [a.name for a in built.assumes] == ["sane"]
    assert any(isinstance(s, ir.Choose) for s in built.init)


def test_include_builder_equals_text(tmp_path):
    lib = write(tmp_path, "lib.spec", bm.LIB_TEXT)
    main = write(tmp_path, "main.spec", bm.MAIN_TEXT)
    built = bm.with_lib(str(lib)).build()
    assert built == spec.load(main)
    assert "kvm.mapped" in [v.name for v in built.vars]


def test_ir_differs_when_the_model_differs(tmp_path):
    # Guard against a vacuous comparison: a one-token change in the text changes the IR.
    changed = bm.FULL_TEXT.replace("cnt := cnt + 1;\n}", "cnt := cnt + 2;\n}")
    assert changed != bm.FULL_TEXT
    assert bm.full().build() != spec.load(write(tmp_path, "changed.spec", changed))


@pytest.mark.parametrize("make", [bm.tdx, bm.full], ids=["tdx", "full"])
def test_to_text_parses_back_to_the_same_ir(make, tmp_path):
    m = make()
    text = m.to_text()
    assert _round_trip(m, tmp_path) == m.build()
    # It is canonical: formatting it again changes nothing.
    from spec.parser import parse
    from spec.printer import format_module
    from spec.source import SourceFile

    assert format_module(parse(SourceFile("x.spec", text))) == text


def test_to_text_reads_like_hand_written_text():
    text = bm.full().to_text()
    assert "var lvl: Page -> -2..2 = -1;" in text
    assert "require hw.lv == L1 -> mode != Broken;" in text  # bare members, qualified component names
    assert "  var lv: Level = L0;" in text  # no component prefix inside the component
    assert "\n\naction tick() {\n" in text


def test_include_round_trip(tmp_path):
    lib = write(tmp_path, "lib.spec", bm.LIB_TEXT)
    m = bm.with_lib(str(lib))
    assert f'include "{lib}";' in m.to_text()
    assert _round_trip(m, tmp_path) == m.build()


def test_helpers_build_the_trees_of_the_text(tmp_path):
    text = """model helpers;
var a: bool; var b: bool; var c: bool; var n: 0..3;
invariant h1: a && b && c;
invariant h2: a || b || c;
invariant h3: true;
invariant h4: false;
invariant h5: !a -> (b <-> c);
invariant h6: (a ? n : 2) >= -1;
"""
    m = ModelBuilder("helpers")
    a, b, c = (m.var(x, bool) for x in "abc")
    n = m.var("n", m.range(0, 3))
    m.invariant("h1", E.all_of(a, b, c))
    m.invariant("h2", E.any_of(a, b, c))
    m.invariant("h3", E.all_of())
    m.invariant("h4", E.any_of())
    m.invariant("h5", E.implies(E.not_(a), E.iff(b, c)))
    m.invariant("h6", m.ite(a, n, 2) >= -1)
    assert m.build() == spec.load(write(tmp_path, "helpers.spec", text))


def test_match_on_a_bool_is_the_if_else_of_the_text(tmp_path):
    m = ModelBuilder("bm")
    flag = m.var("flag", bool)
    n = m.var("n", m.range(0, 3))
    with m.action("go") as a:
        with a.match(flag) as mt:
            with mt.case(True):
                a.assign(n, 1)
            with mt.case(False):
                a.assign(n, 2)
    text = "model bm;\nvar flag: bool;\nvar n: 0..3;\n" \
        "action go() { if flag == true { n := 1; } else { n := 2; } }\n"
    assert m.build() == spec.load(write(tmp_path, "bm.spec", text))


def test_include_of_a_broken_file_fails_at_the_include(tmp_path):
    lib = write(tmp_path, "broken.spec", "var x: bool\n")
    m = ModelBuilder("b")
    with pytest.raises(FrontendError) as err:
        m.include(str(lib))
    (d,) = err.value.diagnostics
    assert d.code.startswith("E01") and d.span.file.endswith("broken.spec")  # a syntax error, in that file


# ---------------------------------------------------------------- sweeps


def test_sweep_over_sizes_and_variants():
    instances = []
    for n in (1, 2, 3):
        for design in ("rfc2021", "guest_memfd"):
            for reclaim in (False, True):
                inst = bm.pages(n, design, reclaim).instance()
                assert inst.size("Page") == n and len(inst.domain(ir.SortT("Page"))) == n
                assert inst.binding("design") == inst.model.enum("Design").value(design)
                assert [a.name for a in inst.model.actions] == ["free"] + (["reclaim"] if reclaim else [])
                # Configuring removes the `if design == ...` switch: the branch depends on the variant.
                free = inst.model.action("free")
                assert len(free.body) == (2 if design == "guest_memfd" else 1)
                instances.append(inst)
    assert len(set(instances)) == 12  # twelve different instances


def test_instance_overrides_sizes_and_params():
    inst = bm.tdx().instance(sizes={"Page": 2}, params={"hardware": "snp", "design": "rfc2021"})
    assert inst.size("Page") == 2 and inst.size("Vcpu") == 2
    assert ir.format_value(inst.binding("hardware")) == "snp"
    with pytest.raises(FrontendError) as err:
        bm.tdx().instance(sizes={"Pgae": 2})
    assert [d.code for d in err.value.diagnostics] == ["E0403"]
    assert "did you mean `Page`?" in str(err.value)


def _blocks(lang: str) -> list[str]:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "python-api.md").read_text(encoding="utf-8")
    return re.findall(rf"```{lang}\n(.*?)```", doc, re.S)


def _block(lang: str, marker: str) -> str:
    (found,) = [b for b in _blocks(lang) if marker in b]
    return found


def test_docs_show_the_tested_examples():
    # docs/python-api.md shows tdx both ways and a sweep; these are the tested code, verbatim.
    assert _block("spec", "model tdx;") == SKETCH.read_text(encoding="utf-8")
    assert _block("python", "def tdx()") == inspect.getsource(bm.tdx)
    sweep = _block("python", "from spec.builder import ModelBuilder\n\ndef pages(")
    assert inspect.getsource(bm.pages) in sweep
    assert _block("spec", "model pages_rfc2021_2;") == bm.pages(2, "rfc2021", True).to_text()


# ---------------------------------------------------------------- diagnostics at the Python line


def _small() -> tuple[ModelBuilder, object, object, object]:
    m = ModelBuilder("small")
    S = m.enum("S", "A", "B")
    Page = m.sort("Page", size=2)
    st_ = m.var("st", m.fun(Page, S), init=S.A)
    return m, S, Page, st_


def _errors(m: ModelBuilder) -> FrontendError:
    with pytest.raises(FrontendError) as err:
        m.build()
    return err.value


def test_type_error_points_at_the_python_line_and_columns():
    m, S, Page, st_ = _small()
    with m.action("go", p=Page) as (a, p):
        line = _here() + 1
        a.assign(st_[p], st_[p] == 3)
    err = _errors(m)
    (d,) = err.diagnostics
    assert (d.code, d.message) == ("E0304", "cannot compare S with int")
    assert d.span.file.endswith(THIS) and d.span.line == line
    src = Path(__file__).read_text(encoding="utf-8").splitlines()[line - 1]
    assert d.span.col == src.index("st_[p] == 3") + 1
    # The rendered error shows the Python line with a caret under the offending expression.
    text = str(err)
    assert f"{THIS}:{line}:" in text and src in text and "^~" in text


def test_leaf_takes_the_span_of_its_use():
    m, S, Page, st_ = _small()
    flag = m.var("flag", bool)  # declared here ...
    with m.action("go") as a:
        line = _here() + 1
        a.require(flag + 1)  # ... misused here
    (d,) = _errors(m).diagnostics
    assert d.code == "E0304" and "`+` needs int operands, found bool" in d.message
    assert d.span.line == line


def test_duplicate_declaration_has_a_note_at_the_first_one():
    m, S, Page, st_ = _small()
    first = _here() + 1
    m.var("twice", bool)
    second = _here() + 1
    m.var("twice", bool)
    (d,) = _errors(m).diagnostics
    assert d.code == "E0202" and d.span.line == second
    assert [n.span.line for n in d.notes] == [first]


def test_reserved_and_invalid_names():
    m, S, Page, st_ = _small()
    kw = _here() + 1
    m.var("count", bool)
    bad = _here() + 1
    m.var("kvm.x", bool)
    binder = _here() + 1
    m.invariant("q", m.forall(Page, lambda match: st_[match] == S.A))
    by_code = {(d.code, d.span.line) for d in _errors(m).diagnostics}
    assert by_code == {("E0103", kw), ("E0101", bad), ("E0103", binder)}


def test_component_name_hiding_a_top_level_one_is_reported():
    m, S, Page, st_ = _small()
    crashed = m.var("crashed", bool, init=False)
    with m.component("c") as c:
        c.var("crashed", bool, init=False)
        line = _here() + 1
        c.invariant("quiet", ~crashed)
    (d,) = _errors(m).diagnostics
    assert d.code == "E0208" and d.span.line == line and "`c.crashed`" in d.message
    # Without the clash the same component is fine.
    m2, S2, Page2, st2 = _small()
    top = m2.var("crashed", bool, init=False)
    with m2.component("c") as c2:
        c2.var("other", bool, init=False)
        c2.invariant("quiet", ~top)
    assert m2.build().property("c.quiet").expr == ir.Unary(ir.UnOp.NOT, ir.Var("crashed", ir.BOOL), ir.BOOL)


def test_unknown_handle_from_another_model():
    m, S, Page, st_ = _small()
    other = ModelBuilder("other")
    ghost = other.var("ghost", bool)
    line = _here() + 1
    m.invariant("uses_ghost", ghost)
    (d,) = _errors(m).diagnostics
    assert d.code == "E0301" and d.span.line == line


def test_match_must_be_exhaustive():
    m, S, Page, st_ = _small()
    with m.action("go", p=Page) as (a, p):
        line = _here() + 1
        with a.match(st_[p]) as mt:
            with mt.case(S.A):
                a.skip()
    (d,) = _errors(m).diagnostics
    assert d.code == "E0314" and "does not cover B" in d.message and d.span.line == line


# ---------------------------------------------------------------- API misuse fails loudly


def test_wrappers_have_no_truth_value():
    m, S, Page, st_ = _small()
    with m.action("go", p=Page) as (a, p):
        with pytest.raises(TypeError, match="no Python truth value"):
            if st_[p] == S.A:
                pass
        with pytest.raises(TypeError, match="no Python truth value"):
            a.require(st_[p] == S.A and st_[p] == S.B)
        with pytest.raises(TypeError, match="no Python truth value"):
            a.require(st_[p] == S.A & st_[p] == S.B)  # a chained comparison in Python
        with pytest.raises(TypeError, match="not a model value"):
            a.require(st_[p] == "A")
        with pytest.raises(TypeError, match="is a type"):
            a.require(st_[p] == S)


def test_wrappers_hash_by_identity():
    m, S, Page, st_ = _small()
    flag = m.var("flag", bool)
    a_, b_ = S.A, S.A
    table = {flag: 1, st_: 2, a_: 3, b_: 4, S: 5, Page: 6}
    assert table[flag] == 1 and table[st_] == 2 and table[a_] == 3 and table[b_] == 4
    assert table[S] == 5 and table[Page] == 6 and len({flag, flag, st_}) == 2


def test_operand_order_is_kept_for_every_pair_of_wrapper_kinds():
    m, S, Page, st_ = _small()
    n = m.const("n", 1)
    k = m.var("k", m.range(0, 3))
    with m.action("go", p=Page) as (a, p):
        kinds = {"var": k, "ref": n, "local": p, "compound": k + 1, "member": S.A, "index": st_[p]}
        for lname, lhs in kinds.items():
            for rname, rhs in kinds.items():
                for op in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge,
                           operator.add, operator.sub, operator.mul, operator.and_, operator.or_):
                    node = op(lhs, rhs).node  # through Python's operator dispatch, not the method
                    assert (node.lhs, node.rhs) == (lhs.node, rhs.node), (lname, op, rname)


def test_block_misuse_is_refused():
    m, S, Page, st_ = _small()
    with m.action("go", p=Page) as (a, p):
        with pytest.raises(RuntimeError, match="must directly follow"):
            a.else_()
        with a.match(st_[p]) as mt:
            with pytest.raises(RuntimeError, match="go into `case"):
                a.skip()
            with mt.default():
                a.skip()
        with pytest.raises(TypeError, match="enum member"):
            with a.match(st_[p]) as mt2:
                mt2.case(1)
        with pytest.raises(TypeError, match="cannot assign"):
            a.assign(st_[p] == S.A, S.B)
    with pytest.raises(RuntimeError, match="closed"):
        a.skip()
    m2, S2, Page2, st2 = _small()
    with m2.action("lost") as b:
        b.if_(True)  # never entered with `with`: its statements would vanish
    with pytest.raises(RuntimeError, match="never used in a `with`"):
        m2.build()


def test_an_action_left_by_an_exception_is_not_built():
    m, S, Page, st_ = _small()
    with pytest.raises(TypeError):
        with m.action("half", p=Page) as (a, p):
            a.assign(st_[p], S.B)
            a.require(st_[p] == "B")  # a mistake: the action stops here
    with pytest.raises(RuntimeError, match="incomplete"):
        m.build()


def test_actions_without_parameters_and_iteration():
    m, S, Page, st_ = _small()
    with m.action("noop", doc="does nothing") as a:
        a.skip()
    with m.action("two", params={"doc": Page}, q=Page) as (b, doc, q):
        b.assign(st_[doc], S.B)
        b.assign(st_[q], S.A)
    model = m.build()
    assert model.action("noop").doc == "does nothing" and model.action("noop").body == ()
    assert [p.name for p in model.action("two").params] == ["doc", "q"]
    assert [s.name for s in S] == ["S.A", "S.B"] and S["B"].member == "B"
    with pytest.raises(AttributeError, match="no member `C`"):
        S.C  # noqa: B018


def test_unnamed_asserts_are_numbered_within_their_action():
    m, S, Page, st_ = _small()
    with m.action("go", p=Page) as (a, p):
        a.assert_(st_[p] == S.A)
        a.assert_(st_[p] != S.A)
    names = [p.name for p in m.build().properties]
    assert "go:assert#1" in names and "go:assert#2" in names


# ---------------------------------------------------------------- random expressions


@dataclass(frozen=True)
class _Env:
    """Handles of the model random expressions are built in, and the sort-S locals in scope."""

    b: object
    n: object
    e: object
    f: object
    g: object
    En: object
    S: object
    locals: tuple[object, ...] = ()


class _Body:
    """A quantifier body with a chosen parameter name (the builder reads names from signatures)."""

    def __init__(self, name: str, body):
        self.__signature__ = inspect.Signature([inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)])
        self._body = body
        self._env: _Env | None = None

    def bind(self, env: _Env) -> _Body:
        self._env = env
        return self

    def __call__(self, x):
        assert self._env is not None
        env = _Env(**{**self._env.__dict__, "locals": self._env.locals + (x,)})
        return self._body(env)


def _local(env: _Env, i: int):
    return env.locals[i % len(env.locals)] if env.locals else None


def _exprs():
    ints = st.deferred(lambda: int_e)
    bools = st.deferred(lambda: bool_e)
    members = st.sampled_from(["A", "B", "C"])
    bool_leaf = st.one_of(
        st.just(lambda env: env.b), st.booleans().map(lambda v: (lambda env: v)),
        members.map(lambda k: (lambda env: env.e == env.En[k])),
        st.integers(0, 1).map(lambda i: (lambda env: env.g[_local(env, i)] if env.locals else env.b)),
        st.tuples(st.integers(0, 1), members).map(lambda t: (
            lambda env: env.f[_local(env, t[0])] != env.En[t[1]] if env.locals else env.b)),
    )
    int_leaf = st.one_of(st.integers(-3, 5).map(lambda k: (lambda env: k)), st.just(lambda env: env.n))
    bin_bool = st.sampled_from(["__and__", "__or__", "implies", "iff"])
    cmp = st.sampled_from(["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"])
    arith = st.sampled_from(["__add__", "__sub__"])
    bool_e = st.one_of(
        bool_leaf,
        st.tuples(bin_bool, bools, bools).map(lambda t: (lambda env: getattr(E.lit(t[1](env)), t[0])(t[2](env)))),
        bools.map(lambda x: (lambda env: ~E.lit(x(env)))),
        st.tuples(cmp, ints, ints).map(lambda t: (lambda env: getattr(E.lit(t[1](env)), t[0])(t[2](env)))),
        st.tuples(st.sampled_from(["forall", "exists"]), bools).map(lambda t: (
            lambda env: getattr(E, t[0])(env.S, _Body(f"x{len(env.locals)}", t[1]).bind(env)))),
        st.tuples(bools, bools, bools).map(lambda t: (lambda env: E.ite(t[0](env), t[1](env), t[2](env)))),
    )
    int_e = st.one_of(
        int_leaf,
        st.tuples(arith, ints, ints).map(lambda t: (lambda env: getattr(E.lit(t[1](env)), t[0])(t[2](env)))),
        st.tuples(st.integers(-2, 2), ints).map(lambda t: (lambda env: t[0] * E.lit(t[1](env)))),
        ints.map(lambda x: (lambda env: -E.lit(x(env)))),
        bools.map(lambda x: (lambda env: E.count(env.S, _Body(f"x{len(env.locals)}", x).bind(env)))),
        st.tuples(bools, ints, ints).map(lambda t: (lambda env: E.ite(t[0](env), t[1](env), t[2](env)))),
    )
    return bool_e


@settings(max_examples=60, deadline=None)
@given(_exprs())
def test_random_expressions_survive_the_text_round_trip(tmp_path_factory, make):
    m = ModelBuilder("rnd")
    En = m.enum("En", "A", "B", "C")
    S = m.sort("S", size=2)
    env = _Env(m.var("b", bool), m.var("n", m.range(0, 3)), m.var("e", En), m.var("f", m.fun(S, En)),
               m.var("g", m.fun(S, bool)), En, S)
    m.invariant("p", make(env))
    built = m.build()
    assert _round_trip(m, tmp_path_factory.mktemp("rnd")) == built


def test_param_default_is_the_override_of_the_text(tmp_path):
    write(tmp_path, "hwlib.spec", "component hw {\n  enum Hardware { tdx, snp }\n  param hardware: Hardware = tdx;\n"
                                  "  var crashed: bool = false;\n}\n")
    text = 'model m;\ninclude "hwlib.spec";\nparam hw.hardware = snp;\n'
    main = write(tmp_path, "main.spec", text)
    m = ModelBuilder("m")
    lib = m.include(tmp_path / "hwlib.spec")
    m.param_default(lib.hw.hardware, lib.hw.Hardware.snp)
    built = m.build()
    assert built == spec.load(main)
    assert "param hw.hardware = snp;" in m.to_text()
    assert _round_trip(m, tmp_path) == built
    by_name = ModelBuilder("m")
    lib2 = by_name.include(tmp_path / "hwlib.spec")
    by_name.param_default("hw.hardware", lib2.hw.Hardware.snp)
    assert by_name.build() == built
    inst = m.instance()
    assert dict(inst.bindings)["hw.hardware"].member == "snp"  # the new default is the instance's value


def test_param_default_of_an_unknown_parameter_is_an_error_at_the_python_line(tmp_path):
    from spec.builder import BuildError

    write(tmp_path, "hwlib.spec", "component hw {\n  param fast: bool = false;\n  var x: bool = false;\n}\n")
    m = ModelBuilder("m")
    m.include(tmp_path / "hwlib.spec")
    m.param_default("hw.slow", True)
    line = inspect.currentframe().f_lineno - 1  # type: ignore[union-attr]
    with pytest.raises(BuildError) as err:
        m.build()
    text = str(err.value)
    assert f"test_builder.py:{line}:" in text and "hw.slow" in text


def test_fairness_and_liveness_properties_equal_text(tmp_path):
    from spec.ops import Fairness

    m = ModelBuilder("m")
    Vcpu = m.sort("Vcpu", size=2)
    busy = m.var("busy", m.fun(Vcpu, bool), init=False)
    done = m.var("done", m.fun(Vcpu, bool), init=False)
    with m.action("start", v=Vcpu, fair=Fairness.WEAK) as (a, v):
        a.require(~busy[v] & ~done[v])
        a.assign(busy[v], True)
    with m.action("finish", v=Vcpu, fair=Fairness.STRONG) as (a, v):
        a.require(busy[v])
        a.assign(busy[v], False)
        a.assign(done[v], True)
    m.property("finishes", E.forall(Vcpu, lambda v: E.always(E.implies(busy[v], E.eventually(done[v])))))
    m.property("progress", E.eventually(E.exists(Vcpu, lambda v: done[v])))
    text = """model m;
sort Vcpu = 2;
var busy: Vcpu -> bool = false;
var done: Vcpu -> bool = false;
fair action start(v: Vcpu) { require !busy[v] && !done[v]; busy[v] := true; }
strong fair action finish(v: Vcpu) { require busy[v]; busy[v] := false; done[v] := true; }
property finishes: forall v: Vcpu :: always (busy[v] -> eventually done[v]);
property progress: eventually (exists v: Vcpu :: done[v]);
"""
    built = m.build()
    assert built == spec.load(write(tmp_path, "m.spec", text))
    assert [a.fairness for a in built.actions] == [Fairness.WEAK, Fairness.STRONG]
    assert [p.kind for p in built.properties] == [ir.PropKind.LIVENESS] * 2
    assert _round_trip(m, tmp_path) == built
