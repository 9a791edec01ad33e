"""Syntax errors as Diagnostics: what lark reports, said the way a C programmer expects.

Each syntax error gets one message (the parser resumes after the declaration holding it, see
spec/parser.py, so later ones are reported too), and it must be good: it names what was found, what could have come instead (summarised as
"an expression", "a statement", "a declaration" rather than a list of twenty tokens), and
points at the unclosed `{` or the missing `;` when that is the likely cause.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from spec.diagnostics import Diagnostic, Note, Severity
from spec.source import SourceFile, Span

KEYWORDS = frozenset({
    "model", "include", "enum", "sort", "param", "mitigation", "const", "var", "init", "def",
    "action", "cite", "invariant", "lemma", "reachable", "assume", "component", "require", "if", "else",
    "match", "forall", "exists", "count", "choose", "where", "assert", "skip", "true", "false",
    "bool", "_", "property", "fair", "strong", "always", "eventually", "expect",
})

# How the parser's terminal names read in a message.
_TERMINAL_TEXT = {
    "NAME": "a name", "INT": "a number", "STRING": "a string", "SEMICOLON": "`;`", "COLON": "`:`",
    "LBRACE": "`{`", "RBRACE": "`}`", "LPAR": "`(`", "RPAR": "`)`", "LSQB": "`[`", "RSQB": "`]`",
    "COMMA": "`,`", "EQUAL": "`=`", "ARROW": "`->`", "DOTDOT": "`..`", "DOT": "`.`", "IFF": "`<->`",
    "OR": "`||`", "AND": "`&&`", "EQ_OP": "`==` or `!=`", "REL_OP": "a comparison", "ADD_OP": "`+` or `-`",
    "MUL": "`*`", "NOT": "`!`", "QMARK": "`?`", "WILDCARD": "`_`",
    "FORALL": "`forall`", "EXISTS": "`exists`", "COUNT": "`count`", "MITIGATION": "`mitigation`",
    "$END": "end of file",
}

# Groups of terminals that a message names as one thing when all the key ones are expected.
_EXPR_KEYS = {"NAME", "INT", "LPAR"}
_EXPR_START = {"NAME", "INT", "LPAR", "NOT", "ADD_OP", "TRUE", "FALSE", "FORALL", "EXISTS", "COUNT", "ALWAYS",
               "EVENTUALLY"}
_STMT_KEYS = {"REQUIRE", "IF", "SKIP"}
_STMT_START = {"NAME", "REQUIRE", "IF", "MATCH", "FORALL", "CHOOSE", "ASSERT", "SKIP", "WILDCARD", "TRUE", "FALSE"}
_OPERATORS = {"AND", "OR", "ARROW", "IFF", "EQ_OP", "REL_OP", "ADD_OP", "MUL", "QMARK"}
_DECL_KEYS = {"VAR", "ACTION"}
_DECL_START = {"MODEL", "INCLUDE", "ENUM", "SORT", "PARAM", "MITIGATION", "CONST", "VAR", "INIT", "DEF",
               "ACTION", "INVARIANT", "LEMMA", "REACHABLE", "ASSUME", "COMPONENT", "FAIR", "STRONG",
               "PROPERTY"}
_DECL_WORDS = {"model", "include", "enum", "sort", "param", "mitigation", "const", "var", "init", "def",
               "action", "invariant", "lemma", "reachable", "assume", "component", "fair", "strong", "property"}

_OPENERS = {"LBRACE": "RBRACE", "LPAR": "RPAR", "LSQB": "RSQB"}
_CLOSER_TEXT = {"RBRACE": "}", "RPAR": ")", "RSQB": "]"}

# Characters that C programmers reach for and this language spells differently.
_CHAR_HINTS = {
    "&": "logical and is `&&` (there are no bitwise operators)",
    "|": "logical or is `||` (there are no bitwise operators)",
    "/": "there is no division; comments start with `//` or `/*`",
    "%": "there is no remainder operator",
    "#": "comments start with `//` or `/*`; there is no preprocessor",
    "'": "strings use double quotes",
    "~": "logical not is `!`",
    "^": "there is no xor; write `a != b` for bools",
}


def describe_char(ch: str) -> str:
    """`x`, `é` (U+00E9), or U+0000 for a character that cannot be shown."""
    if ch.isprintable() and not unicodedata.category(ch).startswith("C"):
        return f"`{ch}`" + (f" (U+{ord(ch):04X})" if ord(ch) > 127 else "")
    return f"U+{ord(ch):04X}"


def syntax_diagnostic(src: SourceFile, err: UnexpectedInput, parser: Lark) -> Diagnostic:
    """The one diagnostic for the syntax error `err` of `src`."""
    if isinstance(err, UnexpectedCharacters):
        return _bad_character(src, err)
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        return _bad_token(src, err, parser)
    return _end_of_file(src, acceptable(err), parser)


def _bad_character(src: SourceFile, err: UnexpectedCharacters) -> Diagnostic:
    line, col = max(err.line, 1), max(err.column, 1)
    pos = err.pos_in_stream if err.pos_in_stream is not None else -1
    ch = src.text[pos] if 0 <= pos < len(src.text) else "?"
    span = Span(src.name, line, col, line, col + 1)
    if src.text.startswith("/*", pos):
        return Diagnostic(Span(src.name, line, col, line, col + 2), Severity.ERROR, "E0108",
                          "this comment is never closed", "a `/*` comment ends with `*/`")
    if ch == '"':
        return Diagnostic(span, Severity.ERROR, "E0109", "this string is never closed",
                          "a string ends on the line where it starts: add the closing `\"`")
    hint = _CHAR_HINTS.get(ch)
    if hint is None and ord(ch) > 127 and ch.isalpha():
        hint = "names use ASCII letters, digits and `_`; other text belongs in comments and strings"
    return Diagnostic(span, Severity.ERROR, "E0101", f"unexpected character {describe_char(ch)}", hint)


def _bad_token(src: SourceFile, err: UnexpectedToken, parser: Lark) -> Diagnostic:
    tok = err.token
    expected = acceptable(err)
    text = str(tok)
    span = tok_span(src.name, tok)
    before = tokens_before(parser, src.text, tok.start_pos or 0)
    if text in KEYWORDS and "NAME" in expected and _used_as_name(src.text, tok, expected):
        return Diagnostic(span, Severity.ERROR, "E0103", f"`{text}` is a reserved word and cannot be used as a name",
                          "choose another name (keywords are reserved everywhere)")
    if "SEMICOLON" in expected and before and (before[-1].end_line or 0) < (tok.line or 0):
        return _missing_semicolon(src, before[-1], f"found `{text}` on the next line")
    if "SEMICOLON" in expected and tok.type == "RBRACE" and before:
        return _missing_semicolon(src, before[-1], "a statement ends with `;`, even the last one in a block")
    opener = unclosed(before)
    texts = {_terminal_text(t, parser) for t in expected}
    hint = "expected " + summarise(expected, parser)
    notes: list[Note] = []
    nxt = src.text[tok.end_pos or 0:][:1]
    if text == "=" and "`:=`" in texts:
        hint = "assignment is written `:=` (and comparison `==`)"
    elif text in "+-" and nxt == text:
        hint = f"there is no `{text}{text}`: write `x := x {text} 1;`"
    elif tok.type == "ARROW" and "`=>`" in texts:
        hint = "a match arm is written `Member => statement` (or `=> { ... }`)"
    elif tok.type == "ARROW" and len(before) >= 2 and before[-2].type == "ARROW":
        hint = "a function of several arguments is written `(A, B) -> T`"
    elif tok.type == "REL_OP":
        hint = "comparisons do not chain: write `a < b && b < c`"
    elif expected == {"COLON"}:
        hint = "expected `:` and a type, as in `var ref: 0..3 = 0;`"
    elif text in _DECL_WORDS:
        if opener is not None and opener.type == "LBRACE":
            hint = f"is a `}}` missing above? declarations cannot appear inside a block; {hint}"
            notes.append(Note(tok_span(src.name, opener), "this `{` is still open"))
    elif "LBRACE" in expected and (kw := _open_statement(before)) is not None:
        hint = f"{hint}: the body of `{kw}` is always a block in braces, as in `{kw} ... {{ ... }}`"
    elif text == ";" and before and before[-1].type == "RBRACE":
        hint = f"no `;` after the `}}` of a block; {hint}"
    elif text == "else":
        hint = "`else` follows the closing `}` of an `if` block: `} else {`"
    return Diagnostic(span, Severity.ERROR, "E0102", f"unexpected `{text}`", hint, tuple(notes))


def _used_as_name(text: str, tok: Token, expected: set[str]) -> bool:
    """Is the reserved word `tok` where a name would fit, and followed by what follows a name?"""
    if expected <= {"NAME", "RPAR", "RBRACE"}:
        return True
    rest = text[tok.end_pos or 0:]
    return re.match(r"\s*(:=|:(?!:)|\[|\(|=(?!=)|,)", rest) is not None


def _missing_semicolon(src: SourceFile, prev: Token, hint: str) -> Diagnostic:
    line, col = prev.end_line or 1, prev.end_column or 1
    return Diagnostic(Span(src.name, line, col, line, col + 1), Severity.ERROR, "E0104", "missing `;`", hint)


def _end_of_file(src: SourceFile, expected_terms: Iterable[str], parser: Lark) -> Diagnostic:
    expected = set(expected_terms)
    before = tokens_before(parser, src.text, len(src.text))
    if before:
        last = before[-1]
        line, col = last.end_line or 1, last.end_column or 1
    else:
        line, col = 1, 1
    span = Span(src.name, line, col, line, col + 1)
    opener = unclosed(before)
    if opener is not None:
        closer = _CLOSER_TEXT[_OPENERS[opener.type]]
        return Diagnostic(span, Severity.ERROR, "E0105", f"the file ends before `{opener}` is closed",
                          f"add the missing `{closer}`",
                          (Note(tok_span(src.name, opener), f"this `{opener}` is never closed"),))
    if "SEMICOLON" in expected and before:
        return _missing_semicolon(src, before[-1], "the file ends here")
    hint = ("expected " + summarise(expected, parser)) if expected else None
    return Diagnostic(span, Severity.ERROR, "E0105", "unexpected end of file", hint)


def acceptable(err: UnexpectedInput) -> set[str]:
    """The terminals that could really come next. lark's `expected` is the lookahead set of an
    LALR state, which merges contexts (it offers declarations inside a block); asking the
    parser which tokens it would accept in its actual configuration is exact."""
    ip = getattr(err, "interactive_parser", None)
    if ip is not None:
        try:
            return set(ip.accepts())
        except LarkError:
            pass
    return set(getattr(err, "expected", None) or ())


def summarise(expected: set[str], parser: Lark) -> str:
    """`an expression`, `a statement or `}``, `one of `,`, `)``..."""
    groups: list[str] = []
    rest = set(expected)
    if _DECL_KEYS <= rest:
        groups.append("a declaration (`var`, `action`, `invariant`, ...)")
        rest -= _DECL_START
    if _STMT_KEYS <= rest:
        groups.append("a statement")
        rest -= _STMT_START
    if _EXPR_KEYS <= rest:
        groups.append("an expression")
        rest -= _EXPR_START
    if len(rest & _OPERATORS) >= 4:
        groups.append("an operator")
        rest -= _OPERATORS
    items = groups + sorted({_terminal_text(t, parser) for t in rest})
    if not items:
        return "something else"
    if len(items) == 1:
        return items[0]
    if len(items) <= 8:
        return ", ".join(items[:-1]) + " or " + items[-1]
    return "one of " + ", ".join(items[:8]) + ", ..."


def _terminal_text(name: str, parser: Lark) -> str:
    if name in _TERMINAL_TEXT:
        return _TERMINAL_TEXT[name]
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return name.lower()
    if isinstance(pattern, PatternStr):
        return f"`{pattern.value}`"
    return name.lower()


def tokens_before(parser: Lark, text: str, pos: int) -> list[Token]:
    """The (non-comment) tokens that start before offset `pos`; the text up to there lexes."""
    out: list[Token] = []
    try:
        for tok in parser.lex(text):
            if (tok.start_pos or 0) >= pos:
                break
            out.append(tok)
    except UnexpectedInput:
        pass  # the error is further on; what we have is what precedes it
    return out


def _open_statement(before: list[Token]) -> str | None:
    """`if`, `forall`, `match` or `else` when the statement being parsed starts with one."""
    for tok in reversed(before):
        if tok.type in ("SEMICOLON", "LBRACE", "RBRACE"):
            return None
        if tok.type in ("IF", "FORALL", "MATCH", "ELSE") and str(tok) in ("if", "forall", "match", "else"):
            return str(tok)
    return None


def unclosed(tokens: list[Token]) -> Token | None:
    """The innermost opening bracket not yet closed at the end of `tokens`."""
    stack: list[Token] = []
    for tok in tokens:
        if tok.type in _OPENERS:
            stack.append(tok)
        elif tok.type in _CLOSER_TEXT and stack and _OPENERS[stack[-1].type] == tok.type:
            stack.pop()
    return stack[-1] if stack else None


def tok_span(file: str, tok: Token) -> Span:
    line = tok.line or 1
    col = tok.column or 1
    return Span(file, line, col, tok.end_line or line, tok.end_column or col + len(str(tok)))
