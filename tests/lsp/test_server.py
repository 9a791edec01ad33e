"""`spec-check lsp` driven by a plain JSON-RPC client over pipes (tests/lsp/client.py), on the
shipped models: diagnostics, hover, definition, references, outline, formatting, completion,
the last cached verdict, and shutdown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.lsp.client import Client

MODELS = ROOT / "models"


def _pos(path: Path, needle: str, offset: int = 0) -> dict[str, int]:
    """The 0-based position of the first `needle` in the file (plus `offset` characters)."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if needle in line:
            return {"line": n, "character": line.index(needle) + offset}
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(scope="module")
def server():
    c = Client(ROOT)
    caps = c.initialize(ROOT)["capabilities"]
    for cap in ("hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider",
                "documentFormattingProvider", "completionProvider"):
        assert caps.get(cap), cap
    yield c
    c.kill()


def test_a_syntax_error_is_a_diagnostic_with_its_code_on_its_line(server, tmp_path):
    bad = tmp_path / "bad.spec"
    bad.write_text("model bad;\nvar x: bool = false;\naction a() { x := ; }\n", encoding="utf-8")
    uri = server.open(bad)
    [d] = server.diagnostics(uri)
    cli = run_cli(["lint", str(bad)])
    assert d["code"] in cli.err and d["code"].startswith("E")
    assert d["range"]["start"]["line"] == 2 and d["severity"] == 1
    # fixed as the user types: the diagnostics go away
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": "model bad;\nvar x: bool = false;\n"
                                                                 "action a() { x := true; }\n"}]})
    assert server.diagnostics(uri) == []


def test_an_error_in_an_included_file_is_shown_there_with_the_include_as_related(server, tmp_path):
    (tmp_path / "lib.spec").write_text("var y: bool = nope;\n", encoding="utf-8")
    main = tmp_path / "main.spec"
    main.write_text('model m;\ninclude "lib.spec";\n', encoding="utf-8")
    server.open(main)
    [d] = server.diagnostics((tmp_path / "lib.spec").resolve().as_uri())
    assert d["range"]["start"]["line"] == 0 and "nope" in d["message"]
    assert any(r["location"]["uri"].endswith("main.spec") for r in d.get("relatedInformation", []))


def test_the_shipped_models_have_no_diagnostics(server):
    for path in sorted(MODELS.glob("*.spec")):
        assert server.diagnostics(server.open(path)) == [], path


def test_hover_on_an_action_shows_its_doc_string_and_cite(server):
    kvm = MODELS / "lib" / "kvm.spec"
    uri = server.open(kvm)
    got = server.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                "position": _pos(kvm, "action fault_begin", len("action "))})
    text = got["result"]["contents"]["value"]
    assert "action kvm.fault_begin(v: Vcpu, g: Gfn, private: bool)" in text
    assert "EPT/NPT violation" in text and "cite: arch/x86/kvm/mmu/mmu.c" in text


def test_hover_on_a_variable_shows_its_type(server):
    tdx = MODELS / "tdx.spec"
    uri = server.open(tdx)
    got = server.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                "position": _pos(tdx, "mm.state[p]", len("mm.s"))})
    assert "var mm.state: Page -> PgState" in got["result"]["contents"]["value"]


def test_definition_of_a_qualified_name_lands_in_the_library(server):
    tdx = MODELS / "tdx.spec"
    uri = server.open(tdx)
    got = server.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                     "position": _pos(tdx, "hw.td_lines[p]", len("hw.t"))})
    [loc] = got["result"]
    assert loc["uri"] == (MODELS / "lib" / "hw.spec").resolve().as_uri()
    line = (MODELS / "lib" / "hw.spec").read_text(encoding="utf-8").splitlines()[loc["range"]["start"]["line"]]
    assert "var td_lines" in line
    inc = server.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                     "position": _pos(tdx, 'include "lib/system.spec"', 10)})
    assert inc["result"][0]["uri"].endswith("models/lib/system.spec")


