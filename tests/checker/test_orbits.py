"""Counting the states a symmetry-reduced search stands for (checker/explicit/orbits.py, `--stats`): the sum
of the stored orbits' sizes must equal the unreduced search's state count."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from checker.explicit.engine import ExplicitEngine
from checker.explicit.orbits import MAX_GROUP, OrbitCounter
from checker.interp.semantics import Semantics
from checker.result import Budget
from spec import ir
from spec.frontend import load_instance
from tests.checker.interp_helpers import load
from tests.gen.models import generated_instance, models

ROOT = Path(__file__).resolve().parents[2]
RELATION = "sort S = 3;\nvar r: (S, S) -> bool = false;\naction add(p: S, q: S) { r[p, q] := true; }\n"


def reduced_and_plain(inst: ir.Instance, budget: Budget | None = None):
    reduced = ExplicitEngine(inst, symmetry=True, count_orbits=True).check((), budget or Budget())
    plain = ExplicitEngine(inst, symmetry=False).check((), budget or Budget())
    return reduced, plain


def test_orbit_sizes_of_relations_on_three_points(tmp_path):
    inst = load(tmp_path, RELATION)
    sem = Semantics(inst)
    counter = OrbitCounter(sem, ("S",))
    assert counter.group == 6

    def state(*pairs: tuple[int, int]) -> bytes:
        s = bytearray(9)
        for p, q in pairs:
            s[3 * p + q] = 1
        return bytes(s)

    assert counter.size(state()) == 1  # the empty relation is fixed by every renaming
    assert counter.size(state((0, 0))) == 3  # one loop: which point
    assert counter.size(state((0, 1))) == 6  # one edge: an ordered pair of distinct points
    assert counter.size(state((0, 1), (1, 0))) == 3  # a symmetric edge: an unordered pair
    assert counter.size(state((0, 1), (1, 2), (2, 0))) == 2  # a directed 3-cycle: its direction


def test_relation_model_stands_for_every_relation(tmp_path):
    reduced, plain = reduced_and_plain(load(tmp_path, RELATION))
    assert reduced.states == 104 and plain.states == 512  # A000595(3); 2^9
    assert reduced.stats is not None and reduced.stats.represented == 512
    assert reduced.stats.symmetry == ("S",) and reduced.stats.group == 6


def test_shipped_tdx_reduced_search_stands_for_the_unreduced_one():
    for sizes in ({}, {"Page": 3}, {"Page": 2, "Gfn": 2, "Vcpu": 1}):
        reduced, plain = reduced_and_plain(load_instance(ROOT / "models" / "tdx.spec", sizes=sizes))
        assert reduced.exhaustive and plain.exhaustive
        assert reduced.states < plain.states
        assert reduced.stats is not None and reduced.stats.represented == plain.states, sizes
        assert plain.stats is not None and plain.stats.represented == plain.states and plain.stats.symmetry == ()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_generated_models_reduced_searches_stand_for_the_unreduced_ones(tmp_path_factory, text):
    inst = generated_instance(tmp_path_factory, text)
    reduced, plain = reduced_and_plain(inst, Budget(max_states=20_000))
    if not (reduced.exhaustive and plain.exhaustive):
        return
    assert reduced.stats is not None
    if reduced.stats.symmetry:
        assert reduced.stats.represented == plain.states
    else:  # nothing to permute (or reduction turned off): the stored states are the states
        assert reduced.states == plain.states == reduced.stats.represented


def test_not_counted_unless_asked_and_not_for_huge_groups(tmp_path):
    inst = load(tmp_path, "sort S = 9;\nvar b: S -> bool = false;\naction set(p: S) { b[p] := true; }\n")
    asked = ExplicitEngine(inst, symmetry=True, count_orbits=True).check((), Budget())
    assert asked.states == 10 and asked.stats is not None  # how many of the 9 are set
    assert asked.stats.group > MAX_GROUP and asked.stats.represented is None
    assert "permutations per state" in asked.stats.represented_note
    unasked = ExplicitEngine(load(tmp_path, RELATION), symmetry=True).check((), Budget())
    assert unasked.stats is not None and unasked.stats.represented is None
    assert "--stats" in unasked.stats.represented_note


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_stats_on_the_command_line_agree_with_and_without_reduction():
    tdx = "models/tdx.spec"
    plain = json.loads(_cli(tdx, "--engine", "explicit", "--no-symmetry", "--format", "json").stdout)["search"][0]
    assert plain["symmetry"] == [] and plain["represented"] == plain["states"]
    text = _cli(tdx, "--engine", "explicit", "--stats").stdout
    line = next(x for x in text.splitlines() if x.startswith("search (explicit, properties, exhaustive)"))
    assert f"standing for {plain['states']:,} states" in line
    assert "orbits under renaming of Page: 2 permutations" in line
    assert "search (" not in _cli(tdx, "--engine", "explicit").stdout  # only on request
