"""`spec-check check` (not only `lint`) on generated and mutated models, with small timeouts, in
real processes: every run ends with exit 0, 1, 2 or 3 (never 4, never a traceback), within its
`--timeout` plus a margin for start-up, and within a memory ceiling (an address-space limit on
the process: a run that outgrows it dies with MemoryError, exit 4, and fails here).

Generated models (tests/gen/models.py) are well-typed; mutated ones (token-level mutations of
every model in the repository, tests/spec/strategies.py) are mostly bad input, which must be a
diagnostic. Each example picks an engine, so every engine is exercised across runs.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.gen.models import models
from tests.spec.strategies import mutations
from tests.spec.test_roundtrip import model_files

ROOT = Path(__file__).resolve().parent.parent
SPEC_CHECK = str(Path(sys.executable).parent / "spec-check")
TIMEOUT_S = 2
MARGIN_S = 15  # start-up, the second check of proofs, and a busy two-core CI machine
MEMORY_BYTES = 3 * 1024**3
ENGINES = ("auto", "bmc", "induction", "pdr", "explicit", "simulate")
SEEDS = [p.read_text(encoding="utf-8") for p in model_files()]
SETTINGS = dict(deadline=None, database=None, max_examples=12,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder with the models' include libraries, so mutated models get past the loader."""
    root = tmp_path_factory.mktemp("fuzz-check")
    lib = root / "lib"
    lib.mkdir()
    for f in (ROOT / "models" / "lib").glob("*.spec"):
        shutil.copy(f, lib / f.name)
    return root


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def survive(text: str, engine: str, workdir: Path) -> None:
    path = workdir / "input.spec"
    path.write_text(text, encoding="utf-8")
    t0 = time.monotonic()
    p = subprocess.run([SPEC_CHECK, "check", "input.spec", "--engine", engine, "--timeout", str(TIMEOUT_S),
                        "--no-cache", "--quiet"], cwd=workdir, capture_output=True, text=True,
                       timeout=TIMEOUT_S + 60, preexec_fn=_limit_memory)
    wall = time.monotonic() - t0
    assert p.returncode in (0, 1, 2, 3), (engine, p.returncode, p.stderr[-3000:], text)
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, (p.stderr[-3000:], text)
    if p.returncode == 2:
        assert "error" in p.stderr, p.stderr
    assert wall <= TIMEOUT_S + MARGIN_S, f"{engine}: {wall:.1f} s with --timeout {TIMEOUT_S}\n{text}"


@settings(**SETTINGS)
@given(text=models(max_actions=3), engine=st.sampled_from(ENGINES))
def test_check_survives_generated_models(text, engine, workdir):
    survive(text, engine, workdir)


@settings(**SETTINGS)
@given(text=mutations(SEEDS), engine=st.sampled_from(ENGINES))
def test_check_survives_mutated_models(text, engine, workdir):
    survive(text, engine, workdir)
