"""explore on a Dask cluster (checker/explore/cluster.py), on tests/explore/hw.spec: the matrix
and the minimal fixes are cell for cell those of `--jobs 1`; a worker that dies has its cell
re-run; a cell that fails twice is UNKNOWN with the reason; the cache resumes a matrix; Ctrl-C
cancels and lists the cells finished; bad `--dask` input and a missing extra are clear errors."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import cloudpickle
import pytest

from checker.api import check_request
from checker.explore.cache import Cache
from checker.explore.cluster import ClusterRunner, Target
from checker.explore.run import explore_file
from checker.result import Verdict
from tests.conftest import ROOT, run_cli

MODEL = str(Path(__file__).parent / "hw.spec")
OPTIONS = [("engine", "explicit"), ("vacuity", False)]
cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the checks below run on the workers


@pytest.fixture(scope="module")
def cluster():
    with ClusterRunner(Target(workers=2), io.StringIO()) as runner:
        yield runner


def _strip(d: dict) -> dict:
    for row in d["rows"]:
        for res in row["results"]:
            res["time_s"] = 0
    return d


def _cells(matrix) -> dict:
    return {b: {r.prop: (r.verdict, r.depth) for r in rep.results} for b, rep in matrix.rows}


def test_a_local_cluster_gives_the_matrix_of_one_process():
    args = ["explore", MODEL, "--vary", "hardware,zap_on_free,reset_on_free", "--format", "json"]
    one = run_cli(args + ["--jobs", "1"])
    dask = run_cli(args + ["--dask", "local:2"])
    assert one.code == dask.code == 0, dask.err
    assert _strip(json.loads(dask.out)) == _strip(json.loads(one.out))
    assert "explore: 12/12 cells done, 0 on workers, 0 failed" in dask.err  # progress on stderr


def test_minimal_fixes_on_a_cluster_equal_one_process():
    args = ["explore", MODEL, "--vary", "hardware", "--minimal-fixes", "--format", "json"]
    one, dask = run_cli(args + ["--jobs", "1"]), run_cli(args + ["--dask", "local:2"])
    assert one.code == dask.code == 0, dask.err
    assert json.loads(dask.out)["minimal_fixes"] == json.loads(one.out)["minimal_fixes"]


def _dies_once(marker: str):
    def check(req):
        if dict(req.params)["hardware"].member == "rmp" and not os.path.exists(marker):
            Path(marker).touch()
            os._exit(1)  # the worker process dies mid-cell
        return check_request(req)
    return check


def test_a_worker_that_dies_has_its_cell_rerun(cluster, tmp_path):
    died = explore_file(MODEL, ["hardware"], [], [], OPTIONS, check=_dies_once(str(tmp_path / "died")),
                        runner=cluster.run)
    assert (tmp_path / "died").exists()
    plain = explore_file(MODEL, ["hardware"], [], [], OPTIONS)
    got, want = _cells(died.matrix), _cells(plain.matrix)
    assert got == want, {b: (got[b], want[b]) for b in want if got.get(b) != want[b]}


def _always(how: str):
    def check(req):
        if dict(req.params)["hardware"].member == "fixed":
            if how == "raise":
                raise RuntimeError("the check broke")
            os._exit(1)
        return check_request(req)
    return check


@pytest.mark.parametrize("how", ["raise", "die"])
def test_a_cell_that_fails_twice_is_unknown_with_the_reason(cluster, how):
    res = explore_file(MODEL, ["hardware"], [], [], OPTIONS, check=_always(how), runner=cluster.run)
    cells = {b[0][1].member: rep for b, rep in res.matrix.rows}
    assert {r.verdict for r in cells["fixed"].results} == {Verdict.UNKNOWN}
    why = "RuntimeError: the check broke" if how == "raise" else "its worker died on every try (KilledWorker)"
    assert all(why in (r.reason or "") for r in cells["fixed"].results), cells["fixed"].results[0].reason
    others = {hw: [r.reason for r in cells[hw].results if r.verdict is Verdict.UNKNOWN] for hw in ("erratum", "rmp")}
    assert others == {"erratum": [], "rmp": []}


def _never(req):
    raise AssertionError("every cell should have come from the cache")


def test_the_cache_resumes_a_matrix_without_submitting_a_cell(cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    monkeypatch.delenv("SPEC_CHECK_CACHE_SECRET", raising=False)
    cache = Cache(tmp_path / "cache")
    first = explore_file(MODEL, ["hardware", "zap_on_free"], [], [], OPTIONS, cache=cache, runner=cluster.run)
    assert len(list((tmp_path / "cache").glob("*.json"))) == 6
    again = Cache(tmp_path / "cache")
    second = explore_file(MODEL, ["hardware", "zap_on_free"], [], [], OPTIONS, cache=again, check=_never,
                          runner=cluster.run)
    assert again.hits == 6 and _cells(second.matrix) == _cells(first.matrix)


def test_ctrl_c_cancels_the_rest_and_lists_the_cells_finished(cluster):
    from checker.explore.matrix import Request
    from spec.frontend import load_model

    model = load_model(MODEL)
    reqs = [Request(model.model, MODEL, tuple(sorted(model.sources.items())), (("hardware", v),), (), tuple(OPTIONS))
            for v in model.model.enum("Hardware").values()]
    seen = []

    def stop(i, rep):
        seen.append(i)
        raise KeyboardInterrupt

    out = io.StringIO()
    cluster.stream = out
    with pytest.raises(KeyboardInterrupt):
        cluster.run(reqs, check_request, stop)
    text = out.getvalue()
    assert f"interrupted: 1 of {len(reqs)} cells finished" in text and text.count("  finished: hardware=") == 1
    cluster.client.run(lambda: None)  # the cluster still works afterwards
    assert len(cluster.run(reqs[:1], check_request, lambda i, r: None)) == 1


@pytest.mark.parametrize("value", ["local:0", "local:x", "nowhere"])
def test_a_bad_cluster_is_bad_input(value):
    r = run_cli(["explore", MODEL, "--vary", "hardware", "--dask", value])
    assert r.code == 2 and "error[E0414]" in r.err and "hint:" in r.err


def test_without_dask_the_option_says_how_to_install_it():
    code = ("import sys; sys.modules['distributed'] = None\n"
            "from checker.cli import main\n"
            f"raise SystemExit(main(['explore', {MODEL!r}, '--vary', 'hardware', '--dask', 'local:2']))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 2 and "pip install 'spec-check[dask]'" in r.stderr and "Traceback" not in r.stderr
