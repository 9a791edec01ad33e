"""`spec-check fmt` keeps meaning and comments: parse(fmt(x)) == parse(x) (spans aside), fmt is
idempotent, and every comment survives — on every model of the project, on the generator's
random well-typed models, and on random well-formed ASTs (which stress the printer's
parenthesisation far more than hand-written models do)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spec import ast
from spec.diagnostics import FrontendError
from spec.parser import parse
from spec.printer import format_module
from spec.source import SourceFile
from tests.gen.models import models as generated_models
from tests.spec.strategies import modules

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent


def model_files() -> list[Path]:
    """Every valid model text in the repository (the golden error cases are not all valid)."""
    found = list((ROOT / "models").rglob("*.spec")) + list((HERE / "models").rglob("*.spec"))
    return sorted(found)


def _parse(text: str, name: str = "m.spec") -> ast.Module:
    return parse(SourceFile(name, text))


def _comments(m: ast.Module) -> Counter[str]:
    # Continuation lines of a block comment lose trailing blanks; nothing else may change.
    return Counter("\n".join(line.rstrip() for line in c.text.split("\n")) for c in m.comments)


def assert_round_trip(text: str) -> str:
    before = _parse(text)
    once = format_module(before)
    after = _parse(once)
    assert after.decls == before.decls
    assert _comments(after) == _comments(before)
    assert format_module(after) == once, "fmt is not idempotent"
    return once


def test_there_are_models():
    assert len(model_files()) >= 3


# Every round trip runs on the real page and on a 30-column one, where nearly every long
# expression and doc string is broken over lines.
WIDTHS = (100, 30)


@contextmanager
def page(width: int) -> Iterator[None]:
    import spec.printer

    saved, spec.printer.WIDTH = spec.printer.WIDTH, width
    try:
        yield
    finally:
        spec.printer.WIDTH = saved


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", model_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_models_round_trip(path: Path, width: int):
    with page(width):
        assert_round_trip(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("width", WIDTHS)
def test_errors_corpus_round_trips_where_it_parses(width: int):
    # The golden cases with type or name errors are syntactically valid: more shapes for free.
    ok = 0
    for path in sorted((HERE / "errors").rglob("*.spec")):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            _parse(text)
        except FrontendError:
            continue
        with page(width):
            assert_round_trip(text)
        ok += 1
    assert ok >= 20


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_models(), st.sampled_from(WIDTHS))
def test_generated_models_round_trip(text: str, width: int):
    with page(width):
        assert_round_trip(text)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(modules, st.sampled_from(WIDTHS))
def test_random_asts_print_and_parse_back(module: ast.Module, width: int):
    with page(width):
        text = format_module(module)
        parsed = _parse(text)
        assert parsed.decls == module.decls, text
        assert format_module(parsed) == text


def test_comments_everywhere_survive():
    text = (
        "// header\n"
        "model m; /* trailing block */\n"
        "\n"
        "/* a block\n"
        "   comment */\n"
        "enum E {\n"
        "  A,  // first\n"
        "  // between\n"
        "  B,\n"
        "}\n"
        "var x: bool;  // aligned\n"
        "var yy: bool; // with this one\n"
        "invariant i: x &&  // inside an expression\n"
        "  yy;\n"
        "action a() \"doc\"  // after the doc\n"
        "  cite \"c\"\n"
        "{\n"
        "  if x {  // after if\n"
        "    skip;\n"
        "    // before else\n"
        "  } else {\n"
        "    // only a comment\n"
        "  }\n"
        "  match x {\n"
        "    true => skip;  // arm\n"
        "    // last arm next\n"
        "    _ => skip;\n"
        "  }\n"
        "  // end of body\n"
        "}\n"
        "// the end\n"
    )
    out = assert_round_trip(text)
    assert "var x: bool;   // aligned\nvar yy: bool;  // with this one\n" in out


def test_hex_literals_stay_hex():
    out = assert_round_trip("const MASK = 0xff;\nvar x: -0x2..0x10 = 0;\n")
    assert "0xff" in out and "-0x2..0x10" in out


def test_adjacent_string_literals_are_one_string():
    m = _parse('model m;\nvar x: bool;\naction a() "one " "two"\n  cite "c1, " "c2"\n{ x := true; }\n'
               'invariant i "p" "q": !x;\n')
    action = next(d for d in m.decls if isinstance(d, ast.ActionDecl))
    inv = next(d for d in m.decls if isinstance(d, ast.InvariantDecl))
    assert (action.doc, action.cite, inv.doc) == ("one two", "c1, c2", "pq")


LONG = ("kvm_gmem_get_pfn for the faulting vCPU: check the attribute (after the snapshot), find or allocate "
        "the folio, zero it on first use (clear_highpage), prepare it (SNP: \\\"rmp_make_private\\\" after "
        "splitting the direct map) and a_very_long_unbreakable_word_" + "x" * 110)


def test_long_doc_strings_and_cites_are_split_over_lines():
    text = (f'model m;\nvar x: bool;\ncomponent c {{\n  action a() "{LONG}" cite "{LONG}" {{ x := true; }}\n}}\n'
            f'invariant i "{LONG}": !x;\nreachable r "short": x;\n')
    once = format_module(_parse(text))
    assert format_module(_parse(once)) == once  # idempotent
    assert _parse(once).decls == _parse(text).decls  # the same strings, joined
    lines = once.splitlines()
    too_long = [ln for ln in lines if len(ln) > 100]
    assert len(too_long) == 3 and all("x" * 110 in ln for ln in too_long)  # only the unbreakable word
    assert "  action a()" in lines and "  {" in lines  # doc and cite on lines of their own
    assert any(ln.startswith('    cite "kvm_gmem_get_pfn') for ln in lines)
    assert "invariant i" in lines and "  !x;" in lines
    assert 'reachable r "short": x;' in lines  # what fits stays on one line


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list('ab "\\\t\n-é') + ["word ", "  ", "x" * 30]), max_size=80).map("".join),
       st.integers(0, 3))
def test_any_doc_string_survives_the_split(doc: str, depth: int):
    inner = f'action a() "{_escape(doc)}" cite "{_escape(doc)}" {{ x := true; }}\ninvariant i "{_escape(doc)}": x;\n'
    for _ in range(depth):
        inner = f"component c{_} {{\n{inner}}}\n"
    text = f"model m;\nvar x: bool;\n{inner}"
    assert_round_trip(text)


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def test_long_expressions_break_after_operators_with_comments_kept():
    cond = " && ".join(f"st[p] != S{i}" for i in range(12))
    text = (f"model m;\nenum E {{ {', '.join(f'S{i}' for i in range(12))} }}\nsort Page = 2;\n"
            "var st: Page -> E;\nvar n: 0..3 = 0;\n"
            f"def quiet(p: Page): bool = {cond};\n"
            "action a(p: Page, e: E) {\n"
            f"  require {cond}  // trailing\n    && n < 3;\n"
            f"  choose q: Page where {cond} && q != p;\n"
            "  match e {\n"
            f"    S0 => n := n + 1;\n"
            f"    _ => require {cond};\n"
            "  }\n"
            "}\n"
            f"invariant all: forall p: Page :: forall q: Page :: {cond} -> quiet(q) || p == q;\n")
    once = assert_round_trip(text)
    lines = once.splitlines()
    assert max(len(ln) for ln in lines) <= 100
    assert "  def quiet(p: Page): bool = st[p] != S0" not in lines  # it was broken
    assert any(ln.endswith(" &&") for ln in lines) and not any(ln.lstrip().startswith("&&") for ln in lines)
    assert any("// trailing" in ln for ln in lines)
    assert "    _ => {" in lines  # a match arm whose statement had to break becomes a block
    assert "invariant all: forall p: Page :: forall q: Page ::" in lines



def test_long_if_conditions_break_and_keep_their_comments():
    cond = " || ".join(f"n == {i}" for i in range(20))
    text = ("model m;\nvar n: 0..31 = 0;\naction a() {\n"
            f"  if {cond} {{  // on the if line\n    n := 0;\n"
            f"  }} else if {cond} &&\n      n > 1 {{  // on its second line\n    n := 1;\n  }}\n}}\n")
    once = assert_round_trip(text)
    lines = once.splitlines()
    assert max(len(ln.split("  //")[0]) for ln in lines) <= 100  # trailing comments aside
    assert lines[3].startswith("  if n == 0 || ") and lines[3].endswith("// on the if line")
    assert any(ln.strip().startswith("} else if n == 0 || ") for ln in lines)
    assert "// on its second line" in once


LIVENESS = """model m;
sort Vcpu = 2;
var busy: Vcpu -> bool = false;
var done: Vcpu -> bool = false;
fair action start(v: Vcpu) "a vCPU starts" { require !busy[v] && !done[v]; busy[v] := true; }
strong fair action finish(v: Vcpu) { require busy[v]; busy[v] := false; done[v] := true; }
property finishes "a started vCPU finishes": forall v: Vcpu :: always (busy[v] -> eventually done[v]);
property progress: eventually (exists v: Vcpu :: done[v]);
property each_done: forall v: Vcpu :: always eventually !busy[v];
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_fairness_and_temporal_properties_round_trip(width: int):
    with page(width):
        once = assert_round_trip(LIVENESS)
    assert "strong fair action finish" in once and "fair action start" in once
    if width == 100:
        assert "forall v: Vcpu :: always (busy[v] -> eventually done[v]);" in once
        assert "property each_done: forall v: Vcpu :: always eventually !busy[v];" in once
