"""The design-space matrix: configurations x properties, and the search for minimal mitigations.

`explore` checks every combination of the varied parameters' values (one `Report` per
configuration, in a deterministic order, identical with any number of worker processes).
`minimal_fixes` answers "which kernel mechanisms does each piece of hardware still need": for
each value of the non-mitigation axes it finds the smallest sets of `mitigation` parameters
under which every property passes, and what breaks when each mitigation is dropped.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from checker.result import Report
from spec import ir
from spec.config import match_name, parse_value
from spec.diagnostics import Sink, did_you_mean
from spec.source import Span
from spec.types import BoolT, EnumT, RangeT

CLI = Span("<command line>", 0, 0)
MAX_CONFIGURATIONS = 4096


@dataclass(frozen=True)
class Axis:
    param: str
    values: tuple[ir.Value, ...]


@dataclass(frozen=True)
class Request:
    """One configuration to check; picklable, so worker processes can run it."""

    model: ir.Model
    file: str
    sources: tuple[tuple[str, str], ...]
    params: tuple[tuple[str, ir.Value], ...]
    sizes: tuple[tuple[str, int], ...]
    options: tuple[tuple[str, object], ...] = ()


CheckFn = Callable[[Request], Report]


def parse_vary(items: Sequence[str], model: ir.Model, sink: Sink) -> list[Axis]:
    """`hardware,design` (enum/bool: every value) and `n=LO..HI` (integer parameters)."""
    axes: list[Axis] = []
    names = [p.name for p in model.params]
    for item in items:
        for part in (x.strip() for x in item.split(",")):
            if not part:
                continue
            name, _, rng = part.partition("=")
            pdef = _find_param(model, name.strip())
            if pdef is None:
                sink.error(CLI, "E0401", f"unknown parameter `{name}` in --vary",
                           did_you_mean(name, names) or (f"parameters: {', '.join(names)}" if names else
                                                          "this model has no parameters"))
                continue
            if any(a.param == pdef.name for a in axes):
                sink.error(CLI, "E0410", f"parameter `{pdef.name}` is varied twice")
                continue
            values = _axis_values(pdef, rng.strip(), model, sink)
            if values:
                axes.append(Axis(pdef.name, values))
    total = 1
    for a in axes:
        total *= len(a.values)
    if total > MAX_CONFIGURATIONS:
        sink.error(CLI, "E0411", f"--vary asks for {total} configurations (limit {MAX_CONFIGURATIONS})",
                   "vary fewer parameters or narrow the integer ranges")
    return axes


def _find_param(model: ir.Model, name: str) -> ir.ParamDef | None:
    q = match_name(name, [p.name for p in model.params])
    return next((p for p in model.params if p.name == q), None)


def _axis_values(pdef: ir.ParamDef, rng: str, model: ir.Model, sink: Sink) -> tuple[ir.Value, ...]:
    t = pdef.type
    if isinstance(t, BoolT | EnumT):
        if rng:
            sink.error(CLI, "E0410", f"`{pdef.name}` is not an integer parameter; vary it without a range",
                       f"write --vary {pdef.name}")
            return ()
        return (False, True) if isinstance(t, BoolT) else model.enum(t.name).values()
    if isinstance(t, RangeT):
        if not rng:
            sink.error(CLI, "E0410", f"integer parameter `{pdef.name}` needs a range to vary over",
                       f"write --vary {pdef.name}=LO..HI")
            return ()
        lo_s, sep, hi_s = rng.partition("..")
        lo, hi = (parse_value(lo_s, t, model), parse_value(hi_s, t, model)) if sep else (None, None)
        if not isinstance(lo, int) or not isinstance(hi, int) or lo > hi:
            sink.error(CLI, "E0410", f"bad range `{rng}` for `{pdef.name}`", "write LO..HI with LO <= HI")
            return ()
        return tuple(range(lo, hi + 1))
    sink.error(CLI, "E0410", f"parameter `{pdef.name}` cannot be varied")
    return ()


def configurations(axes: Sequence[Axis], fixed: Mapping[str, ir.Value]) -> list[dict[str, ir.Value]]:
    """The cartesian product of the axes (first axis slowest), each merged over `fixed`."""
    out = []
    for combo in itertools.product(*(a.values for a in axes)):
        cfg = dict(fixed)
        cfg.update({a.param: v for a, v in zip(axes, combo, strict=True)})
        out.append(cfg)
    return out


def run_all(requests: Sequence[Request], check: CheckFn, jobs: int = 1) -> list[Report]:
    """Check every request; the result order is the request order whatever `jobs` is."""
    if jobs <= 1 or len(requests) <= 1:
        return [check(r) for r in requests]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(check, requests))


@dataclass(frozen=True)
class Matrix:
    model: str
    axes: tuple[Axis, ...]
    properties: tuple[str, ...]
    rows: tuple[tuple[tuple[tuple[str, ir.Value], ...], Report], ...]  # (bindings of the axes, report)


def build_matrix(model: ir.Model, axes: Sequence[Axis], configs: Sequence[Mapping[str, ir.Value]],
                 reports: Sequence[Report]) -> Matrix:
    props: list[str] = []
    for rep in reports:
        for r in rep.results:
            if r.prop not in props:
                props.append(r.prop)
    rows = tuple((tuple((a.param, cfg[a.param]) for a in axes), rep)
                 for cfg, rep in zip(configs, reports, strict=True))
    return Matrix(model.name, tuple(axes), tuple(props), rows)


# ---------------------------------------------------------------- minimal fixes


@dataclass(frozen=True)
class FixResult:
    """For one setting of the non-mitigation axes: the minimal sets of mitigations that make every
    property pass, and which properties fail when one mitigation is dropped from all of them."""

    bindings: tuple[tuple[str, ir.Value], ...]
    minimal: tuple[frozenset[str], ...]  # empty tuple: no set works
    undecided: tuple[frozenset[str], ...]  # sets whose check was not definitive (UNKNOWN/bounded)
    broken_without: tuple[tuple[str, tuple[str, ...]], ...]  # mitigation -> failing properties
    all_on_failures: tuple[str, ...] = field(default=())  # properties failing even with everything on
    notes: tuple[str, ...] = field(default=())  # e.g. evidence that the mitigations are not monotone


def passes(rep: Report, target: frozenset[str] | None = None) -> bool | None:
    """True: every property in `target` (default: all) passes; False: one of them fails; None:
    not decided."""
    results = [r for r in rep.results if target is None or r.prop in target]
    if any(r.fails for r in results):
        return False
    if all(r.passes for r in results):
        return True
    return None


def failing(rep: Report) -> tuple[str, ...]:
    return tuple(r.prop for r in rep.results if r.fails)


def mitigation_params(model: ir.Model) -> list[str]:
    return [p.name for p in model.params if p.mitigation and isinstance(p.type, BoolT)]


def minimal_fixes(mitigations: Sequence[str], base: Mapping[str, ir.Value],
                  check: Callable[[dict[str, ir.Value]], Report], exhaustive: bool = False) -> FixResult:
    """The smallest sets (fewest mitigations; with `exhaustive`, every inclusion-minimal set) of
    `mitigations` that keep every property that does not fail with all of them on (a property that fails even then is not fixable by these mitigations: it is reported
    in `all_on_failures` and otherwise ignored). `check` takes a full parameter binding.

    Every reported set is checked to work, and checked to be locally minimal (dropping any one of
    its mitigations breaks something). By default the search assumes mitigations are monotone —
    turning one on never breaks a property, which is what makes it a mitigation — so a mitigation
    whose removal from the full set breaks something is in every working set, and the search
    starts from those; `exhaustive=True` drops the assumption and checks every subset by
    increasing size (2^m checks)."""
    def config(on: frozenset[str]) -> dict[str, ir.Value]:
        cfg = dict(base)
        cfg.update({m: (m in on) for m in mitigations})
        return cfg

    everything = frozenset(mitigations)
    all_on = check(config(everything))
    # an open question (`expect any`) is answered, not fixed: no mitigation set is judged by it
    target = frozenset(r.prop for r in all_on.results if not r.fails and r.expect is not ir.Expect.ANY)
    broken = [(m, tuple(p for p in failing(check(config(everything - {m}))) if p in target)) for m in mitigations]
    needed = frozenset() if exhaustive else frozenset(m for m, props in broken if props)
    optional = [m for m in mitigations if m not in needed]
    minimal: list[frozenset[str]] = []
    undecided: list[frozenset[str]] = []
    for size in range(len(optional) + 1):
        for combo in itertools.combinations(optional, size):
            s = needed | frozenset(combo)
            if any(m <= s for m in minimal):
                continue
            verdict = passes(check(config(s)), target)
            if verdict is True:
                minimal.append(s)
            elif verdict is None:
                undecided.append(s)
        if minimal and not exhaustive:
            break  # the smallest sets are found; larger ones are not the answer
    notes = []
    for s in minimal:
        for m in sorted(s):
            if passes(check(config(s - {m})), target) is True:
                notes.append(f"not monotone: {{{', '.join(sorted(s - {m}))}}} works although {{{', '.join(sorted(s))}}} "
                             f"was taken as minimal; rerun with --exhaustive-fixes")
    bindings = tuple(sorted((k, v) for k, v in base.items() if k not in mitigations))
    return FixResult(bindings, tuple(minimal), tuple(undecided), tuple(broken), failing(all_on), tuple(notes))
