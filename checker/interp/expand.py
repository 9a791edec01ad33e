"""All instances of one action at once, for the explicit engine; ir.Action -> Expander.

`expand(s)` returns `[(action instance index, outcomes), ...]` for the instances of one action
that have at least one outcome in state `s`. It is equivalent to calling each instance's runner,
but cheaper: the conjuncts of the action's leading `require`s are evaluated as soon as the
parameters they mention are bound, so `require st[p] == Free` is evaluated once per page, not
once per (page, vcpu) pair, and a disabled instance costs no call of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import Any

from checker.interp.expr import ExprCompiler, Fn, conjoin
from checker.interp.stmt import Cont, run
from spec import ir
from spec.irutil import free_locals, operands
from spec.ops import BinOp

Expander = Callable[[Any], list[tuple[int, list[Any]]]]


def level_filters(exprs: ExprCompiler, action: ir.Action, guards: list[ir.Expr],
                  scope: dict[str, int]) -> list[Fn | None]:
    """Filter `k` (0 <= k <= #params) is the conjunction of the guard conjuncts whose last
    parameter (in declaration order) is parameter k-1; filter 0 has those with no parameter."""
    names = [p.name for p in action.params]
    by_level: list[list[ir.Expr]] = [[] for _ in range(len(names) + 1)]
    for g in guards:
        for c in operands(g, BinOp.AND):
            used = free_locals(c)
            level = max((names.index(n) + 1 for n in used if n in names), default=0)
            by_level[level].append(c)
    return [conjoin([exprs.compile(c, scope) for c in cs]) for cs in by_level]


def make_expander(filters: list[Fn | None], body: Cont, template: list[Any], slots: list[int],
                  domains: list[tuple[int, ...]], first: int, thaw: Callable[[Any], Any]) -> Expander:
    """`template`: the env of the action (reserved slots set, parameter slots to be filled);
    `slots`/`domains`: each parameter's env slot and codes; `first`: the index of the action's
    first instance (instances are numbered in `itertools.product` order of the domains)."""
    f0 = filters[0]
    if len(slots) == 0:
        def expand0(s: Any) -> list[tuple[int, list[Any]]]:
            if f0 is not None and not f0(s, template):
                return []
            out: list[Any] = []
            run(body, thaw(s), template.copy(), out)
            return [(first, out)] if out else []
        return expand0
    if len(slots) == 1:
        return _expand1(f0, filters[1], body, template, slots[0], domains[0], first, thaw)
    if len(slots) == 2:
        return _expand2(filters, body, template, slots, domains, first, thaw)
    return _expand_n(filters, body, template, slots, domains, first, thaw)


def _expand1(f0: Fn | None, f1: Fn | None, body: Cont, env: list[Any], j: int, dom: tuple[int, ...],
             first: int, thaw: Callable[[Any], Any]) -> Expander:
    def expand1(s: Any) -> list[tuple[int, list[Any]]]:
        if f0 is not None and not f0(s, env):
            return []
        res = []
        for n, c in enumerate(dom):
            env[j] = c
            if f1 is not None and not f1(s, env):
                continue
            out: list[Any] = []
            run(body, thaw(s), env.copy(), out)
            if out:
                res.append((first + n, out))
        return res
    return expand1


def _expand2(filters: list[Fn | None], body: Cont, env: list[Any], slots: list[int],
             domains: list[tuple[int, ...]], first: int, thaw: Callable[[Any], Any]) -> Expander:
    f0, f1, f2 = filters
    j1, j2 = slots
    d1, d2 = domains
    width = len(d2)

    def expand2(s: Any) -> list[tuple[int, list[Any]]]:
        if f0 is not None and not f0(s, env):
            return []
        res = []
        for n1, c1 in enumerate(d1):
            env[j1] = c1
            if f1 is not None and not f1(s, env):
                continue
            for n2, c2 in enumerate(d2):
                env[j2] = c2
                if f2 is not None and not f2(s, env):
                    continue
                out: list[Any] = []
                run(body, thaw(s), env.copy(), out)
                if out:
                    res.append((first + n1 * width + n2, out))
        return res
    return expand2


def _expand_n(filters: list[Fn | None], body: Cont, env: list[Any], slots: list[int],
              domains: list[tuple[int, ...]], first: int, thaw: Callable[[Any], Any]) -> Expander:
    """Three or more parameters: every combination, filters checked once all are bound."""
    rest = conjoin([f for f in filters if f is not None])

    def expand_n(s: Any) -> list[tuple[int, list[Any]]]:
        res = []
        for n, codes in enumerate(product(*domains)):
            for j, c in zip(slots, codes, strict=True):
                env[j] = c
            if rest is not None and not rest(s, env):
                continue
            out: list[Any] = []
            run(body, thaw(s), env.copy(), out)
            if out:
                res.append((first + n, out))
        return res
    return expand_n
