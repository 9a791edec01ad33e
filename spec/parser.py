"""Run lark on one source file and build the AST; syntax errors become Diagnostics.

The transformer only builds nodes (with spans); it checks nothing. Names, types and
everything else are the business of later stages. Two limits are checked on lark's tree
before it is transformed, so that no later (recursive) stage can fail on them: nesting depth
and the size of integer literals. Before lark runs at all, spec.prescan bounds the number of
tokens and the nesting of brackets, so that no input keeps the parser busy for long.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import os
import pickle
import re
import sys
from pathlib import Path
from typing import Any

import lark
from lark import Lark, Token, Transformer_NonRecursive, v_args
from lark.exceptions import UnexpectedInput, UnexpectedToken

from spec import ast
from spec.diagnostics import Diagnostic, FrontendError, Severity
from spec.ops import BinOp, Fairness, QuantKind, TemporalOp, UnOp
from spec.prescan import MAX_NESTING, MAX_TOKENS, scan
from spec.private import private_folder
from spec.source import NO_SPAN, SourceFile, Span
from spec.syntax_errors import KEYWORDS, syntax_diagnostic, tok_span

# Integer literals must fit in a signed 64-bit word (and Python's int() must accept them).
MAX_INT = 2**63 - 1

_OPS = {op.value: op for op in BinOp}


def _cache_path() -> str | bool:
    """Where lark keeps its LALR tables between runs, or nowhere. The caches here are pickles: a
    file planted by another user would run code, and lark's own default is a shared temp folder,
    so only a folder owned by us and closed to others (spec/private.py) is used."""
    folder = private_folder()
    if folder is None:
        return False
    py = "".join(map(str, sys.version_info[:2]))
    return str(folder / f"grammar-lark{lark.__version__}-py{py}.cache")


AST_CACHE_ENTRIES = 1000  # past this many parsed files kept, the older half is deleted


def _ast_cache() -> tuple[Path, str] | None:
    """The folder of parsed files kept between runs, and the digest of what makes an AST (this
    parser, the grammar, the AST classes, lark's and Python's versions): an entry made by other
    code is never read. None when no private folder can be had or SPEC_CHECK_NO_PARSE_CACHE=1."""
    if os.environ.get("SPEC_CHECK_NO_PARSE_CACHE") == "1":
        return None
    return _ast_cache_location(os.environ.get("XDG_CACHE_HOME"))


@functools.lru_cache(maxsize=4)
def _ast_cache_location(_xdg: str | None) -> tuple[Path, str] | None:
    folder = private_folder("ast")
    if folder is None:
        return None
    h = hashlib.sha256(f"{lark.__version__} {sys.version}".encode())
    here = Path(__file__).parent
    for name in ("parser.py", "grammar.lark", "ast.py", "source.py", "ops.py"):
        h.update((here / name).read_bytes())
    return folder, h.hexdigest()


def _cached_parse(name: str, text: str) -> ast.Module | None:
    where = _ast_cache()
    if where is None:
        return None
    try:
        with open(where[0] / _entry(where[1], name, text), "rb") as f:
            module = pickle.load(f)
    except Exception:  # noqa: BLE001 - absent, truncated or stale: parse again
        return None
    return module if isinstance(module, ast.Module) and module.file == name else None


def _store_parse(name: str, text: str, module: ast.Module) -> None:
    where = _ast_cache()
    if where is None:
        return
    path = where[0] / _entry(where[1], name, text)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    _prune(where[0])
    try:
        with open(tmp, "wb") as f:
            pickle.dump(module, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except (OSError, pickle.PicklingError, RecursionError):
        tmp.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    try:
        entries = list(folder.glob("*.pickle"))
        if len(entries) < AST_CACHE_ENTRIES:
            return
        entries.sort(key=lambda e: e.stat().st_mtime)
        for e in entries[: len(entries) // 2]:
            e.unlink(missing_ok=True)
    except OSError:
        pass


def _entry(digest: str, name: str, text: str) -> str:
    return hashlib.sha256(f"{digest}\0{name}\0{text}".encode("utf-8", "surrogatepass")).hexdigest() + ".pickle"


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    # Built once per process; the LALR tables are cached on disk between processes (lark
    # checks the grammar's hash before it uses them).
    return Lark.open("grammar.lark", rel_to=__file__, parser="lalr", lexer="basic",
                     propagate_positions=True, maybe_placeholders=True, cache=_cache_path())


def _span(file: str, meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return Span(file, 0, 0, 0, 0)
    return Span(file, meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_span(file: str, tok: Token) -> Span:
    return tok_span(file, tok)


def _unquote(tok: Token) -> str:
    body = str(tok)[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


@v_args(meta=True)
class _Build(Transformer_NonRecursive):
    """Tree -> AST nodes. One method per grammar alternative; no checks."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def _s(self, meta: Any) -> Span:
        return _span(self.file, meta)

    # -- names
    def qname(self, meta, items):
        return ast.Name(tuple(str(t) for t in items), span=self._s(meta))

    # -- types
    def bool_type(self, meta, _items):
        return ast.BoolTypeExpr(span=self._s(meta))

    def named_type(self, meta, items):
        return ast.NamedTypeExpr(items[0], span=self._s(meta))

    def range_type(self, meta, items):
        return ast.RangeTypeExpr(items[0], items[2], span=self._s(meta))

    def fun_type(self, meta, items):
        *args, _arrow, result = items
        return ast.FunTypeExpr(tuple(args), result, span=self._s(meta))

    # -- expressions
    def int_lit(self, meta, items):
        return ast.IntLit(int(str(items[0]), 0), span=self._s(meta), text=str(items[0]))

    def neg_int_lit(self, meta, items):
        value = int(str(items[1]), 0)
        neg = str(items[0]) == "-"
        return ast.IntLit(-value if neg else value, span=self._s(meta), text=("-" if neg else "") + str(items[1]))

    def true_lit(self, meta, _items):
        return ast.BoolLit(True, span=self._s(meta))

    def false_lit(self, meta, _items):
        return ast.BoolLit(False, span=self._s(meta))

    def name_expr(self, meta, items):
        return ast.NameExpr(items[0], span=self._s(meta))

    def index_expr(self, meta, items):
        return ast.Index(items[0], tuple(items[1]), span=self._s(meta))

    def call_expr(self, meta, items):
        return ast.Call(items[0], tuple(items[1] or ()), span=self._s(meta))

    def args(self, meta, items):
        return list(items)

    def binary(self, meta, items):
        lhs, op, rhs = items
        return ast.Binary(_OPS[str(op)], lhs, rhs, span=self._s(meta))

    def unary(self, meta, items):
        sign = str(items[0])
        if sign == "+":
            return items[1]  # unary plus is the identity
        return ast.Unary(UnOp.NOT if sign == "!" else UnOp.NEG, items[1], span=self._s(meta))

    def temporal_expr(self, meta, items):
        return ast.Temporal(TemporalOp(str(items[0])), items[1], span=self._s(meta))

    def cond_expr(self, meta, items):
        return ast.Cond(items[0], items[1], items[2], span=self._s(meta))

    def quant_expr(self, meta, items):
        kind = QuantKind(str(items[0]))
        return ast.Quant(kind, tuple(items[1]), items[2], span=self._s(meta))

    def binders(self, meta, items):
        return list(items)

    def binder(self, meta, items):
        return ast.Binder(str(items[0]), items[1], span=self._s(meta))

    # -- statements
    def block(self, meta, items):
        return tuple(items)

    def require_stmt(self, meta, items):
        return ast.Require(items[0], span=self._s(meta))

    def assign_stmt(self, meta, items):
        return ast.Assign(items[0], (), items[1], span=self._s(meta))

    def assign_index_stmt(self, meta, items):
        return ast.Assign(items[0], tuple(items[1]), items[2], span=self._s(meta))

    def if_stmt(self, meta, items):
        cond, then, else_tok, else_ = items
        if isinstance(else_, ast.If):
            else_ = (else_,)
        else_span = _tok_span(self.file, else_tok) if else_tok is not None else NO_SPAN
        return ast.If(cond, then, else_, span=self._s(meta), else_span=else_span)

    def match_stmt(self, meta, items):
        return ast.Match(items[0], tuple(items[1:]), span=self._s(meta))

    def arm(self, meta, items):
        patterns, body = items
        if not isinstance(body, tuple):
            body = (body,)
        return ast.MatchArm(patterns, body, span=self._s(meta))

    def patterns(self, meta, items):
        if any(p is None for p in items):
            # `_` matches everything; `A, _` is the same as `_`.
            return ()
        return tuple(items)

    def pattern(self, meta, items):
        item = items[0]
        return None if isinstance(item, Token) else item

    def true_pattern(self, meta, _items):
        return ast.Name(("true",), span=self._s(meta))

    def false_pattern(self, meta, _items):
        return ast.Name(("false",), span=self._s(meta))

    def forall_stmt(self, meta, items):
        return ast.ForallStmt(items[1], items[2], span=self._s(meta))

    def choose_stmt(self, meta, items):
        return ast.Choose(items[0], items[1], span=self._s(meta))

    def assert_stmt(self, meta, items):
        name = str(items[0]) if items[0] is not None else None
        return ast.Assert(name, items[1], span=self._s(meta))

    def skip_stmt(self, meta, _items):
        return ast.Skip(span=self._s(meta))

    # -- declarations
    def _named(self, meta, tok: Token) -> dict[str, Any]:
        return {"span": self._s(meta), "name_span": _tok_span(self.file, tok)}

    def model_decl(self, meta, items):
        return ast.ModelDecl(str(items[0]), **self._named(meta, items[0]))

    def include_decl(self, meta, items):
        return ast.Include(_unquote(items[0]), **self._named(meta, items[0]))

    def enum_decl(self, meta, items):
        return ast.EnumDecl(str(items[0]), items[1], **self._named(meta, items[0]))

    def enum_members(self, meta, items):
        return tuple(ast.EnumMember(str(t), span=_tok_span(self.file, t)) for t in items if t is not None)

    def sort_decl(self, meta, items):
        return ast.SortDecl(str(items[0]), items[1], **self._named(meta, items[0]))

    def param_decl(self, meta, items):
        mit, name, typ, default = items
        return ast.ParamDecl(str(name), typ, default, mit is not None, **self._named(meta, name))

    def param_override(self, meta, items):
        name, value = items
        return ast.ParamOverride(name, value, span=self._s(meta), name_span=name.span)

    def const_decl(self, meta, items):
        return ast.ConstDecl(str(items[0]), items[1], **self._named(meta, items[0]))

    def var_decl(self, meta, items):
        return ast.VarDecl(str(items[0]), items[1], items[2], **self._named(meta, items[0]))

    def init_decl(self, meta, items):
        return ast.InitDecl(items[0], span=self._s(meta), name_span=self._s(meta))

    def def_decl(self, meta, items):
        name, params, result, body = items
        return ast.DefDecl(str(name), tuple(params or ()), result, body, **self._named(meta, name))

    def action_decl(self, meta, items):
        fairness, name, params, doc, cite, body = items
        return ast.ActionDecl(str(name), tuple(params or ()), doc, cite, body, fairness=fairness,
                              **self._named(meta, name))

    def weak_fairness(self, meta, items):
        return Fairness.WEAK

    def strong_fairness(self, meta, items):
        return Fairness.STRONG

    def property_decl(self, meta, items):
        return self._prop(ast.PropertyDecl, meta, items)

    def doc(self, meta, items):
        return "".join(_unquote(s) for s in items)

    def cite(self, meta, items):
        return "".join(_unquote(s) for s in items)

    def _prop(self, cls, meta, items):
        name, doc, expr = items
        return cls(str(name), doc, expr, **self._named(meta, name))

    def invariant_decl(self, meta, items):
        return self._prop(ast.InvariantDecl, meta, items)

    def lemma_decl(self, meta, items):
        name, doc, expr = items
        return ast.InvariantDecl(str(name), doc, expr, lemma=True, **self._named(meta, name))

    def reachable_decl(self, meta, items):
        name, expect, doc, expr = items
        word, where = expect if expect is not None else (None, NO_SPAN)
        return ast.ReachableDecl(str(name), doc, expr, word, where, **self._named(meta, name))

    def expect(self, meta, items):
        return str(items[0]), _tok_span(self.file, items[0])

    def assume_decl(self, meta, items):
        return self._prop(ast.AssumeDecl, meta, items)

    def component_decl(self, meta, items):
        return ast.ComponentDecl(str(items[0]), tuple(items[1:]), **self._named(meta, items[0]))

    def start(self, meta, items):
        return tuple(items)


