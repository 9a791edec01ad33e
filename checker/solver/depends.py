"""Why PROVED: the model elements a proof rests on.

A proof by an inductive invariant I (the all-sizes certificate) consists of unsat queries:
init => I, I && step(a) => I' for every action a, and I => P. Here every guard (`require`, a
`choose` condition), `if` condition, assignment and initial value is enforced only under its own
Boolean literal (checker/solver/parametric.py, `Sig.tracked`); a literal left free weakens its
element (no guard, either branch, any value of the type). Each lemma of I is also assumed only
under a literal. For a property P:

1. the lemmas P needs: the unsat core of `lemmas && !P` (for an assert or range check: of
   `lemmas && step && the check fails`, per action, and of `init && the check fails`);
2. for each needed lemma L, once per invariant (memoised, shared by its properties): the cores
   of `init && !L'` and, per action, of `lemmas && step && !L'`, which add the lemmas and
   elements L holds by; closed until no new lemma is needed (the needed lemmas J are then
   inductive on their own);
3. the elements: the element literals of all those cores.

Every query is unsat with only its core assumed, and a literal outside the core may take either
value, in particular the weakened one: dropping every element not listed at once keeps each
query unsat, so the proof stands on the listed elements alone, for every size (the union of
per-lemma cores is a core of their conjunction). Cores are minimal, not minimum (Z3's
`core.minimize`), so a listed element may be removable; none that is not listed is needed. A solver `unknown` or a sat query (a bug: the proof was checked) gives no
explanation rather than a wrong one.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import z3

from checker.result import Dependency
from checker.solver.parametric import Outside, Sig
from checker.solver.smt import check_assumptions
from spec import ir
from spec.irutil import walk
from spec.source import Span


@dataclass(frozen=True)
class Explanation:
    """`depends_on` per property (sorted by place), or `reason` why there is none."""

    depends_on: dict[str, tuple[Dependency, ...]]
    reason: str | None = None


class Tracker:
    """The element literals of one Sig: one per (kind, action, place)."""

    def __init__(self) -> None:
        self._lits: dict[tuple[str, str, Span], z3.BoolRef] = {}
        self.elements: dict[str, Dependency] = {}  # literal name -> element

    def literal(self, ctx: z3.Context, kind: str, where: str, span: Span, disabled: bool = False) -> z3.BoolRef:
        key = (kind, where, span)
        if key not in self._lits:
            name = f"track!{len(self._lits)}"
            self._lits[key] = z3.Bool(name, ctx)
            # an initial value's span is the variable's name: show its declaration
            text = source_line(Span(span.file, span.line, 1) if kind == "init" and where == "init" else span)
            self.elements[name] = Dependency(kind, where, span, text, disabled)
        return self._lits[key]

    def literals(self) -> list[z3.BoolRef]:
        return list(self._lits.values())


def explain(inst: ir.Instance, lemmas: Sequence[ir.Expr], props: Sequence[ir.Property],
            deadline: float | None) -> Explanation:
    """What each of `props` (invariant, assert and range properties that the conjunction of
    `lemmas` proves for all sizes) rests on."""
    try:
        return _Explainer(inst, lemmas, deadline).run(props)
    except Outside as exc:
        return Explanation({}, f"outside the all-sizes encoding: {exc.construct}")
    except _NoCore as exc:
        return Explanation({}, str(exc))


class _NoCore(Exception):
    pass


class _Explainer:
    def __init__(self, inst: ir.Instance, lemmas: Sequence[ir.Expr], deadline: float | None):
        self.deadline = deadline
        sig = self.sig = Sig(inst)
        tracker = sig.tracker = Tracker()
        c = sig.ctx
        self.lemmas = list(lemmas)
        self.hyps = [z3.Bool(f"lemma!{i}", c) for i in range(len(self.lemmas))]
        w0, free_ok = sig.initial()
        it = sig.init(w0)
        pre = self.pre = sig.state("0")
        self.hyp = [sig.state_ok(pre), *(z3.Implies(h, sig.expr(x, pre, {}))
                                         for h, x in zip(self.hyps, self.lemmas, strict=True))]
        self.steps = [(a.name, sig.action(a, pre)) for a in inst.model.actions]
        self.init_fails = it.fails
        # One solver per action and one for init; lemma i failing after the step is assumed
        # through its own goal literal, so that every (action, lemma) query reuses the solver.
        self.free_ok = free_ok
        self.init_solver = self._solver([free_ok, it.ok])
        self.init_goals = self._goals(self.init_solver, [sig.expr(x, it.post, {}) for x in self.lemmas])
        self.solvers: dict[str, z3.Solver] = {}
        self.goals_of: dict[str, list[z3.BoolRef]] = {}
        for name, o in self.steps:
            s = self.solvers[name] = self._solver([*self.hyp, o.inputs, o.ok])
            self.goals_of[name] = self._goals(s, [sig.expr(x, o.post, {}) for x in self.lemmas])
        tracks = tracker.literals()
        self.elements = tracker.elements
        enabled = [t for t in tracks if not self.elements[str(t)].disabled]
        self.tiers = [enabled, tracks] if len(enabled) < len(tracks) else [tracks]
        self._kept: dict[int, tuple[set[int], set[str]]] = {}  # lemma -> (lemmas, elements) keeping it

    def _goals(self, s: z3.Solver, posts: list[z3.BoolRef]) -> list[z3.BoolRef]:
        gs = []
        for post in posts:
            g = z3.FreshBool("goal", self.sig.ctx)
            s.add(z3.Implies(g, z3.Not(post)))
            gs.append(g)
        return gs

    def _solver(self, facts: list[z3.BoolRef]) -> z3.Solver:
        s = z3.Solver(ctx=self.sig.ctx)
        s.set("core.minimize", True)
        s.add(*facts)
        return s

    def _core(self, s: z3.Solver, assumptions: list[z3.BoolRef], what: str) -> set[str]:
        """An unsat core of `s` under `assumptions` and the element literals, preferring one
        without guards that are false here: a disabled action that does not touch a lemma keeps
        it anyway, and listing its guard would make the proof look vacuous. Z3 minimises each
        core, so the core found is minimal, not minimum."""
        for tier in self.tiers:
            if self.deadline is not None:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    raise _NoCore("out of time")
                s.set("timeout", max(1, int(left * 1000)))
            res = check_assumptions(s, [*assumptions, *tier])
            if res == z3.unsat:
                return {str(x) for x in s.unsat_core()}
        raise _NoCore(f"{what}: the solver answered {res} where the proof has unsat"
                      + (f" ({s.reason_unknown()})" if res == z3.unknown else ""))

    def _lemmas_of(self, core: set[str]) -> set[int]:
        return {i for i, h in enumerate(self.hyps) if str(h) in core}

    def _keeps(self, i: int) -> tuple[set[int], set[str]]:
        """The lemmas and elements that lemma i holds by: its initiation, and its consecution
        under every action (memoised: lemmas are shared between properties)."""
        if i not in self._kept:
            core = self._core(self.init_solver, [self.init_goals[i]], "initiation")
            for name, s in self.solvers.items():
                core |= self._core(s, [*self.hyps, self.goals_of[name][i]], f"consecution of {name}")
            self._kept[i] = (self._lemmas_of(core), {n for n in core if n in self.elements})
        return self._kept[i]

    def run(self, props: Sequence[ir.Property]) -> Explanation:
        out = {}
        for p in props:
            names, lemmas = self._explain(p)
            deps = [self.elements[n] for n in names]
            about = _vars([self.lemmas[i] for i in lemmas] + _formulas(self.sig.inst.model, p))
            deps += _params(self.sig.inst, p, deps, about)
            out[p.name] = tuple(sorted(set(deps), key=lambda d: (d.span.file, d.span.line, d.span.col, d.kind)))
        return Explanation(out)

    def _explain(self, p: ir.Property) -> tuple[set[str], set[int]]:
        """The element literals `p`'s proof needs, and the lemmas."""
        sig, c = self.sig, self.sig.ctx
        used: set[str] = set()
        if p.kind is ir.PropKind.INVARIANT:
            assert p.expr is not None
            s = self._solver([*self.hyp, z3.Not(sig.expr(p.expr, self.pre, {}))])
            need = self._lemmas_of(self._core(s, self.hyps, f"{p.name}: the invariant implies it"))
        else:  # an assert or range check: no step from an invariant state fails it, nor init
            need = set()
            for name, o in self.steps:
                fail = z3.Or([f for chk, f in o.fails if chk.prop == p.name] or [z3.BoolVal(False, c)])
                s = self._solver([*self.hyp, o.inputs, fail])
                core = self._core(s, self.hyps, f"{p.name} in {name}")
                need |= self._lemmas_of(core)
                used |= core
            fail = z3.Or([f for chk, f in self.init_fails if chk.prop == p.name] or [z3.BoolVal(False, c)])
            used |= self._core(self._solver([self.free_ok, fail]), [], f"{p.name} in init")
        # Close the needed lemmas under initiation and consecution: each query stays unsat with
        # the union of the cores assumed, so the needed lemmas are inductive on the elements listed.
        todo, seen = sorted(need), set(need)
        elements = {n for n in used if n in self.elements}
        while todo:
            lemmas, elems = self._keeps(todo.pop())
            elements |= elems
            todo += sorted(lemmas - seen)
            seen |= lemmas
        return elements, seen


