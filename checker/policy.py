"""What a verdict means for a gate: pass, fail or undecided, and the exit code of a whole report.

Shared by the command line (exit codes) and the renderers that have a notion of failure (JUnit,
SARIF), so all of them agree. HOLDS TO DEPTH is undecided — a bounded check is not a proof —
unless the user asked for exactly a bounded check to depth K (`bounded_depth`, see
docs/verdicts.md) and the bound K was reached.
Generated vacuity goals (`ACTION:fires`) count only with --strict; otherwise a dead action is a
warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from checker.result import PropertyResult, Report, Verdict
from spec.ir import Expect, PropKind

EXIT_OK, EXIT_VIOLATION, EXIT_BAD_INPUT, EXIT_UNKNOWN, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
DEAD_ACTION = "dead-action"
# An action whose guard is constant-false for this configuration's parameters (e.g. the shmem
# actions when design=guest_memfd): expected, reported once, never fails a run.
DISABLED_ACTION = "disabled-action"
DEADLOCK = "deadlock"
# A proof no action takes part in (checker/vacuity.py vacuous_proofs): fails a run under --strict.
VACUOUS_PROOF = "vacuous-proof"


class Status(Enum):
    PASS = "pass"
    FAIL = "fail"
    UNDECIDED = "undecided"
    INFO = "info"  # a vacuity goal outside --strict: shown, never decides the exit code


@dataclass(frozen=True)
class Policy:
    strict: bool = False
    bounded_depth: int | None = None  # `--engine bmc --depth K`: reaching depth K is what was asked
    deadlock_error: bool = False
    # Under `--baseline`: the properties that regressed from it. Then they are the only failures,
    # in the exit code and in every format; what fails or is undecided as in the baseline passes.
    regressed: frozenset[str] | None = None


DEFAULT_POLICY = Policy()

def status(r: PropertyResult, policy: Policy = DEFAULT_POLICY) -> Status:
    st = _own_status(r, policy)
    if policy.regressed is None:
        return st
    if r.prop in policy.regressed:
        return Status.FAIL  # worse than the baseline, though perhaps not failing on its own
    return Status.PASS if st in (Status.FAIL, Status.UNDECIDED) else st


def baseline_note(r: PropertyResult, policy: Policy) -> str:
    """` (a regression from the baseline)`, ` (as in the baseline)` for what passes only because
    the baseline has it too; "" without a baseline."""
    if policy.regressed is None:
        return ""
    if r.prop in policy.regressed:
        return " (a regression from the baseline)"
    return " (as in the baseline)" if _own_status(r, policy) in (Status.FAIL, Status.UNDECIDED) else ""


def _own_status(r: PropertyResult, policy: Policy) -> Status:
    if r.generated and not policy.strict:
        return Status.INFO
    if r.fails:
        return Status.FAIL
    if r.passes:
        return Status.PASS
    # a bounded check to K passes what holds to K, but a goal that should be reached and was not
    # within K has not met its expectation
    if r.verdict is Verdict.HOLDS_TO_DEPTH and policy.bounded_depth is not None and r.depth is not None \
            and r.depth >= policy.bounded_depth and not (r.kind is PropKind.REACHABLE and r.expect is Expect.REACHED):
        return Status.PASS
    return Status.UNDECIDED


def warning_fails(code: str, policy: Policy) -> bool:
    return (code in (DEAD_ACTION, VACUOUS_PROOF) and policy.strict) or (code == DEADLOCK and policy.deadlock_error)


def exit_status(report: Report, policy: Policy = DEFAULT_POLICY) -> int:
    """0 everything passes, 1 a failure, 3 something undecided (or the run was interrupted)."""
    statuses = {status(r, policy) for r in report.results}
    if Status.FAIL in statuses or any(warning_fails(w.code, policy) for w in report.warnings):
        return EXIT_VIOLATION
    if Status.UNDECIDED in statuses or report.interrupted:
        return EXIT_UNKNOWN
    return EXIT_OK
