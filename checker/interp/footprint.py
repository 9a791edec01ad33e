"""Which state slots an expression or an action may read and write; ir -> sets of slot numbers.

Used by the explicit engine's transition cache (checker/explicit/transitions.py): the outcomes of an
action on a state are a function of the slots it may read, so two states that agree there (and
on the slots it may write, whose old values survive where a path does not write them) have the
same successors up to those slots. The sets are conservative: an index that is not a literal or
a parameter whose value is fixed stands for every value of its type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import product
from typing import assert_never

from checker.interp.expr import Layout
from spec import ir
from spec.irutil import walk


def _codes(layout: Layout, e: ir.Expr, arg_type: object, fixed: Mapping[str, int]) -> tuple[int, ...]:
    """The codes an index expression may take."""
    if isinstance(e, ir.Lit):
        return (layout.code(arg_type, e.value),)  # type: ignore[arg-type]
    if isinstance(e, ir.Local) and e.name in fixed:
        return (fixed[e.name],)
    return layout.codes(arg_type)  # type: ignore[arg-type]


def location_slots(layout: Layout, var: str, index: tuple[ir.Expr, ...], fixed: Mapping[str, int]) -> set[int]:
    """The slots `var[index]` may denote."""
    vl = layout.vars[var]
    if not index:
        return {vl.base}
    options = [_codes(layout, a, t, fixed) for a, t in zip(index, vl.arg_types, strict=True)]
    return {vl.base + sum((c - off) * st for c, off, st in zip(codes, vl.offsets, vl.strides, strict=True))
            for codes in product(*options)}


def expr_reads(layout: Layout, e: ir.Expr, fixed: Mapping[str, int]) -> set[int]:
    """Every slot evaluating `e` may read (`fixed`: locals whose code is known, names that no
    binder inside `e` reuses; the engine passes none)."""
    out: set[int] = set()
    for n in walk(e):
        if isinstance(n, ir.Var):
            out.add(layout.vars[n.name].base)
        elif isinstance(n, ir.Read):
            out |= location_slots(layout, n.name, n.args, fixed)
    return out


def stmts_footprint(layout: Layout, stmts: Iterable[ir.Stmt], fixed: Mapping[str, int]) -> tuple[set[int], set[int]]:
    """`(reads, writes)` of a statement list, over every path through it."""
    reads: set[int] = set()
    writes: set[int] = set()
    for s in stmts:
        match s:
            case ir.Require() | ir.Check():
                reads |= expr_reads(layout, s.cond, fixed)
            case ir.Assign():
                for e in (*s.index, s.value):
                    reads |= expr_reads(layout, e, fixed)
                writes |= location_slots(layout, s.var, s.index, fixed)
            case ir.SetLocal():
                reads |= expr_reads(layout, s.value, fixed)
            case ir.Choose():
                reads |= expr_reads(layout, s.cond, fixed)
            case ir.If():
                reads |= expr_reads(layout, s.cond, fixed)
                for branch in (s.then, s.else_):
                    r, w = stmts_footprint(layout, branch, fixed)
                    reads |= r
                    writes |= w
            case ir.Forall():
                r, w = stmts_footprint(layout, s.body, fixed)
                reads |= r
                writes |= w
            case _:
                assert_never(s)
    return reads, writes


def slot_mask(slots: set[int]) -> int:
    """Slot `k` is byte `k` of a byte state: bits `8k..8k+7` of `int.from_bytes(s, "little")`."""
    m = 0
    for k in slots:
        m |= 0xFF << (8 * k)
    return m


def never_enabled(action: ir.Action) -> bool:
    """A leading `require false` (the front end folds configuration-dependent guards)."""
    for s in action.body:
        if not isinstance(s, ir.Require):
            return False
        if isinstance(s.cond, ir.Lit) and s.cond.value is False:
            return True
    return False


def action_footprints(layout: Layout, model: ir.Model) -> tuple[tuple[int, int] | None, ...]:
    """Per action, `(key, writes)` as slot masks: `key` covers the slots the action may read or
    write and those the assumes read (they are evaluated on the successor). None for an action
    that can never fire."""
    assume_reads: set[int] = set()
    for a in model.assumes:
        assume_reads |= expr_reads(layout, a.expr, {})
    out: list[tuple[int, int] | None] = []
    for action in model.actions:
        if never_enabled(action):
            out.append(None)
            continue
        reads, writes = stmts_footprint(layout, action.body, {})
        out.append((slot_mask(reads | writes | assume_reads), slot_mask(writes)))
    return tuple(out)
