"""What a verdict means for a gate: pass, fail or undecided, and the exit code of a whole report.

Shared by the command line (exit codes) and the renderers that have a notion of failure (JUnit,
SARIF), so all of them agree. HOLDS TO DEPTH is undecided — a bounded check is not a proof —
unless the user asked for exactly a bounded check to depth K (`bounded_depth`, see
docs/verdicts.md) and the bound K was reached.
Generated vacuity goals (`ACTION:fires`) count only with --strict; otherwise a dead action is a
warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from checker.explore.baseline import Change, Difference
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
    # Under `--baseline`: how this report differs from it. Then its regressions are the only
    # failures, in the exit code and in every format; what fails or is undecided as in the
    # baseline, or is new and undecided, passes.
    baseline: BaselineView | None = None


@dataclass(frozen=True)
class BaselineView:
    """One report's differences from a baseline (checker/explore/baseline.py)."""

    changes: tuple[tuple[str, Change], ...] = ()  # the properties that changed; the others are unchanged
    new: frozenset[str] = frozenset()  # the properties the baseline does not have
    gone: tuple[tuple[str, Verdict], ...] = ()  # in the baseline, not in this run: (property, its verdict there)
    fail_on_gone: bool = False
    file: str = ""

    @staticmethod
    def of(diffs: Iterable[Difference], config: str | None = None, fail_on_gone: bool = False,
           file: str = "") -> BaselineView:
        """The differences of one configuration (all of them when `config` is None)."""
        mine = [d for d in diffs if config is None or d.config == config]
        return BaselineView(tuple((d.prop, d.change) for d in mine if d.change is not Change.GONE),
                            frozenset(d.prop for d in mine if d.before is None),
                            tuple((d.prop, d.before) for d in mine if d.change is Change.GONE and d.before),
                            fail_on_gone, file)

    def count(self, change: Change) -> int:
        return len(self.gone) if change is Change.GONE else sum(1 for _, c in self.changes if c is change)

    def change(self, prop: str) -> Change | None:
        return next((c for p, c in self.changes if p == prop), None)

    @property
    def gone_fails(self) -> bool:
        return bool(self.gone) and self.fail_on_gone


DEFAULT_POLICY = Policy()

# A result's state against the baseline, in SARIF's words (JSON `baseline`, SARIF `baselineState`).
NEW, UNCHANGED, UPDATED, ABSENT = "new", "unchanged", "updated", "absent"


def status(r: PropertyResult, policy: Policy = DEFAULT_POLICY) -> Status:
    st = _own_status(r, policy)
    if policy.baseline is None:
        return st
    if policy.baseline.change(r.prop) is Change.REGRESSION:
        return Status.FAIL  # worse than the baseline, though perhaps not failing on its own
    return Status.PASS if st in (Status.FAIL, Status.UNDECIDED) else st


def baseline_state(r: PropertyResult, policy: Policy) -> str | None:
    """`new` (not in the baseline), `unchanged`, `updated`; None without a baseline."""
    if policy.baseline is None:
        return None
    if r.prop in policy.baseline.new:
        return NEW
    return UNCHANGED if policy.baseline.change(r.prop) is None else UPDATED


def baseline_note(r: PropertyResult, policy: Policy) -> str:
    """What the baseline makes of a result, for a reader: ` (a regression from the baseline)`,
    ` (as in the baseline)` for what passes only because the baseline has it too, ` (new: not in
    the baseline)` for what is undecided and passes because there is nothing to regress from;
    "" where the result speaks for itself, or without a baseline."""
    b = policy.baseline
    if b is None:
        return ""
    c = b.change(r.prop)
    if c is Change.REGRESSION:
        return " (new and failing: a regression)" if r.prop in b.new else " (a regression from the baseline)"
    if _own_status(r, policy) not in (Status.FAIL, Status.UNDECIDED):
        return " (an improvement on the baseline)" if c is Change.IMPROVEMENT else ""
    if r.prop in b.new:
        return " (new: not in the baseline)"
    return " (as in the baseline)" if c is None else " (changed from the baseline, not a regression)"


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


def gone(policy: Policy) -> list[tuple[str, str, bool]]:
    """Under --baseline, each property of the baseline this run no longer has, as every format
    shows it: (property, text, whether it fails the run: --fail-on-gone)."""
    b = policy.baseline
    if b is None:
        return []
    return [(prop, f"{prop}: {verdict.value} in the baseline, not in this run"
             + (" (--fail-on-gone)" if b.fail_on_gone else ""), b.fail_on_gone) for prop, verdict in b.gone]


def warning_fails(code: str, policy: Policy) -> bool:
    """Under a baseline only regressions fail: a dead action under --strict is also its
    `ACTION:fires` goal, which the baseline compares."""
    if policy.baseline is not None:
        return False
    return (code in (DEAD_ACTION, VACUOUS_PROOF) and policy.strict) or (code == DEADLOCK and policy.deadlock_error)


def exit_status(report: Report, policy: Policy = DEFAULT_POLICY) -> int:
    """0 everything passes, 1 a failure, 3 something undecided (or the run was interrupted)."""
    statuses = {status(r, policy) for r in report.results}
    if Status.FAIL in statuses or any(warning_fails(w.code, policy) for w in report.warnings) \
            or policy.baseline is not None and policy.baseline.gone_fails:
        return EXIT_VIOLATION
    if Status.UNDECIDED in statuses or report.interrupted:
        return EXIT_UNKNOWN
    return EXIT_OK
