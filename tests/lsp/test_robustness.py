"""The language server never crashes on partial text: the front-end robustness test's inputs
(truncated and token-mutated models, the known nasty inputs) go through every request the server
answers; each request gets a result or an LSP error, and the server answers the next one."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import ROOT
from tests.lsp.client import Client
from tests.spec.strategies import NASTY, mutations, truncations
from tests.spec.test_roundtrip import model_files

SEEDS = [p.read_text(encoding="utf-8") for p in model_files()]
ERRORS: list[tuple[str, str]] = []  # requests that answered an LSP error (allowed; none seen so far)
SETTINGS = dict(deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """A server with one open document in a folder that has the models' libraries."""
    root = tmp_path_factory.mktemp("lsp-robust")
    shutil.copytree(ROOT / "models" / "lib", root / "lib")
    doc = root / "input.spec"
    doc.write_text(SEEDS[0], encoding="utf-8")
    c = Client(root)
    c.initialize(root)
    uri = c.open(doc)
    c.version = 1  # type: ignore[attr-defined]
    yield c, uri
    assert c.stop() == 0, c.stderr()
    c.kill()


def _every_request(c: Client, uri: str, text: str) -> None:
    c.version += 1  # type: ignore[attr-defined]
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": c.version},  # type: ignore[attr-defined]
                                        "contentChanges": [{"text": text}]})
    lines = text.splitlines() or [""]
    spots = {(0, 0), (len(lines) // 2, len(lines[len(lines) // 2]) // 2), (len(lines) - 1, len(lines[-1])),
             (len(lines) + 3, 0)}
    doc = {"textDocument": {"uri": uri}}
    for line, col in sorted(spots):
        pos = {**doc, "position": {"line": line, "character": col}}
        for method, params in (("textDocument/hover", pos), ("textDocument/definition", pos),
                               ("textDocument/references", {**pos, "context": {"includeDeclaration": True}}),
                               ("textDocument/completion", pos)):
            got = c.request(method, params)
            assert "result" in got or "error" in got, (method, got)
            ERRORS.extend([(method, got["error"].get("message", "")[:300])] if "error" in got else [])
    for method, params in (("textDocument/documentSymbol", doc),
                           ("textDocument/formatting", {**doc, "options": {"tabSize": 2, "insertSpaces": True}})):
        got = c.request(method, params)
        assert "result" in got or "error" in got, (method, got)
        ERRORS.extend([(method, got["error"].get("message", "")[:300])] if "error" in got else [])
    assert c.proc.poll() is None, c.stderr()


@pytest.mark.parametrize("nasty", NASTY, ids=lambda s: repr(s[:12]))
def test_nasty_inputs(session, nasty):
    c, uri = session
    text = SEEDS[0]
    _every_request(c, uri, nasty)
    _every_request(c, uri, text[:len(text) // 2] + nasty + text[len(text) // 2:])


@settings(max_examples=120, **SETTINGS)
@given(text=truncations(SEEDS))
def test_truncated_models(session, text):
    _every_request(*session, text)


@settings(max_examples=200, **SETTINGS)
@given(text=mutations(SEEDS))
def test_mutated_models(session, text):
    _every_request(*session, text)


def test_the_server_still_answers_after_all_that(session):
    c, uri = session
    _every_request(c, uri, SEEDS[0])
    got = c.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert got.get("result"), got

