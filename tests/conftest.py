"""Shared test helpers: run the command line in-process and capture what it prints."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
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


@dataclass
class MakeRun:
    """`spec-check check models/tdx.spec --certificate DIR`, started in the background: what
    `make run` prints (engine auto, with the all-sizes step), plus the certificates of its proofs.

    The run takes minutes; the README test (its printed summary) and the cvc5 certificate test
    (its queries) share it instead of running it twice. Stdout and stderr go to files, so nothing
    blocks on a full pipe."""

    proc: subprocess.Popen
    certificates: Path
    stdout: Path
    stderr: Path

    def wait(self, timeout_s: float = 1800.0) -> Run:
        try:
            code = self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        return Run(code, self.stdout.read_text(encoding="utf-8"), self.stderr.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def tdx_make_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("make-run")
    exe = Path(sys.executable).parent / "spec-check"
    out, err = base / "stdout", base / "stderr"
    env = {**os.environ, "TERM": "dumb"}
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen([str(exe), "check", "models/tdx.spec", "--no-cache", "--certificate",
                                 str(base / "certificates")], stdout=o, stderr=e, cwd=ROOT, env=env)
    run = MakeRun(proc, base / "certificates", out, err)
    yield run
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session", autouse=True)
def _start_make_run_early(request):
    """Start the minutes-long `tdx_make_run` with the session when a collected test needs it: most
    of the suite runs on one core, so the run takes the other instead of holding up the end."""
    if any("tdx_make_run" in getattr(item, "fixturenames", ()) for item in request.session.items):
        request.getfixturevalue("tdx_make_run")
