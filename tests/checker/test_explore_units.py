"""explore's pieces on hand-made reports: axes, configurations, matrix, minimal fixes, baselines,
serialisation and the result cache."""

from __future__ import annotations

import json

import pytest

from checker.explore import baseline
from checker.explore import matrix as explore
from checker.explore.cache import Cache, cache_key
from checker.explore.serialize import report_from_data, report_to_data
from checker.result import (
    AllSizesNote,
    Failure,
    PropertyResult,
    Report,
    State,
    Step,
    Trace,
    Verdict,
    Warning_,
)
from spec.diagnostics import Sink
from spec.frontend import load
from spec.ir import Elem, EnumVal, PropKind

MODEL = """
enum Hw { tdx1, snp, none }
param hw: Hw = tdx1;
mitigation param zap: bool = true;
mitigation param split: bool = true;
param n: 0..5 = 1;
var x: bool = false;
action a() { x := true; }
invariant i: !x || zap;
"""


@pytest.fixture
def model(tmp_path):
    p = tmp_path / "m.spec"
    p.write_text(MODEL, encoding="utf-8")
    return load(p)


def _rep(config: str, verdicts: dict[str, Verdict]) -> Report:
    trace = Trace((Step(None, (), State(((("x", ()), False),))),
                   Step("a", (("p", Elem("Page", 1)),), State(((("x", ()), True),)))))
    results = []
    for prop, v in verdicts.items():
        needs_trace = v in (Verdict.VIOLATED, Verdict.REACHED)
        results.append(PropertyResult(prop, PropKind.INVARIANT, v, "bmc", 0.5, 1 if needs_trace else None,
                                      trace if needs_trace else None,
                                      "timeout" if v is Verdict.UNKNOWN else None))
    return Report("m", "m.spec", config, tuple(results))


def test_parse_vary_enum_bool_and_range(model):
    sink = Sink()
    axes = explore.parse_vary(["hw,zap", "n=2..4"], model, sink)
    assert not sink.has_errors
    assert [a.param for a in axes] == ["hw", "zap", "n"]
    assert [str(v) for v in axes[0].values] == ["tdx1", "snp", "none"]
    assert axes[1].values == (False, True)
    assert axes[2].values == (2, 3, 4)
    assert len(explore.configurations(axes, {"split": False})) == 3 * 2 * 3


@pytest.mark.parametrize("spec,code", [("hardware", "E0401"), ("n", "E0410"), ("hw=1..2", "E0410"),
                                        ("n=4..2", "E0410"), ("hw,hw", "E0410")])
def test_parse_vary_errors(model, spec, code):
    sink = Sink()
    explore.parse_vary([spec], model, sink)
    assert [d.code for d in sink.errors()] == [code]


def test_configurations_order_first_axis_slowest():
    axes = [explore.Axis("a", (1, 2)), explore.Axis("b", (False, True))]
    assert explore.configurations(axes, {}) == [
        {"a": 1, "b": False}, {"a": 1, "b": True}, {"a": 2, "b": False}, {"a": 2, "b": True}]


def test_minimal_fixes_known_answer():
    # Property p1 needs zap; p2 needs split or flush; nothing else matters.
    calls = []

    def check(cfg):
        calls.append(cfg)
        v1 = Verdict.PROVED if cfg["zap"] else Verdict.VIOLATED
        v2 = Verdict.PROVED if cfg["split"] or cfg["flush"] else Verdict.VIOLATED
        return _rep(str(cfg), {"p1": v1, "p2": v2})

    fix = explore.minimal_fixes(["zap", "split", "flush"], {"hw": "tdx1"}, check)
    assert set(fix.minimal) == {frozenset({"zap", "split"}), frozenset({"zap", "flush"})}
    assert dict(fix.broken_without) == {"zap": ("p1",), "split": (), "flush": ()}
    assert fix.all_on_failures == ()
    # Supersets of a working set are never checked during the search: the full set only once,
    # as the reference every set is compared with.
    assert calls.count({"zap": True, "split": True, "flush": True, "hw": "tdx1"}) == 1


