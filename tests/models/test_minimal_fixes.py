"""The key claim of docs/models.md's minimal-fixes section, recomputed on the two TDX rows.

`spec-check explore models/tdx.spec --vary hardware --set design=guest_memfd --minimal-fixes`
takes about 25 s for all seven hardware values; the two TDX values take a few seconds. The
claim: fixing the partial-write erratum (tdx1 -> tdx) makes exactly two kernel mechanisms
unnecessary, the MOVDIR64B reset of reclaimed pages and the refusal of kexec, and, since kexec
then runs, makes one necessary: the cache flush before the new kernel (WBINVD); nothing else
changes. The rows are computed with the function the command calls, over every mitigation of
the model, and must also be the rows docs/models.md prints.
"""

from __future__ import annotations

import pytest

from checker import check
from checker.explore.matrix import FixResult, minimal_fixes, mitigation_params
from checker.report.matrix import render_fixes_text
from spec import ir
from spec.frontend import load
from tests.models.verdict_tables import DOCS, ROOT, TIMEOUT_S

ERRATUM_ONLY = {"movdir64b_reset", "refuse_kexec"}
KEXEC_ALLOWED = {"kexec_flushes_cache"}  # needed where kexec runs: on tdx, not on tdx1
TDX_FIXED = {"zap_on_punch", "tdx_sept_pin", "flush_on_reclaim"}


@pytest.fixture(scope="module")
def rows() -> dict[str, FixResult]:
    model = load(ROOT / "models" / "tdx.spec")
    mitigations = mitigation_params(model)
    # The safety properties only: no mitigation changes a liveness verdict on TDX (L1-L3 are
    # PROVED in every configuration of the tables, and the docs block, made with them, has no
    # line naming one), and their searches, without symmetry reduction, would make this test
    # take ten minutes instead of one.
    safety = [p.name for p in model.properties if p.kind is not ir.PropKind.LIVENESS]

    def run(cfg: dict[str, ir.Value | str]):
        return check(model, properties=safety, engine="explicit", params=cfg, timeout=TIMEOUT_S,
                     vacuity_goals=False)

    return {hw: minimal_fixes(mitigations, {"design": "guest_memfd", "hardware": hw}, run)
            for hw in ("tdx1", "tdx")}


def _broken(row: FixResult) -> dict[str, tuple[str, ...]]:
    return dict(row.broken_without)


def test_erratum_fix_makes_reset_and_kexec_refusal_unnecessary(rows):
    tdx1, tdx = rows["tdx1"], rows["tdx"]
    assert tdx1.minimal == (frozenset(TDX_FIXED | ERRATUM_ONLY),)
    assert tdx.minimal == (frozenset(TDX_FIXED | KEXEC_ALLOWED),)
    assert tdx1.undecided == () and tdx.undecided == ()
    assert tdx1.notes == () and tdx.notes == ()  # no sign that the mitigations are not monotone


def test_what_each_tdx_mechanism_protects(rows):
    tdx1, tdx = _broken(rows["tdx1"]), _broken(rows["tdx"])
    # On erratum parts the reset and the kexec refusal keep the host alive; without the erratum
    # dropping them breaks nothing.
    assert {"Q6_host_survives", "P9_no_poison", "P8_reclaimed_pages_reset"} <= set(tdx1["movdir64b_reset"])
    assert tdx1["refuse_kexec"] == ("Q6_host_survives",)
    assert tdx["movdir64b_reset"] == () and tdx["refuse_kexec"] == ()
    # ... and once kexec runs, the flush before it keeps a TD's dirty lines out of the new kernel
    assert tdx1["kexec_flushes_cache"] == () and tdx["kexec_flushes_cache"] == ("hw.kexec_leaves_no_guest_lines",)
    # zap on punch hole is KVM's job on any hardware; the S-EPT page reference Linux 6.19 dropped
    # (which leaks a page the TDX module did not give back) is needed with or without the erratum,
    # and the generic leak switch has no effect on TDX.
    for broken in (tdx1, tdx):
        assert {"P5_spte_backed", "P8_no_stale_data"} <= set(broken["zap_on_punch"])
        assert {"P1_no_host_write_to_private", "P6_freed_pages_returned"} <= set(broken["tdx_sept_pin"])
        assert broken["leak_on_failed_reclaim"] == ()
        assert broken["flush_on_reclaim"] == ("P12_no_guest_lines_on_free",)
    # The open questions Q4 and Q5 (`expect any`) are answered, not fixed: no mitigation set is
    # judged by them, so nothing fails with every mitigation on.
    assert rows["tdx1"].all_on_failures == () and rows["tdx"].all_on_failures == ()


def test_docs_print_these_rows(rows):
    # The section pastes the command's output; its two TDX rows must be what is computed here.
    doc = DOCS.read_text(encoding="utf-8")
    block = doc[doc.index("<!-- minimal-fixes:begin -->"):doc.index("<!-- minimal-fixes:end -->")]
    for hw in ("tdx1", "tdx"):
        text = render_fixes_text([rows[hw]]).splitlines()[1:]  # without the heading line
        assert "\n".join(text) in block, hw
