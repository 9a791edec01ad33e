"""checker/explicit/scc.py against networkx on random graphs, and on a chain too long to recurse."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from checker.explicit.scc import components


def _graph(seed: int) -> tuple[list[int], dict[int, list[int]]]:
    rng = random.Random(seed)
    n = rng.randint(1, 40)
    edges = {v: [rng.randrange(n) for _ in range(rng.randint(0, 3))] for v in range(n)}
    return list(range(n)), edges


@pytest.mark.parametrize("seed", range(200))
def test_components_are_networkx_components(seed):
    nodes, edges = _graph(seed)
    keep = set(random.Random(-seed).sample(nodes, max(1, len(nodes) * 2 // 3)))  # an induced subgraph
    got = components(sorted(keep), lambda v: [w for w in edges[v] if w in keep])
    g = nx.DiGraph()
    g.add_nodes_from(keep)
    g.add_edges_from((v, w) for v in keep for w in edges[v] if w in keep)
    assert sorted(sorted(c) for c in got) == sorted(sorted(c) for c in nx.strongly_connected_components(g))
    # Tarjan's order: a component comes after every component it reaches
    where = {v: k for k, c in enumerate(got) for v in c}
    assert all(where[w] <= where[v] for v in keep for w in edges[v] if w in keep)


def test_a_long_chain_does_not_recurse():
    n = 200_000
    got = components(range(n), lambda v: [v + 1] if v + 1 < n else [0])
    assert len(got) == 1 and len(got[0]) == n
    assert len(components(range(n), lambda v: [v + 1] if v + 1 < n else [])) == n