def test_minimal_fixes_ignore_what_no_mitigation_fixes():
    # `open` fails whatever the mitigations; `p` needs m1. The answer is {m1}, with `open`
    # reported as failing even with everything on.
    def check(cfg):
        return _rep("c", {"open": Verdict.VIOLATED, "p": Verdict.PROVED if cfg["m1"] else Verdict.VIOLATED})

    fix = explore.minimal_fixes(["m1", "m2"], {}, check)
    assert fix.minimal == (frozenset({"m1"}),)
    assert fix.all_on_failures == ("open",)
    assert dict(fix.broken_without) == {"m1": ("p",), "m2": ()}


def test_minimal_fixes_undecided_is_not_a_fix():
    def check(cfg):
        return _rep("c", {"p": Verdict.UNKNOWN if cfg["m"] else Verdict.VIOLATED})

    fix = explore.minimal_fixes(["m"], {}, check)
    assert fix.minimal == ()
    assert fix.undecided == (frozenset({"m"}),)


def test_serialize_round_trip():
    rep = _rep("hw=tdx1", {"a": Verdict.VIOLATED, "b": Verdict.PROVED, "c": Verdict.UNKNOWN})
    rep = Report(rep.model, rep.file, rep.config, rep.results,
                 (Warning_("W1", "dead action a"),), 1.5)
    data = json.loads(json.dumps(report_to_data(rep)))
    assert report_from_data(data) == rep
    v = EnumVal("Hw", "snp", 1)
    trace = Trace((Step(None, (), State(((("h", ()), v),))), Step("a", (), None)), Failure("x:range", "leaves"))
    rep2 = Report("m", "f", "c", (PropertyResult("x:range", PropKind.RANGE, Verdict.VIOLATED, "explicit",
                                                 trace=trace, depth=1),))
    assert report_from_data(json.loads(json.dumps(report_to_data(rep2)))) == rep2


@pytest.mark.parametrize("bad", [None, [], {"format": 99}, {"format": 1, "model": 3},
                                 {"format": 1, "model": "m", "file": "f", "config": "c", "time_s": 0,
                                  "interrupted": False, "warnings": [], "results": [{"prop": "p"}]}])
def test_serialize_rejects_malformed(bad):
    with pytest.raises(ValueError):
        report_from_data(bad)


def test_cache_hit_miss_invalidation_and_corruption(tmp_path):
    cache = Cache(tmp_path / "cache")
    rep = _rep("c", {"a": Verdict.PROVED})
    k1 = cache_key({"m.spec": "text"}, {"params": {"hw": "tdx1"}})
    k2 = cache_key({"m.spec": "text edited"}, {"params": {"hw": "tdx1"}})
    assert k1 != k2
    assert cache.get(k1) is None and cache.misses == 1
    cache.put(k1, rep)
    assert cache.get(k1) == rep and cache.hits == 1
    assert cache.get(k2) is None  # an edit of the model is a miss
    (tmp_path / "cache" / f"{k1}.json").write_text("{not json", encoding="utf-8")
    assert cache.get(k1) is None
    assert cache.warnings and "ignoring unusable cache entry" in cache.warnings[0]
    # An entry copied under another key is foreign: ignored, never trusted.
    cache.put(k2, rep)
    (tmp_path / "cache" / f"{k1}.json").write_text((tmp_path / "cache" / f"{k2}.json").read_text())
    assert cache.get(k1) is None


def test_cache_disabled(tmp_path):
    cache = Cache(tmp_path / "c", enabled=False)
    cache.put("k", _rep("c", {"a": Verdict.PROVED}))
    assert cache.get("k") is None
    assert not (tmp_path / "c").exists()


