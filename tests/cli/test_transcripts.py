"""Command transcripts: tests/cli/cases/NAME.cmd holds a command line (run in tests/cli/, as
`spec-check` takes it) and optionally `fake: SCENARIO` (a scripted backend from scenarios.py, so
the transcript does not depend on which of several equally short traces a solver picks).
NAME.expected holds the command, stdout, stderr and the exit code, with times masked.
`make golden` (SPEC_CHECK_UPDATE_GOLDEN=1) rewrites the expected files; review the diff.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from tests.cli.scenarios import SCENARIOS
from tests.conftest import run_cli

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.cmd"))
UPDATE = os.environ.get("SPEC_CHECK_UPDATE_GOLDEN") == "1"
_TIMES = [(re.compile(r"\b\d+\.\d+s\b"), "#.##s"), (re.compile(r'"time_s": [0-9.e-]+'), '"time_s": #'),
          (re.compile(r'time="[0-9.]+"'), 'time="#"'),
          (re.compile(r'"states_per_s": \d+'), '"states_per_s": #'), (re.compile(r"\b[\d,]+ states/s\b"), "# states/s")]


def mask(text: str) -> str:
    for pattern, repl in _TIMES:
        text = pattern.sub(repl, text)
    return text


def _case(path: Path) -> tuple[list[str], str | None]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    fake = next((ln.split(":", 1)[1].strip() for ln in lines[1:] if ln.startswith("fake:")), None)
    return shlex.split(lines[0]), fake


def transcript(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    args, fake = _case(path)
    if fake is not None:
        monkeypatch.setattr("checker.backends.default_backend", SCENARIOS[fake])
    r = run_cli(args, cwd=HERE)
    return mask(f"$ spec-check {shlex.join(args)}\n{r.out}--- stderr\n{r.err}exit: {r.code}\n")


def test_there_are_transcripts():
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_transcript(case: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("SPEC_CHECK_TMP", str(tmp_path))
    actual = transcript(case, monkeypatch)
    expected_file = case.with_suffix(".expected")
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"no {expected_file.name}; run `make golden` and review it"
    assert actual == expected_file.read_text(encoding="utf-8")
    assert "Traceback" not in actual
    if actual.endswith("exit: 4\n"):
        assert "this is a bug in spec-check" in actual
