"""Candidate lemmas mined from reachable states (after DistAI, Yao et al., OSDI 2021): universally
quantified clauses of a few literals over the state variables, kept when no sampled reachable
state falsifies them.

The sample is a breadth-first search of the instance resized (each sort at 1, 2, then 3
elements), stopped by a state budget, plus seeded random walks; states are orbit
representatives, which is enough since a clause that names no sort element has one value on a
whole orbit. For each set of quantified variables (at
most two per sort, three in all), every assignment of elements to them in every sampled state
gives a row of atom values; a clause holds iff no row falsifies all its literals. Clauses are
enumerated smallest first and a clause is skipped when a smaller one it contains already holds.

Nothing here is trusted: the all-sizes Houdini (checker/solver/houdini_all.py) keeps only the
inductive ones and parametric.check_all_sizes checks the result.
"""

from __future__ import annotations

import itertools
import operator
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import repeat
from typing import cast

from checker.explicit.search import Goals, Search
from checker.explicit.symmetry import Symmetry, blockers
from checker.interp.semantics import FastState, LimitExceeded, Semantics, Violation
from checker.result import Budget
from spec import ir
from spec.ops import BinOp, QuantKind, UnOp
from spec.types import BOOL, BoolT, EnumT, FunT, RangeT, SortT, Type

SIZES = (1, 2, 3)
# Sampled states per size. One element per sort is explored completely (tdx: about 5,000 states):
# deep states refute clauses that would otherwise hide the true ones (a superset of a held clause
# is never mined). Two elements: most of tdx's 324,000 orbits, so that the deep round's clauses
# false at that size never reach Houdini (tdx: 1,900 candidates instead of 3,000, and the
# four-literal fault-path clauses it needs are kept); three: tdx needs ~15,000 to reach every
# fault-path clause.
MAX_STATES = {1: 200_000, 2: 200_000, 3: 15_000}
WALKS = 100  # random walks per size, after the breadth-first sample (see _walks)
WALK_DEPTH = 40
WALK_STARTS = 10_000  # initial states enumerated to start walks from
MAX_LITERALS = 3
MAX_PER_SORT = 2
MAX_VARS = 3
MAX_CLAUSES = 3000  # the smallest clauses first; Houdini's cost grows with the count


@dataclass(frozen=True)
class _Inner:
    """An argument read from the state: `var[args]` (`var` alone when `args` is empty), a
    variable whose values are elements of a sort: `st[fpage[v0]]` says what the page a vCPU
    faults on is, in one variable instead of two (`fpage[v0] != p0 || st[p0] == ...`)."""

    var: str
    args: tuple[int, ...]  # indices of quantified variables


@dataclass(frozen=True)
class _Atom:
    """A boolean fact about one location pattern: `var[args] == value` (value True for bool)."""

    var: str
    args: tuple[int | ir.Value | _Inner, ...]  # an int: the index of a quantified variable
    value: ir.Value
    vtype: Type  # the variable's value type
    uses: frozenset[int]


Sample = tuple[ir.Instance, Semantics, list[FastState]]  # a resized instance and states it reaches
RowsCache = dict[tuple[tuple[tuple[str, int], ...], frozenset[int]], set[int]]  # (sample's sizes, variables) -> rows


def sample(inst: ir.Instance, deadline: float | None, sizes: Sequence[int] = SIZES,
           max_states: int | None = None) -> list[Sample]:
    """Reachable states of `inst` resized to each of `sizes` (what `mine` reads; one sample
    serves several calls)."""
    out = []
    for k in sizes:
        if deadline is not None and time.monotonic() >= deadline:
            break
        resized = replace(inst, sizes=tuple((s, k) for s, _ in inst.sizes))
        budget = max_states if max_states is not None else MAX_STATES.get(k, min(MAX_STATES.values()))
        out.append((resized, *_sample(resized, budget, deadline)))
    return out


