"""The error reference and the language reference say what the front end does: every error
code that the code can emit is documented (and nothing else), every `console` example in
docs/errors.md is real output of a golden case, and every `spec` example in docs/language.md
and docs/errors.md is accepted or refused exactly as the documents say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spec.diagnostics import FrontendError
from spec.frontend import instantiate, load_model

ROOT = Path(__file__).resolve().parents[2]
ERRORS_MD = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
LANGUAGE_MD = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
GOLDEN = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests/spec/errors").rglob("*.expected"))


def _codes_in_sources() -> set[str]:
    found: set[str] = set()
    for pkg in ("spec", "checker"):
        for path in (ROOT / pkg).rglob("*.py"):
            found |= set(re.findall(r'"(E\d{4})"', path.read_text(encoding="utf-8")))
    return found


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_every_code_is_documented_and_every_documented_code_exists():
    documented = set(re.findall(r"^### (E\d{4}):", ERRORS_MD, re.M))
    assert documented == _codes_in_sources()


def test_console_examples_are_real_output():
    blocks = _blocks(ERRORS_MD, "console")
    assert len(blocks) >= 40
    for block in blocks:
        command, _, output = block.partition("\n")
        assert command.startswith("$ spec-check ")
        assert output.strip() in GOLDEN, output


def test_error_examples_are_the_golden_inputs():
    inputs = []
    for p in (ROOT / "tests/spec/errors").rglob("*.spec"):
        text = p.read_text(encoding="utf-8", errors="replace")
        inputs.append(text.split("\n", 1)[1] if text.startswith("// args:") else text)
    blocks = _blocks(ERRORS_MD, "spec")
    assert len(blocks) >= 40
    for block in blocks:
        assert block in inputs, block


def test_language_examples_are_valid_models(tmp_path):
    # Every `spec` block of the language reference is a complete model that loads and
    # configures; `spec lib/NAME` blocks are the files that the examples include.
    lib = tmp_path / "lib"
    lib.mkdir()
    for name, body in re.findall(r"```spec lib/(\S+)\n(.*?)```", LANGUAGE_MD, re.S):
        (lib / name).write_text(body, encoding="utf-8")
    blocks = _blocks(LANGUAGE_MD, "spec")
    assert len(blocks) >= 15
    for i, block in enumerate(blocks):
        path = tmp_path / f"example{i}.spec"
        path.write_text(block, encoding="utf-8")
        try:
            loaded = load_model(path)
            instantiate(loaded, sizes={s.name: 2 for s in loaded.model.sorts if s.size is None})
        except FrontendError as e:
            pytest.fail(f"example {i} of docs/language.md: {e}\n{block}")


def test_language_error_examples_are_refused(tmp_path):
    # `spec-error` blocks show what is not allowed: each must be refused.
    blocks = _blocks(LANGUAGE_MD, "spec-error")
    assert blocks
    for i, block in enumerate(blocks):
        path = tmp_path / f"bad{i}.spec"
        path.write_text(block, encoding="utf-8")
        with pytest.raises(FrontendError):
            instantiate(load_model(path))
