"""The parser's own guarantees: the nesting and integer limits protect every later stage, comments
are found exactly where lark's lexer skipped them, positions are right whatever the line
endings, and the AST keeps what fmt needs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spec import ast
from spec.diagnostics import FrontendError
from spec.frontend import instantiate, load_model
from spec.parser import MAX_NESTING, _parser, parse
from spec.printer import format_module
from spec.source import SourceFile, read_source
from tests.spec.test_roundtrip import model_files


def _parse(text: str) -> ast.Module:
    return parse(SourceFile("t.spec", text))


def _error(text: str):
    with pytest.raises(FrontendError) as info:
        _parse(text)
    (diag,) = info.value.diagnostics
    return diag


# Shapes that nest: each builds a model whose tree is about `n` levels deep.
NESTINGS = {
    "and-chain": lambda n: "var x: bool;\ninvariant i: " + " && ".join(["x"] * n) + ";\n",
    "not": lambda n: "var x: bool;\ninvariant i: " + "!" * n + "x;\n",
    "parenthesised-sum": lambda n: "var x: 0..3 = 0;\naction a() { x := " + "(" * n + "x" + " + 1)" * n + "; }\n",
    "if": lambda n: "var x: bool;\naction a() {\n" + "if x {\n" * n + "skip;\n" + "}\n" * n + "}\n",
    "cond": lambda n: "var x: bool;\ninvariant i: " + "x ? x : " * n + "x;\n",
}


def _deepest_accepted(make) -> int:
    lo, hi = 1, MAX_NESTING + 2
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            _parse(make(mid))
            lo = mid
        except FrontendError:
            hi = mid - 1
    return lo


@pytest.mark.parametrize("shape", NESTINGS)
def test_nesting_up_to_the_limit_survives_every_stage(tmp_path, shape):
    make = NESTINGS[shape]
    n = _deepest_accepted(make)
    assert n >= MAX_NESTING // 3, "the limit must leave room for real models"
    path = tmp_path / "deep.spec"
    path.write_text(make(n), encoding="utf-8")
    instantiate(load_model(path))  # resolve, type check, lower, configure: no RecursionError
    text = format_module(_parse(make(n)))
    assert _parse(text).decls == _parse(make(n)).decls
    diag = _error(make(n + 1))
    assert diag.code == "E0106" and diag.span.line >= 2


def test_integer_limits_and_leading_zeros():
    assert _parse("const K = 9223372036854775807;\n").decls[0].value.value == 2**63 - 1
    assert _error("const K = 9223372036854775808;\n").code == "E0107"
    assert _error("const K = " + "9" * 5000 + ";\n").code == "E0107"
    diag = _error("const K = 010;\n")
    assert diag.code == "E0110" and (diag.span.line, diag.span.col) == (1, 11)
    assert _parse("const K = 0x10;\n").decls[0].value.value == 16


def _lark_comments(text: str) -> list[tuple[str, int, int, int, int]]:
    toks = _parser().lex(text, dont_ignore=True)
    return [("\n".join(ln.rstrip() for ln in str(t).split("\n")), t.line, t.column, t.end_line, t.end_column)
            for t in toks if "COMMENT" in t.type]


def _our_comments(text: str) -> list[tuple[str, int, int, int, int]]:
    m = _parse(text)
    return [(c.text, c.span.line, c.span.col, c.span.end_line, c.span.end_col) for c in m.comments]


TRICKY = (
    'action a() "doc // not a comment" cite "/* nor this" { skip; }  // but this\n'
    '/* " a quote in a comment */ var x: bool; // "another"\n'
    'var y: bool; /* one\n two "\n three */ var z: bool;\n'
    'invariant i: x; //\n'
)


def test_comments_are_exactly_those_lark_skips():
    for text in [TRICKY] + [p.read_text(encoding="utf-8") for p in model_files()]:
        assert _our_comments(text) == _lark_comments(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(['"//"', '"/*"', "// c\n", "// crlf \r\n", "/* c\r\n d */ ", "/* c */", "/* a\nb */", '"\\""', "\n", " ",
                                 "var x: bool;", "invariant i", ": true;", '"doc"']), max_size=12))
def test_comment_finder_agrees_with_lark_on_any_lexable_text(parts):
    text = "".join(parts)
    try:
        lark_view = _lark_comments(text)
    except Exception:  # noqa: BLE001 - texts that do not even lex are not the question here
        return
    try:
        ours = _our_comments(text)
    except FrontendError:
        return  # lexes but does not parse: no comments are needed
    assert ours == lark_view


def test_crlf_tabs_and_bom_keep_positions(tmp_path):
    path = tmp_path / "w.spec"
    path.write_bytes(b"\xef\xbb\xbfvar x: bool;\r\n\tinvariant i: x && y;\r\n")
    src = read_source(path, "w.spec")
    assert src.text.startswith("var")
    with pytest.raises(FrontendError) as info:
        load_model(path)
    (diag,) = info.value.diagnostics
    assert (diag.span.line, diag.span.col) == (2, 20)


def test_else_position_is_kept_for_fmt():
    m = _parse("var x: bool;\naction a() {\n  if x {\n    skip;\n  } else {\n    skip;\n  }\n}\n")
    stmt = m.decls[1].body[0]
    assert isinstance(stmt, ast.If) and (stmt.else_span.line, stmt.else_span.col) == (5, 5)


def test_parses_are_shared_and_immutable():
    text = "var x: bool;\n"
    assert parse(SourceFile("s.spec", text)) is parse(SourceFile("s.spec", text))
    assert parse(SourceFile("s.spec", text)) is not parse(SourceFile("other.spec", text))


def test_defs_expanded_beyond_any_stack_are_a_diagnostic(tmp_path):
    # Each def is shallow; expanded into each other they nest 1,000 deep (12,000 tokens: under
    # the per-file limit, which a chain of 1,500 would pass).
    lines = ["var x: bool;"] + [f"def d{i}(): bool = !d{i + 1}();" for i in range(1, 1000)]
    path = tmp_path / "chain.spec"
    path.write_text("\n".join(lines + ["def d1000(): bool = x;", "invariant i: d1();"]) + "\n", encoding="utf-8")
    with pytest.raises(FrontendError) as info:
        instantiate(load_model(path))
    assert [d.code for d in info.value.diagnostics] == ["E0106"]