def test_baseline_regressions_and_improvements(tmp_path):
    before = [_rep("hw=tdx1", {"p": Verdict.PROVED, "q": Verdict.VIOLATED, "r": Verdict.PROVED,
                               "s": Verdict.HOLDS_TO_DEPTH})]
    path = tmp_path / "base.json"
    baseline.save(path, before)
    loaded = baseline.load(path)
    same = baseline.compare(loaded, before)
    assert same == [] and not baseline.has_regression(same)
    after = [_rep("hw=tdx1", {"p": Verdict.HOLDS_TO_DEPTH, "q": Verdict.PROVED, "r": Verdict.UNKNOWN,
                              "s": Verdict.PROVED, "t": Verdict.VIOLATED})]
    diffs = {d.prop: d.change for d in baseline.compare(loaded, after)}
    assert diffs == {"p": baseline.Change.REGRESSION, "q": baseline.Change.IMPROVEMENT,
                     "r": baseline.Change.REGRESSION, "s": baseline.Change.IMPROVEMENT,
                     "t": baseline.Change.REGRESSION}
    improved_only = [_rep("hw=tdx1", {"p": Verdict.PROVED, "q": Verdict.PROVED, "r": Verdict.PROVED,
                                      "s": Verdict.PROVED})]
    assert not baseline.has_regression(baseline.compare(loaded, improved_only))


def test_losing_all_sizes_is_a_regression_gaining_it_an_improvement(tmp_path):
    path = tmp_path / "base.json"
    baseline.save(path, [_rep("c", {"p": Verdict.PROVED_ALL_SIZES, "q": Verdict.PROVED})])
    after = [_rep("c", {"p": Verdict.PROVED, "q": Verdict.PROVED_ALL_SIZES})]
    diffs = {d.prop: d.change for d in baseline.compare(baseline.load(path), after)}
    assert diffs == {"p": baseline.Change.REGRESSION, "q": baseline.Change.IMPROVEMENT}


def test_serialize_round_trips_all_sizes_notes_and_lemmas():
    cti = Trace((Step(None, (), State(((("h", ()), True),))), Step("a", (), State(((("h", ()), False),)))))
    results = (PropertyResult("p", PropKind.INVARIANT, Verdict.PROVED, "explicit",
                              all_sizes=AllSizesNote("why", cti, "Page=3", reachable=False)),
               PropertyResult("q", PropKind.INVARIANT, Verdict.PROVED_ALL_SIZES, "explicit", lemmas=("l1",)))
    rep = Report("m", "f", "c", results)
    assert report_from_data(json.loads(json.dumps(report_to_data(rep)))) == rep


def test_baseline_rejects_other_files(tmp_path):
    p = tmp_path / "x.json"
    p.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a spec-check baseline"):
        baseline.load(p)
    p.write_text("garbage", encoding="utf-8")
    with pytest.raises(ValueError, match="not JSON"):
        baseline.load(p)


def test_minimal_fixes_smallest_by_default_every_minimal_set_when_exhaustive():
    # p holds with a, or with both b and c: {a} is the smallest set; {b, c} is minimal too.
    def check(cfg):
        ok = cfg["a"] or (cfg["b"] and cfg["c"])
        return _rep("c", {"p": Verdict.PROVED if ok else Verdict.VIOLATED})

    assert explore.minimal_fixes(["a", "b", "c"], {}, check).minimal == (frozenset({"a"}),)
    full = explore.minimal_fixes(["a", "b", "c"], {}, check, exhaustive=True)
    assert set(full.minimal) == {frozenset({"a"}), frozenset({"b", "c"})}
    assert full.notes == ()


def test_minimal_fixes_flag_non_monotone_mitigations():
    # Turning `b` on breaks p unless `a` is on too: not monotone. Removing a from {a, b} breaks
    # p, so a is taken as needed; {a} alone works... but so does {} (b off): reported.
    def check(cfg):
        ok = cfg["a"] or not cfg["b"]
        return _rep("c", {"p": Verdict.PROVED if ok else Verdict.VIOLATED})

    fix = explore.minimal_fixes(["a", "b"], {}, check)
    assert fix.minimal == (frozenset({"a"}),)
    assert fix.notes and "not monotone" in fix.notes[0]
    assert explore.minimal_fixes(["a", "b"], {}, check, exhaustive=True).minimal == (frozenset(),)