def mine(inst: ir.Instance, deadline: float | None, samples: Sequence[Sample] | None = None,
         max_clauses: int = MAX_CLAUSES, literals: int = MAX_LITERALS,
         one_per_sort: bool = False, wide_pairs: int | None = None,
         rows_cache: RowsCache | None = None) -> list[ir.Expr]:
    """Clauses of at most `literals` literals true in every state of `samples` (default: a new
    `sample(inst, deadline)`). `one_per_sort`: only over one variable of each of two or more
    sorts (the relations between a vCPU, a gfn and a page), which keeps clauses of four literals
    affordable. `wide_pairs`: a set of two variables with at most this many atoms that name one
    of them and vary in the samples also gets clauses of one literal more over those atoms (the
    combinations grow with the fifth power of the atoms at five literals). `rows_cache`: each
    sample's rows per set of variables, kept for the next call over the same samples (or some
    of them)."""
    sorts = [s for s, _ in inst.sizes]
    qvars = [(s, k) for s in sorts for k in range(MAX_PER_SORT)]  # variable i: the k-th of sort s
    atoms = _atoms(inst, qvars)
    if samples is None:
        samples = sample(inst, deadline)
    if not samples:
        return []
    rows_cache = {} if rows_cache is None else rows_cache
    out: list[ir.Expr] = []
    held = _Held()  # the clauses kept so far: no superset is kept
    by_slot: dict[int, list[tuple[int, ...]]] = {}  # each sample's columns, made when first needed
    for used in _var_sets(qvars):
        if one_per_sort and (len(used) < 2 or any(qvars[i][1] for i in used)):
            continue
        if deadline is not None and time.monotonic() >= deadline or len(out) >= max_clauses:
            break
        mine_atoms = [a for a in atoms if a.uses <= used]
        if not mine_atoms:
            continue
        eqs = [(i, j) for i, j in itertools.combinations(sorted(used), 2) if qvars[i][0] == qvars[j][0]]
        rows = list(set().union(*(_rows_of(k, smp, by_slot, rows_cache, qvars, used, mine_atoms, eqs)
                                  for k, smp in enumerate(samples))))
        facts: list[tuple[str, object]] = [("atom", a) for a in mine_atoms] + [("eq", e) for e in eqs]
        out += _clauses(facts, rows, used, qvars, inst, deadline, max_clauses - len(out), held, literals)
        if wide_pairs is None or len(used) != 2:
            continue
        # One literal more for a pair of variables, only over the atoms that name one of them and
        # vary in the samples: a constant adds nothing to a clause (its one-literal clause, or the
        # clause without it, is held already), and scalars (a mapping flag set once, the
        # invalidation in flight) would price the pair out: the combinations grow with the fifth
        # power of the atoms. The pass above has their clauses of `literals` literals.
        wide_at = [i for i, a in enumerate(mine_atoms) if a.uses and _varies(rows, i)]
        if len(wide_at) <= wide_pairs:
            wide = [mine_atoms[i] for i in wide_at]
            rows = _project(rows, [*wide_at, *range(len(mine_atoms), len(mine_atoms) + len(eqs))])
            facts = [("atom", a) for a in wide] + [("eq", e) for e in eqs]
            out += _clauses(facts, rows, used, qvars, inst, deadline, max_clauses - len(out), held, literals + 1)
    return out


def _project(rows: list[int], bits: list[int]) -> list[int]:
    """The distinct rows over the facts at `bits` (fact k of the result: bit bits[k] of a row)."""
    out = set()
    for r in rows:
        p = 0
        for k, b in enumerate(bits):
            p |= (r >> b & 1) << k
        out.add(p)
    return list(out)


def _varies(rows: list[int], bit: int) -> bool:
    """Whether fact `bit` is true in some row and false in another."""
    seen = 0
    for r in rows:
        seen |= 1 << ((r >> bit) & 1)
        if seen == 3:
            return True
    return False


def _sample(inst: ir.Instance, max_states: int, deadline: float | None) -> tuple[Semantics, list[FastState]]:
    sem = Semantics(inst)
    sym = Symmetry(sem) if not blockers(inst) else None
    sym = sym if sym is not None and sym.active else None
    search = Search(sem, sym.canon if sym is not None else None, Goals(), Budget(deadline=deadline,
                    max_states=max_states), graph=None, deadlocks=False, progress=None, stop_when_found=False,
                    renamer=sym)
    search.run()
    # Walks only reach states a search stopped by its budget missed: after an exhaustive one
    # every reachable state has its representative in `visited` (mined clauses quantify over
    # elements, so a clause holds in a state iff in its representative).
    return sem, list(search.visited) + ([] if search.exhaustive else _walks(sem, deadline))


