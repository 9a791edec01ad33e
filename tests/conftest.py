"""Shared test helpers: run the command line in-process and capture what it prints."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_cli(args: list[str], cwd: Path | None = None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    finally:
        os.chdir(old)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(autouse=True)
def _no_result_cache(monkeypatch):
    """Tests never read or write the result cache unless they ask for it (tests of the cache
    point SPEC_CHECK_CACHE at a temporary folder and delete SPEC_CHECK_NO_CACHE)."""
    monkeypatch.setenv("SPEC_CHECK_NO_CACHE", "1")


@pytest.fixture(autouse=True)
def _no_parse_cache(monkeypatch):
    """Tests never keep parsed files on disk (the fuzzers parse thousands of inputs) unless they
    ask for it (tests/spec/test_parse_cache.py)."""
    monkeypatch.setenv("SPEC_CHECK_NO_PARSE_CACHE", "1")
