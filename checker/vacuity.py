"""Vacuity goals as ordinary reachable properties: "action A can fire" and "A passes its i-th require".

An action instance *fires* in a state when some run of its body ends in a successor state (every
`require`, `choose` and `check` passes and the successor satisfies the assumptions). That is a
state predicate: the weakest precondition of the body for the post-condition "the assumptions
hold", existentially quantified over the action's parameters. Expressing it as an `ir.Property`
(kind REACHABLE) lets every engine decide it without knowing about vacuity.

The predicate is exact except where noted (`Goal.exact`): after a `forall` whose writes a later
statement reads, or when it would grow too large, the rest of the body is dropped. Dropping
conditions only weakens the predicate, so "unreachable" stays a sound proof that the action is
dead; a witness of an inexact goal is confirmed by the interpreter before it is believed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import assert_never

from checker.policy import VACUOUS_PROOF
from checker.result import PropertyResult, Warning_
from spec import ir
from spec.irutil import fold, free_locals, map_children, subst, walk
from spec.ops import BinOp, QuantKind
from spec.types import BOOL

FIRES_SUFFIX = ":fires"
MAX_NODES = 20_000  # beyond this a predicate is approximated (If chains duplicate the post-condition)


@dataclass(frozen=True)
class Goal:
    """A generated reachable goal: `prop.expr` holds in a state iff (exact) / if (inexact) ..."""

    action: str
    prop: ir.Property
    exact: bool
    require: ir.Require | None = None  # for a guard goal: the require it ends at


def fires_name(action: str) -> str:
    return action + FIRES_SUFFIX


def is_fires_goal(prop: str) -> bool:
    return prop.endswith(FIRES_SUFFIX)


def fire_goals(model: ir.Model) -> tuple[Goal, ...]:
    """One goal `ACTION:fires` per action, in model order."""
    post = _conj([a.expr for a in model.assumes])
    out = []
    for a in model.actions:
        w = _WP()
        pred = _exists_params(a, w.stmts(a.body, post))
        prop = ir.Property(fires_name(a.name), ir.PropKind.REACHABLE, f"action {a.name} can fire", pred,
                           span=a.span)
        out.append(Goal(a.name, prop, w.exact))
    return tuple(out)


def guard_goals(action: ir.Action) -> tuple[Goal, ...]:
    """For each top-level `require` of the action: "some run gets past this require". The first
    of these that is unreachable is the guard that kills a dead action."""
    out = []
    for i, s in enumerate(action.body):
        if isinstance(s, ir.Require):
            w = _WP()
            pred = _exists_params(action, w.stmts(action.body[: i + 1], ir.TRUE))
            where = f"@{s.span.line}:{s.span.col}" if s.span.line > 0 else f"#{i}"
            name = f"{action.name}:require{where}"
            prop = ir.Property(name, ir.PropKind.REACHABLE, None, pred, span=s.span)
            out.append(Goal(action.name, prop, w.exact, s))
    return tuple(out)


def _exists_params(a: ir.Action, body: ir.Expr) -> ir.Expr:
    for p in reversed(a.params):
        body = _quant(QuantKind.EXISTS, p.name, p.type, body)
    return fold(body)


def _quant(kind: QuantKind, var: str, domain: ir.Type, body: ir.Expr) -> ir.Expr:
    # Every domain is non-empty (sorts have size >= 1, ranges are checked), so a constant body
    # decides the quantifier.
    body = fold(body)
    if isinstance(body, ir.Lit):
        return body
    return ir.Quant(kind, var, domain, body, BOOL)


class _WP:
    """Weakest precondition of statement lists; records whether any step was approximated."""

    def __init__(self) -> None:
        self.exact = True

    def stmts(self, body: tuple[ir.Stmt, ...], post: ir.Expr) -> ir.Expr:
        for s in reversed(body):
            post = self.stmt(s, post)
            if _size(post) > MAX_NODES:
                self.exact = False
                post = ir.TRUE  # weaker: the earlier statements' conditions remain
        return post

    def stmt(self, s: ir.Stmt, post: ir.Expr) -> ir.Expr:
        match s:
            case ir.Require() | ir.Check():
                return _and(s.cond, post)
            case ir.Assign():
                return fold(subst_state(post, s.var, s.index, s.value))
            case ir.SetLocal():
                return subst(post, {s.name: s.value})
            case ir.If():
                return fold(ir.Ite(s.cond, self.stmts(s.then, post), self.stmts(s.else_, post), BOOL))
            case ir.Choose():
                return _quant(QuantKind.EXISTS, s.var, s.domain, _and(s.cond, post))
            case ir.Forall():
                return self.forall(s, post)
            case _:
                assert_never(s)

    def forall(self, s: ir.Forall, post: ir.Expr) -> ir.Expr:
        # Every run starts from the pre-forall state, so its enabledness is exact; the post-condition
        # is exact too unless it reads what the runs write (then it is dropped: a weaker predicate).
        runs = _quant(QuantKind.FORALL, s.var, s.domain, self.stmts(s.body, ir.TRUE))
        written = _written(s.body)
        if any(isinstance(n, ir.Var | ir.Read) and n.name in written for n in walk(post)):
            self.exact = False
            return fold(runs)
        return _and(fold(runs), post)


def subst_state(e: ir.Expr, var: str, index: tuple[ir.Expr, ...], value: ir.Expr) -> ir.Expr:
    """`e` evaluated after `var[index] := value`, as an expression on the state before it."""
    match e:
        case ir.Var() if e.name == var:
            return value
        case ir.Read() if e.name == var:
            args = tuple(subst_state(a, var, index, value) for a in e.args)
            same = _conj([ir.Binary(BinOp.EQ, a, i, BOOL) for a, i in zip(args, index, strict=True)])
            return ir.Ite(same, value, ir.Read(e.name, args, e.type, span=e.span), e.type, span=e.span)
        case ir.Quant():
            captured = free_locals(value).union(*(free_locals(i) for i in index))
            if e.var in captured:
                fresh = _fresh(e.var, captured | free_locals(e.body))
                e = ir.Quant(e.kind, fresh, e.domain, subst(e.body, {e.var: ir.Local(fresh, e.domain)}),
                             e.type, span=e.span)
            return map_children(e, lambda c: subst_state(c, var, index, value))
        case _:
            return map_children(e, lambda c: subst_state(c, var, index, value))


def _written(body: tuple[ir.Stmt, ...]) -> set[str]:
    out: set[str] = set()
    for s in body:
        match s:
            case ir.Assign():
                out.add(s.var)
            case ir.If():
                out |= _written(s.then) | _written(s.else_)
            case ir.Forall():
                out |= _written(s.body)
            case ir.Require() | ir.Check() | ir.SetLocal() | ir.Choose():
                pass
            case _:
                assert_never(s)
    return out


def _fresh(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "'"
    return name


def _and(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return fold(ir.Binary(BinOp.AND, a, b, BOOL))


def _conj(es: list[ir.Expr]) -> ir.Expr:
    out: ir.Expr = ir.TRUE
    for e in es:
        out = e if out is ir.TRUE else ir.Binary(BinOp.AND, out, e, BOOL)
    return out


def _size(e: ir.Expr) -> int:
    return sum(1 for _ in walk(e))


def vacuous_proofs(props: Sequence[ir.Property], results: Mapping[str, PropertyResult]) -> list[Warning_]:
    """`vacuous-proof` for every explained proof that no action's mechanism takes part in."""
    out = []
    for p in props:
        deps = results[p.name].depends_on
        if deps is None or not results[p.name].vacuous_proof:
            continue
        params = sorted({d.text for d in deps if d.kind == "param"})
        disabled = [d for d in deps if d.disabled]
        parts = [*(["initial values"] if any(d.kind == "init" for d in deps) else []),
                 *([f"guards false under this configuration (at {disabled[0].span})"] if disabled else []),
                 *([f"the parameter values {'; '.join(params)}"] if params else [])]
        how = "it rests only on " + ", ".join(parts) if parts else "it holds in every state by its formula alone"
        out.append(Warning_(VACUOUS_PROOF, f"`{p.name}` is proved without any action's mechanism: {how}", p.span))
    return out
