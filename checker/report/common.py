"""What every renderer needs: verdict wording, trace steps as calls and diffs, property locations.

Renderers take a `Report` plus an optional `Context` (the model the report is about), because a
report holds names and values only, while a reader wants action doc strings and source spans.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from checker.policy import DISABLED_ACTION
from checker.result import Loc, PropertyResult, Report, SearchStats, State, Step, Trace, Verdict, loc_text
from spec import ir
from spec.source import NO_SPAN, Span


@dataclass(frozen=True)
class Context:
    """Optional knowledge about the model a report is about."""

    model: ir.Model | None = None

    def _action(self, action: str) -> ir.Action | None:
        if self.model is None:
            return None
        try:
            return self.model.action(action)
        except KeyError:
            return None

    def action_doc(self, action: str) -> str | None:
        a = self._action(action)
        return None if a is None else a.doc

    def action_cite(self, action: str) -> str | None:
        """The kernel code or hardware document the action abstracts (its `cite`)."""
        a = self._action(action)
        return None if a is None else a.cite

    def prop_doc(self, prop: str) -> str | None:
        if self.model is None:
            return None
        try:
            return self.model.property(prop).doc
        except KeyError:
            return None

    def prop_span(self, r: PropertyResult) -> Span:
        """Where a property is declared (a generated vacuity goal: its action)."""
        if self.model is None:
            return NO_SPAN
        for p in self.model.properties:
            if p.name == r.prop:
                return p.span
        if r.vacuity_of is not None:
            for a in self.model.actions:
                if a.name == r.vacuity_of:
                    return a.span
        return NO_SPAN


def verdict_text(r: PropertyResult) -> str:
    """`HOLDS TO DEPTH 10` carries its bound in the verdict itself, so it cannot pass for a proof."""
    if r.verdict is Verdict.HOLDS_TO_DEPTH and r.depth is not None:
        return f"{r.verdict.value} {r.depth}"
    return r.verdict.value + expect_note(r)


def binding_text(r: PropertyResult) -> str:
    """` for p=page1, g=gfn0`: the binding a violated invariant fails for ("" when none)."""
    if not r.binding:
        return ""
    return " for " + ", ".join(f"{k}={ir.format_value(v)}" for k, v in r.binding)


def expect_note(r: PropertyResult) -> str:
    """What a goal with a written expectation (`expect unreachable`, `expect any`) was expected to
    do, beside its verdict: `UNREACHABLE (expected)`, `REACHED (expected unreachable)`,
    `REACHED (open question)`. Goals that expect to be reached, the default, carry no note."""
    if r.kind is not ir.PropKind.REACHABLE or r.expect is ir.Expect.REACHED or \
            r.verdict not in (Verdict.REACHED, Verdict.UNREACHABLE):
        return ""
    if r.expect is ir.Expect.ANY:
        return " (open question)"
    return " (expected)" if r.passes else f" (expected {r.expect.value})"


def depth_text(r: PropertyResult) -> str:
    if r.depth is None:
        return "-"
    if r.verdict in (Verdict.PROVED, Verdict.UNREACHABLE) and r.engine == "induction":
        return f"k={r.depth}"
    return str(r.depth)


def call_text(step: Step) -> str:
    """`kvm.fault(v=vcpu0, g=gfn1)`; the initial state has no action."""
    if step.action is None:
        return "initial state"
    args = ", ".join(f"{k}={ir.format_value(v)}" for k, v in step.args)
    return f"{step.action}({args})"


def choices_text(step: Step) -> str | None:
    if not step.choices:
        return None
    return "choose " + ", ".join(f"{k}={ir.format_value(v)}" for k, v in step.choices)


def changes(prev: State, cur: State) -> list[tuple[Loc, ir.Value, ir.Value]]:
    """The locations whose value differs, in state order."""
    before = prev.as_dict()
    return [(loc, before.get(loc, v), v) for loc, v in cur.values if before.get(loc) != v]


def change_lines(prev: State, cur: State) -> list[str]:
    return [f"{loc_text(loc)}: {ir.format_value(a)} -> {ir.format_value(b)}" for loc, a, b in changes(prev, cur)]


def compact_state(state: State) -> list[str]:
    """One line per variable: `crashed = false`, `st[*] = Free` when every entry is equal,
    `ref = {page0: 1, page1: 0}` otherwise."""
    by_var: OrderedDict[str, list[tuple[tuple[ir.Value, ...], ir.Value]]] = OrderedDict()
    for (var, index), v in state.values:
        by_var.setdefault(var, []).append((index, v))
    out = []
    for var, entries in by_var.items():
        if len(entries) == 1 and entries[0][0] == ():
            out.append(f"{var} = {ir.format_value(entries[0][1])}")
        elif len({v for _, v in entries}) == 1:
            out.append(f"{var}[*] = {ir.format_value(entries[0][1])}")
        else:
            body = ", ".join(f"{_index(i)}: {ir.format_value(v)}" for i, v in entries)
            out.append(f"{var} = {{{body}}}")
    return out


def _index(index: tuple[ir.Value, ...]) -> str:
    text = ", ".join(ir.format_value(v) for v in index)
    return text if len(index) == 1 else f"({text})"


def trace_states(trace: Trace) -> list[tuple[Step, State | None]]:
    """Each step with the state before it (None for the initial step)."""
    out: list[tuple[Step, State | None]] = []
    prev: State | None = None
    for step in trace.steps:
        out.append((step, prev))
        if step.state is not None:
            prev = step.state
    return out


def counts(report: Report, goals: bool = False) -> dict[Verdict, int]:
    """Verdicts of the model's properties (`goals=False`) or of the generated vacuity goals."""
    out: dict[Verdict, int] = {}
    for r in report.results:
        if r.generated == goals:
            out[r.verdict] = out.get(r.verdict, 0) + 1
    return out