def _walks(sem: Semantics, deadline: float | None) -> list[FastState]:
    """States of WALKS seeded random walks of WALK_DEPTH steps. The breadth-first sample stops at
    a state budget, so a clause that only deep states falsify survives it, and then hides the
    true, longer clause it is a subset of (a superset of a held clause is never mined). The
    walks reach those depths cheaply."""
    rng = random.Random(0)
    try:
        starts = [s for s in sem.initial_fast(limit=WALK_STARTS, deadline=deadline) if not isinstance(s, Violation)]
    except LimitExceeded:  # too many initial states to list: no walks (the search said why it stopped)
        return []
    out: list[FastState] = []
    for _ in range(WALKS if starts else 0):
        if deadline is not None and time.monotonic() >= deadline:
            break
        s = rng.choice(starts)
        for _ in range(WALK_DEPTH):
            succ = [o for expand in sem.expanders for _i, outs in expand(s) for o in outs
                    if not isinstance(o, Violation)]
            if not succ:
                break
            s = rng.choice(succ)
            out.append(s)
    return out


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
        out += _composed(inst, qvars, v, args_t, result, values)
    return out


def _composed(inst: ir.Instance, qvars: list[tuple[str, int]], v: ir.VarDef, args_t: tuple[Type, ...],
              result: Type, values: list[ir.Value]) -> list[_Atom]:
    """Atoms of `v` with one sort argument read from a sort-valued variable over the first
    variable of each sort (`st[fpage[v0]] == Private`), the other arguments the first variable
    of their sort or a value."""
    out: list[_Atom] = []
    first = {s: i for i, (s, k) in reversed(list(enumerate(qvars))) if k == 0}
    for pos, t in enumerate(args_t):
        if not isinstance(t, SortT):
            continue
        for f in inst.model.vars:
            f_args = f.type.args if isinstance(f.type, FunT) else ()
            f_result = f.type.result if isinstance(f.type, FunT) else f.type
            if f_result != t or f.name == v.name or not all(isinstance(a, SortT) and a.name in first for a in f_args):
                continue
            inner = _Inner(f.name, tuple(first[cast(SortT, a).name] for a in f_args))
            rest: list[list[int | ir.Value | _Inner]] = []
            for k, a in enumerate(args_t):
                if k == pos:
                    rest.append([inner])
                elif isinstance(a, SortT) and a.name in first:
                    rest.append([first[a.name]])
                elif isinstance(a, BoolT | EnumT):
                    rest.append(list(inst.domain(a)))
                else:
                    rest = []
                    break
            for args in itertools.product(*rest) if rest else ():
                uses = frozenset(x for a in args for x in (a.args if isinstance(a, _Inner) else (a,))
                                 if isinstance(x, int))
                out += [_Atom(v.name, tuple(args), x, result, uses) for x in values]
    return out


def _values(inst: ir.Instance, t: Type) -> list[ir.Value]:
    if isinstance(t, BoolT):
        return [True]
    if isinstance(t, EnumT):
        members = list(inst.domain(t))
        return members if len(members) > 2 else members[:1]  # two members: one atom says both
    if isinstance(t, RangeT):  # small counters by value, larger ones: their lowest value or not
        return list(inst.domain(t)) if inst.card(t) <= 3 else [inst.first(t)]
    return []


def _var_sets(qvars: list[tuple[str, int]]) -> Iterator[frozenset[int]]:
    """Sets of quantified variables, smallest first; the k-th of a sort only with the ones before it."""
    idx = range(len(qvars))
    for n in range(0, MAX_VARS + 1):
        for combo in itertools.combinations(idx, n):
            ok = all(k == 0 or (s, k - 1) in [qvars[j] for j in combo] for s, k in (qvars[i] for i in combo))
            if ok:
                yield frozenset(combo)


def _rows_of(k: int, smp: Sample, by_slot: dict[int, list[tuple[int, ...]]], cache: RowsCache, qvars,
             used: frozenset[int], atoms: list[_Atom], eqs: list[tuple[int, int]]) -> set[int]:
    """The rows of sample `smp` (the k-th) for `used`, from `cache` or read once into it (the atoms and
    equalities of `used` are the same in every call)."""
    key = (smp[0].sizes, used)
    if key not in cache and not smp[2]:
        cache[key] = set()
    if key not in cache:
        if k not in by_slot:
            by_slot[k] = list(zip(*smp[2], strict=True))  # column i: every state's value at slot i
        cache[key] = _rows(smp, by_slot[k], qvars, used, atoms, eqs)
    return cache[key]


