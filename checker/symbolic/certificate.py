"""Certificates of PROVED verdicts: an inductive invariant in the model's terms, and SMT-LIB2
queries (initiation, consecution, safety) whose unsatisfiability is the proof.

Anyone can re-check a certificate without trusting spec-check's engines: each `.smt2` file is a
self-contained SMT-LIB 2.6 benchmark (checker/solver/smtlib.py: its logic declared, no Z3
extensions such as constant arrays) that any SMT solver, Z3 or cvc5 with their default options,
must answer `unsat`.
"""

from __future__ import annotations

import re
from pathlib import Path

from checker.result import Certificate, PropertyResult
from checker.solver import decode, smt, smtlib
from checker.solver.encode import Encoding, Formula
from checker.solver.goals import Goal, GoalKind
from spec import ir


def queries(enc: Encoding, goal: Goal, inv: Formula) -> dict[str, Formula]:
    """Queries whose unsatisfiability proves that `inv` (over state 0) is an inductive invariant
    that excludes `goal`: initiation, consecution, safety (and init safety for an init check)."""
    s0, s1 = enc.state(0), enc.state(1)
    it, st = enc.init(s0), enc.step(0)
    out = {"initiation": enc.conj([it.formula, enc.neg(inv)]),
           "consecution": enc.conj([inv, enc.state_ok(s0), st.trans, enc.neg(enc.rename(inv, s0, s1))])}
    if goal.kind is GoalKind.STATE:
        out["safety"] = enc.conj([inv, enc.state_ok(s0), enc.state_goal(goal, s0)])
    else:
        out["safety"] = enc.conj([inv, enc.state_ok(s0), enc.error_goal(goal, st)])
        out["init_safety"] = enc.init_error_goal(goal, it)
    return out


def build_certificate(enc: Encoding, engine: str, goal: Goal, inv: Formula, text: str | None = None,
                      inv_ir: ir.Expr | None = None) -> Certificate:
    """The certificate that `inv` (over state 0) is an inductive invariant excluding `goal`;
    `inv_ir` is the same invariant in the IR, when the engine has it."""
    readable = text if text is not None else decode.describe(enc, inv)
    return Certificate(engine, readable,
                       {name: smtlib.to_smtlib(enc.ctx, f) for name, f in queries(enc, goal, inv).items()}, inv_ir)


def verify_certificate(cert: Certificate, deadline: float | None) -> dict[str, smt.SatResult]:
    """Re-check every query of `cert` in a fresh Z3 context; each must be UNSAT."""
    return {name: smt.check_smtlib(text, deadline) for name, text in cert.smt2.items()}


def certificate_failure(cert: Certificate, deadline: float | None) -> str | None:
    """None when every query is unsat; else which one is not, and why."""
    for name, res in verify_certificate(cert, deadline).items():
        if res.status is not smt.Status.UNSAT:
            return f"certificate query `{name}` is {res.status.value}" + (f" ({res.reason})" if res.reason else "")
    return None


def _file_stem(prop: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", prop)


def certificate_files(result: PropertyResult) -> dict[str, str]:
    """`--certificate DIR`: `<prop>.invariant.txt` and one `<prop>.<query>.smt2` per query, by file
    name (none when the result has no certificate). checker/commands.py writes them."""
    cert = result.certificate
    if cert is None:
        return {}
    stem = _file_stem(result.prop)
    files = {f"{stem}.invariant.txt": f"# {result.prop}: {result.verdict.value} by {cert.engine}\n"
                                      "# an inductive invariant; each .smt2 query next to this file must be unsat\n"
                                      f"{cert.invariant}\n"}
    files.update({f"{stem}.{name}.smt2": text for name, text in cert.smt2.items()})
    return files


def write_certificate(result: PropertyResult, directory: str | Path) -> list[Path]:
    """The files of `certificate_files` written to `directory` (plainly: for tests and the API;
    the command line writes them with checker/files.py). Returns the paths written."""
    out = Path(directory)
    paths = []
    for name, text in certificate_files(result).items():
        out.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
        paths.append(out / name)
    return paths
