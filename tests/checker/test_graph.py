"""State graph export (checker/report/graph.py): DOT and GraphML, highlighting, the size refusal."""

from __future__ import annotations

import re

import networkx as nx
import pytest

from checker.explicit.engine import ExplicitEngine
from checker.report.graph import GraphTooLarge, state_graph_text
from checker.result import Budget
from tests.checker.interp_helpers import load

COUNTER = """
var n: 0..3 = 0;
var k: bool = false;
action inc() { require n < 3; n := n + 1; }
action boom() { require n == 2; assert calm: false; }
invariant small: n < 2;
"""


def graph_of(tmp_path, text=COUNTER, **kw):
    inst = load(tmp_path, text)
    out = ExplicitEngine(inst, keep_graph=True, **kw).check((), Budget())
    return inst, out


def nodes(dot: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"^  (n\d+) \[(.*)\];$", dot, re.M)}


def test_dot_nodes_edges_and_highlights(tmp_path):
    inst, out = graph_of(tmp_path)
    dot = state_graph_text(out, inst)
    assert dot.startswith("digraph states {") and dot.rstrip().endswith("}")
    ns = nodes(dot)
    assert len(ns) == 4
    edges = re.findall(r'^  n(\d+) -> n(\d+) \[label="(.*)"\];$', dot, re.M)
    assert edges == [("0", "1", "inc()"), ("1", "2", "inc()"), ("2", "3", "inc()")]
    red = sorted(n for n, attrs in ns.items() if "fillcolor=\"#ffd0d0\"" in attrs)
    assert red == ["n2", "n3"]  # n == 2 (violates small, and boom fails there) and n == 3
    assert "violates small, calm" in ns["n2"]
    assert "peripheries=2" in ns["n0"] and "peripheries=2" not in ns["n1"]
    assert 'label="n=0' in ns["n0"]
    assert "k=false" in dot.splitlines()[1]  # a constant variable goes to the caption


def test_violating_restricts_the_highlight(tmp_path):
    inst, out = graph_of(tmp_path)
    dot = state_graph_text(out, inst, violating={"calm"})
    red = sorted(n for n, attrs in nodes(dot).items() if "#ffd0d0" in attrs)
    assert red == ["n2"]
    assert "#ffd0d0" not in state_graph_text(out, inst, violating=())


def test_deadlocked_state_is_marked(tmp_path):
    inst, out = graph_of(tmp_path, "var n: 0..2 = 0;\naction inc() { require n < 2; n := n + 1; }\n")
    ns = nodes(state_graph_text(out, inst))
    assert [n for n, a in ns.items() if "color=orange" in a] == ["n2"]
    assert "deadlock" in ns["n2"]


def test_graphml_round_trips(tmp_path):
    inst, out = graph_of(tmp_path)
    text = state_graph_text(out.graph, inst, fmt="graphml")
    g = nx.parse_graphml(text)
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 3
    assert g.nodes["n2"]["violates"] == "small,calm" and g.nodes["n0"]["initial"] is True
    assert g.nodes["n3"]["label"] == "n=3"
    assert g.edges["n0", "n1"]["label"] == "inc()"


def test_refuses_large_graphs_and_bad_input(tmp_path):
    text = ("sort S = 5;\nvar f: S -> bool = false;\naction set(p: S) { f[p] := true; }\n"
            "reachable one: exists p: S :: f[p];\n")
    inst, out = graph_of(tmp_path, text, symmetry=False)
    assert out.states == 32
    with pytest.raises(GraphTooLarge, match="32 states, more than the limit of 10; raise it with --max-states"):
        state_graph_text(out, inst, max_states=10)
    assert len(nodes(state_graph_text(out, inst, max_states=32))) == 32
    reduced = ExplicitEngine(inst, keep_graph=True).check((), Budget())
    dot = state_graph_text(reduced, inst)
    assert len(nodes(dot)) == 6 and "orbit representatives" in dot
    cut = ExplicitEngine(inst, keep_graph=True, symmetry=False).check((), Budget(max_states=20))
    with pytest.raises(GraphTooLarge, match="stopped after 20 states.*state limit 20.*raise --max-states"):
        state_graph_text(cut, inst)
    assert len(nodes(state_graph_text(cut, inst, partial_ok=True))) == 20
    props = ExplicitEngine(inst, keep_graph=True, symmetry=False).check(inst.model.properties, Budget())
    assert props.graph.number_of_nodes() == 32  # a kept graph is never cut short by decided properties
    plain = ExplicitEngine(inst).check((), Budget())
    with pytest.raises(ValueError, match="keep_graph"):
        state_graph_text(plain, inst)
    with pytest.raises(ValueError, match="format"):
        state_graph_text(out, inst, fmt="svg")


def test_enum_labels_and_multi_line_edges(tmp_path):
    inst, out = graph_of(tmp_path, "enum E { A, B }\nvar e: E = A;\naction go() { e := B; }\n"
                                   "action also() { e := B; }\n")
    dot = state_graph_text(out, inst)
    assert 'label="e=A", peripheries=2' in dot and 'label="e=B\\ndeadlock' not in dot
    assert 'n0 -> n1 [label="go()\\nalso()"];' in dot
