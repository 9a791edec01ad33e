"""Hypothesis strategies for the front end's tests: random well-formed ASTs (not necessarily
well-typed: they exercise the printer and the parser, not the type checker), and mutations of
valid model texts (for the robustness test).
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

from spec import ast
from spec.ops import BinOp, QuantKind, UnOp

# ---------------------------------------------------------------- ASTs

# A fixed pool (generating names from a regex costs more time than everything else); it holds
# near-keywords on purpose.
_NAME = st.sampled_from(["a", "b", "x1", "Page", "st", "kvm", "f_2", "Free", "counts", "iff", "_x", "If",
                         "true_", "forallx", "bool2", "Z"])
names = _NAME
qnames = st.lists(_NAME, min_size=1, max_size=3).map(lambda ps: ast.Name(tuple(ps)))
_QNAME1 = _NAME.map(lambda n: ast.Name((n,)))
_STRING = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF, blacklist_characters="\x7f"), max_size=12) \
    | st.sampled_from(['say "hi"', "a\\b", "tab\there", "line\nbreak", "// not a comment", "/* nor this */"])


def _leaf_exprs() -> st.SearchStrategy[ast.Expr]:
    return st.one_of(
        st.booleans().map(lambda b: ast.BoolLit(b)),
        st.integers(0, 2**63 - 1).map(lambda n: ast.IntLit(n)),
        qnames.map(lambda n: ast.NameExpr(n)),
    )


def _binders(types: st.SearchStrategy[ast.TypeExpr]) -> st.SearchStrategy[tuple[ast.Binder, ...]]:
    return st.lists(st.builds(ast.Binder, _NAME, types), min_size=1, max_size=2).map(tuple)


def _extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    args = st.lists(children, min_size=1, max_size=3).map(tuple)
    return st.one_of(
        st.builds(ast.Index, qnames, args),
        st.builds(ast.Call, qnames, st.lists(children, max_size=2).map(tuple)),
        st.builds(ast.Unary, st.sampled_from(list(UnOp)), children),
        st.builds(ast.Binary, st.sampled_from(list(BinOp)), children, children),
        st.builds(ast.Cond, children, children, children),
        st.builds(ast.Quant, st.sampled_from(list(QuantKind)), _binders(st.deferred(lambda: simple_types)), children),
    )


exprs: st.SearchStrategy[ast.Expr] = st.recursive(_leaf_exprs(), _extend, max_leaves=12)

_bounds = st.one_of(
    st.integers(-50, 50).map(lambda n: ast.IntLit(n)),
    qnames.map(lambda n: ast.NameExpr(n)),
    st.deferred(lambda: exprs),
)
simple_types: st.SearchStrategy[ast.TypeExpr] = st.one_of(
    st.just(ast.BoolTypeExpr()),
    qnames.map(lambda n: ast.NamedTypeExpr(n)),
    st.builds(ast.RangeTypeExpr, _bounds, _bounds),
)
types = st.one_of(
    simple_types,
    st.builds(ast.FunTypeExpr, st.lists(simple_types, min_size=1, max_size=3).map(tuple), simple_types),
)


def _leaf_stmts() -> st.SearchStrategy[ast.Stmt]:
    return st.one_of(
        st.builds(ast.Require, exprs),
        st.builds(ast.Assign, qnames, st.just(()), exprs),
        st.builds(ast.Assign, qnames, st.lists(exprs, min_size=1, max_size=2).map(tuple), exprs),
        st.builds(ast.Choose, st.builds(ast.Binder, _NAME, simple_types), st.none() | exprs),
        st.builds(ast.Assert, st.none() | _NAME, exprs),
        st.just(ast.Skip()),
    )


def _patterns() -> st.SearchStrategy[tuple[ast.Name, ...]]:
    member = st.one_of(qnames, st.sampled_from([ast.Name(("true",)), ast.Name(("false",))]))
    return st.just(()) | st.lists(member, min_size=1, max_size=3).map(tuple)


def _extend_stmts(children: st.SearchStrategy[ast.Stmt]) -> st.SearchStrategy[ast.Stmt]:
    block = st.lists(children, max_size=3).map(tuple)
    nonempty = st.lists(children, min_size=1, max_size=3).map(tuple)
    else_if = st.builds(ast.If, exprs, block, st.none() | block).map(lambda s: (s,))
    return st.one_of(
        st.builds(ast.If, exprs, block, st.none() | block | else_if),
        st.builds(ast.Match, exprs, st.lists(st.builds(ast.MatchArm, _patterns(), nonempty), max_size=3).map(tuple)),
        st.builds(ast.ForallStmt, st.builds(ast.Binder, _NAME, simple_types), block),
    )


stmts: st.SearchStrategy[ast.Stmt] = st.recursive(_leaf_stmts(), _extend_stmts, max_leaves=8)
_body = st.lists(stmts, max_size=4).map(tuple)
_doc = st.none() | _STRING


def _decls(inner: bool) -> st.SearchStrategy[ast.TopDecl]:
    options = [
        st.builds(ast.EnumDecl, _NAME, st.lists(_NAME.map(lambda n: ast.EnumMember(n)), max_size=4).map(tuple)),
        st.builds(ast.SortDecl, _NAME, st.none() | exprs),
        st.builds(ast.ParamDecl, _NAME, simple_types, exprs, st.booleans()),
        st.builds(ast.ConstDecl, _NAME, exprs),
        st.builds(ast.VarDecl, _NAME, types, st.none() | exprs),
        st.builds(ast.InitDecl, _body),
        st.builds(ast.DefDecl, _NAME, st.lists(st.builds(ast.Binder, _NAME, simple_types), max_size=2).map(tuple),
                  simple_types, exprs),
        st.builds(ast.ActionDecl, _NAME, st.lists(st.builds(ast.Binder, _NAME, simple_types), max_size=2).map(tuple),
                  _doc, _doc, _body),
        st.builds(ast.InvariantDecl, _NAME, _doc, exprs),
        st.builds(ast.ReachableDecl, _NAME, _doc, exprs),
        st.builds(ast.AssumeDecl, _NAME, _doc, exprs),
    ]
    if not inner:
        options += [
            st.builds(ast.ModelDecl, _NAME),
            st.builds(ast.Include, st.sampled_from(["lib/mm.spec", "a.spec", "x/../y.spec", 'q"uote.spec'])),
            st.builds(ast.ComponentDecl, _NAME, st.lists(_decls(True), max_size=3).map(tuple)),
        ]
    return st.one_of(options)


modules = st.lists(_decls(False), max_size=6).map(lambda ds: ast.Module("gen.spec", tuple(ds)))


# ---------------------------------------------------------------- texts

# Comments, strings, names, numbers and every operator; whitespace runs are tokens too, so that
# joining the tokens gives back the text exactly.
TOKEN = re.compile(r'\s+|//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|0x[0-9a-fA-F]+|\d+'
                   r"|:=|::|<->|->|=>|\.\.|==|!=|<=|>=|&&|\|\||.", re.S)

# Things that have broken front ends before: odd bytes and line ends, huge and odd numbers,
# deep nesting, unbalanced brackets and comments, non-ASCII names.
NASTY = ("\x00", "\t", "\r\n", "\r", "\x0c", "\ufeff", "\u202e", "é", "名", "\U0001F600",
         "99999999999999999999999", "9" * 5000, "0x" + "f" * 40, "007", "0x", "-0",
         '"', '"unterminated', "/*", "*/", "//", "{", "}", "(", ")", "[", "]", ";", ",", ".", "..",
         "(" * 300, "!" * 400, "- " * 300, "x && " * 300, "{ " * 150,
         # past the front end's size limits, refused before parsing (decision 0003)
         "(" * 100_000, "[" * 300, "x && " * 20_000, "/* a " * 5_000,
         "_", "true", "false", "count", "forall", "exists", "choose", "where", "else", "mitigation")


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def mutations(seeds: list[str]) -> st.SearchStrategy[str]:
    """A valid text with one to four token-level edits: delete, insert, replace, swap, duplicate."""
    tokenized = [tokens(s) for s in seeds]
    vocab = sorted({t for ts in tokenized for t in ts if t.strip()})
    return _mutation(tokenized, st.sampled_from(vocab) | st.sampled_from(NASTY))


@st.composite
def _mutation(draw, tokenized: list[list[str]], new_token: st.SearchStrategy[str]) -> str:
    toks = list(draw(st.sampled_from(tokenized)))
    for _ in range(draw(st.integers(1, 4))):
        if not toks:
            break
        i = draw(st.integers(0, len(toks) - 1))
        op = draw(st.sampled_from(["delete", "insert", "replace", "swap", "duplicate"]))
        new = draw(new_token)
        if op == "delete":
            del toks[i]
        elif op == "insert":
            toks.insert(i, new)
        elif op == "replace":
            toks[i] = new
        elif op == "swap":
            j = draw(st.integers(0, len(toks) - 1))
            toks[i], toks[j] = toks[j], toks[i]
        else:
            toks[i:i] = toks[i:i + draw(st.integers(1, 8))]
    return "".join(toks)


@st.composite
def truncations(draw, seeds: list[str]) -> str:
    text = draw(st.sampled_from(seeds))
    cut = draw(st.integers(0, len(text)))
    return text[:cut] + draw(st.sampled_from(["", "\n", " ", "}", ";"]))