def _int_problem(tok: Token, file: str) -> Diagnostic | None:
    """A literal that is too large, or written with a leading zero (octal in C)."""
    text = str(tok)
    if len(text) > 1 and text[0] == "0" and text[1].isdigit():
        return Diagnostic(tok_span(file, tok), Severity.ERROR, "E0110", f"`{text}` starts with a zero",
                          f"C would read it as octal; write {text.lstrip('0') or '0'} (or hex, 0x...)")
    if len(text) > 20 or int(text, 0) > MAX_INT:
        shown = text if len(text) <= 24 else text[:20] + "..."
        return Diagnostic(tok_span(file, tok), Severity.ERROR, "E0107", f"integer `{shown}` is too large",
                          f"integers in a model must be at most {MAX_INT} (2^63 - 1)")
    return None


def _check_tree(tree: lark.Tree, file: str) -> list[Diagnostic]:
    """Nesting beyond MAX_NESTING and integer literals beyond MAX_INT (iteratively)."""
    out: list[Diagnostic] = []
    deep_reported = False
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Token):
            problem = _int_problem(node, file) if node.type == "INT" else None
            if problem is not None:
                out.append(problem)
            continue
        if not isinstance(node, lark.Tree):
            continue
        if depth > MAX_NESTING and not deep_reported:
            deep_reported = True
            out.append(Diagnostic(_span(file, node.meta), Severity.ERROR, "E0106",
                                  f"nested more than {MAX_NESTING} levels deep",
                                  "split long chains of `&&`, `||` or `+` into named `def`s, or use a "
                                  "quantifier over a sort instead of listing its elements"))
            continue
        stack.extend((c, depth + 1) for c in node.children)
    return out