def _params(inst: ir.Instance, prop: ir.Property, deps: Sequence[Dependency], about: set[str]) -> list[Dependency]:
    """The parameter values the elements of `deps` (or an `if` around one, or the property's
    own formula) were bound with, and those of an `if` binding decided whose branch not taken
    writes a variable the proof is about (`about`: read by the property or a lemma it needs)."""
    out = []
    for f in inst.folded:
        inside = [d for d in deps if d.kind != "param" and _within(d.span, f.span)]
        if not inside and f.prop != prop.name and not set(f.writes) & about:
            continue
        action = inside[0].action if inside else prop.name
        out += [Dependency("param", action, f.span, f"{p} = {ir.format_value(inst.binding(p))}") for p in f.params]
    return out


def _vars(exprs: Sequence[ir.Expr]) -> set[str]:
    return {x.name for e in exprs for x in walk(e) if isinstance(x, ir.Var | ir.Read)}


def _formulas(model: ir.Model, prop: ir.Property) -> list[ir.Expr]:
    """`prop`'s formula, or the conditions of its checks (an assert or range check)."""
    if prop.expr is not None:
        return [prop.expr]
    out: list[ir.Expr] = []

    def visit(body: Sequence[ir.Stmt]) -> None:
        for s in body:
            if isinstance(s, ir.Check) and s.prop == prop.name:
                out.append(s.cond)
            elif isinstance(s, ir.If):
                visit(s.then)
                visit(s.else_)
            elif isinstance(s, ir.Forall):
                visit(s.body)

    for a in (*model.actions, None):
        visit(a.body if a is not None else model.init)
    return out


def _within(a: Span, b: Span) -> bool:
    return a.file == b.file and (b.line, b.col) <= (a.line, a.col) and \
        (a.end_line, a.end_col) <= (b.end_line or b.line, b.end_col or b.col)


def source_line(span: Span) -> str:
    """The element's source text: the span itself on one line, else its first line from it on."""
    lines = _lines(span.file)
    if not 0 < span.line <= len(lines):
        return ""
    line = lines[span.line - 1]
    one_line = span.end_line == span.line and span.end_col > span.col
    return (line[span.col - 1:span.end_col - 1] if one_line else line[max(span.col - 1, 0):]).strip()


@functools.lru_cache(maxsize=64)
def _lines(file: str) -> tuple[str, ...]:
    try:
        return tuple(Path(file).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return ()
