"""Invariants of a small instance, generalized by symmetry; ir.Expr -> quantified ir.Expr.

Sort elements are interchangeable (a model cannot name one), so whatever an inductive invariant
of a small instance says about `page0` and `page1` is a good guess about every two distinct
pages of a bigger one. Each conjunct (lemma) of the small invariant becomes
`forall p0: Page, p1: Page :: p0 != p1 -> lemma[p0/page0, p1/page1]`. These are only candidates:
checker/symbolic/pdr.py keeps the subset that is inductive in the real instance and checks it (the
certificate), so a wrong guess costs time, never soundness.
"""

from __future__ import annotations

from dataclasses import replace

from spec import ir
from spec.irutil import map_children, operands, walk
from spec.ops import BinOp, QuantKind
from spec.printer import print_ir_expr
from spec.types import BOOL, SortT


def _canonical(e: ir.Expr) -> ir.Expr:
    """A disjunction with its disjuncts in one order, so that lemmas Spacer states in different
    orders come out equal."""
    parts = sorted(set(operands(e, BinOp.OR)), key=print_ir_expr)
    out = parts[0]
    for x in parts[1:]:
        out = ir.Binary(BinOp.OR, out, x, BOOL)
    return out


def _elements(e: ir.Expr) -> list[ir.Elem]:
    return sorted({n.value for n in walk(e) if isinstance(n, ir.Lit) and isinstance(n.value, ir.Elem)})


def _binder(sort: str, k: int, taken: set[str]) -> str:
    base = sort.rsplit(".", 1)[-1].lower()
    name = f"{base[0]}{k}"
    return name if name not in taken else f"{base}_{k}"


def quantify(lemma: ir.Expr) -> ir.Expr:
    """`lemma` with each sort element replaced by a universally quantified variable; variables of
    one sort are pairwise distinct (the elements they stand for were)."""
    elems = _elements(lemma)
    if not elems:
        return lemma
    taken = {n.name for n in walk(lemma) if isinstance(n, ir.Local)}
    names: dict[ir.Elem, ir.Local] = {}
    for el in elems:  # numbered per sort in element order, so symmetric lemmas come out equal
        name = _binder(el.sort, sum(1 for e in names if e.sort == el.sort), taken)
        taken.add(name)
        names[el] = ir.Local(name, SortT(el.sort))

    def sub(x: ir.Expr) -> ir.Expr:
        if isinstance(x, ir.Lit) and isinstance(x.value, ir.Elem):
            return names[x.value]
        return map_children(x, sub)

    body = sub(lemma)
    distinct = [ir.Binary(BinOp.NE, names[a], names[b], BOOL)
                for i, a in enumerate(elems) for b in elems[i + 1:] if a.sort == b.sort]
    if distinct:
        premise = distinct[0]
        for d in distinct[1:]:
            premise = ir.Binary(BinOp.AND, premise, d, BOOL)
        body = ir.Binary(BinOp.IMPLIES, premise, body, BOOL)
    for el in reversed(elems):
        body = ir.Quant(QuantKind.FORALL, names[el].name, SortT(el.sort), body, BOOL)
    return body


def conjunction(es: list[ir.Expr]) -> ir.Expr:
    if not es:
        return ir.TRUE
    out = es[0]
    for e in es[1:]:
        out = ir.Binary(BinOp.AND, out, e, BOOL)
    return out


def split(e: ir.Expr) -> list[ir.Expr]:
    """`e` as a list of smaller conjuncts with the same meaning: `A && B` is [A, B], and a
    universal quantifier or an implication distributes over a conjunction in its body
    (`forall p :: A && B` is [`forall p :: A`, `forall p :: B`]). Houdini can then keep the
    parts that are inductive when the whole is not."""
    out: list[ir.Expr] = []
    for c in operands(e, BinOp.AND):
        if isinstance(c, ir.Quant) and c.kind is QuantKind.FORALL:
            out += [replace(c, body=b) for b in split(c.body)]
        elif isinstance(c, ir.Binary) and c.op is BinOp.IMPLIES:
            out += [replace(c, rhs=b) for b in split(c.rhs)]
        else:
            out.append(c)
    return list(dict.fromkeys(out))


def candidates(invariant: ir.Expr) -> list[ir.Expr]:
    """The lemmas of a small instance's invariant, quantified, without duplicates."""
    return list(dict.fromkeys(quantify(_canonical(c)) for c in operands(invariant, BinOp.AND)))


def smaller(inst: ir.Instance, size: int) -> ir.Instance | None:
    """`inst` with every sort cut down to at most `size` elements (None if none is bigger)."""
    sizes = tuple((s, min(n, size)) for s, n in inst.sizes)
    return None if sizes == inst.sizes else replace(inst, sizes=sizes)
