"""The on-disk cache of parsed files (spec/parser.py): a second process reads what the first
parsed; an entry it cannot trust (corrupt, from other code, in a folder others can write) is
never used."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from spec import parser
from spec.source import SourceFile

ROOT = Path(__file__).resolve().parents[2]
TEXT = "model m;\nvar x: bool = false;\naction a() { x := true; }\ninvariant i: true;\n"


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SPEC_CHECK_NO_PARSE_CACHE")
    parser._parse_text.cache_clear()
    yield tmp_path / "home" / "spec-check" / "ast"
    parser._parse_text.cache_clear()


def _parse(name: str = "m.spec", text: str = TEXT):
    parser._parse_text.cache_clear()  # the in-process layer: every call below goes to disk
    return parser.parse(SourceFile(name, text))


def test_a_parse_is_kept_and_read_back(cache_home, monkeypatch):
    first = _parse()
    [entry] = list(cache_home.glob("*.pickle"))
    calls = []
    real = parser._parse_fresh

    def counting(name, text):
        calls.append(name)
        return real(name, text)

    monkeypatch.setattr(parser, "_parse_fresh", counting)
    again = _parse()
    assert calls == [] and again == first and again.decls[1].span == first.decls[1].span
    assert cache_home.stat().st_mode & 0o077 == 0 and entry.exists()
    _parse(text=TEXT + "// edited\n")  # another text is another entry
    assert calls == ["m.spec"] and len(list(cache_home.glob("*.pickle"))) == 2


def test_another_file_name_is_another_entry(cache_home):
    a, b = _parse("a.spec"), _parse("b.spec")
    assert a.file == "a.spec" and b.file == "b.spec" and len(list(cache_home.glob("*.pickle"))) == 2


def test_a_corrupt_or_foreign_entry_is_parsed_again(cache_home):
    good = _parse()
    [entry] = list(cache_home.glob("*.pickle"))
    entry.write_bytes(b"not a pickle")
    assert _parse() == good
    entry.write_bytes(pickle.dumps({"not": "a module"}))
    assert _parse() == good


def test_no_cache_in_a_folder_others_can_write(cache_home):
    cache_home.mkdir(parents=True)
    os.chmod(cache_home, 0o777)
    _parse()
    assert list(cache_home.glob("*.pickle")) == []


def test_old_entries_are_pruned(cache_home, monkeypatch):
    monkeypatch.setattr(parser, "AST_CACHE_ENTRIES", 4)
    for k in range(6):
        _parse(text=TEXT + f"// {k}\n")
    assert len(list(cache_home.glob("*.pickle"))) <= 4


def test_a_second_process_reads_the_first_ones_parse(tmp_path):
    model = tmp_path / "m.spec"
    model.write_text(TEXT, encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "home")}
    env.pop("SPEC_CHECK_NO_PARSE_CACHE", None)
    exe = [sys.executable, "-m", "checker.cli", "lint", str(model)]
    for _ in range(2):
        r = subprocess.run(exe, env=env, capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert r.returncode == 0 and "ok" in r.stdout, r.stderr
    assert len(list((tmp_path / "home" / "spec-check" / "ast").glob("*.pickle"))) == 1
