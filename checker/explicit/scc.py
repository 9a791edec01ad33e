"""Strongly connected components of an integer graph given by a successor function; ints x
successors -> components.

Iterative Tarjan, so that a component of a million states does not hit Python's recursion limit.
The liveness checker calls it on the states that violate a property, once per property and again
on each Emerson-Lei refinement; building a networkx graph for each call cost more than finding
the components (a third of a liveness check of tdx at hardware=snp).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


def components(nodes: Iterable[int], succ: Callable[[int], Iterable[int]]) -> list[list[int]]:
    """The strongly connected components of the graph on `nodes` whose edges `succ` gives (it must
    yield only members of `nodes`), in Tarjan's order (each after every component it reaches)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ(root)))]
        while work:
            v, edges = work[-1]
            for w in edges:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ(w))))
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    if low[v] < low[u]:
                        low[u] = low[v]
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out
