"""Liveness properties: the temporal forms a `property` may state, typed and lowered to ir.Live.

    forall x: T :: ... always (P -> eventually Q)     ir.LiveForm.LEADS_TO
    forall x: T :: ... eventually Q                   ir.LiveForm.EVENTUALLY
    forall x: T :: ... always eventually Q            ir.LiveForm.INFINITELY_OFTEN

P and Q are state expressions; `always` and `eventually` anywhere else are an error (E0330, from
the type checker), and so is a property of another shape (E0331). docs/semantics.md says what
each form means under fairness and stuttering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spec import ast, ir
from spec.ops import BinOp, QuantKind, TemporalOp

if TYPE_CHECKING:
    from spec.typecheck import Env, Typer

FORMS = "`always (P -> eventually Q)`, `eventually Q` or `always eventually Q`, under `forall x: T ::`"


def live(typer: Typer, e: ast.Expr, env: Env) -> ir.Live | None:
    """The property `e` as an ir.Live, or None after reporting why it is not one."""
    from spec.typecheck import LocalKind

    binders: list[tuple[str, ir.Type]] = []
    while isinstance(e, ast.Quant) and e.kind is QuantKind.FORALL and _temporal(e.body):
        for b in e.binders:
            t = typer.domain_type(b.type, env.component, "a bound variable")
            env = typer.bind(env, b, t, LocalKind.BINDER)
            binders.append((b.name, t))
        e = e.body
    form, p, q = _form(e)
    if form is None or q is None:
        hint = "`always` and `eventually` bind like `!`: parenthesise what follows them, as in " \
            "`eventually (x == 2)`" if _temporal(e) else \
            "a state property holds in every reachable state: write it as an `invariant`"
        typer.sink.error(e.span, "E0331", f"a property states one of {FORMS}", hint)
        return None
    return ir.Live(form, tuple(binders),
                   typer.bool_expr(p, env, "the trigger of a property") if p is not None else None,
                   typer.bool_expr(q, env, "what a property says eventually happens"))


def _form(e: ast.Expr) -> tuple[ir.LiveForm | None, ast.Expr | None, ast.Expr | None]:
    match e:
        case ast.Temporal(op=TemporalOp.ALWAYS, arg=ast.Binary(op=BinOp.IMPLIES, lhs=p,
                                                               rhs=ast.Temporal(op=TemporalOp.EVENTUALLY, arg=q))):
            return ir.LiveForm.LEADS_TO, p, q
        case ast.Temporal(op=TemporalOp.ALWAYS, arg=ast.Temporal(op=TemporalOp.EVENTUALLY, arg=q)):
            return ir.LiveForm.INFINITELY_OFTEN, None, q
        case ast.Temporal(op=TemporalOp.EVENTUALLY, arg=q):
            return ir.LiveForm.EVENTUALLY, None, q
    return None, None, None


def _temporal(e: ast.Expr) -> bool:
    """Whether `e` has a temporal operator (outside nested quantifiers' bodies too)."""
    match e:
        case ast.Temporal():
            return True
        case ast.Unary(arg=a):
            return _temporal(a)
        case ast.Binary(lhs=a, rhs=b):
            return _temporal(a) or _temporal(b)
        case ast.Cond(cond=a, then=b, else_=c):
            return _temporal(a) or _temporal(b) or _temporal(c)
        case ast.Quant(body=a):
            return _temporal(a)
        case ast.Index(args=args) | ast.Call(args=args):
            return any(_temporal(x) for x in args)
    return False
