"""Certificates are portable SMT-LIB: every query of every certificate that `spec-check check
--certificate DIR` writes for the shipped models (models/*.spec at their default sizes, with
`--engine pdr` and `--engine induction`, tdx with `--all-sizes` (its quantified all-sizes
queries), and bench/models/gmem.spec with fixed=true at Page=4, and with `--all-sizes`)
declares its logic, uses no constant arrays or lambdas, and is `unsat` for cvc5 with its default
options (tests/checker/cvc5_check.py, a per-query time limit) and for Z3.

The certificates are made by the command line, two runs at a time (the machine has two cores);
tdx's all-sizes run is the one the README test shares (tests/conftest.py `tdx_make_run`: `make
run`'s command with `--certificate`), running beside the others;
queries with the same text (a joint PDR invariant shares its initiation and consecution, and most
queries of unreachable `ACTION:fires` goals are `(assert false)`) are re-checked once.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from checker.solver import smt
from tests.checker.cvc5_check import cvc5_answers

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
MAKE_RUN = "tdx.all-sizes"  # tdx_make_run: engine auto, so with the all-sizes step
# (name, spec-check arguments), the longest first so that two workers finish together
RUNS = [(f"{m}.{e}", [f"models/{m}.spec", "--engine", e])
        for m, e in [("tdx", "pdr"), ("pkvm", "pdr"), ("tdx", "induction"), ("cca", "induction"), ("cca", "pdr"),
                     ("pkvm", "induction"), ("snp", "induction"), ("snp", "pdr")]]
RUNS += [(f"gmem.{e}", ["bench/models/gmem.spec", "--set", "fixed=true", "--size", "Page=4", "--engine", e])
         for e in ("pdr", "induction")]
RUNS += [("gmem.all-sizes", ["bench/models/gmem.spec", "--set", "fixed=true", "--all-sizes"])]
NAMES = [MAKE_RUN] + [name for name, _ in RUNS]


def test_every_shipped_model_is_covered():
    shipped = {p.stem for p in (ROOT / "models").glob("*.spec")}
    covered = {name.split(".")[0] for name in NAMES}
    assert shipped <= covered


def _certify(args: list[str], out: Path) -> str:
    """Why `spec-check check ARGS --certificate OUT` failed, or "" when it ran."""
    exe = Path(sys.executable).parent / "spec-check"
    proc = subprocess.run([str(exe), "check", *args, "--no-cache", "-q", "--certificate", str(out)],
                          capture_output=True, text=True, timeout=1200, cwd=ROOT)
    return _failure(proc.returncode, proc.stderr)


def _failure(code: int, stderr: str) -> str:
    # verdicts: 1 (the shipped models carry known bugs), 3 (gmem: some properties only hold to a
    # depth for k-induction); 2 (bad input) and 4 (a bug in spec-check) are failures
    return "" if code in (0, 1, 3) else f"exit {code}: {stderr[-3000:]}"


@pytest.fixture(scope="module")
def answers(tmp_path_factory, tdx_make_run) -> dict[str, str | dict[str, tuple[str, str, str]]]:
    """For each run: why it failed, or every .smt2 file it wrote -> (its form, cvc5's answer,
    Z3's answer)."""
    base = tmp_path_factory.mktemp("certificates")
    with ThreadPoolExecutor(WORKERS) as pool:
        failed = dict(zip([n for n, _ in RUNS], pool.map(lambda r: _certify(r[1], base / r[0]), RUNS), strict=True))
    made = tdx_make_run.wait()
    failed[MAKE_RUN] = _failure(made.code, made.err)
    dirs = {name: base / name for name, _ in RUNS} | {MAKE_RUN: tdx_make_run.certificates}
    files = {name: sorted(dirs[name].glob("*.smt2")) for name in NAMES if not failed[name]}
    unique: dict[str, Path] = {}
    for paths in files.values():
        for p in paths:
            unique.setdefault(p.read_text(encoding="utf-8"), p)
    todo = list(unique.values())
    with ThreadPoolExecutor(WORKERS) as pool:
        parts = list(pool.map(cvc5_answers, [todo[i::WORKERS] for i in range(WORKERS)]))
    cvc5 = {p: a for part in parts for p, a in part.items()}
    z3 = {p: smt.check_smtlib(text, None).status.value for text, p in unique.items()}
    out: dict[str, str | dict[str, tuple[str, str, str]]] = {name: why for name, why in failed.items() if why}
    for name, paths in files.items():
        texts = {p.name: p.read_text(encoding="utf-8") for p in paths}
        out[name] = {f: (_form(t), cvc5[unique[t]], z3[unique[t]]) for f, t in texts.items()}
    return out


def _form(text: str) -> str:
    """`portable`, or what makes a query text not portable SMT-LIB."""
    logic = [line for line in text.splitlines() if line.startswith("(set-logic ")]
    if len(logic) != 1:
        return "no (set-logic ...)"
    bad = [w for w in ("(as const", "(lambda", "not portable") if w in text]
    return f"uses {bad}" if bad else "portable"


@pytest.mark.parametrize("run", NAMES)
def test_every_certificate_query_is_unsat_for_cvc5_and_z3(answers, run):
    got = answers[run]
    assert isinstance(got, dict), f"{run}: spec-check failed: {got}"
    assert got, f"{run}: no certificate written"
    wrong = {f: a for f, a in got.items() if a != ("portable", "unsat", "unsat")}
    assert not wrong, f"{run}: (form, cvc5, z3) other than (portable, unsat, unsat): {wrong}"
    if run.endswith("all-sizes"):  # the quantified queries of PROVED ALL SIZES are among them
        assert any(".all_sizes.consecution." in f for f in got) and any(".all_sizes.safety" in f for f in got)
