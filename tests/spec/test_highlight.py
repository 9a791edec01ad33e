"""Highlighting (spec/highlight.py, editors/vscode/): the Pygments lexer reads every model in the
repository without an error token and loses no text, knows exactly the grammar's keywords, is
what `pygmentize` picks for a .spec file, and the VS Code package is well formed and highlights
the same keywords."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Keyword, Name, Number, Operator, String, Token

from spec.highlight import (
    CONSTANT_KEYWORDS,
    DECLARATION_KEYWORDS,
    KEYWORDS,
    OTHER_KEYWORDS,
    TYPE_KEYWORDS,
    SpecLexer,
)

ROOT = Path(__file__).resolve().parents[2]
VSCODE = ROOT / "editors" / "vscode"
MODEL_FILES = sorted(
    [*ROOT.glob("models/*.spec"), *ROOT.glob("models/lib/*.spec"), ROOT / "bench/models/gmem.spec",
     *ROOT.glob("tests/spec/models/**/*.spec")])


def _tokens(text: str) -> list[tuple[int, object, str]]:
    # get_tokens_unprocessed: the text exactly as given (get_tokens strips and adds newlines).
    return list(SpecLexer().get_tokens_unprocessed(text))


def _grammar_keywords() -> list[str]:
    """The alphabetic string literals of spec/grammar.lark, outside its // comment lines."""
    text = (ROOT / "spec" / "grammar.lark").read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return [lit for lit in re.findall(r'"([^"\n]*)"', code) if lit.isalpha()]


# ---- (a) every model lexes cleanly


def test_the_model_files_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in MODEL_FILES}
    assert {"models/tdx.spec", "models/lib/kvm.spec", "bench/models/gmem.spec",
            "tests/spec/models/kitchen_sink.spec"} <= names
    assert len(names) >= 15


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_model_lexes_without_error_and_keeps_all_text(path: Path):
    text = path.read_text(encoding="utf-8")
    tokens = _tokens(text)
    errors = [(text.count("\n", 0, i) + 1, v) for i, t, v in tokens if t in Token.Error]
    assert errors == []
    assert "".join(v for _, _, v in tokens) == text
    offsets = [i for i, _, _ in tokens]
    assert offsets == [sum(len(v) for _, _, v in tokens[:k]) for k in range(len(tokens))]
    # Each `action NAME` and `def NAME` of the file is lexed as a function name.
    code = re.sub(r'//[^\n]*|/\*[\s\S]*?\*/|"[^"\\\n]*(?:\\.[^"\\\n]*)*"', " ", text)
    declared = re.findall(r"\b(?:action|def)\s+([A-Za-z_]\w*)", code)
    assert sorted(v for _, t, v in tokens if t is Name.Function) == sorted(declared)


def test_the_language_reference_examples_lex_without_error():
    doc = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```spec[^\n]*\n(.*?)```", doc, re.S)
    assert len(blocks) > 10
    for block in blocks:
        assert [v for _, t, v in _tokens(block) if t in Token.Error] == [], block


def test_token_types_of_a_small_model():
    text = ('model m;  /* block */\nsort Page = 0x2;\nvar on: Page -> bool = true;\n'
            'fair action go(p: Page) "a \\"doc\\"" cite "x" { require !on[p] <-> on[p]; on[p] := false; }\n'
            'def f(p: Page): bool = on[p]; // tail\n')
    got = [(t, v) for _, t, v in _tokens(text) if t is not Token.Text.Whitespace]
    expected_subsequences = [
        [(Keyword.Declaration, "model"), (Name, "m")],
        [(Comment.Multiline, "/* block */")],
        [(Keyword.Declaration, "sort"), (Name, "Page"), (Operator, "="), (Number.Hex, "0x2")],
        [(Name, "Page"), (Operator, "->"), (Keyword.Type, "bool"), (Operator, "="), (Keyword.Constant, "true")],
        [(Keyword, "fair"), (Keyword.Declaration, "action"), (Name.Function, "go")],
        [(String, '"'), (String, "a "), (String.Escape, '\\"'), (String, "doc"), (String.Escape, '\\"'),
         (String, '"'), (Keyword, "cite")],
        [(Operator, "!"), (Name, "on")],
        [(Operator, "<->")],
        [(Operator, ":="), (Keyword.Constant, "false")],
        [(Keyword.Declaration, "def"), (Name.Function, "f")],
        [(Comment.Single, "// tail")],
    ]
    for sub in expected_subsequences:
        assert any(got[i:i + len(sub)] == sub for i in range(len(got))), sub


# ---- (b) the keywords are the grammar's


def test_keywords_are_the_grammars_keyword_literals():
    from_grammar = set(_grammar_keywords())
    assert {"model", "action", "strong", "mitigation", "eventually"} <= from_grammar  # the extraction works
    assert set(KEYWORDS) == from_grammar
    assert len(KEYWORDS) == len(set(KEYWORDS))
    parts = [DECLARATION_KEYWORDS, TYPE_KEYWORDS, CONSTANT_KEYWORDS, OTHER_KEYWORDS]
    assert sorted(w for part in parts for w in part) == sorted(KEYWORDS)  # each in exactly one class