def _rows(smp: Sample, columns: list[tuple[int, ...]], qvars, used: frozenset[int], atoms: list[_Atom],
          eqs: list[tuple[int, int]]) -> set[int]:
    """Every distinct row (bit i: fact i true) over the sample's states and assignments of `used`;
    `columns`: the states by slot, so that the values at a few slots are zipped in C."""
    order = sorted(used)
    rows: set[int] = set()
    inst, sem, _states = smp
    layout = sem.layout
    elems = [[ir.Elem(qvars[i][0], e) for e in range(inst.size(qvars[i][0]))] for i in order]
    for assign in itertools.product(*elems):
        env = dict(zip(order, assign, strict=True))
        # each atom reads positions of `slots`: (position, None, code), or for a composed
        # atom (the inner read's position, {element code: the outer read's position}, code)
        slots = _Positions()
        position = slots.of
        probes: list[tuple[int, dict[int, int] | None, int]] = []
        for a in atoms:
            code = layout.code(a.vtype, a.value)
            inner = next((x for x in a.args if isinstance(x, _Inner)), None)
            if inner is None:
                index = tuple(env[x] if isinstance(x, int) else cast(ir.Value, x) for x in a.args)
                probes.append((position(layout.slot(a.var, index)), None, code))
                continue
            t = inst.model.var(inner.var).type
            sort = cast(SortT, t.result if isinstance(t, FunT) else t).name
            at_inner = position(layout.slot(inner.var, tuple(env[x] for x in inner.args)))
            table = {}
            for e in range(inst.size(sort)):
                index = tuple(ir.Elem(sort, e) if isinstance(x, _Inner) else
                              env[x] if isinstance(x, int) else cast(ir.Value, x) for x in a.args)
                table[e] = position(layout.slot(a.var, index))
            probes.append((at_inner, table, code))
        eqbits = 0
        for k, (i, j) in enumerate(eqs):
            if env[i] == env[j]:
                eqbits |= 1 << (len(atoms) + k)
        if not probes:
            rows.add(eqbits)
            continue
        # the states' values at the probed slots, each distinct combination read once
        distinct = list(set(zip(*(columns[s] for s in slots.slots), strict=True)))
        rows.update(_bits(probes, list(zip(*distinct, strict=True)), len(distinct), eqbits))
    return rows


class _Positions:
    """Distinct state slots in first-use order: the position of each in a row's tuple of values."""

    def __init__(self) -> None:
        self.slots: list[int] = []
        self._at: dict[int, int] = {}

    def of(self, slot: int) -> int:
        if slot not in self._at:
            self._at[slot] = len(self.slots)
            self.slots.append(slot)
        return self._at[slot]


def _bits(probes: list[tuple[int, dict[int, int] | None, int]], cols: list[tuple[int, ...]], n_rows: int,
          eqbits: int) -> list[int]:
    """The row of each of `n_rows` value tuples, given by column (`cols[i]`: every tuple's value at
    position i), column by column with map() so that the loop over the tuples runs in C: probe n
    sets bit n where its position holds its code (a composed probe: where its inner position
    holds element e and e's outer position holds the code)."""
    acc = [eqbits] * n_rows
    by_position: dict[int, dict[int, int]] = {}  # position -> {code: the bits of probes that match it}
    for n, (i, outer, code) in enumerate(probes):
        if outer is None:
            tab = by_position.setdefault(i, {})
            tab[code] = tab.get(code, 0) | 1 << n
            continue
        chosen = [cols[outer[e]] for e in range(len(outer))]  # element e's outer column
        values = map(operator.getitem, map(chosen.__getitem__, cols[i]), range(n_rows))
        acc = list(map(operator.or_, acc, map({code: 1 << n}.get, values, repeat(0))))
    for i, tab in by_position.items():
        acc = list(map(operator.or_, acc, map(tab.get, cols[i], repeat(0))))
    return acc


class _Held:
    """Clauses as sets of literal ids (a (fact, sign) pair interned as an int: hashing atoms is
    slow), indexed by one literal each: a clause inside a set of four literals is found among the
    few indexed by those four, not among thousands."""

    def __init__(self) -> None:
        self._ids: dict[tuple[object, bool], int] = {}
        self._by_literal: dict[int, list[frozenset[int]]] = {}

    def literal(self, fact: object, positive: bool) -> int:
        return self._ids.setdefault((fact, positive), len(self._ids))

    def add(self, clause: frozenset[int]) -> None:
        self._by_literal.setdefault(next(iter(clause)), []).append(clause)

    def covers(self, literals: frozenset[int]) -> bool:
        """Is some clause held a subset of `literals`?"""
        return any(h <= literals for x in literals for h in self._by_literal.get(x, ()))


