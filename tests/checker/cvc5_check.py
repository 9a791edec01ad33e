"""Re-check SMT-LIB2 files with cvc5 (the PyPI package `cvc5`, a test extra), with its default
options and a per-query time limit: what a person without spec-check or Z3 would do with a
certificate. Where the defaults answer `unknown` (cvc5's default quantifier instantiation is
incomplete: tdx's all-sizes consecution queries for mm.reclaim and mm.migrate), it asks again
with `--enum-inst`, cvc5's enumerative instantiation, the documented next step. Run in a subprocess, so a crash or a hang of cvc5 fails a test instead of pytest:

    python -m tests.checker.cvc5_check [--timeout SECONDS] FILE...

prints one line per file, `FILE<TAB>ANSWER`: the answer to its (check-sat) (`unsat`, `sat`,
`unknown`) or `error: ...` when cvc5 rejects the file. `cvc5_answers` does that from a test.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PER_QUERY_S = 60.0


def answer(text: str, name: str, timeout_s: float) -> str:
    """cvc5's answer to the (check-sat) of one SMT-LIB2 text (a fresh solver, default options
    apart from the time limit; `unknown` asks again with enumerative instantiation)."""
    got = _answer(text, name, timeout_s, {})
    return _answer(text, name, timeout_s, {"enum-inst": "true"}) if got == "unknown" else got


def _answer(text: str, name: str, timeout_s: float, options: dict[str, str]) -> str:
    import cvc5

    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("tlimit-per", str(int(timeout_s * 1000)))
    for k, v in options.items():
        solver.setOption(k, v)
    symbols = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, symbols)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, name)
    answers = []
    try:
        while True:
            cmd = parser.nextCommand()
            if cmd.isNull():
                break
            out = cmd.invoke(solver, symbols).strip()
            if out.startswith("(error"):
                return f"error: {out}"
            if out:
                answers.append(out)
    except RuntimeError as exc:  # a parse error
        return f"error: {exc}"
    return answers[-1] if answers else "error: no (check-sat) answer"


def cvc5_answers(paths: Sequence[Path], timeout_s: float = PER_QUERY_S, total_s: float = 1800) -> dict[Path, str]:
    """cvc5's answer for each file, from one subprocess."""
    if not paths:
        return {}
    proc = subprocess.run([sys.executable, "-m", "tests.checker.cvc5_check", "--timeout", str(timeout_s),
                           *map(str, paths)], capture_output=True, text=True, timeout=total_s, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    out = dict(line.split("\t", 1) for line in proc.stdout.splitlines())
    return {p: out.get(str(p), "error: no answer") for p in paths}


def main(argv: list[str]) -> int:
    timeout_s = PER_QUERY_S
    if argv[:1] == ["--timeout"]:
        timeout_s, argv = float(argv[1]), argv[2:]
    for path in argv:
        verdict = answer(Path(path).read_text(encoding="utf-8"), path, timeout_s)
        print(f"{path}\t{' '.join(verdict.split())}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
