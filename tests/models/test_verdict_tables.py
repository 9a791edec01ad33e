"""Every shipped model's verdict table (tests/models/tables/*.verdicts): a flipped verdict fails.

All configurations are checked once per session (two worker processes), then compared with the
tables. `SPEC_CHECK_UPDATE_GOLDEN=1` rewrites the tables from the current verdicts instead.
Besides the tables, test_claims_* assert the claims docs/models.md makes about the designs on
the computed verdicts directly, so that regenerating a table cannot silently accept a regression
of what the models are for.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.explore.matrix import Matrix
from spec.frontend import load
from spec.ir import format_value
from tests.models.verdict_tables import (
    DOC_BLOCK,
    DOCS,
    EXPLORE_BLOCK,
    EXPLORE_VARY,
    ROOT,
    TABLES,
    Config,
    Outcome,
    Scenario,
    explore_matrix,
    format_model_table,
    format_scenarios,
    matrix_outcomes,
    read_model_table,
    read_scenarios,
    render_doc_blocks,
    render_explore_block,
    run_all,
    run_config,
    scenario_configs,
    updated_model_table,
)

UPDATE = os.environ.get("SPEC_CHECK_UPDATE_GOLDEN") == "1"
JOBS = min(2, os.cpu_count() or 1)
MODEL_TABLES = sorted(p for p in TABLES.glob("*.verdicts") if p.stem != "scenarios")
SCENARIOS = TABLES / "scenarios.verdicts"


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    return explore_matrix(JOBS)


@pytest.fixture(scope="module")
def results(matrix) -> dict[Config, Outcome]:
    # The tdx table's configurations come from the explore run the docs show; the rest are
    # checked here.
    done = matrix_outcomes(matrix)
    configs: list[Config] = []
    for path in MODEL_TABLES:
        configs += read_model_table(path).configs()
    rows = [i for i in read_scenarios(SCENARIOS) if isinstance(i, Scenario)]
    configs += scenario_configs(rows).values()
    return {**done, **run_all([c for c in configs if c not in done], JOBS)}


def _cell_diffs(old: dict, new: dict) -> list[str]:
    diffs = []
    for design in sorted(set(old) | set(new)):
        o, n = old.get(design, {}), new.get(design, {})
        for prop in sorted(set(o) | set(n)):
            if o.get(prop) != n.get(prop):
                diffs.append(f"design={design} {prop}: expected {o.get(prop)}, got {n.get(prop)}")
    return diffs


@pytest.mark.parametrize("path", MODEL_TABLES, ids=[p.stem for p in MODEL_TABLES])
def test_model_table(path: Path, results):
    table = read_model_table(path)
    new = updated_model_table(table, results)
    if UPDATE:
        path.write_text(format_model_table(new), encoding="utf-8")
        table = read_model_table(path)
    assert _cell_diffs(table.cells, new.cells) == []
    assert table.dead == new.dead


def test_scenarios(results):
    items = read_scenarios(SCENARIOS)
    rows = [i for i in items if isinstance(i, Scenario)]
    configs = scenario_configs(rows)
    got = []
    for r in rows:
        code, depth = results[configs[r]].verdicts[r.prop]
        got.append(Scenario(r.model, r.engine, r.params, r.prop, code, depth if code in ("V", "R") else None))
    if UPDATE:
        new_items = [got[rows.index(i)] if isinstance(i, Scenario) else i for i in items]
        SCENARIOS.write_text(format_scenarios(new_items), encoding="utf-8")
        rows = got
    diffs = [f"{w.model} {w.engine} {dict(w.params)} {w.prop}: expected {w.code} {w.depth}, got {g.code} {g.depth}"
             for w, g in zip(rows, got, strict=True) if (w.code, w.depth) != (g.code, g.depth)]
    assert diffs == []


def test_docs_show_the_current_tables_and_matrix(matrix):
    # Run after the table tests (file order), so an update rewrites the docs from the new tables.
    tables = {p.stem: read_model_table(p) for p in MODEL_TABLES}
    text = DOCS.read_text(encoding="utf-8")
    rendered = render_explore_block(render_doc_blocks(text, tables), matrix)
    if UPDATE:
        DOCS.write_text(rendered, encoding="utf-8")
        text = rendered
    shown = {(m.group(2), m.group(3)) for m in DOC_BLOCK.finditer(text)}
    assert {("tdx", d) for d in tables["tdx"].cells} <= shown
    assert len(EXPLORE_BLOCK.findall(text)) == 1, "docs/models.md must show the explore matrix once"
    assert rendered == text, "docs/models.md shows stale verdict tables or a stale explore matrix; regenerate them"


def test_matrix_covers_the_tdx_table(matrix):
    # The docs say the tdx table is the explore matrix: every cell of one is a cell of the other.
    table = read_model_table(TABLES / "tdx.verdicts")
    got = matrix_outcomes(matrix)
    assert set(got) == set(table.configs())
    assert "--vary " + EXPLORE_VARY in DOCS.read_text(encoding="utf-8")


def test_every_model_and_axis_value_has_a_table():
    # Every design of every model; tdx (the explore matrix) on every hardware value, each arch
    # model at least on its own (the same composition: test_arch_tables_agree_with_tdx).
    shipped = sorted(p.stem for p in (ROOT / "models").glob("*.spec"))
    assert [p.stem for p in MODEL_TABLES] == shipped
    for path in MODEL_TABLES:
        table = read_model_table(path)
        model = load(ROOT / table.model)
        assert list(table.cells) == list(model.enum("Design").members), path.name
        hardware = list(model.enum("Hardware").members)
        if path.stem == "tdx":
            assert table.hardware == hardware
        else:
            default = next(p.default for p in model.params if p.name == "hardware")
            assert set(table.hardware) <= set(hardware) and format_value(default.value) in table.hardware, path.name


def test_arch_tables_agree_with_tdx():
    # The four models are one composition (models/lib/system.spec) with another default hardware
    # and a few properties of their own: where two tables hold the same cell, it is the same.
    tdx = read_model_table(TABLES / "tdx.verdicts")
    for path in MODEL_TABLES:
        table = read_model_table(path)
        for design, rows in table.cells.items():
            for prop, cells in rows.items():
                for hw, code in cells.items():
                    if prop in tdx.cells[design]:
                        assert tdx.cells[design][prop][hw] == code, (path.name, design, prop, hw)
            for hw, dead in table.dead[design].items():
                assert tdx.dead[design][hw] == dead, (path.name, design, hw)


# ---------------------------------------------------------------- the claims docs/models.md makes


def _v(results, model: str, **params: str) -> dict[str, str]:
    """Verdict codes of a matrix configuration (the model's own table must list it)."""
    key = Config(f"models/{model}", "explicit", (("design", params["design"]), ("hardware", params["hardware"])))
    return {p: c for p, (c, _d) in results[key].verdicts.items()}


def test_claims_rfc2021_shows_the_seed_concerns(results):
    v = _v(results, "tdx.spec", design="rfc2021", hardware="tdx1")
    assert v["P3_guest_pages_not_movable"] == "V"  # Q1: movable pages made unmovable
    assert v["mm.Q1_movable_offline_succeeds"] == "V"
    assert v["L2_offline_completes"] == "V"  # ... and the offline that meets it never ends
    assert v["P4_guest_memory_unevictable"] == "V"  # Q2: refcount/mapcount tell reclaim nothing
    assert v["Q4_kcore_sees_guest_page"] == "R"  # Q4: kcore reads guest memory
    # Q5: no migration of private pages; on TDX since 6.19 a page whose REMOVE failed is freed
    # still TD-owned and migrated as host memory, so the RFC's own answer shows where the page
    # is leaked (CCA).
    assert v["Q5_guest_page_migrated"] == "R"
    assert _v(results, "tdx.spec", design="rfc2021", hardware="cca")["Q5_guest_page_migrated"] == "U"
    assert v["private_page_mapped"] == "R"


def test_claims_guest_memfd_guarantees_and_open_items(results):
    v = _v(results, "tdx.spec", design="guest_memfd", hardware="tdx1")
    for prop in ("P3_guest_pages_not_movable", "P4_guest_memory_unevictable", "P5_spte_backed", "P5_spte_kind",
                 "P5_no_mixed_huge_leaf", "kvm.conversion_unmapped", "P7_private_exclusive", "P8_no_stale_data",
                 "P11_single_owner", "guest_integrity", "mm.Q1_movable_offline_succeeds",
                 "L2_offline_completes", "L3_punch_completes"):
        assert v[prop] == "P", prop
    # Since 6.19 TDX keeps no reference to a page whose TDH.MEM.PAGE.REMOVE failed: it is freed
    # while still TD-owned (the window ce7b5695397b names). Where the failed return leaks the page
    # (CCA, pKVM), the same properties hold.
    pin_dependent = ("P1_no_host_write_to_private", "P4_never_swapped", "P6_freed_pages_returned", "P9_no_poison",
                     "P12_no_guest_lines_on_free", "Q6_host_survives")
    for prop in pin_dependent:
        assert v[prop] == "V", prop
        assert _v(results, "tdx.spec", design="guest_memfd", hardware="cca")[prop] == "P", prop
    assert v["Q4_kcore_sees_guest_page"] == "R"  # open: kcore still relies on the hardware
    assert v["Q5_guest_page_migrated"] == "R"  # only the page a failed REMOVE left TD-owned
    assert _v(results, "tdx.spec", design="guest_memfd", hardware="cca")["Q5_guest_page_migrated"] == "U"
    for goal in ("private_page_mapped", "converted_to_shared", "converted_to_private", "huge_leaf_mapped",
                 "punch_hole_over_mapped_page", "attribute_mismatch_fault"):
        assert v[goal] == "R", goal


def test_claims_hardware_decides_introspection(results):
    # Q4/P10: with guest_memfd unchanged, only the hardware decides whether a kcore or kdump read
    # is harmless: encrypted frames read as ciphertext or zeros ...
    for hw in ("tdx", "sev"):
        assert _v(results, "tdx.spec", design="guest_memfd", hardware=hw)["P10_introspection_harmless"] == "P", hw
    # ... and where a host read of a guest-owned frame faults, kcore's copy has a fixup and the
    # crash kernel's /proc/vmcore copy has none (test_kdump_read_faults_only_unfiltered below)
    for hw in ("cca", "pkvm"):
        assert _v(results, "tdx.spec", design="guest_memfd", hardware=hw)["P10_introspection_harmless"] == "V", hw
    # tdx1: only the page a failed REMOVE left TD-owned (6.19), poisoned by the host's reuse
    assert _v(results, "tdx.spec", design="guest_memfd", hardware="tdx1")["P10_introspection_harmless"] == "V"
    assert _v(results, "tdx.spec", design="guest_memfd", hardware="none")["P10_introspection_harmless"] == "V"


def test_claims_pkvm_protected_memory_is_kept_by_its_pin(results):
    # pKVM's protected VMs (pinned_vmm, pkvm.spec's default): the pages start as the VMM's movable,
    # evictable memory; the fault path's FOLL_LONGTERM pin keeps them out of ZONE_MOVABLE and out
    # of swap, not the LRU they sit on, and the VMM keeps its mapping.
    v = _v(results, "pkvm.spec", design="pinned_vmm", hardware="pkvm")
    for prop in ("P3_guest_pages_not_movable", "mm.Q1_movable_offline_succeeds", "P4_never_swapped",
                 "P5_spte_backed", "P6_freed_pages_returned", "P8_no_stale_data", "P11_single_owner",
                 "guest_confidentiality", "L1_fault_completes", "L2_offline_completes"):
        assert v[prop] == "P", prop
    assert v["P4_guest_memory_unevictable"] == "V"
    assert v["P7_private_exclusive"] == "V"
    assert v["private_page_mapped"] == "R"
    # no conversions and no punch hole on a protected VM
    for goal in ("converted_to_shared", "converted_to_private", "punch_hole_over_mapped_page"):
        assert v[goal] == "U", goal


@pytest.mark.parametrize("design", ["guest_memfd", "gmem_inplace", "rfc2021"])
def test_claims_the_retry_livelock(design):
    # Q3 as a liveness result: while the VMM may convert or punch forever, a fault can retry forever
    # (a lasso around an invalidation, a stale install and the re-fault); once invalidations stop, every
    # fault ends (finite_invalidations). pinned_vmm has no conversions: the tables show P there.
    from checker import check

    rep = check(str(ROOT / "models" / "tdx.spec"), properties=["L1_fault_completes"], engine="explicit",
                params={"design": design}, vacuity_goals=False)
    r = rep.result("L1_fault_completes")
    assert r.verdict.value == "VIOLATED" and r.trace is not None and r.trace.loop_start is not None
    loop = [s.action for s in r.trace.steps[r.trace.loop_start + 1:]]
    assert "kvm.fault_install" in loop, loop  # which finds its snapshot stale and starts the fault again
    # ... around an invalidation of the gfn that never stops: a conversion or a punch hole
    assert {"kvm.set_attr_begin", "gmem.punch_begin", "shmem.punch_begin"} & set(loop), loop
    finite = check(str(ROOT / "models" / "tdx.spec"), properties=["L1_fault_completes"], engine="explicit",
                   params={"design": design, "finite_invalidations": "true"}, vacuity_goals=False)
    assert finite.result("L1_fault_completes").verdict.value == "PROVED"


@pytest.mark.parametrize("sizes", [(("Gfn", 2),), (("Vcpu", 2),)], ids=["Gfn=2", "Vcpu=2"])
def test_claims_hold_at_larger_sizes(sizes, results):
    # A second gfn gives P11 something to check and a second vCPU a second fault in flight; the
    # verdicts of guest_memfd on TDX gen 1 must not depend on the small default sizes.
    params = (("design", "guest_memfd"), ("hardware", "tdx1"))
    bigger = run_config(Config("models/tdx.spec", "explicit", params, sizes=sizes))
    default = results[Config("models/tdx.spec", "explicit", params)]
    assert {p: c for p, (c, _d) in bigger.verdicts.items()} == {p: c for p, (c, _d) in default.verdicts.items()}


def test_claims_bugs_reproduce_only_with_their_buggy_value(results):
    rows = [i for i in read_scenarios(SCENARIOS) if isinstance(i, Scenario)]
    configs = scenario_configs(rows)
    by_param: dict[tuple[str, str, str], dict[str, str]] = {}
    for r in rows:
        p = dict(r.params)
        for bug, prop in (("attr_check_before_snapshot", "P5_spte_kind"),
                          ("as_inaccessible_mask_bug", "mm.truncate_zeroes_accessible_files"),
                          ("attr_range_not_widened", "kvm.conversion_unmapped"),
                          ("prefault_before_launch", "P1_no_host_write_to_private")):
            if bug in p and r.prop == prop and r.engine == "explicit" and p.get("design") == "guest_memfd":
                by_param.setdefault((bug, prop, r.model), {})[p[bug]] = results[configs[r]].verdicts[prop][0]
    assert by_param == {
        ("attr_check_before_snapshot", "P5_spte_kind", "tdx.spec"): {"true": "V", "false": "P"},
        ("as_inaccessible_mask_bug", "mm.truncate_zeroes_accessible_files", "tdx.spec"): {"true": "V", "false": "P"},
        ("attr_range_not_widened", "kvm.conversion_unmapped", "tdx.spec"): {"true": "V", "false": "P"},
        ("prefault_before_launch", "P1_no_host_write_to_private", "snp.spec"): {"true": "V", "false": "P"},
    }


@pytest.mark.parametrize("model", ["cca.spec", "pkvm.spec"])
def test_kdump_read_faults_only_unfiltered(model):
    # The violation of P10 on cca and pkvm is the crash kernel copying a frame the guest still
    # owns out of /proc/vmcore unfiltered; the host itself survives (Q6).
    from checker import check

    rep = check(str(ROOT / "models" / model), properties=["P10_introspection_harmless", "Q6_host_survives"],
                engine="explicit", vacuity_goals=False)
    r = rep.result("P10_introspection_harmless")
    assert r.trace is not None and r.trace.steps[-1].action == "mm.vmcore_read"
    assert dict(r.trace.steps[-1].args)["filtered"] is False
    assert any(s.action == "hw.kexec" and dict(s.args)["crash"] is True for s in r.trace.steps)
    assert rep.result("Q6_host_survives").verdict.value == "PROVED"