def _clauses(facts, rows: list[int], used: frozenset[int], qvars, inst: ir.Instance, deadline: float | None,
             room: int, held: _Held, literals: int = MAX_LITERALS) -> list[ir.Expr]:
    """Clauses over `facts` that use every variable of `used` and no row falsifies."""
    search = _ClauseSearch(facts, rows, used, qvars, inst, deadline, room, held)
    everything = (1 << len(rows)) - 1
    try:
        for size in range(1, literals + 1):
            search.extend([], frozenset(), everything, size, 0, 0)
    except _Stop:
        pass
    return search.out


class _Stop(Exception):
    """The clause search is out of time or room."""


class _ClauseSearch:
    def __init__(self, facts, rows: list[int], used: frozenset[int], qvars, inst: ir.Instance,
                 deadline: float | None, room: int, held: _Held):
        self.facts, self.used, self.qvars, self.inst = facts, used, qvars, inst
        self.deadline, self.room, self.held = deadline, room, held
        n = len(facts)
        # false_pos[i] / false_neg[i]: the rows (as a bit set) where fact i is false / true
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
        self.lits = [(i, True) for i in range(n)] + [(i, False) for i in range(n) if facts[i][0] == "atom"]
        self.falsified = [false_pos[i] if pos else false_neg[i] for i, pos in self.lits]
        self.where = [(f[1].var, f[1].args) if f[0] == "atom" else None for f in facts]  # the location a fact reads
        self.ids = [held.literal(facts[i], pos) for i, pos in self.lits]
        bit = {v: 1 << k for k, v in enumerate(sorted(used))}
        self.full = sum(bit.values())
        self.pair = len(used) == 2  # only then can a clause be `_uniform`
        self.var_mask = [sum(bit[v] for v in _uses(facts[i])) for i, _ in self.lits]  # the variables a literal names
        self.atom_mask = [m if facts[i][0] == "atom" else 0 for m, (i, _) in zip(self.var_mask, self.lits, strict=True)]
        self.out: list[ir.Expr] = []
        self.calls = 0

    def subsumed(self, combo: list[int]) -> bool:
        return self.held.covers(frozenset(self.ids[k] for k in combo))

    def extend(self, combo: list[int], taken: frozenset[int], bad: int, size: int, mask: int, amask: int) -> None:
        """Depth first, in the order of `itertools.combinations(lits, size)`: the rows falsifying
        a prefix, and the variables it names, are computed once for all its extensions."""
        self.calls += 1
        if self.calls % 4096 == 0 and self.deadline is not None and time.monotonic() >= self.deadline:
            raise _Stop
        last = len(combo) + 1 == size
        for k in range(combo[-1] + 1 if combo else 0, len(self.lits)):
            i = self.lits[k][0]
            if i in taken:
                continue  # a fact and its negation
            b = bad & self.falsified[k]
            if last:
                if b == 0 and mask | self.var_mask[k] == self.full and amask | self.atom_mask[k] == self.full:
                    if len(self.out) >= self.room:
                        raise _Stop
                    self.keep([*combo, k])
            elif b != 0 or not self.subsumed([*combo, k]):  # a kept clause's supersets are never kept
                self.extend([*combo, k], taken | {i}, b, size, mask | self.var_mask[k], amask | self.atom_mask[k])

    def keep(self, combo: list[int]) -> None:
        """A combination no row falsifies: kept unless a filter or a smaller clause rules it out."""
        facts, pairs = self.facts, [self.lits[k] for k in combo]
        # extend() checked that the literals name every variable, each in some atom (`p0 == p1 ||
        # C(p1)`: p0 says nothing, and only with one page is it true)
        masks = [self.var_mask[k] for k in combo]
        if not _connected(masks, self.full) and not (
                self.pair and len(masks) - masks.count(0) == 2 and _uniform(facts, pairs, self.used)):
            return
        if self.subsumed(combo):
            return
        # held either way: a superset of a clause that holds holds too, and says less
        self.held.add(frozenset(self.ids[k] for k in combo))
        if not self.says_something(pairs):
            return
        self.out.append(_expr(facts, pairs, self.used, self.qvars, self.inst))

    def says_something(self, pairs: list[tuple[int, bool]]) -> bool:
        facts = self.facts
        negs = [self.where[i] for i, pos in pairs if not pos and self.where[i] is not None]
        if len(set(negs)) < len(negs):
            return False  # `x != A || x != B` holds in every state
        poss = Counter((a.var, a.args, a.vtype) for i, pos in pairs if pos and facts[i][0] == "atom"
                       for a in [cast(_Atom, facts[i][1])])
        if any(n > 1 and n == len(_values(self.inst, t)) for (_, _, t), n in poss.items()):
            return False  # `x == A || x == B || x == C` over all of x's values
        reads = [facts[i][1].args for i, _ in pairs if facts[i][0] == "atom"]
        inners = {x for args in reads for x in args if isinstance(x, _Inner)}
        # every literal about the page `fpage[v0]`: the same clause over any page says more
        return not (len(inners) == 1 and all(any(isinstance(x, _Inner) for x in args) for args in reads))


