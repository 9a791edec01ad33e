"""The two HTML pages, rendered by a real browser: headless Chromium (Debian's `chromium`, which
.ci/run installs and then requires: SPEC_CHECK_BROWSER_TESTS=require turns a missing browser into
a failure instead of a skip). The DOM Chromium builds is checked against the report (every trace
present, its steps and lanes counted), and a screenshot of each page must not be blank."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checker.api import check
from checker.report.timeline import anchor, lanes
from tests.conftest import ROOT, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("SPEC_CHECK_BROWSER_TESTS") == "require"
pytestmark = pytest.mark.skipif(CHROMIUM is None and not REQUIRED,
                                reason="Debian's chromium is not installed (.ci/run installs it)")
# As the machine's notes say: no sandbox as root, and nothing that reaches for the network.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
PAGES = ROOT / "tests" / "cli" / "models" / "pages.spec"
TDX = ROOT / "models" / "tdx.spec"
HW = ROOT / "tests" / "explore" / "hw.spec"


def _chromium(tmp: Path, *args: str) -> str:
    assert CHROMIUM is not None, "chromium is required (SPEC_CHECK_BROWSER_TESTS=require) but not installed"
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


class _Dom(HTMLParser):
    """Counts, per trace section, its step columns and lane rows; and the matrix's body rows."""

    def __init__(self) -> None:
        super().__init__()
        self.traces: list[dict[str, object]] = []
        self.body_rows = 0
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "section" and "trace" in classes:
            self.traces.append({"id": dict(attrs).get("id"), "steps": 0, "lanes": [], "fail": "fail" in classes})
        elif self.traces and tag == "th" and "step" in classes:
            self.traces[-1]["steps"] = int(self.traces[-1]["steps"]) + 1  # type: ignore[call-overload]
        elif self.traces and tag == "tr" and "lane-row" in classes:
            self.traces[-1]["lanes"].append(classes[-1])  # type: ignore[union-attr]
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and not self.traces:
            self.body_rows += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False


def _dom(tmp: Path, page: Path) -> _Dom:
    d = _Dom()
    d.feed(_chromium(tmp, "--dump-dom", page.as_uri()))
    return d


def _not_blank(tmp: Path, page: Path, png: Path) -> None:
    from PIL import Image

    _chromium(tmp, "--window-size=1400,1000", f"--screenshot={png}", page.as_uri())
    with Image.open(png) as img:
        grey = img.convert("L")
        lo, hi = grey.getextrema()
        colours = grey.getcolors(maxcolors=256 * 256) or []
    assert hi - lo > 100 and len(colours) > 20, "the screenshot is blank"


@pytest.mark.parametrize("model", [PAGES, TDX], ids=["pages", "tdx"])
def test_the_check_report_draws_every_trace_as_a_timeline(tmp_path: Path, model: Path):
    page = tmp_path / "report.html"
    args = ["--engine", "explicit"] + (["--no-all-sizes"] if model == TDX else [])
    r = run_cli([str(model), *args, "--format", "html", "-o", str(page)])
    assert r.code in (0, 1), r.err
    report = check(model, engine="explicit", all_sizes=False)
    traced = [x for x in report.results if x.trace is not None and not x.generated]
    dom = _dom(tmp_path, page)
    assert sorted(str(t["id"]) for t in dom.traces) == \
        sorted(anchor(x.prop) for x in traced)
    by_id = {t["id"]: t for t in dom.traces}
    for x in traced:
        assert x.trace is not None
        t = by_id[anchor(x.prop)]
        want = lanes(x.trace)
        assert t["steps"] == x.trace.depth + 1
        assert t["lanes"] == ["actor"] * len(want.actors) + ["element"] * len(want.elements)
        assert t["fail"] == x.fails
    # failures come first
    fails = [bool(t["fail"]) for t in dom.traces]
    assert fails == sorted(fails, reverse=True)
    _not_blank(tmp_path, page, tmp_path / "report.png")


def test_the_explore_matrix_renders_one_row_per_property(tmp_path: Path):
    page = tmp_path / "matrix.html"
    r = run_cli(["explore", str(HW), "--vary", "hardware,zap_on_free", "--format", "html", "-o", str(page)])
    assert r.code == 0, r.err
    props = run_cli(["explore", str(HW), "--vary", "hardware,zap_on_free", "--layout", "configs"]
                    ).out.splitlines()[2].split()[1:]
    dom = _dom(tmp_path, page)
    assert dom.body_rows == len(props)
    assert dom.traces, "the matrix's violations link to their traces"
    _not_blank(tmp_path, page, tmp_path / "matrix.png")
