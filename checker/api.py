"""The Python API: `checker.check(model, ...) -> Report`, the same report the command line prints.

    from checker import check
    report = check("models/tdx.spec", sizes={"Page": 2}, params={"design": "rfc2021"})
    for r in report.results:
        print(r.prop, r.verdict.value)

`model` is a path, an `ir.Model` (from `spec.load` or `spec.builder`) or a configured
`ir.Instance`. Bad input raises `spec.FrontendError` (with diagnostics); a bug in spec-check
raises `checker.schedule.InternalError`. Nothing is printed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import vacuity
from checker.backends import Backend, DeadlockMode, EngineKind, Options, Progress
from checker.result import Report
from checker.schedule import Outcome, schedule
from spec import ir
from spec.config import CLI, match_name
from spec.diagnostics import Diagnostic, FrontendError, Severity, did_you_mean
from spec.frontend import Loaded, instantiate, load_model

ModelLike = str | Path | ir.Model | ir.Instance


@dataclass(frozen=True)
class Prepared:
    """A configured instance with what reports need to name things."""

    instance: ir.Instance
    file: str
    sources: dict[str, str] = field(default_factory=dict, compare=False)


def prepare(model: ModelLike, sizes: Mapping[str, int | str] | None = None,
            params: Mapping[str, ir.Value | str] | None = None) -> Prepared:
    """Load (a path) and configure (a path or Model). Raises FrontendError on bad input."""
    if isinstance(model, ir.Instance):
        if sizes or params:
            raise ValueError("sizes and params cannot be applied to an already configured Instance")
        return Prepared(model, model.model.span.file if model.model.span.line > 0 else "")
    if isinstance(model, ir.Model):
        loaded = Loaded(model)
        file = model.span.file if model.span.line > 0 else ""
    else:
        loaded = load_model(model)
        file = str(model)
    return Prepared(instantiate(loaded, sizes, params), file, dict(loaded.sources))


def select(model: ir.Model, names: Sequence[str] | None,
           vacuity_goals: bool = True) -> tuple[list[ir.Property], list[vacuity.Goal]]:
    """The properties to check and the vacuity goals to add. Names may be qualified or a unique
    suffix (`fault` for `kvm.fault`); `ACTION:fires` names a vacuity goal. Without names: every
    property, plus every action's goal when `vacuity_goals`. Unknown names raise FrontendError."""
    goals = vacuity.fire_goals(model) if (vacuity_goals or names) else ()
    if not names:
        return list(model.properties), list(goals) if vacuity_goals else []
    by_name = {p.name: p for p in model.properties}
    goal_by_name = {g.prop.name: g for g in goals}
    everything = list(by_name) + list(goal_by_name)
    props: list[ir.Property] = []
    chosen: list[vacuity.Goal] = []
    errors = []
    for name in names:
        q = match_name(name, everything)
        if q is None:
            hint = did_you_mean(name, everything) or f"properties: {', '.join(by_name) or '(none)'}"
            errors.append(Diagnostic(CLI, Severity.ERROR, "E0412", f"unknown property `{name}`", hint))
        elif q in by_name and by_name[q] not in props:
            props.append(by_name[q])
        elif q in goal_by_name and goal_by_name[q] not in chosen:
            chosen.append(goal_by_name[q])
    if errors:
        raise FrontendError(errors)
    return props, chosen


def run(prepared: Prepared, properties: Sequence[str] | None, options: Options, backend: Backend | None = None,
        progress: Progress | None = None) -> Outcome:
    """Select properties and schedule engines; the command line's entry point."""
    if backend is None:
        from checker.backends import default_backend

        backend = default_backend()
    props, goals = select(prepared.instance.model, properties, options.vacuity)
    return schedule(prepared.instance, props, goals, options, backend, file=prepared.file, progress=progress)


def check(model: ModelLike, properties: Sequence[str] | None = None, engine: str | EngineKind = "auto",
          sizes: Mapping[str, int | str] | None = None, params: Mapping[str, ir.Value | str] | None = None,
          timeout: float | None = None, depth: int | None = None, *, max_states: int | None = None,
          symmetry: bool = True, deadlock: str | DeadlockMode = "warn", vacuity_goals: bool = True,
          stats: bool = False, seed: int = 0, walks: int | None = None, all_sizes: bool | None = None,
          backend: Backend | None = None) -> Report:
    """Check a model; see the module docstring. `engine`: auto, bmc, induction, pdr, explicit or
    simulate (`seed`, `walks`: its random walks; `depth`: their length). `all_sizes`: look for
    PROVED ALL SIZES after the fixed-size proofs (default: with engine auto, as the command line).
    `report.stats` has one `SearchStats` per explicit search; `stats=True` also counts the states
    a symmetry-reduced search stands for (`SearchStats.represented`)."""
    options = Options(engine=EngineKind(engine), depth=depth, timeout=timeout, max_states=max_states,
                      symmetry=symmetry, deadlock=DeadlockMode(deadlock), vacuity=vacuity_goals, stats=stats,
                      seed=seed, walks=walks, all_sizes=all_sizes)
    return run(prepare(model, sizes, params), properties, options, backend).report


def unreplayed(report: Report, inst: ir.Instance) -> str | None:
    """Why a stored `report` (the result cache's) cannot be shown for `inst`: the first trace in
    it that the interpreter does not replay; None when every one does."""
    from checker.backends import make_checker

    checker = make_checker(inst)
    traces = [(f"property `{r.prop}`", r.trace) for r in report.results] + \
        [(f"the {w.code} warning", w.trace) for w in report.warnings]
    for what, trace in traces:
        why = None if trace is None else checker.mismatch(trace)
        if why is not None:
            return f"the trace of {what} does not replay: {why}"
    return None


def unreplayed_request(req: Any, report: Report) -> str | None:
    """`unreplayed` for an explore request (checker.explore.matrix.Request)."""
    return unreplayed(report, prepare(req.model, dict(req.sizes), dict(req.params)).instance)


def check_request(req: Any) -> Report:
    """`checker.explore.matrix.CheckFn`: check one configuration of an explore matrix (picklable, so
    worker processes can run it). `req.options` holds `Options` field names and values, with
    enum fields given by value (`("engine", "bmc")`)."""
    opts = dict(req.options)
    if "engine" in opts:
        opts["engine"] = EngineKind(opts["engine"])
    if "deadlock" in opts:
        opts["deadlock"] = DeadlockMode(opts["deadlock"])
    prepared = prepare(req.model, dict(req.sizes), dict(req.params))
    prepared = Prepared(prepared.instance, req.file, dict(req.sources))
    return run(prepared, None, Options(**opts)).report


def failed_request(req: Any, why: str) -> Report:
    """The report of an explore configuration whose check could not be run to the end (its worker
    died, or it raised, on every try): every property UNKNOWN with `why`, never a verdict."""
    from checker.result import PropertyResult, Verdict

    inst = prepare(req.model, dict(req.sizes), dict(req.params)).instance
    results = tuple(PropertyResult(p.name, p.kind, Verdict.UNKNOWN, "none", reason=why) for p in req.model.properties)
    return Report(req.model.name, req.file, inst.describe(), results)
