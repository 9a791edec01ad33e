"""A Pygments lexer for .spec models (spec/grammar.lark): `pygmentize FILE.spec`, Sphinx, Markdown.

It is registered as the Pygments entry point `spec` (pyproject.toml, `pygments.lexers`), so once
the package is installed Pygments finds it by the `*.spec` file name (`pygmentize FILE`) and by
the alias `spec-check` (`pygmentize -l spec-check FILE`). The alias `spec` alone is not enough:
Pygments looks up aliases in its own lexers first, and its RPM lexer has the alias `spec`.
Keywords are reserved everywhere in the language, so the lexer needs no context beyond the name
after `action` and `def`. tests/spec/test_highlight.py checks that `KEYWORDS` is the grammar's
set of keywords and that every shipped model lexes without an error token.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pygments.lexer import RegexLexer, default, include, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

__all__ = [
    "CONSTANT_KEYWORDS", "DECLARATION_KEYWORDS", "KEYWORDS", "OTHER_KEYWORDS", "TYPE_KEYWORDS", "SpecLexer",
]

# Keywords that start a declaration (Keyword.Declaration). `action` and `def` are followed by the
# name of what they declare (Name.Function).
DECLARATION_KEYWORDS: tuple[str, ...] = (
    "action", "assume", "component", "const", "def", "enum", "include", "init", "invariant",
    "lemma", "mitigation", "model", "param", "property", "reachable", "sort", "var",
)
TYPE_KEYWORDS: tuple[str, ...] = ("bool",)  # Keyword.Type; sort and enum names are plain names
CONSTANT_KEYWORDS: tuple[str, ...] = ("false", "true")  # Keyword.Constant
# Statements, quantifiers, temporal operators, fairness and the words after a declaration's head.
OTHER_KEYWORDS: tuple[str, ...] = (
    "always", "assert", "choose", "cite", "count", "else", "eventually", "exists", "expect",
    "fair", "forall", "if", "match", "require", "skip", "strong", "where",
)
# Every keyword of the language: the alphabetic literals of spec/grammar.lark (all reserved).
KEYWORDS: tuple[str, ...] = tuple(sorted(
    DECLARATION_KEYWORDS + TYPE_KEYWORDS + CONSTANT_KEYWORDS + OTHER_KEYWORDS))

# Longest first, so that `<->` is not read as `<` `->` and `:=` not as `:` `=`.
OPERATORS: tuple[str, ...] = (
    "<->", ":=", "::", "=>", "->", "..", "&&", "||", "==", "!=", "<=", ">=",
    "<", ">", "+", "-", "*", "!", "?", "=",
)
PUNCTUATION = r"[{}()\[\],;:.]"
NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# Lines that only a .spec model has (an RPM .spec file has `Name:`, `%build`, ...): for choosing
# between this lexer and RPMSpecLexer by content.
_SPEC_LINE = re.compile(
    r"^[ \t]*(?:model\s+\w+\s*;|include\s+\"|component\s+\w+\s*\{|(?:(?:strong\s+)?fair\s+)?action\s+\w+\s*\("
    r"|(?:invariant|reachable|property)\s+\w+\b|var\s+\w+\s*:)",
    re.M,
)


class SpecLexer(RegexLexer):
    """Lexer for spec-check's .spec modelling language."""

    name = "spec-check model"
    # "spec" is also the alias of Pygments' own RPMSpecLexer, which get_lexer_by_name() tries first.
    aliases: ClassVar[list[str]] = ["spec-check", "spec"]
    filenames: ClassVar[list[str]] = ["*.spec"]
    mimetypes: ClassVar[list[str]] = ["text/x-spec-check"]

    @staticmethod
    def analyse_text(text: str) -> float:
        """How much `text` looks like a model (Pygments clamps the result to 0..1)."""
        return 0.6 if _SPEC_LINE.search(text) else 0.0

    tokens: ClassVar[dict[str, list[Any]]] = {
        "space": [
            (r"\s+", Whitespace),
            (r"//[^\n]*", Comment.Single),
            (r"/\*[\s\S]*?(?:\*/|\Z)", Comment.Multiline),  # unterminated: to the end, as spec/prescan.py
        ],
        "root": [
            include("space"),
            (r'"', String, "string"),
            (r"0x[0-9a-fA-F]+", Number.Hex),
            (r"[0-9]+", Number.Integer),
            (words(("action", "def"), suffix=r"\b"), Keyword.Declaration, "declared-name"),
            (words(DECLARATION_KEYWORDS, suffix=r"\b"), Keyword.Declaration),
            (words(TYPE_KEYWORDS, suffix=r"\b"), Keyword.Type),
            (words(CONSTANT_KEYWORDS, suffix=r"\b"), Keyword.Constant),
            (words(OTHER_KEYWORDS, suffix=r"\b"), Keyword),
            (r"_(?![A-Za-z0-9_])", Keyword),  # the wildcard pattern of `match`
            (NAME, Name),
            (words(OPERATORS), Operator),
            (PUNCTUATION, Punctuation),
        ],
        # After `action` or `def`: comments and spaces, then the name being declared.
        "declared-name": [
            include("space"),
            (NAME, Name.Function, "#pop"),
            default("#pop"),
        ],
        # One line only, as in the grammar; `\"`, `\\`, `\n`, `\t` (any `\x` is accepted).
        "string": [
            (r'[^"\\\n]+', String),
            (r"\\.", String.Escape),
            (r'"', String, "#pop"),
            default("#pop"),  # unterminated at the end of the line: back to the code
        ],
    }
