"""Golden tests for error messages: tests/spec/errors/*.spec next to *.expected.

The first line of a case may be `// args: ...` (the command-line flags, as `spec-check` takes
them, with FILE standing for the case itself); without it the case runs `spec-check lint FILE`.
The expected file holds stdout, stderr and the exit code. `make golden` rewrites the expected
files from the current output (review the diff before committing it).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

from tests.conftest import run_cli

ERRORS = Path(__file__).parent / "errors"
CASES = sorted(p for p in ERRORS.rglob("*.spec") if not p.name.startswith("_") and "lib" not in p.parts[-2:-1])
UPDATE = os.environ.get("SPEC_CHECK_UPDATE_GOLDEN") == "1"


def _args(case: Path) -> list[str]:
    first = case.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
    rel = str(case.relative_to(ERRORS))
    if first.startswith("// args:"):
        return [rel if a == "FILE" else a for a in shlex.split(first[len("// args:"):])]
    return ["lint", rel]


def _render(case: Path) -> str:
    r = run_cli(_args(case), cwd=ERRORS)
    return f"{r.out}{r.err}exit: {r.code}\n"


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(ERRORS)) for c in CASES])
def test_golden(case: Path):
    expected_file = case.with_suffix(".expected")
    actual = _render(case)
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"no {expected_file.name}; run `make golden` and review it"
    expected = expected_file.read_text(encoding="utf-8")
    assert actual == expected
    # Every bad input exits 2 with a located error, never a traceback.
    assert "Traceback" not in actual
    if "exit: 2" in actual:
        assert "error[E" in actual


def test_enough_distinct_cases():
    # Issue 2 asks for at least 40 distinct bad inputs, covering every stage of the front end.
    assert len(CASES) >= 40
    groups = {str(c.relative_to(ERRORS)).split("_")[0].split("/")[0] for c in CASES}
    assert {"syntax", "name", "include", "type", "range", "config"} <= groups


def test_every_expected_file_has_its_case():
    # A renamed case must not leave a stale expected file behind.
    specs = {c.with_suffix("") for c in CASES}
    stale = [e for e in ERRORS.rglob("*.expected") if e.with_suffix("") not in specs]
    assert stale == []
