"""Candidate lemmas mined from reachable states (after DistAI, Yao et al., OSDI 2021): universally
quantified clauses of a few literals over the state variables, kept when no sampled reachable
state falsifies them.

The sample is a breadth-first search of the instance resized (each sort at 2, then 3 elements),
stopped by a state budget; states are orbit representatives, which is enough since a clause that
names no sort element has one value on a whole orbit. For each set of quantified variables (at
most two per sort, three in all), every assignment of elements to them in every sampled state
gives a row of atom values; a clause holds iff no row falsifies all its literals. Clauses are
enumerated smallest first and a clause is skipped when a smaller one it contains already holds.

Nothing here is trusted: the all-sizes Houdini (checker/solver/houdini_all.py) keeps only the
inductive ones and parametric.check_all_sizes checks the result.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from checker.explicit.search import Goals, Search
from checker.explicit.symmetry import Symmetry, blockers
from checker.interp.semantics import FastState, Semantics
from checker.result import Budget
from spec import ir
from spec.ops import BinOp, QuantKind, UnOp
from spec.types import BOOL, BoolT, EnumT, FunT, RangeT, SortT, Type

SIZES = (2, 3)
MAX_STATES = 4_000  # sampled states per size
MAX_LITERALS = 3
MAX_PER_SORT = 2
MAX_VARS = 3
MAX_CLAUSES = 3000  # the smallest clauses first; Houdini's cost grows with the count


@dataclass(frozen=True)
class _Atom:
    """A boolean fact about one location pattern: `var[args] == value` (value True for bool)."""

    var: str
    args: tuple[int | ir.Value, ...]  # an int: the index of a quantified variable
    value: ir.Value
    vtype: Type  # the variable's value type
    uses: frozenset[int]


Sample = tuple[ir.Instance, Semantics, list[FastState]]  # a resized instance and states it reaches


def sample(inst: ir.Instance, deadline: float | None, sizes: Sequence[int] = SIZES,
           max_states: int = MAX_STATES) -> list[Sample]:
    """Reachable states of `inst` resized to each of `sizes` (what `mine` reads; one sample
    serves several calls)."""
    out = []
    for k in sizes:
        if deadline is not None and time.monotonic() >= deadline:
            break
        resized = replace(inst, sizes=tuple((s, k) for s, _ in inst.sizes))
        out.append((resized, *_sample(resized, max_states, deadline)))
    return out


def mine(inst: ir.Instance, deadline: float | None, samples: Sequence[Sample] | None = None,
         max_clauses: int = MAX_CLAUSES, literals: int = MAX_LITERALS,
         one_per_sort: bool = False) -> list[ir.Expr]:
    """Clauses of at most `literals` literals true in every state of `samples` (default: a new
    `sample(inst, deadline)`). `one_per_sort`: only over one variable of each of two or more
    sorts (the relations between a vCPU, a gfn and a page), which keeps clauses of four literals
    affordable."""
    sorts = [s for s, _ in inst.sizes]
    qvars = [(s, k) for s in sorts for k in range(MAX_PER_SORT)]  # variable i: the k-th of sort s
    atoms = _atoms(inst, qvars)
    if samples is None:
        samples = sample(inst, deadline)
    if not samples:
        return []
    out: list[ir.Expr] = []
    held: list[frozenset] = []  # the clauses kept so far, as (fact, sign) sets: no superset is kept
    for used in _var_sets(qvars):
        if one_per_sort and (len(used) < 2 or any(qvars[i][1] for i in used)):
            continue
        if deadline is not None and time.monotonic() >= deadline or len(out) >= max_clauses:
            break
        mine_atoms = [a for a in atoms if a.uses <= used]
        if not mine_atoms:
            continue
        eqs = [(i, j) for i, j in itertools.combinations(sorted(used), 2) if qvars[i][0] == qvars[j][0]]
        rows = _rows(samples, qvars, used, mine_atoms, eqs)
        facts: list[tuple[str, object]] = [("atom", a) for a in mine_atoms] + [("eq", e) for e in eqs]
        out += _clauses(facts, rows, used, qvars, inst, deadline, max_clauses - len(out), held, literals)
    return out


def _sample(inst: ir.Instance, max_states: int, deadline: float | None) -> tuple[Semantics, list[FastState]]:
    sem = Semantics(inst)
    sym = Symmetry(sem) if not blockers(inst) else None
    sym = sym if sym is not None and sym.active else None
    search = Search(sem, sym.canon if sym is not None else None, Goals(), Budget(deadline=deadline,
                    max_states=max_states), graph=None, deadlocks=False, progress=None, stop_when_found=False,
                    renamer=sym)
    search.run()
    return sem, list(search.visited)


def _atoms(inst: ir.Instance, qvars: list[tuple[str, int]]) -> list[_Atom]:
    out = []
    for v in inst.model.vars:
        args_t = v.type.args if isinstance(v.type, FunT) else ()
        result = v.type.result if isinstance(v.type, FunT) else v.type
        choices: list[list[int | ir.Value]] = []
        for t in args_t:
            if isinstance(t, SortT):
                choices.append([i for i, (s, _) in enumerate(qvars) if s == t.name])
            elif isinstance(t, BoolT | EnumT):
                choices.append(list(inst.domain(t)))
            else:
                choices = []
                break
        if len(choices) != len(args_t):
            continue
        values = _values(inst, result)
        for args in itertools.product(*choices):
            uses = frozenset(a for a in args if isinstance(a, int))
            out += [_Atom(v.name, tuple(args), x, result, uses) for x in values]
    return out


def _values(inst: ir.Instance, t: Type) -> list[ir.Value]:
    if isinstance(t, BoolT):
        return [True]
    if isinstance(t, EnumT):
        members = list(inst.domain(t))
        return members if len(members) > 2 else members[:1]  # two members: one atom says both
    if isinstance(t, RangeT):
        dom = list(inst.domain(t))
        return dom if len(dom) <= 3 else dom[:1]  # small counters by value, larger ones: zero or not
    return []


def _var_sets(qvars: list[tuple[str, int]]) -> Iterator[frozenset[int]]:
    """Sets of quantified variables, smallest first; the k-th of a sort only with the ones before it."""
    idx = range(len(qvars))
    for n in range(0, MAX_VARS + 1):
        for combo in itertools.combinations(idx, n):
            ok = all(k == 0 or (s, k - 1) in [qvars[j] for j in combo] for s, k in (qvars[i] for i in combo))
            if ok:
                yield frozenset(combo)


def _rows(samples, qvars, used: frozenset[int], atoms: list[_Atom], eqs: list[tuple[int, int]]) -> list[int]:
    """Every distinct row (bit i: fact i true) over the samples and assignments of `used`."""
    order = sorted(used)
    rows: set[int] = set()
    for inst, sem, states in samples:
        layout = sem.layout
        elems = [[ir.Elem(qvars[i][0], e) for e in range(inst.size(qvars[i][0]))] for i in order]
        for assign in itertools.product(*elems):
            env = dict(zip(order, assign, strict=True))
            probes = []
            for a in atoms:
                index = tuple(env[x] if isinstance(x, int) else x for x in a.args)
                probes.append((layout.slot(a.var, index), layout.code(a.vtype, a.value)))
            eqbits = 0
            for k, (i, j) in enumerate(eqs):
                if env[i] == env[j]:
                    eqbits |= 1 << (len(atoms) + k)
            for s in states:
                bits = eqbits
                for n, (slot, code) in enumerate(probes):
                    if s[slot] == code:
                        bits |= 1 << n
                rows.add(bits)
    return list(rows)


def _clauses(facts, rows: list[int], used: frozenset[int], qvars, inst: ir.Instance, deadline: float | None,
             room: int, held: list[frozenset], literals: int = MAX_LITERALS) -> list[ir.Expr]:
    """Clauses over `facts` that use every variable of `used` and no row falsifies."""
    n = len(facts)
    # falsified[i][sign]: rows (as a bit set) where the literal is false
    false_pos = [0] * n
    false_neg = [0] * n
    for r, bits in enumerate(rows):
        for i in range(n):
            if bits >> i & 1:
                false_neg[i] |= 1 << r
            else:
                false_pos[i] |= 1 << r
    # `p0 != p1 || C(p0, p1)` says only C(p, p), a clause over fewer variables: equalities are
    # used positively only ("for distinct p0, p1")
    lits = [(i, True) for i in range(n)] + [(i, False) for i in range(n) if facts[i][0] == "atom"]
    where = [(f[1].var, f[1].args) if f[0] == "atom" else None for f in facts]  # the location a fact reads
    out: list[ir.Expr] = []
    for size in range(1, literals + 1):
        for combo in itertools.combinations(lits, size):
            if len({i for i, _ in combo}) < size:
                continue  # a fact and its negation
            if deadline is not None and time.monotonic() >= deadline or len(out) >= room:
                return out
            vs = frozenset().union(*(_uses(facts[i]) for i, _ in combo))
            if vs != used or not _connected([_uses(facts[i]) for i, _ in combo], used):
                continue
            if frozenset().union(*(_uses(facts[i]) for i, _ in combo if facts[i][0] == "atom")) != used:
                continue  # `p0 == p1 || C(p1)`: p0 says nothing (and only with one page is it true)
            negs = [where[i] for i, pos in combo if not pos and where[i] is not None]
            if len(set(negs)) < len(negs):
                continue  # `x != A || x != B` holds in every state
            cset = frozenset((facts[i], pos) for i, pos in combo)
            if any(h <= cset for h in held):
                continue
            bad = -1
            for i, pos in combo:
                bad &= false_pos[i] if pos else false_neg[i]
                if not bad:
                    break
            if bad == 0:
                held.append(cset)
                out.append(_expr(facts, combo, used, qvars, inst))
    return out


def _connected(uses: list[frozenset[int]], used: frozenset[int]) -> bool:
    """Do the literals link every variable to every other? `A(p0) || B(p1)` with nothing relating
    p0 and p1 is two separate facts, not a relation, and such clauses would crowd out the rest."""
    if len(used) < 2:
        return True
    seen = {min(used)}
    grew = True
    while grew:
        grew = False
        for u in uses:
            if u & seen and not u <= seen:
                seen |= u
                grew = True
    return seen == used


def _uses(fact) -> frozenset[int]:
    kind, x = fact
    return x.uses if kind == "atom" else frozenset(x)


def _expr(facts, combo, used: frozenset[int], qvars, inst: ir.Instance) -> ir.Expr:
    names = {i: ir.Local(f"{qvars[i][0].lower()[0]}{qvars[i][1]}", SortT(qvars[i][0])) for i in used}
    parts = []
    for i, pos in combo:
        kind, x = facts[i]
        if kind == "eq":
            a, b = x
            e: ir.Expr = ir.Binary(BinOp.EQ, names[a], names[b], BOOL)
        else:
            var = inst.model.var(x.var)
            args = tuple(names[y] if isinstance(y, int) else ir.lit(y) for y in x.args)
            read: ir.Expr = ir.Read(x.var, args, x.vtype) if isinstance(var.type, FunT) else ir.Var(x.var, x.vtype)
            e = read if isinstance(x.vtype, BoolT) else ir.Binary(BinOp.EQ, read, ir.Lit(x.value, x.vtype), BOOL)
        parts.append(e if pos else ir.Unary(UnOp.NOT, e, BOOL))
    body = parts[0]
    for p in parts[1:]:
        body = ir.Binary(BinOp.OR, body, p, BOOL)
    for i in sorted(used, reverse=True):
        body = ir.Quant(QuantKind.FORALL, names[i].name, SortT(qvars[i][0]), body, BOOL)
    return body

