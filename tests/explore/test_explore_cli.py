"""`spec-check explore`, baselines and the result cache, end to end on tests/explore/hw.spec, a
model whose matrix and minimal fixes are known by hand:

- with both mitigations on (the defaults) every property holds on every hardware;
- without zap_on_free a freed page stays mapped (no_stale_mapping fails) on all hardware;
- without reset_on_free only the erratum hardware crashes (no_crash fails).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import run_cli, write

HERE = Path(__file__).parent
MODEL = str(HERE / "hw.spec")
HW = ("erratum", "fixed", "rmp")


def _cells(text: str) -> dict[tuple[str, str], str]:
    """(configuration, property) -> verdict cell, from the text matrix with configurations as rows."""
    lines = text.splitlines()
    header = lines[2].split()
    out = {}
    for line in lines[4:]:
        if not line.startswith("hardware="):
            break
        parts = re.split(r"\s{2,}", line.strip())
        for prop, cell in zip(header[1:], parts[1:], strict=True):
            out[(parts[0], prop)] = cell
    return out


def test_matrix_every_cell():
    r = run_cli(["explore", MODEL, "--vary", "hardware,zap_on_free,reset_on_free", "--layout", "configs"])
    assert r.code == 0, r.err
    cells = _cells(r.out)
    assert len(cells) == 3 * 2 * 2 * 3
    for hw in HW:
        for zap in ("false", "true"):
            for reset in ("false", "true"):
                cfg = f"hardware={hw} zap_on_free={zap} reset_on_free={reset}"
                crash = hw == "erratum" and reset == "false"
                assert cells[(cfg, "no_crash")].startswith("VIOLATED@3" if crash else "PROVED"), cfg
                stale = zap == "false"
                assert cells[(cfg, "no_stale_mapping")].startswith("VIOLATED@2" if stale else "PROVED"), cfg
                assert cells[(cfg, "page_mapped")] == "REACHED@1"
    # identical counterexamples are printed once and referenced from every cell that has them
    ids = set(re.findall(r"\[(T\d+)\]", r.out.split("PROVED: holds")[0]))
    blocks = re.findall(r"^(T\d+): ", r.out, flags=re.M)
    assert sorted(ids) == sorted(blocks) and len(blocks) == len(set(blocks))


def test_jobs_two_equals_jobs_one():
    args = ["explore", MODEL, "--vary", "hardware,zap_on_free", "--format", "json"]
    one = json.loads(run_cli(args + ["--jobs", "1"]).out)
    two = json.loads(run_cli(args + ["--jobs", "2"]).out)

    def strip(d):
        for row in d["rows"]:
            for res in row["results"]:
                res["time_s"] = 0
        return d

    assert strip(one) == strip(two)


def test_minimal_fixes_known_answer():
    r = run_cli(["explore", MODEL, "--vary", "hardware", "--minimal-fixes", "--format", "json"])
    assert r.code == 0, r.err
    fixes = {row["bindings"]["hardware"]: row for row in json.loads(r.out)["minimal_fixes"]}
    assert fixes["erratum"]["minimal"] == [["reset_on_free", "zap_on_free"]]
    assert fixes["fixed"]["minimal"] == [["zap_on_free"]]
    assert fixes["rmp"]["minimal"] == [["zap_on_free"]]
    assert fixes["erratum"]["broken_without"] == {"zap_on_free": ["no_stale_mapping"], "reset_on_free": ["no_crash"]}
    assert fixes["fixed"]["broken_without"] == {"zap_on_free": ["no_stale_mapping"], "reset_on_free": []}
    text = run_cli(["explore", MODEL, "--vary", "hardware", "--minimal-fixes"]).out
    assert "hardware=fixed: {zap_on_free}" in text
    assert "without reset_on_free: no_crash fail" in text


def test_minimal_fixes_in_worker_processes_equal_one_process():
    """--jobs 2 runs one minimal-fix search per base configuration in its own process."""
    args = ["explore", MODEL, "--vary", "hardware", "--minimal-fixes", "--format", "json"]
    one, two = run_cli(args + ["--jobs", "1"]), run_cli(args + ["--jobs", "2"])
    assert one.code == two.code == 0, two.err
    fixes = [json.loads(r.out)["minimal_fixes"] for r in (one, two)]
    assert fixes[0] == fixes[1] and len(fixes[0]) == 3


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        self._in = tag == "td" or self._in

    def handle_endtag(self, tag):
        if tag == "td":
            self._in = False

    def handle_data(self, data):
        if self._in and data.strip():
            self.cells.append(data.strip().split(" (")[0])


def test_html_shows_the_same_verdicts_as_text(tmp_path):
    out = tmp_path / "m.html"
    args = ["explore", MODEL, "--vary", "hardware,zap_on_free"]
    r = run_cli(args + ["--format", "html", "--layout", "configs", "-o", str(out)])
    assert r.code == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "http" not in html
    parser = _Cells()
    parser.feed(html)
    text_cells = _cells(run_cli(args + ["--layout", "configs"]).out)
    assert parser.cells == [re.sub(r" \[T\d+\]$", "", c) for c in text_cells.values()]
    # every violation cell links to a trace section that exists
    for anchor in re.findall(r'href="#(T\d+)"', html):
        assert f'id="{anchor}"' in html


def test_html_draws_one_row_per_property_by_default_with_doc_tooltips(tmp_path):
    args = ["explore", MODEL, "--vary", "hardware,zap_on_free"]
    by_prop = tmp_path / "p.html"
    assert run_cli(args + ["--format", "html", "-o", str(by_prop)]).code == 0
    html = by_prop.read_text(encoding="utf-8")
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    props = run_cli(args + ["--layout", "configs"]).out.splitlines()[2].split()[1:]
    rows = body.split("<tr>")[1:]
    assert [r.split("</th>")[0].split(">")[-1] for r in rows] == props and "<thead><tr><th>property</th>" in html
    assert all(len(r.split("<td")) - 1 == len(HW) * 2 for r in rows)  # a column per configuration
    assert '<th title="the host never consumes poison">no_crash</th>' in body  # the doc string on hover
    assert "position: sticky" in html


def test_markdown_table():
    r = run_cli(["explore", MODEL, "--vary", "hardware", "--set", "reset_on_free=false", "--format", "markdown"])
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[2] == "| configuration | no_crash | no_stale_mapping | page_mapped |"
    assert lines[4].startswith("| hardware=erratum | VIOLATED@3 [T1] | PROVED |")


def test_all_sizes_cells_in_the_matrix_and_only_when_asked():
    args = ["explore", MODEL, "--vary", "hardware", "--set", "reset_on_free=false", "--format", "markdown"]
    plain, upgraded = run_cli(args), run_cli([*args, "--all-sizes"])
    assert plain.code == upgraded.code == 0
    assert "PROVED ALL SIZES" not in plain.out
    rows = [line for line in upgraded.out.splitlines() if line.startswith("| hardware=")]
    # the fixed hardware proves no_crash for every number of pages; the erratum one still fails it
    assert "| hardware=fixed | PROVED ALL SIZES |" in "\n".join(rows), upgraded.out
    assert any(r.startswith("| hardware=erratum | VIOLATED@3") for r in rows)


@pytest.mark.parametrize("args,code,msg", [
    (["--vary", "hardwar"], "E0401", "unknown parameter `hardwar`"),
    (["--vary", "hardware", "--set", "hardware=rmp"], "E0410", "both varied and set"),
    (["--vary", "zap_on_free=1..2"], "E0410", "not an integer parameter"),
    (["--vary", "hardware", "--set", "hardware=nope"], "E0402", "not a value"),
])
def test_bad_input(args, code, msg):
    r = run_cli(["explore", MODEL, *args])
    assert r.code == 2
    assert f"error[{code}]" in r.err and msg in r.err
    assert "Traceback" not in r.err


def test_minimal_fixes_needs_mitigations(tmp_path):
    p = tmp_path / "m.spec"
    p.write_text("enum H { a, b }\nparam h: H = a;\nvar x: bool = false;\ninvariant i: !x;\n", encoding="utf-8")
    r = run_cli(["explore", str(p), "--vary", "h", "--minimal-fixes"])
    assert r.code == 2 and "error[E0413]" in r.err


# ---------------------------------------------------------------- baselines (check and explore)


def test_baseline_regressions_fail_improvements_pass(tmp_path):
    base = tmp_path / "base.json"
    # A baseline saved with the buggy setting: no_crash VIOLATED.
    r = run_cli(["check", MODEL, "--set", "reset_on_free=false", "--save-baseline", str(base)])
    assert r.code == 1 and base.exists()
    # The fix is an improvement: passes.
    r = run_cli(["check", MODEL, "--set", "reset_on_free=false", "--baseline", str(base)])
    assert r.code == 0 and "0 regression(s)" in r.err
    fixed = run_cli(["check", MODEL, "--baseline", str(base)])
    assert fixed.code == 0, fixed.err
    assert "improvement: no_crash" in fixed.err
    # Saved from the good run, a newly broken property is a regression: exit 1.
    good = tmp_path / "good.json"
    run_cli(["check", MODEL, "--save-baseline", str(good)])
    broke = run_cli(["check", MODEL, "--set", "zap_on_free=false", "--baseline", str(good)])
    assert broke.code == 1
    assert "regression: no_stale_mapping" in broke.err and "PROVED ALL SIZES -> VIOLATED" in broke.err


def test_explore_baseline(tmp_path):
    base = tmp_path / "b.json"
    args = ["explore", MODEL, "--vary", "hardware"]
    assert run_cli(args + ["--save-baseline", str(base)]).code == 0
    assert run_cli(args + ["--baseline", str(base)]).code == 0
    r = run_cli(args + ["--set", "reset_on_free=false", "--baseline", str(base)])
    # new configurations: their passing verdicts are merely new, but a violation in one of them is
    # a new violation, hence a regression
    assert r.code == 1
    assert "regression: no_crash [hardware=erratum" in r.err
    assert "regression: no_crash [hardware=fixed" not in r.err
    data = json.loads(base.read_text(encoding="utf-8"))
    assert len(data["verdicts"]) == 3


def test_explore_json_under_a_baseline_marks_the_regressions_only(tmp_path):
    base = tmp_path / "b.json"
    args = ["explore", MODEL, "--vary", "hardware", "--set", "reset_on_free=false"]
    run_cli(args + ["--save-baseline", str(base)])
    alone = json.loads(run_cli(args + ["--format", "json"]).out)
    assert any(x["status"] == "fail" for row in alone["rows"] for x in row["results"])  # violations on their own
    assert all(row["baseline"] is None for row in alone["rows"])
    same = run_cli(args + ["--format", "json", "--baseline", str(base)])
    data = json.loads(same.out)
    assert same.code == 0
    assert {x["status"] for row in data["rows"] for x in row["results"]} <= {"pass", "info"}
    assert any(x["baseline"]["note"] == "as in the baseline" for row in data["rows"] for x in row["results"])
    # the fixed model's baseline against the buggy run: the violations are the regressions, row by row
    good = tmp_path / "good.json"
    run_cli(["explore", MODEL, "--vary", "hardware", "--save-baseline", str(good)])
    r = run_cli(args + ["--format", "json", "--baseline", str(good)])
    data = json.loads(r.out)
    failed = {(row["config"], x["property"]) for row in data["rows"] for x in row["results"] if x["status"] == "fail"}
    regressed = {(row["config"], x["property"]) for row in data["rows"] for x in row["results"]
                 if x["baseline"]["change"] == "regression"}
    assert r.code == 1 and failed and failed == regressed
    assert sum(row["baseline"]["regression"] for row in data["rows"]) == len(failed)


def test_bad_baseline_file(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("[]", encoding="utf-8")
    r = run_cli(["check", MODEL, "--baseline", str(p)])
    assert r.code == 2 and "not a spec-check baseline" in r.err


# ---------------------------------------------------------------- the result cache


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("SPEC_CHECK_NO_CACHE", raising=False)
    d = tmp_path / "cache"
    monkeypatch.setenv("SPEC_CHECK_CACHE", str(d))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))  # the per-user secret goes here
    monkeypatch.delenv("SPEC_CHECK_CACHE_SECRET", raising=False)
    return d


def test_cache_hit_miss_edit_and_corruption(tmp_path, cache_dir, monkeypatch):
    model = tmp_path / "m.spec"
    model.write_text((HERE / "hw.spec").read_text(encoding="utf-8"), encoding="utf-8")
    calls = []
    import checker.explore.run as er

    real = er.check_request

    def counting(req):
        calls.append(req)
        return real(req)

    monkeypatch.setattr(er, "check_request", counting)
    args = ["explore", str(model), "--vary", "hardware"]
    first = run_cli(args)
    assert first.code == 0 and len(calls) == 3
    second = run_cli(args)
    assert second.out == first.out and len(calls) == 3  # all hits
    # an edit of the model is a miss for every configuration
    model.write_text(model.read_text(encoding="utf-8") + "\n// edited\n", encoding="utf-8")
    assert run_cli(args).code == 0 and len(calls) == 6
    # a corrupted entry is ignored with a warning and recomputed, never trusted
    entries = sorted(cache_dir.glob("*.json"))
    assert len(entries) == 6
    for e in entries:
        e.write_text('{"key": "x", "report": {"format": 1}}', encoding="utf-8")
    r = run_cli(args)
    assert r.code == 0 and len(calls) == 9
    assert "ignoring unusable cache entry" in r.err
    assert r.out == run_cli(args).out


def test_check_uses_the_cache_and_no_cache_bypasses_it(cache_dir):
    r1 = run_cli(["check", MODEL])
    assert r1.code == 0 and len(list(cache_dir.glob("*.json"))) == 1
    r2 = run_cli(["check", MODEL])
    assert r2.out == r1.out
    r3 = run_cli(["check", MODEL, "--no-cache"])
    assert r3.code == 0
    assert len(list(cache_dir.glob("*.json"))) == 1


def test_two_spellings_of_a_size_or_parameter_are_one_cache_entry(tmp_path, cache_dir, monkeypatch):
    """explore resolves --set and --size names once (qualified) and keys the cache on them."""
    model = tmp_path / "c.spec"
    model.write_text("model c;\ncomponent mm {\n  sort Page = 1;\n  param slow: bool = false;\n}\n"
                     "var used: mm.Page -> bool = false;\nmitigation param zap: bool = true;\n"
                     "action use(p: mm.Page) { require !mm.slow || zap; used[p] := true; }\n"
                     "invariant fine: true;\n", encoding="utf-8")
    calls = []
    import checker.explore.run as er

    real = er.check_request

    def counting(req):
        calls.append(req)
        return real(req)

    monkeypatch.setattr(er, "check_request", counting)
    short = run_cli(["explore", str(model), "--vary", "zap", "--size", "Page=2", "--set", "slow=true"])
    assert short.code == 0 and len(calls) == 2, short.err
    assert dict(calls[0].sizes) == {"mm.Page": 2} and dict(calls[0].params)["mm.slow"] is True
    qualified = run_cli(["explore", str(model), "--vary", "zap", "--size", "mm.Page=2", "--set", "mm.slow=true"])
    assert qualified.out == short.out and len(calls) == 2  # both configurations answered by the cache


BROKEN = """model broken;
var locked: bool = false;
var owners: 0..2 = 0;
action enter() "no lock taken: the bug" { require owners < 2; owners := owners + 1; }
invariant exclusive "at most one owner": owners <= 1;
"""


def _timeless(text: str) -> str:
    return re.sub(r"\d+\.\d+s", "#.##s", text)


def _entry(cache_dir) -> tuple[Path, dict]:
    [entry] = sorted(cache_dir.glob("*.json"))
    return entry, json.loads(entry.read_text(encoding="utf-8"))


def _forge_proof(data: dict) -> None:
    for r in data["report"]["results"]:
        if r["prop"] == "exclusive":
            r["verdict"], r["trace"], r["depth"], r["reason"] = "PROVED", None, None, None


def test_a_forged_cache_entry_never_changes_a_verdict(tmp_path, cache_dir):
    model = write(tmp_path, "broken.spec", BROKEN)
    first = run_cli(["check", str(model)])
    assert first.code == 1 and "VIOLATED" in first.out
    entry, data = _entry(cache_dir)
    _forge_proof(data)  # valid JSON, same key: what anyone who can write the folder could do
    entry.write_text(json.dumps(data), encoding="utf-8")
    again = run_cli(["check", str(model)])
    assert again.code == 1 and _timeless(again.out) == _timeless(first.out)
    assert "ignoring unusable cache entry" in again.err and "authentication code" in again.err


def test_a_cache_entry_from_another_secret_is_not_used(tmp_path, cache_dir, monkeypatch):
    model = write(tmp_path, "broken.spec", BROKEN)
    monkeypatch.setenv("SPEC_CHECK_CACHE_SECRET", "ci-secret-of-the-main-branch-0123456789abcdef")
    assert run_cli(["check", str(model)]).code == 1
    monkeypatch.setenv("SPEC_CHECK_CACHE_SECRET", "a-pull-request-job-with-another-secret-0123456789")
    r = run_cli(["check", str(model)])
    assert r.code == 1 and "authentication code" in r.err


def test_an_authentic_entry_whose_trace_does_not_replay_is_not_used(tmp_path, cache_dir, monkeypatch):
    # even with the secret (a leaked key, or a bug that stored a wrong trace) a trace is believed
    # only once the interpreter replays it
    from checker.explore import cache as cache_mod

    model = write(tmp_path, "broken.spec", BROKEN)
    first = run_cli(["check", str(model)])
    entry, data = _entry(cache_dir)
    for r in data["report"]["results"]:
        if r["prop"] == "exclusive":
            r["trace"]["steps"] = r["trace"]["steps"][:1] + r["trace"]["steps"][2:]  # skip a step
    data["mac"] = cache_mod._mac(cache_mod.cache_secret(), data["key"], data["report"])
    entry.write_text(json.dumps(data), encoding="utf-8")
    r = run_cli(["check", str(model)])
    assert r.code == 1 and _timeless(r.out) == _timeless(first.out)
    assert "does not replay" in r.err


def test_the_per_user_secret_is_private(tmp_path, cache_dir):
    from checker.explore.cache import cache_secret

    secret = cache_secret()
    assert secret is not None and len(secret) >= 32
    path = tmp_path / "home-cache" / "spec-check" / "cache-secret"
    assert path.stat().st_mode & 0o077 == 0
    assert cache_secret() == secret  # made once


def test_html_cells_say_what_a_proof_rests_on(tmp_path):
    out = tmp_path / "m.html"
    r = run_cli(["explore", MODEL, "--vary", "hardware", "--set", "reset_on_free=false", "--all-sizes",
                 "--format", "html", "-o", str(out)])
    assert r.code == 0
    html = out.read_text(encoding="utf-8")
    # the fixed hardware's no_crash proof rests on host_read's check of the poison bit, and on the
    # hardware value that folded away the erratum-only poisoning in free (a branch not taken)
    titles = re.findall(r'<span title="(rests on[^"]*)">PROVED ALL SIZES', html)
    assert titles, html
    assert any("host_read" in t and "hardware = fixed" in t for t in titles), titles