def parse(src: SourceFile) -> ast.Module:
    """Parse one file. Raises FrontendError on syntax errors (each declaration's first, up to 20).

    The AST is immutable, so the parse of a (name, text) pair is remembered: a library that
    several models include, or a model that `explore` loads for every configuration, is parsed
    once per process."""
    return _parse_text(src.name, src.text)


@functools.lru_cache(maxsize=256)
def _parse_text(name: str, text: str) -> ast.Module:
    scan(name, text)  # bracket nesting and size, before lark (and before what was cached)
    cached = _cached_parse(name, text)
    if cached is not None:
        return cached
    module = _parse_fresh(name, text)
    _store_parse(name, text, module)
    return module


def _parse_fresh(name: str, text: str) -> ast.Module:
    src = SourceFile(name, text)
    parser = _parser()
    try:
        tree = parser.parse(text)
    except UnexpectedInput as err:
        raise FrontendError(_syntax_errors(src, err, parser)) from None
    problems = _check_tree(tree, name)
    if problems:
        raise FrontendError(problems)
    decls = _Build(name).transform(tree)
    return ast.Module(name, decls, _comments(src), span=Span(name, 1, 1, 1, 1))


# After a syntax error, parsing resumes at the next declaration that starts a line (column 1): the
# top-level declaration holding the error is blanked out (newlines kept, so positions do not move)
# and the text parsed again. Errors after the blanked part are reported too, at most this many,
# and only while the texts parsed again add up to at most RESUME_TOKENS tokens (each parse starts
# from the top: 20 of them on a large file would take seconds).
MAX_SYNTAX_ERRORS = 20
RESUME_TOKENS = MAX_TOKENS
_DECL_AT_LINE_START = re.compile(r"^(?:model|include|enum|sort|mitigation|param|const|var|def|init|action|"
                                 r"invariant|lemma|reachable|property|fair|strong|assume|component)\b", re.M)


