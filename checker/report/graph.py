"""The reachable state graph as text (`spec-check graph`); ExplicitOutcome | DiGraph -> DOT or GraphML.

    outcome = ExplicitEngine(inst, keep_graph=True, symmetry=False).check((), budget)
    text = state_graph_text(outcome, inst, fmt="dot", violating=None, max_states=10_000)

Nodes are labelled with the variables that differ somewhere in the graph (variables with one
value everywhere are listed once, in the graph's caption); a function variable is shown as its
entries in location order (`st=[Shared Free Free]`). Edges carry the action instances that lead
from one state to the other. Initial states have a double border; states that falsify an
invariant, or from which a check fails, are filled red (`violating` restricts which properties
count; None: all); deadlocked states are orange. Above `max_states` states the graph is refused
with GraphTooLarge (its message says how to raise the limit), and so is a graph whose search
stopped early (a state limit), unless `partial_ok`. With symmetry on, nodes are orbit
representatives and edges go to the representative of the successor.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import networkx as nx

from checker.explicit.engine import ExplicitOutcome
from checker.result import State
from spec import ir

DEFAULT_MAX_STATES = 10_000
FORMATS = ("dot", "graphml")


class GraphTooLarge(ValueError):
    """The graph has more states than the caller allowed."""


def state_graph_text(graph_or_outcome: ExplicitOutcome | nx.DiGraph, inst: ir.Instance, fmt: str = "dot",
                     violating: Collection[str] | None = None, max_states: int = DEFAULT_MAX_STATES,
                     partial_ok: bool = False) -> str:
    g = graph_or_outcome.graph if isinstance(graph_or_outcome, ExplicitOutcome) else graph_or_outcome
    if g is None:
        raise ValueError("the search kept no graph: run ExplicitEngine with keep_graph=True")
    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}: use {' or '.join(FORMATS)}")
    n = g.number_of_nodes()
    if not g.graph.get("exhaustive", True) and not partial_ok:
        raise GraphTooLarge(f"the search stopped after {n} states, before the graph was complete "
                            f"({g.graph.get('stop_reason') or 'a limit was reached'}); raise --max-states, "
                            "or use smaller sizes (--size)")
    if n > max_states:
        raise GraphTooLarge(f"the state graph has {n} states, more than the limit of {max_states}; "
                            "raise it with --max-states, or use smaller sizes (--size)")
    labels, caption = _labels(g, inst)
    marks = {node: _mark(d, violating) for node, d in g.nodes(data=True)}
    if fmt == "dot":
        return _dot(g, inst, labels, caption, marks)
    return _graphml(g, labels, caption, marks)


def _labels(g: nx.DiGraph, inst: ir.Instance) -> tuple[dict[Any, str], str]:
    """Per node the text of the variables that vary; the caption lists the constant ones."""
    per_node = {node: _var_texts(d["state"], inst) for node, d in g.nodes(data=True)}
    names = [v.name for v in inst.model.vars]
    varying = [v for v in names if len({texts[v] for texts in per_node.values()}) > 1]
    constant = [v for v in names if v not in varying]
    first = next(iter(per_node.values()), {})
    caption = " ".join(first[v] for v in constant) if first else ""
    labels = {node: "\n".join(texts[v] for v in varying) or "(no variable varies)"
              for node, texts in per_node.items()}
    return labels, caption


def _var_texts(state: State, inst: ir.Instance) -> dict[str, str]:
    entries: dict[str, list[str]] = {}
    scalar: dict[str, bool] = {}
    for (var, index), v in state:
        entries.setdefault(var, []).append(_value(v, bool(index)))
        scalar[var] = not index
    return {var: f"{var}={vals[0]}" if scalar[var] else f"{var}=[{' '.join(vals)}]" for var, vals in entries.items()}


def _value(v: ir.Value, compact: bool) -> str:
    if isinstance(v, bool) and compact:
        return "1" if v else "0"
    return ir.format_value(v)


def _mark(d: dict[str, Any], violating: Collection[str] | None) -> tuple[tuple[str, ...], bool]:
    bad = tuple(p for p in (*d.get("violates", ()), *d.get("fails", ())) if violating is None or p in violating)
    return bad, bool(d.get("deadlock", False))


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _dot(g: nx.DiGraph, inst: ir.Instance, labels: dict[Any, str], caption: str,
         marks: dict[Any, tuple[tuple[str, ...], bool]]) -> str:
    title = f"{inst.model.name} {inst.describe()}".strip()
    sym = " (orbit representatives)" if g.graph.get("symmetry") else ""
    lines = ["digraph states {",
             f'  label="{_esc(title + sym)}\\n{_esc(caption)}"; labelloc=t; fontname="monospace";',
             '  node [shape=box, fontname="monospace", fontsize=10];',
             '  edge [fontname="monospace", fontsize=9];']
    for node, d in g.nodes(data=True):
        bad, dead = marks[node]
        label = labels[node] + ("\n" + "violates " + ", ".join(bad) if bad else "") + ("\ndeadlock" if dead else "")
        attrs = [f'label="{_esc(label)}"']
        if d.get("initial"):
            attrs.append("peripheries=2")
        if bad:
            attrs += ["style=filled", 'fillcolor="#ffd0d0"', "color=red"]
        elif dead:
            attrs += ["style=filled", 'fillcolor="#ffe0b0"', "color=orange"]
        lines.append(f"  n{node} [{', '.join(attrs)}];")
    for a, b, d in g.edges(data=True):
        lines.append(f'  n{a} -> n{b} [label="{_esc(chr(10).join(d.get("actions", ())))}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _graphml(g: nx.DiGraph, labels: dict[Any, str], caption: str,
             marks: dict[Any, tuple[tuple[str, ...], bool]]) -> str:
    out = nx.DiGraph(caption=caption, symmetry=bool(g.graph.get("symmetry")))
    for node, d in g.nodes(data=True):
        bad, dead = marks[node]
        out.add_node(f"n{node}", label=labels[node], depth=int(d.get("depth", 0)), initial=bool(d.get("initial")),
                     violates=",".join(bad), deadlock=dead)
    for a, b, d in g.edges(data=True):
        out.add_edge(f"n{a}", f"n{b}", label="\n".join(d.get("actions", ())))
    return "\n".join(nx.generate_graphml(out)) + "\n"
