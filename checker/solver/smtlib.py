"""Formulas as portable SMT-LIB 2.6 benchmarks: the queries of a certificate
(checker/symbolic/certificate.py) must be re-checkable by any SMT solver, not only by Z3.

Z3's own printer writes what Z3 reads: no `set-logic`, and for the ARRAYS encoding constant arrays
`((as const (Array Page St)) St.Free)`, lambdas (the initial value of a function of several
arguments) and arrays with several indices `(Array Page Vcpu Bool)`, none of which is standard
(cvc5 rejects constant arrays without `--arrays-exp`, lambdas outside higher-order logics and
n-ary arrays altogether). `to_smtlib` therefore first makes the formula portable:

- an array with several indices becomes an array of arrays (selects and stores nest);
- a constant array or lambda becomes a fresh declared array constant `$array_literal!N` with one
  quantifier-free axiom `(= (select $array_literal!N i) v)` per index `i` when the index sort is
  finite and small (an enumeration, Bool, a bit-vector of at most MAX_INDEX_BITS bits), else one
  `forall` axiom. With every index of a finite domain fixed the fresh array is extensionally
  equal to the literal, so the query is equisatisfiable with the original (unsat stays unsat).

Then it declares the logic the formula needs (`logic_of`, the table is there).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import z3

from checker.solver.terms import Formula, Term

MAX_INDEX_BITS = 8  # bit-vector index sorts up to this width are enumerated (at most 256 axioms)
MAX_LAMBDA_INDICES = 1024  # a lambda over more index tuples than this gets a `forall` axiom


def to_smtlib(ctx: z3.Context, f: Formula) -> str:
    """A self-contained SMT-LIB 2.6 benchmark asserting `f`, its logic declared, without Z3's
    extensions; it ends with (check-sat)."""
    used, shadowing = _scan([f])
    parts, note = [f], ""
    # Quantifiers alone print as standard SMT-LIB, as long as no two binders share a name (Z3's
    # printer does not rename a shadowing binder: `(forall ((p S)) (forall ((p S)) (f p p)))`);
    # the rewrite below, which gives every binder a fresh name, costs more than the check.
    if used & {ARRAYS, OTHER} or (Q in used and shadowing):
        try:
            p = _Portable(ctx)
            parts = [p.term(f), *p.axioms]
            used = features(parts)
        except (ValueError, z3.Z3Exception) as exc:  # no standard equivalent: Z3's own text
            note = f"; not portable SMT-LIB: {exc}"
    s = z3.Solver(ctx=ctx)
    s.add(*parts)
    body = [line for line in s.to_smt2().splitlines()
            if not line.startswith(";") and line != "(set-info :status unknown)"]
    head = [note] if note else []
    return "\n".join(head + ["(set-info :smt-lib-version 2.6)", f"(set-logic {logic_of(used)})",
                             "(set-info :status unknown)", *body]) + "\n"


# ---------------------------------------------------------------- which logic

Q, ARRAYS, UF, BV, DT, LIA, NIA, OTHER = "Q", "A", "UF", "BV", "DT", "LIA", "NIA", "other"


def logic_of(used: set[str]) -> str:
    """The smallest standard SMT-LIB logic for formulas that use `used` (see `features`):

        Bool only                    QF_UF
        bit-vectors                  QF_BV       (QF_UFBV with functions of arity > 0)
        integers                     QF_LIA      (QF_NIA when nonlinear; QF_UF... with functions)
        enumerations (datatypes)     QF_DT       (QF_UFDT with functions)
        enumerations and integers    QF_UFDTLIA  (QF_UFDTNIA): the standard logic of datatypes
                                                 with integers has UF, which nothing here uses
        arrays or quantifiers, or    ALL: SMT-LIB's array logics fix the array sorts
        bit-vectors with integers         ((Array Int Int) in QF_AUFLIA, bit-vector to bit-vector
        or datatypes                      in QF_ABV) and none combines arrays with datatypes,
                                          while ours are indexed by enumerations
    """
    if used & {Q, ARRAYS, OTHER}:
        return "ALL"
    arith = NIA if NIA in used else LIA if LIA in used else ""
    uf = "UF" if UF in used else ""
    if BV in used:
        return "ALL" if DT in used or arith else f"QF_{uf}BV"
    if DT in used:
        return f"QF_UFDT{arith}" if arith else f"QF_{uf}DT"
    if arith:
        return f"QF_{uf}{arith}"
    return "QF_UF"


_SORTS = {z3.Z3_INT_SORT: LIA, z3.Z3_BV_SORT: BV, z3.Z3_DATATYPE_SORT: DT, z3.Z3_ARRAY_SORT: ARRAYS,
          z3.Z3_UNINTERPRETED_SORT: UF, z3.Z3_BOOL_SORT: ""}
_NONLINEAR = (z3.Z3_OP_MUL, z3.Z3_OP_DIV, z3.Z3_OP_IDIV, z3.Z3_OP_MOD, z3.Z3_OP_REM, z3.Z3_OP_POWER)
_NOT_STANDARD = (z3.Z3_OP_CONST_ARRAY, z3.Z3_OP_AS_ARRAY, z3.Z3_OP_ARRAY_MAP, z3.Z3_OP_ARRAY_DEFAULT,
                 z3.Z3_OP_ARRAY_EXT, z3.Z3_OP_BV2INT, z3.Z3_OP_INT2BV)


def features(fs: Sequence[Formula]) -> set[str]:
    """What the formulas use: quantifiers (Q), arrays (A), functions of arity > 0 or
    uninterpreted sorts (UF), bit-vectors, datatypes, linear or nonlinear integer arithmetic,
    or anything else (reals, Z3's own operators: OTHER). Walks each shared subterm once, through
    the C API (the Python wrappers cost several times more on a transition relation)."""
    return _scan(fs)[0]


def _scan(fs: Sequence[Formula]) -> tuple[set[str], bool]:
    """`features`, and whether a quantifier binds a name another quantifier binds or a constant
    has (either would print ambiguously)."""
    names: set[str] = set()
    consts: set[str] = set()
    shadowing = False
    used: set[str] = set()
    seen: set[int] = set()
    ctx = fs[0].ctx_ref() if fs else None
    todo = [f.as_ast() for f in fs]
    while todo:
        a = todo.pop()
        ident = z3.Z3_get_ast_id(ctx, a)
        if ident in seen:
            continue
        seen.add(ident)
        kind = z3.Z3_get_ast_kind(ctx, a)
        if kind == z3.Z3_QUANTIFIER_AST:
            used.add(Q)
            for i in range(z3.Z3_get_quantifier_num_bound(ctx, a)):
                name = z3.Z3_get_symbol_string(ctx, z3.Z3_get_quantifier_bound_name(ctx, a, i))
                shadowing |= name in names
                names.add(name)
            todo.append(z3.Z3_get_quantifier_body(ctx, a))
        elif kind == z3.Z3_VAR_AST:
            used.add(Q)
        elif kind in (z3.Z3_APP_AST, z3.Z3_NUMERAL_AST):
            _app_features(ctx, a, used, todo)
            if kind == z3.Z3_APP_AST and z3.Z3_get_app_num_args(ctx, a) == 0:
                consts.add(z3.Z3_get_symbol_string(ctx, z3.Z3_get_decl_name(ctx, z3.Z3_get_app_decl(ctx, a))))
        else:
            used.add(OTHER)
    return {u for u in used if u}, shadowing or bool(names & consts)


def _app_features(ctx: z3.ContextObj, a: z3.Ast, used: set[str], todo: list[z3.Ast]) -> None:
    used.add(_SORTS.get(z3.Z3_get_sort_kind(ctx, z3.Z3_get_sort(ctx, a)), OTHER))
    n = z3.Z3_get_app_num_args(ctx, a)
    op = z3.Z3_get_decl_kind(ctx, z3.Z3_get_app_decl(ctx, a))
    if op == z3.Z3_OP_UNINTERPRETED and n > 0:
        used.add(UF)
    elif op in _NOT_STANDARD:
        used.add(OTHER)
    args = [z3.Z3_get_app_arg(ctx, a, i) for i in range(n)]
    if op in _NONLINEAR:
        symbolic = [x for x in args if not z3.Z3_is_numeral_ast(ctx, x)]
        if len(symbolic) > 1 or (op != z3.Z3_OP_MUL and args and not z3.Z3_is_numeral_ast(ctx, args[-1])):
            used.add(NIA)
    todo.extend(args)


# ---------------------------------------------------------------- portable terms


class _Portable:
    """Rewrites terms of one context into portable ones: arrays of one index, and array literals
    (constant arrays, lambdas) replaced by fresh constants whose defining axioms collect in
    `axioms`. Each shared subterm is rewritten once."""

    def __init__(self, ctx: z3.Context):
        self.ctx = ctx
        self.axioms: list[Formula] = []
        self._memo: dict[int, Term] = {}
        self._keep: list[Term] = []  # the originals stay alive, so their ids stay unique
        self._fresh = itertools.count()
        self._literals: list[Term] = []

    def sort(self, s: z3.SortRef) -> z3.SortRef:
        """An array with several indices as an array of arrays, the innermost last."""
        if not isinstance(s, z3.ArraySortRef):
            return s
        out = self.sort(s.range())
        for i in reversed(range(z3.Z3_get_array_arity(s.ctx_ref(), s.ast))):
            out = z3.ArraySort(self.sort(s.domain_n(i)), out)
        return out

    def term(self, t: Term) -> Term:
        todo: list[tuple[Term, bool]] = [(t, False)]
        while todo:
            x, ready = todo.pop()
            if x.get_id() in self._memo:
                continue
            kids = x.children() if z3.is_app(x) else []
            if not ready and kids:
                todo.append((x, True))
                todo.extend((k, False) for k in kids if k.get_id() not in self._memo)
                continue
            self._keep.append(x)
            self._memo[x.get_id()] = self._rebuild(x, [self._memo[k.get_id()] for k in kids])
        return self._memo[t.get_id()]

    def _rebuild(self, t: Term, args: list[Term]) -> Term:
        if z3.is_quantifier(t):
            return self._binder(t)
        if not z3.is_app(t):
            raise ValueError(f"a free variable outside its binder: {t}")
        op = t.decl().kind()
        if op == z3.Z3_OP_SELECT:
            return _select(args[0], args[1:])
        if op == z3.Z3_OP_STORE:
            return _store(args[0], args[1:-1], args[-1])
        if op == z3.Z3_OP_CONST_ARRAY:
            return self._constant_array(t.sort(), args[0])
        if op in _NOT_STANDARD:
            raise ValueError(f"no SMT-LIB equivalent of {t.decl().name()}")
        if op == z3.Z3_OP_EQ:
            return args[0] == args[1]
        if op == z3.Z3_OP_DISTINCT:
            return z3.Distinct(*args)
        if op == z3.Z3_OP_ITE:
            return z3.If(args[0], args[1], args[2])
        if op == z3.Z3_OP_UNINTERPRETED:
            sorts = [self.sort(t.decl().domain(i)) for i in range(t.decl().arity())]
            new = z3.Function(t.decl().name(), *sorts, self.sort(t.decl().range()))
            return new(*args) if args else new()
        if any(not a.eq(b) for a, b in zip(args, t.children(), strict=True)):
            return t.decl()(*args)
        return t

    def _binder(self, t: z3.QuantifierRef) -> Term:
        """A lambda becomes a fresh array constant; a forall/exists gets fresh bound constants."""
        bound = [z3.Const(f"{t.var_name(i)}!{next(self._fresh)}", t.var_sort(i)) for i in range(t.num_vars())]
        if t.is_lambda():
            if z3.substitute_vars(t.body(), *reversed(bound)).eq(t.body()):  # a constant function
                return self._constant_array(t.sort(), self.term(t.body()))
            return self._literal([b.sort() for b in bound], t.body().sort(),
                                 lambda idx: z3.substitute_vars(t.body(), *reversed(idx)))
        body = self.term(z3.substitute_vars(t.body(), *reversed(bound)))
        new = [self.term(b) for b in bound]
        return z3.ForAll(new, body) if t.is_forall() else z3.Exists(new, body)

    def _constant_array(self, s: z3.ArraySortRef, value: Term) -> Term:
        """`K(value)` over the (several) index sorts of `s`: one literal per index, innermost first."""
        out = value
        for i in reversed(range(z3.Z3_get_array_arity(s.ctx_ref(), s.ast))):
            out = self._literal([s.domain_n(i)], out.sort(), _constantly(out))
        return out

    def _literal(self, domains: list[z3.SortRef], elem: z3.SortRef, value: Callable[[list[Term]], Term]) -> Term:
        """A fresh array constant over `domains` (original sorts) whose element at index tuple
        `idx` is `value(idx)` (a term to be rewritten): one axiom per tuple when the domains are
        finite and small, else one `forall` axiom."""
        c = z3.Const(f"$array_literal!{len(self._literals)}", self.sort(z3.ArraySort(*domains, elem)))
        self._literals.append(c)
        tuples = _index_tuples(domains)
        if tuples is not None:
            self.axioms += [_select(c, [self.term(x) for x in idx]) == self.term(value(list(idx)))
                            for idx in tuples]
            return c
        bound = [z3.Const(f"$i!{next(self._fresh)}", d) for d in domains]
        new = [self.term(b) for b in bound]
        self.axioms.append(z3.ForAll(new, _select(c, new) == self.term(value(bound))))
        return c


def _constantly(v: Term) -> Callable[[list[Term]], Term]:
    return lambda _idx: v


def _select(a: Term, idx: Sequence[Term]) -> Term:
    for i in idx:
        a = z3.Select(a, i)
    return a


def _store(a: Term, idx: Sequence[Term], v: Term) -> Term:
    if len(idx) == 1:
        return z3.Store(a, idx[0], v)
    return z3.Store(a, idx[0], _store(z3.Select(a, idx[0]), idx[1:], v))


def _index_tuples(domains: list[z3.SortRef]) -> list[tuple[Term, ...]] | None:
    """Every tuple of values of `domains`, or None when one is infinite or they are too many."""
    values = [_all_values(d) for d in domains]
    if any(v is None for v in values):
        return None
    count = 1
    for v in values:
        count *= len(v)  # type: ignore[arg-type]
    if count > MAX_LAMBDA_INDICES:
        return None
    return list(itertools.product(*values))  # type: ignore[arg-type]


def _all_values(s: z3.SortRef) -> list[Term] | None:
    if s.kind() == z3.Z3_BOOL_SORT:
        return [z3.BoolVal(False, s.ctx), z3.BoolVal(True, s.ctx)]
    if isinstance(s, z3.DatatypeSortRef):
        cons = [s.constructor(i) for i in range(s.num_constructors())]
        return [c() for c in cons] if all(c.arity() == 0 for c in cons) else None
    if isinstance(s, z3.BitVecSortRef) and s.size() <= MAX_INDEX_BITS:
        return [z3.BitVecVal(i, s.size(), s.ctx) for i in range(2 ** s.size())]
    return None