def _syntax_errors(src: SourceFile, first: UnexpectedInput, parser: Lark) -> list[Diagnostic]:
    """The first syntax error, then those found by resuming after the declaration holding each
    (only errors after the skipped declaration count, so one mistake is reported once)."""
    out = [syntax_diagnostic(src, first, parser)]
    text, err = src.text, first
    # sync points: declaration keywords at a line start, outside comments and strings
    plain = _STRING_OR_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    starts = [m.start() for m in _DECL_AT_LINE_START.finditer(plain)]
    reparses = RESUME_TOKENS // max(scan(src.name, src.text), 1)
    while len(out) < min(MAX_SYNTAX_ERRORS, 1 + reparses):
        pos = getattr(err, "pos_in_stream", None)
        if pos is None or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
            break  # the end of the file: nothing after it to resume at
        begin = max((s for s in starts if s <= pos), default=0)
        resume = next((s for s in starts if s > pos), None)
        if resume is None:
            break
        text = text[:begin] + re.sub(r"[^\n]", " ", text[begin:resume]) + text[resume:]
        try:
            parser.parse(text)
            break
        except UnexpectedInput as again:
            later = getattr(again, "pos_in_stream", None)
            if later is None or later < resume:
                break  # not a new mistake after the skipped part
            err = again
            out.append(syntax_diagnostic(SourceFile(src.name, text), again, parser))
    return out


# Strings and comments, leftmost first, with the grammar's own patterns: in a text that lexes,
# no other token holds `"` or `/`, so this finds exactly the comments lark's lexer skipped
# (asking lark to lex again without ignoring them costs a new lexer on every call). A `/*` that
# is never closed takes the rest of the text, as for lark (each `/*` searching the rest again
# took minutes on a file of many).
_STRING_OR_COMMENT = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|//[^\n]*|/\*(?:[\s\S]*?\*/|[\s\S]*)')


def _comments(src: SourceFile) -> tuple[ast.Comment, ...]:
    text = src.text
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def pos(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1] + 1

    out = []
    for m in _STRING_OR_COMMENT.finditer(text):
        if m.group().startswith('"'):
            continue
        (line, col), (end_line, end_col) = pos(m.start()), pos(m.end())
        # Trailing blanks and the CR of CRLF line ends are not part of what fmt writes back.
        body = "\n".join(ln.rstrip() for ln in m.group().split("\n"))
        out.append(ast.Comment(body, span=Span(src.name, line, col, end_line, end_col)))
    return tuple(out)


__all__ = ["KEYWORDS", "MAX_INT", "MAX_NESTING", "MAX_TOKENS", "parse"]