def summary_line(report: Report) -> str:
    """`3 proved, 1 violated, 1 holds to depth 10 (not a proof), ...` in a fixed order, then how
    many actions can fire: `actions: 30 fire, 2 dead, 10 disabled by the configuration`."""
    n = counts(report)
    parts = []
    for v in (Verdict.VIOLATED, Verdict.UNREACHABLE, Verdict.UNKNOWN, Verdict.HOLDS_TO_DEPTH, Verdict.PROVED,
              Verdict.PROVED_ALL_SIZES, Verdict.REACHED):
        if n.get(v):
            label = v.value.lower()
            if v is Verdict.HOLDS_TO_DEPTH:
                label += " (bounded, not a proof)"
            parts.append(f"{n[v]} {label}")
    text = ", ".join(parts) if parts else "no properties"
    g = counts(report, goals=True)
    if g:
        disabled = sum(1 for w in report.warnings if w.code == DISABLED_ACTION)
        dead = g.get(Verdict.UNREACHABLE, 0) - disabled
        acts = [f"{g.get(Verdict.REACHED, 0)} fire"]
        if dead:
            acts.append(f"{dead} dead")
        if disabled:
            acts.append(f"{disabled} disabled by the configuration")
        undecided = sum(g.values()) - g.get(Verdict.REACHED, 0) - g.get(Verdict.UNREACHABLE, 0)
        if undecided:
            acts.append(f"{undecided} undecided")
        text += "; actions: " + ", ".join(acts)
    if report.interrupted:
        text += "; INTERRUPTED before every property was decided"
    return text


def states_per_s(s: SearchStats) -> float:
    return s.states / s.time_s if s.time_s > 0 else 0.0


def stats_line(s: SearchStats) -> str:
    """One explicit search's figures: `search (explicit, exhaustive): 910 states stored (orbits...`"""
    how = "exhaustive" if s.exhaustive else (f"stopped: {s.stop_reason}" if s.stop_reason else "stopped")
    if s.symmetry:
        perms = f"{s.group:,} permutation{'s' if s.group != 1 else ''}"
        stored = f"{s.states:,} states stored (orbits under renaming of {', '.join(s.symmetry)}: {perms})"
        if s.represented is not None:
            stored += f", standing for {s.represented:,} states"
        if s.represented_note:
            stored += f" [{'unreduced count ' if s.represented is None else ''}{s.represented_note}]"
    else:
        stored = f"{s.states:,} states stored (no symmetry reduction)"
    return (f"search ({s.engine}, {s.purpose}, {how}): {stored}; {s.transitions:,} transitions, depth {s.depth}, "
            f"{s.time_s:.2f}s, {states_per_s(s):,.0f} states/s")