def test_references_cross_includes_and_components(server):
    mm = MODELS / "lib" / "mm.spec"
    uri = server.open(mm)
    got = server.request("textDocument/references", {"textDocument": {"uri": uri},
                                                     "position": _pos(mm, "var state", len("var s")),
                                                     "context": {"includeDeclaration": True}})
    files = {Path(r["uri"]).name for r in got["result"]}
    # `state` inside component mm, `mm.state` in the other components and the models
    assert {"mm.spec", "guest_memfd.spec", "system.spec"} <= files
    texts = []
    for r in got["result"]:
        p = Path(r["uri"].removeprefix("file://"))
        line = p.read_text(encoding="utf-8").splitlines()[r["range"]["start"]["line"]]
        texts.append(line[r["range"]["start"]["character"]:r["range"]["end"]["character"]])
    assert set(texts) <= {"state", "mm.state"} and "mm.state" in texts


def test_document_symbols_outline_components_and_their_declarations(server):
    kvm = MODELS / "lib" / "kvm.spec"
    got = server.request("textDocument/documentSymbol", {"textDocument": {"uri": server.open(kvm)}})
    tops = {s["name"]: s for s in got["result"]}
    assert "kvm" in tops
    inner = {c["name"] for c in tops["kvm"]["children"]}
    assert {"fault_begin", "fault_install", "spte"} <= inner


def test_formatting_is_the_fmt_printer(server, tmp_path):
    ugly = tmp_path / "ugly.spec"
    ugly.write_text("model   ugly ;  var x:bool=false;\naction a(){x:=!x;}\n", encoding="utf-8")
    uri = server.open(ugly)
    got = server.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                                     "options": {"tabSize": 2, "insertSpaces": True}})
    [edit] = got["result"]
    assert edit["newText"] == run_cli(["fmt", str(ugly)]).out
    canonical = server.request("textDocument/formatting", {"textDocument": {"uri": server.open(MODELS / "tdx.spec")},
                                                           "options": {"tabSize": 2, "insertSpaces": True}})
    assert canonical["result"] == []


def test_completion_offers_a_components_names_after_its_dot_and_keywords_elsewhere(server, tmp_path):
    tdx = MODELS / "tdx.spec"
    text = tdx.read_text(encoding="utf-8") + "invariant typing: mm.\n"
    uri = server.open(tdx, text)
    line = len(text.splitlines()) - 1
    got = server.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                     "position": {"line": line, "character": len("invariant typing: mm.")}})
    labels = {i["label"] for i in got["result"]["items"]}
    assert {"state", "reclaim", "refs_freeze"} <= labels and "invariant" not in labels
    got = server.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                     "position": {"line": line, "character": 3}})
    labels = {i["label"] for i in got["result"]["items"]}
    assert {"invariant", "action", "mm.state", "hardware"} <= labels
    server.open(tdx)  # back to the file's text


def test_hover_on_a_property_shows_its_last_verdict_from_the_result_cache(tmp_path):
    model = tmp_path / "toy.spec"
    model.write_text('model toy;\nvar x: 0..2 = 0;\naction inc() { require x < 2; x := x + 1; }\n'
                     'invariant small "x stays small": x <= 1;\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("SPEC_CHECK_NO_CACHE", "SPEC_CHECK_CACHE")}
    exe = Path(sys.executable).parent / "spec-check"
    subprocess.run([str(exe), "check", "toy.spec", "-q"], cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert list((tmp_path / ".spec-check-cache").glob("*.json"))
    c = Client(tmp_path, env)
    try:
        c.initialize(tmp_path)
        uri = c.open(model)
        got = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": _pos(model, "small", 1)})
        text = got["result"]["contents"]["value"]
        assert "x stays small" in text and "last verdict in the result cache: **VIOLATED**" in text
        assert c.stop() == 0
    finally:
        c.kill()


def test_a_failing_request_answers_an_error_and_the_server_stays_up(server):
    got = server.request("textDocument/hover", {"textDocument": {"uri": "untitled:Untitled-1"},
                                                "position": {"line": 0, "character": 0}})
    assert "error" in got and "not a file" in got["error"]["message"]
    kvm = MODELS / "lib" / "kvm.spec"
    again = server.request("textDocument/documentSymbol", {"textDocument": {"uri": server.open(kvm)}})
    assert again["result"]


def test_shutdown_and_exit_end_the_server():
    c = Client(ROOT)
    try:
        c.initialize(ROOT)
        assert c.stop() == 0
    finally:
        c.kill()


def test_without_pygls_the_command_says_how_to_install_it():
    code = ("import sys; sys.modules['pygls'] = None; sys.modules['pygls.lsp.server'] = None\n"
            "from checker.cli import main; raise SystemExit(main(['lsp']))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 2 and "pip install 'spec-check[lsp]'" in r.stderr and "Traceback" not in r.stderr
