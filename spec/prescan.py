"""A cheap scan of a file's text before lark sees it: bracket nesting and the number of tokens.

lark's LALR parser costs about 30 microseconds a token and the stages after it about as much
again, so a large file (4 MiB of `a && a && ...`, of actions, of `(((`) took minutes. The scan
is one regular expression over the text, stops at the first limit it passes, and skips comments
and strings the way lark's lexer does, so both limits are reported in a few milliseconds, before
any parsing. Parentheses and brackets leave no level in lark's tree; they are counted here so
that the nesting limit means what a reader sees (decision 0003).
"""

from __future__ import annotations

import re

from spec.diagnostics import Diagnostic, FrontendError, Severity
from spec.source import Span

# Deeper than this (levels of lark's tree: expressions, statements, blocks; or of `(`, `[`, `{`)
# is refused with a message; every later stage recurses over the tree and must stay far from
# Python's limit.
MAX_NESTING = 200
# More tokens (comments included) than this in one file is refused (E0111): it bounds the time
# of every later stage: about 60 microseconds a token, so lint of the worst shapes at the limit
# takes 0.5-0.75 s (decision 0003). The largest file in models/ has about 1,600.
MAX_TOKENS = 16_000

# One token per match, leftmost first, in lark's terms: a string (to the end of its line when it
# is not closed), a comment (a `/*` never closed swallows the rest of the file, as lark says with
# E0108), a word or number, a two- or three-character operator, any other character.
_TOKEN = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?|//[^\n]*|/\*(?:[\s\S]*?\*/|[\s\S]*)'
                    r"|[A-Za-z0-9_]+|<->|->|=>|::|:=|&&|\|\||==|!=|<=|>=|\.\.|\S")
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")


def _span(file: str, text: str, start: int, length: int) -> Span:
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    return Span(file, line, col, line, col + length)


def scan(file: str, text: str) -> int:
    """The number of tokens of `text`, comments included. Raises FrontendError (E0106 or
    E0111) at the first bracket nested past MAX_NESTING or the first token past MAX_TOKENS."""
    depth = 0
    tokens = 0
    for m in _TOKEN.finditer(text):
        tok = m.group()
        tokens += 1  # comments too: lark lexes each, and fmt keeps each
        if tokens > MAX_TOKENS:
            raise FrontendError([_too_many(_span(file, text, m.start(), len(tok)))])
        if tok in _OPEN:
            depth += 1
            if depth > MAX_NESTING:
                raise FrontendError([_too_deep(_span(file, text, m.start(), 1), tok)])
        elif tok in _CLOSE:
            depth = max(depth - 1, 0)  # an unbalanced `)` is lark's to report
    return tokens


def _too_deep(span: Span, bracket: str) -> Diagnostic:
    cure = ("merge nested `if`s into one condition, or split the action" if bracket == "{"
            else "name parts of the expression with `def`s")
    return Diagnostic(span, Severity.ERROR, "E0106", f"nested more than {MAX_NESTING} levels deep",
                      f"each `(`, `[` and `{{` still open counts as a level: {cure}")


def _too_many(span: Span) -> Diagnostic:
    return Diagnostic(span, Severity.ERROR, "E0111", f"the file has more than {MAX_TOKENS:,} tokens",
                      "a model this large is almost certainly generated or the wrong file; every name, "
                      "number, symbol, string and comment counts, and the limit is per file (`include` "
                      "splits a model)")