def _connected(uses: list[int], full: int) -> bool:
    """Do the literals (each the bit set of the variables it names) link every variable of `full`
    to every other? `A(p0) || B(p1)` with nothing relating p0 and p1 is two separate facts, not a
    relation, and such clauses would crowd out the rest."""
    seen = full & -full  # the lowest variable
    grew = True
    while grew and seen != full:
        grew = False
        for u in uses:
            if u & seen and u & ~seen:
                seen |= u
                grew = True
    return seen == full


def _uniform(facts, pairs: list[tuple[int, bool]], used: frozenset[int]) -> bool:
    """Is the clause `S || A(x0) || !A(x1)` over two variables of one sort (S: literals that name
    no variable)? It says "S, or A has one value on the whole sort" (KVM's MIXED flag: `mixed ||
    attr[g0] == attr[g1]`), a relation `_connected` would reject."""
    named = [(cast(_Atom, facts[i][1]), pos) for i, pos in pairs if _uses(facts[i])]
    if len(used) != 2 or len(named) != 2 or any(facts[i][0] != "atom" for i, _ in pairs):
        return False
    x0, x1 = sorted(used)
    (a, pa), (b, pb) = sorted(named, key=lambda n: n[0].uses != {x0})  # the literal on x0 first
    rename = {x0: x1, x1: x0}
    return (pa != pb and a.var == b.var and a.value == b.value and a.uses == {x0} and b.uses == {x1}
            and tuple(rename.get(x, x) if isinstance(x, int) else x for x in a.args) == b.args)


def _uses(fact) -> frozenset[int]:
    kind, x = fact
    return x.uses if kind == "atom" else frozenset(x)


def _expr(facts, combo, used: frozenset[int], qvars, inst: ir.Instance) -> ir.Expr:
    """The clause of `combo` ((fact index, positive) pairs), quantified over `used`."""
    names = {i: ir.Local(f"{qvars[i][0].lower()[0]}{qvars[i][1]}", SortT(qvars[i][0])) for i in used}
    parts = []
    for i, pos in combo:
        kind, x = facts[i]
        if kind == "eq":
            a, b = x
            e: ir.Expr = ir.Binary(BinOp.EQ, names[a], names[b], BOOL)
        else:
            var = inst.model.var(x.var)
            args = tuple(names[y] if isinstance(y, int) else _read_inner(inst, y, names) if isinstance(y, _Inner)
                         else ir.lit(y) for y in x.args)
            read: ir.Expr = ir.Read(x.var, args, x.vtype) if isinstance(var.type, FunT) else ir.Var(x.var, x.vtype)
            e = read if isinstance(x.vtype, BoolT) else ir.Binary(BinOp.EQ, read, ir.Lit(x.value, x.vtype), BOOL)
        parts.append(e if pos else ir.Unary(UnOp.NOT, e, BOOL))
    body = parts[0]
    for p in parts[1:]:
        body = ir.Binary(BinOp.OR, body, p, BOOL)
    for i in sorted(used, reverse=True):
        body = ir.Quant(QuantKind.FORALL, names[i].name, SortT(qvars[i][0]), body, BOOL)
    return body



def _read_inner(inst: ir.Instance, inner: _Inner, names: dict[int, ir.Local]) -> ir.Expr:
    t = inst.model.var(inner.var).type
    if isinstance(t, FunT):
        return ir.Read(inner.var, tuple(names[i] for i in inner.args), t.result)
    return ir.Var(inner.var, t)