@pytest.mark.parametrize("word", KEYWORDS)
def test_each_keyword_is_a_keyword_token_and_only_as_a_whole_word(word: str):
    (_, ttype, value), *rest = [tok for tok in _tokens(word + " ") if tok[2].strip()]
    assert (ttype in Keyword, value, rest) == (True, word, [])
    for longer in (word + "x", word + "_1", "x" + word):
        assert [(t, v) for _, t, v in _tokens(longer)] == [(Name, longer)]


# ---- (c) Pygments finds the lexer


def _pygmentize() -> str:
    exe = Path(sys.executable).parent / "pygmentize"
    found = str(exe) if exe.exists() else shutil.which("pygmentize")
    assert found, "pygmentize is installed with pygments"
    return found


def test_pygments_finds_the_lexer_by_file_name_and_alias():
    text = (ROOT / "models" / "tdx.spec").read_text(encoding="utf-8")
    assert type(get_lexer_for_filename("models/tdx.spec", text)) is SpecLexer
    assert type(get_lexer_by_name("spec-check")) is SpecLexer
    assert SpecLexer.analyse_text(text) > 0
    assert SpecLexer.analyse_text("Name: kernel\nVersion: 6.18\n%build\nmake\n") == 0


@pytest.mark.parametrize("args", [["-l", "spec-check"], []], ids=["alias", "file-name"])
def test_pygmentize_highlights_a_model(args: list[str]):
    run = subprocess.run([_pygmentize(), *args, "-f", "html", "models/tdx.spec"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert '<span class="kd">model</span>' in run.stdout
    assert '<span class="kd">invariant</span>' in run.stdout
    assert '<span class="err">' not in run.stdout


# ---- (d), (e) the VS Code extension


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_textmate_grammar_has_the_same_keywords():
    grammar = _json(VSCODE / "syntaxes" / "spec.tmLanguage.json")
    pattern = grammar["repository"]["keywords"]["match"]
    assert pattern.startswith(r"\b(?:") and pattern.endswith(r")\b")
    words = re.findall(r"[A-Za-z]+", re.sub(r"\\b|\(\?:", "", pattern))
    assert [w for w, n in Counter(words).items() if n > 1] == []
    assert set(words) == set(KEYWORDS)
    # The capture groups are the lexer's classes, in order (declarations, type, constants, others).
    groups = re.fullmatch(r"\\b\(\?:\((.*)\)\|\((.*)\)\|\((.*)\)\|\((.*)\)\)\\b", pattern)
    assert groups is not None
    parts = [DECLARATION_KEYWORDS, TYPE_KEYWORDS, CONSTANT_KEYWORDS, OTHER_KEYWORDS]
    assert [set(g.split("|")) for g in groups.groups()] == [set(p) for p in parts]
    compiled = re.compile(pattern)
    for word in KEYWORDS:
        assert compiled.fullmatch(word) and not compiled.search(word + "_x") and not compiled.search("x" + word)
    declared = re.compile(grammar["repository"]["declarations"]["match"])
    assert [m.group(2) for m in declared.finditer("fair action go(p) def f(): bool = true;")] == ["go", "f"]


def test_the_vscode_package_is_well_formed():
    package = _json(VSCODE / "package.json")
    config = _json(VSCODE / "language-configuration.json")
    grammar = _json(VSCODE / "syntaxes" / "spec.tmLanguage.json")
    (language,) = package["contributes"]["languages"]
    (tm,) = package["contributes"]["grammars"]
    assert ".spec" in language["extensions"]
    assert language["id"] == tm["language"] == "spec"
    assert "onLanguage:spec" in package["activationEvents"]
    assert (VSCODE / language["configuration"]).is_file()
    assert (VSCODE / tm["path"]).is_file()
    assert tm["scopeName"] == grammar["scopeName"] == "source.spec"
    assert (VSCODE / package["main"]).is_file()
    assert (VSCODE / "README.md").is_file()
    setting = package["contributes"]["configuration"]["properties"]["specCheck.serverCommand"]
    assert (setting["type"], setting["default"]) == ("array", ["spec-check", "lsp"])
    assert "vscode-languageclient" in package["dependencies"]
    assert config["comments"]["lineComment"] == "//"
    assert {"open": '"', "close": '"'}.items() <= next(
        p for p in config["autoClosingPairs"] if p["open"] == '"').items()


def test_the_extension_is_valid_javascript():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    run = subprocess.run([node, "--check", str(VSCODE / "extension.js")], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr


def test_the_emacs_mode_in_the_editor_guide_has_the_same_keywords():
    guide = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    (listed,) = re.findall(r"\(defconst spec-mode-keywords\s+'\((.*?)\)\)", guide, re.S)
    words = re.findall(r'"([a-z]+)"', listed)
    assert sorted(words) == sorted(KEYWORDS)
