"""Weaken every model element a proof does not list (tests of checker/solver/depends.py).

The IR counterpart of the weakening the explanation's literals stand for: a `require` is dropped,
a `choose` takes any value of its domain, an `if` takes either branch, an assignment writes any
value of the variable's type, a variable starts with any value of its type. A proof that rests
only on the elements it lists survives all of that at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import replace

from checker.result import Dependency
from spec import ir
from spec.types import BOOL

Key = tuple[str, str, int, int]  # kind, action, line, column


def key(d: Dependency) -> Key:
    return (d.kind, d.action, d.span.line, d.span.col)


def weaken(inst: ir.Instance, keep: Collection[Key]) -> ir.Instance:
    """`inst` with every require, choose, if, assignment and initial value not in `keep` weakened."""
    fresh = itertools.count()
    m = inst.model

    def stmts(body: tuple[ir.Stmt, ...], where: str) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for s in body:
            kind = {ir.Require: "require", ir.Choose: "choose", ir.If: "if", ir.Assign: "assign"}.get(type(s))
            kept = kind is None or (kind, where, s.span.line, s.span.col) in keep
            match s:
                case ir.Require():
                    out += [s] if kept else []
                case ir.Choose():
                    out.append(s if kept else replace(s, cond=ir.TRUE))
                case ir.If():
                    s = replace(s, then=stmts(s.then, where), else_=stmts(s.else_, where))
                    if not kept:
                        b = f"weak_if{next(fresh)}"
                        out.append(ir.Choose(b, BOOL, ir.TRUE, span=s.span))
                        s = replace(s, cond=ir.Local(b, BOOL, span=s.span))
                    out.append(s)
                case ir.Assign():
                    if not kept:
                        t = ir.domain_type(m.var(s.var).type)
                        x = f"weak_value{next(fresh)}"
                        out.append(ir.Choose(x, t, ir.TRUE, span=s.span))
                        s = replace(s, value=ir.Local(x, t, span=s.span))
                    out.append(s)
                case ir.Forall():
                    out.append(replace(s, body=stmts(s.body, where)))
                case _:
                    out.append(s)
        return tuple(out)

    vars_ = tuple(v if v.init is None or ("init", "init", v.span.line, v.span.col) in keep else replace(v, init=None)
                  for v in m.vars)
    actions = tuple(replace(a, body=stmts(a.body, a.name)) for a in m.actions)
    model = replace(m, vars=vars_, init=stmts(m.init, "init"), actions=actions)
    return replace(inst, model=model)
