"""Run lark on one source file and build the AST; syntax errors become Diagnostics.

The transformer only builds nodes (with spans); it checks nothing. Names, types and
everything else are the business of later stages.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import lark
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from spec import ast
from spec.diagnostics import Diagnostic, FrontendError, Severity
from spec.ops import BinOp, QuantKind, UnOp
from spec.source import SourceFile, Span

KEYWORDS = frozenset({
    "model", "include", "enum", "sort", "param", "mitigation", "const", "var", "init", "def",
    "action", "cite", "invariant", "reachable", "assume", "component", "require", "if", "else",
    "match", "forall", "exists", "count", "choose", "where", "assert", "skip", "true", "false",
    "bool", "_",
})

# How the parser's terminal names read in a message.
_TERMINAL_TEXT = {
    "NAME": "a name", "INT": "a number", "STRING": "a string", "SEMICOLON": "`;`", "COLON": "`:`",
    "LBRACE": "`{`", "RBRACE": "`}`", "LPAR": "`(`", "RPAR": "`)`", "LSQB": "`[`", "RSQB": "`]`",
    "COMMA": "`,`", "EQUAL": "`=`", "ARROW": "`->`", "DOTDOT": "`..`", "DOT": "`.`", "IFF": "`<->`",
    "OR": "`||`", "AND": "`&&`", "EQ_OP": "`==` or `!=`", "REL_OP": "a comparison", "ADD_OP": "`+` or `-`",
    "MUL": "`*`", "NOT": "`!`", "QMARK": "`?`", "WILDCARD": "`_`", "__ANON_0": "`:=`",
    "FORALL": "`forall`", "EXISTS": "`exists`", "COUNT": "`count`", "MITIGATION": "`mitigation`",
    "$END": "end of file",
}

_OPS = {op.value: op for op in BinOp}


def _terminal_text(name: str, parser: Lark) -> str:
    if name in _TERMINAL_TEXT:
        return _TERMINAL_TEXT[name]
    try:
        term = parser.get_terminal(name)
        pattern = term.pattern
        if isinstance(pattern, lark.lexer.PatternStr):
            return f"`{pattern.value}`"
    except KeyError:
        pass
    return name.lower()


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    # Built once per process; lark's own cache keeps the LALR tables between runs.
    return Lark.open("grammar.lark", rel_to=__file__, parser="lalr", lexer="basic",
                     propagate_positions=True, maybe_placeholders=True, cache=False)


def _span(file: str, meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return Span(file, 0, 0, 0, 0)
    return Span(file, meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_span(file: str, tok: Token) -> Span:
    return Span(file, tok.line or 0, tok.column or 0, tok.end_line or tok.line or 0,
                tok.end_column or (tok.column or 0) + len(str(tok)))


def _unquote(tok: Token) -> str:
    body = str(tok)[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


@v_args(meta=True)
class _Build(Transformer):
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
        return ast.IntLit(int(str(items[0]), 0), span=self._s(meta))

    def neg_int_lit(self, meta, items):
        value = int(str(items[1]), 0)
        return ast.IntLit(-value if str(items[0]) == "-" else value, span=self._s(meta))

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
        cond, then, else_ = items
        if isinstance(else_, ast.If):
            else_ = (else_,)
        return ast.If(cond, then, else_, span=self._s(meta))

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
        name, params, doc, cite, body = items
        return ast.ActionDecl(str(name), tuple(params or ()), _unquote(doc) if doc else None,
                              cite, body, **self._named(meta, name))

    def cite(self, meta, items):
        return _unquote(items[0])

    def _prop(self, cls, meta, items):
        name, doc, expr = items
        return cls(str(name), _unquote(doc) if doc else None, expr, **self._named(meta, name))

    def invariant_decl(self, meta, items):
        return self._prop(ast.InvariantDecl, meta, items)

    def reachable_decl(self, meta, items):
        return self._prop(ast.ReachableDecl, meta, items)

    def assume_decl(self, meta, items):
        return self._prop(ast.AssumeDecl, meta, items)

    def component_decl(self, meta, items):
        return ast.ComponentDecl(str(items[0]), tuple(items[1:]), **self._named(meta, items[0]))

    def start(self, meta, items):
        return tuple(items)


def _syntax_diagnostic(src: SourceFile, err: UnexpectedInput, parser: Lark) -> Diagnostic:
    line, col = err.line if err.line and err.line > 0 else 1, err.column if err.column and err.column > 0 else 1
    if isinstance(err, UnexpectedCharacters):
        ch = src.text[err.pos_in_stream] if 0 <= err.pos_in_stream < len(src.text) else "?"
        hint = None
        if ch == '"':
            hint = "strings end on the line they start; close the quote"
        elif ch == "=" or ch == ":":
            hint = "assignment is `:=`, comparison is `==`"
        elif ch == "&" or ch == "|":
            hint = "logical operators are `&&` and `||`"
        return Diagnostic(Span(src.name, line, col, line, col + 1), Severity.ERROR, "E0101",
                          f"unexpected character `{ch}`", hint)
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        tok = err.token
        expected = sorted({_terminal_text(t, parser) for t in err.expected})
        span = _tok_span(src.name, tok)
        text = str(tok)
        if text in KEYWORDS and "a name" in expected:
            return Diagnostic(span, Severity.ERROR, "E0103", f"`{text}` is a reserved word and cannot be used as a name",
                              "choose another name (keywords are reserved everywhere)")
        if "`;`" in expected and _prev_line(src, tok) is not None and _prev_line(src, tok) < (tok.line or 0):
            pline, pcol = _prev_end(src, tok)
            return Diagnostic(Span(src.name, pline, pcol, pline, pcol + 1), Severity.ERROR, "E0104",
                              "expected `;` at the end of this line", f"found `{text}` on the next line")
        hint = "expected " + _one_of(expected)
        return Diagnostic(span, Severity.ERROR, "E0102", f"unexpected `{text}`", hint)
    # End of input.
    expected = sorted({_terminal_text(t, parser) for t in getattr(err, "expected", ()) or ()})
    end_line = src.text.count("\n") + 1
    last = src.text.rstrip()
    pline = last.count("\n") + 1 if last else 1
    pcol = len(last.rsplit("\n", 1)[-1]) + 1 if last else 1
    del end_line
    return Diagnostic(Span(src.name, pline, pcol, pline, pcol + 1), Severity.ERROR, "E0105",
                      "unexpected end of file", ("expected " + _one_of(expected)) if expected else None)


def _one_of(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    if len(items) <= 8:
        return "one of " + ", ".join(items)
    return "one of " + ", ".join(items[:8]) + ", ..."


def _prev_end(src: SourceFile, tok: Token) -> tuple[int, int]:
    """Line and column just after the last non-blank, non-comment character before `tok`."""
    before = src.text[: tok.start_pos]
    stripped = _strip_trailing_comments(before)
    line = stripped.count("\n") + 1
    col = len(stripped.rsplit("\n", 1)[-1]) + 1
    return line, col


def _prev_line(src: SourceFile, tok: Token) -> int | None:
    if tok.start_pos is None:
        return None
    return _prev_end(src, tok)[0]


def _strip_trailing_comments(text: str) -> str:
    while True:
        t = text.rstrip()
        last_line = t.rsplit("\n", 1)[-1]
        m = re.search(r"//[^\n]*$", last_line)
        if m and '"' not in last_line[: m.start()]:
            t = t[: len(t) - len(last_line) + m.start()]
            text = t
            continue
        if t.endswith("*/") and "/*" in t:
            text = t[: t.rfind("/*")]
            continue
        return t


def parse(src: SourceFile) -> ast.Module:
    """Parse one file. Raises FrontendError (one diagnostic) on a syntax error."""
    parser = _parser()
    comments: list[ast.Comment] = []

    def keep_comment(tok: Token) -> Token:
        comments.append(ast.Comment(str(tok), span=_tok_span(src.name, tok)))
        return tok

    try:
        tree = _parse_with_comments(parser, src.text, keep_comment)
        decls = _Build(src.name).transform(tree)
    except UnexpectedInput as err:
        raise FrontendError([_syntax_diagnostic(src, err, parser)]) from None
    except VisitError as err:  # pragma: no cover - the transformer raises nothing by design
        raise err.orig_exc from None
    except RecursionError:
        raise FrontendError([Diagnostic(Span(src.name, 1, 1, 1, 2), Severity.ERROR, "E0106",
                                        "expression nested too deeply",
                                        "split the expression with `def` helpers")]) from None
    return ast.Module(src.name, decls, tuple(comments), span=Span(src.name, 1, 1, 1, 1))


def _parse_with_comments(parser: Lark, text: str, on_comment) -> lark.Tree:
    # Comments are %ignore'd by the grammar; we recover them from the lexer's token stream
    # by scanning the text ourselves, which keeps the shared parser object stateless.
    tree = parser.parse(text)
    for m in _COMMENT_RE.finditer(_mask_strings(text)):
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        end = m.end()
        end_line = text.count("\n", 0, end) + 1
        end_col = end - (text.rfind("\n", 0, end) + 1) + 1
        on_comment(Token("COMMENT", text[m.start():end], start_pos=m.start(), line=line, column=col,
                         end_line=end_line, end_column=end_col, end_pos=end))
    return tree


_COMMENT_RE = re.compile(r"//[^\n]*|/\*(?:.|\n)*?\*/")


def _mask_strings(text: str) -> str:
    """Replace the contents of string literals so that `//` inside a string is not a comment."""
    return re.sub(r'"([^"\\\n]|\\.)*"', lambda m: '"' + "x" * (len(m.group(0)) - 2) + '"', text)
