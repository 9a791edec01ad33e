"""A deliberately naive interpreter of docs/semantics.md, for differential tests of checker/interp/semantics.py.

It works on IR values and dict states, statement by statement, with no compilation, no shared
mutable state and no optimisation (no fused checks, no in-place forall), so that a bug in the fast
interpreter's closures shows up as a disagreement.
"""

from __future__ import annotations

from itertools import product
from typing import Any

from checker.interp.semantics import Violation
from checker.result import State
from spec import ir
from spec.ops import BinOp, QuantKind, UnOp

Loc = tuple[str, tuple[ir.Value, ...]]
PIN = "#pinned"  # an env key no model local can have
Ok = tuple[str, dict[Loc, ir.Value], dict[str, ir.Value], tuple[tuple[Loc, ir.Value], ...]]


class Reference:
    def __init__(self, inst: ir.Instance) -> None:
        self.inst = inst
        self.locs = [(v.name, idx) for v in inst.model.vars for idx in inst.locations(v)]
        # the choose values a step is said to have taken, in the order its path meets them (None:
        # any); env[PIN] counts those used so far on the current path
        self._pinned: tuple[tuple[str, ir.Value], ...] | None = None
        # chooses inside a forall, by `var(forall_var=element, ...)` (every enclosing forall,
        # outermost first; None: any), and the foralls whose runs are being evaluated
        self._pinned_inner: dict[str, ir.Value] | None = None
        self._forall_ctx: list[tuple[str, ir.Value]] = []

    # ------------------------------------------------------------ expressions

    def ev(self, e: ir.Expr, w: dict[Loc, ir.Value], env: dict[str, ir.Value]) -> Any:
        if isinstance(e, ir.Lit):
            return e.value
        if isinstance(e, ir.Var):
            return w[(e.name, ())]
        if isinstance(e, ir.Read):
            return w[(e.name, tuple(self.ev(a, w, env) for a in e.args))]
        if isinstance(e, ir.Local):
            return env[e.name]
        if isinstance(e, ir.Unary):
            x = self.ev(e.arg, w, env)
            return (not x) if e.op is UnOp.NOT else -x
        if isinstance(e, ir.Ite):
            return self.ev(e.then if self.ev(e.cond, w, env) else e.else_, w, env)
        if isinstance(e, ir.Quant):
            hits = [bool(self.ev(e.body, w, {**env, e.var: d})) for d in self.inst.domain(e.domain)]
            return {QuantKind.FORALL: all(hits), QuantKind.EXISTS: any(hits), QuantKind.COUNT: sum(hits)}[e.kind]
        assert isinstance(e, ir.Binary), e
        a, b = self.ev(e.lhs, w, env), self.ev(e.rhs, w, env)
        return {
            BinOp.AND: lambda: bool(a) and bool(b), BinOp.OR: lambda: bool(a) or bool(b),
            BinOp.IMPLIES: lambda: (not a) or bool(b), BinOp.IFF: lambda: bool(a) == bool(b),
            BinOp.EQ: lambda: a == b, BinOp.NE: lambda: a != b, BinOp.LT: lambda: a < b,
            BinOp.LE: lambda: a <= b, BinOp.GT: lambda: a > b, BinOp.GE: lambda: a >= b,
            BinOp.ADD: lambda: a + b, BinOp.SUB: lambda: a - b, BinOp.MUL: lambda: a * b,
        }[e.op]()

    # ------------------------------------------------------------ statements

    def run(self, stmts: tuple[ir.Stmt, ...], w: dict[Loc, ir.Value], env: dict[str, ir.Value],
            writes: tuple[tuple[Loc, ir.Value], ...]) -> list[Any]:
        """Outcomes of running `stmts`: ("ok", w, env, writes) or a Violation."""
        if not stmts:
            return [("ok", w, env, writes)]
        s, rest = stmts[0], stmts[1:]
        if isinstance(s, ir.Require):
            return self.run(rest, w, env, writes) if self.ev(s.cond, w, env) else []
        if isinstance(s, ir.Check):
            return self.run(rest, w, env, writes) if self.ev(s.cond, w, env) else [Violation(s.prop, s.message)]
        if isinstance(s, ir.Assign):
            loc = (s.var, tuple(self.ev(i, w, env) for i in s.index))
            val = self.ev(s.value, w, env)
            return self.run(rest, {**w, loc: val}, env, writes + ((loc, val),))
        if isinstance(s, ir.SetLocal):
            return self.run(rest, w, {**env, s.name: self.ev(s.value, w, env)}, writes)
        if isinstance(s, ir.Choose):
            out = []
            domain = self.inst.domain(s.domain)
            if self._forall_ctx:  # inside a forall: the value pinned for this run, or no outcome
                if self._pinned_inner is not None:
                    where = ", ".join(f"{v}={ir.format_value(x)}" for v, x in self._forall_ctx)
                    label = f"{s.var}({where})"
                    if label not in self._pinned_inner:
                        return []
                    domain = (self._pinned_inner[label],)
            elif self._pinned is not None:  # exactly the next pinned value, or no outcome
                k = env[PIN]
                if k >= len(self._pinned) or self._pinned[k][0] != s.var:
                    return []
                domain, env = (self._pinned[k][1],), {**env, PIN: k + 1}
            for d in domain:
                if self.ev(s.cond, w, {**env, s.var: d}):
                    out += self.run(rest, w, {**env, s.var: d}, writes)
            return out
        if isinstance(s, ir.If):
            branch = s.then if self.ev(s.cond, w, env) else s.else_
            out = []
            for o in self.run(branch, w, env, writes):
                if isinstance(o, Violation):
                    out.append(o)
                else:  # locals declared in the branch end with it; outer locals keep their new values
                    out += self.run(rest, o[1], {k: o[2][k] for k in env}, o[3])
            return out
        assert isinstance(s, ir.Forall), s
        return self._forall(s, rest, w, env, writes)

    def _forall(self, s: ir.Forall, rest: tuple[ir.Stmt, ...], w: dict[Loc, ir.Value], env: dict[str, ir.Value],
                writes: tuple[tuple[Loc, ir.Value], ...]) -> list[Any]:
        per_run = []
        for d in self.inst.domain(s.domain):
            self._forall_ctx.append((s.var, d))
            try:
                outs = self.run(s.body, w, {**env, s.var: d}, ())
            finally:
                self._forall_ctx.pop()
            if not outs:
                return []
            per_run.append(outs)
        out = []
        for combo in product(*per_run):
            viol = next((o for o in combo if isinstance(o, Violation)), None)
            if viol is not None:
                out.append(viol)
                continue
            merged = dict(w)
            new = writes
            for o in combo:
                for loc, val in o[3]:
                    merged[loc] = val
                new = new + o[3]
            out += self.run(rest, merged, env, new)
        return out

    # ------------------------------------------------------------ states

    def _final(self, outs: list[Any]) -> set[Any]:
        res: set[Any] = set()
        for o in outs:
            if isinstance(o, Violation):
                res.add(o)
            elif all(self.ev(a.expr, o[1], {}) for a in self.inst.model.assumes):
                res.add(State(tuple((loc, o[1][loc]) for loc in self.locs)))
        return res

    def initial(self) -> set[Any]:
        free = []
        base: dict[Loc, ir.Value] = {}
        for v in self.inst.model.vars:
            for idx in self.inst.locations(v):
                if v.init is not None:
                    base[(v.name, idx)] = self.ev(v.init, {}, {})
                else:
                    free.append(((v.name, idx), self.inst.domain(ir.domain_type(v.type))))
        out: set[Any] = set()
        for values in product(*(d for _, d in free)):
            w = {**base, **{loc: val for (loc, _), val in zip(free, values, strict=True)}}
            out |= self._final(self.run(self.inst.model.init, w, {}, ()))
        return out

    def outcomes(self, state: State, action: str, args: tuple[tuple[str, ir.Value], ...],
                 pinned: tuple[tuple[str, ir.Value], ...] | None = None) -> set[Any]:
        """`pinned`: the values every choose on the step's path takes: those outside a forall in
        path order (a path that meets more chooses, or others, or fewer, has no outcome), those in a
        forall's runs as `var(forall_var=element)` (a run meeting one not pinned has no outcome)."""
        body = self.inst.model.action(action).body
        top = None if pinned is None else tuple((n, v) for n, v in pinned if "(" not in n)
        self._pinned = top
        self._pinned_inner = None if pinned is None else {n: v for n, v in pinned if "(" in n}
        try:
            env = dict(args) if top is None else {**dict(args), PIN: 0}  # If keeps the keys env has
            outs = self.run(body, state.as_dict(), env, ())
            if top is not None:
                outs = [o for o in outs if isinstance(o, Violation) or o[2][PIN] == len(top)]
            return self._final(outs)
        finally:
            self._pinned, self._pinned_inner = None, None
