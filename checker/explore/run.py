"""Running explore and cached checks: model file x axes x options -> Matrix (+ minimal fixes).

The pure pieces (axes, configurations, the minimal-fix search) are in checker/explore/matrix.py; this
module loads the model once, builds one picklable Request per configuration, answers what it can
from the result cache, checks the rest (in worker processes with `jobs > 1`) and stores them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from checker.api import check_request, unreplayed_request
from checker.explore.cache import Cache, cache_key
from checker.explore.matrix import (
    Axis,
    FixResult,
    Matrix,
    Request,
    build_matrix,
    configurations,
    minimal_fixes,
    mitigation_params,
    parse_vary,
    run_all,
)
from checker.result import Report
from spec import ir
from spec.config import match_name, parse_assignments
from spec.diagnostics import FrontendError, Sink
from spec.frontend import instantiate, load_model

CheckFn = Callable[[Request], Report]


def cache_from_env(enabled: bool = True) -> Cache:
    """The cache the command line uses: `.spec-check-cache/` in the working directory, or
    $SPEC_CHECK_CACHE; disabled by `--no-cache` or SPEC_CHECK_NO_CACHE=1."""
    directory = Path(os.environ.get("SPEC_CHECK_CACHE", ".spec-check-cache"))
    if os.environ.get("SPEC_CHECK_NO_CACHE") == "1":
        enabled = False
    return Cache(directory, enabled)


def request_key(req: Request) -> str:
    config = {"params": sorted((k, repr(v)) for k, v in req.params),
              "sizes": sorted(req.sizes), "options": sorted((k, repr(v)) for k, v in req.options)}
    return cache_key(dict(req.sources), config)


def check_key(prepared, properties: Sequence[str], options) -> str:
    """The cache key of one `spec-check FILE` run (a configured instance, properties, options)."""
    from dataclasses import asdict

    inst = prepared.instance
    config = {"params": sorted((k, repr(v)) for k, v in inst.bindings), "sizes": sorted(inst.sizes),
              "options": sorted((k, repr(v)) for k, v in asdict(options).items()),
              "properties": sorted(properties or []), "file": prepared.file}
    return cache_key(prepared.sources, config)


# (requests, check, on_result(i, report) as each finishes) -> reports in request order: where the
# checks run when not in this machine's process pool (checker/explore/cluster.py)
Runner = Callable[[Sequence[Request], CheckFn, Callable[[int, Report], None]], list[Report]]


class CachedChecker:
    """Checks requests through the cache; counts what it did. With a `runner` (a Dask cluster)
    each result is cached as it arrives, so an interrupted matrix resumes where it stopped."""

    def __init__(self, cache: Cache, check: CheckFn, jobs: int = 1, runner: Runner | None = None):
        self.cache = cache
        self.check = check
        self.jobs = jobs
        self.runner = runner
        self.memo: dict[str, Report] = {}

    def _cached(self, req: Request, key: str) -> Report | None:
        """A cache entry for `req`, once every trace in it replays (see checker/explore/cache.py)."""
        return self.cache.get(key, verify=lambda rep: unreplayed_request(req, rep))

    def many(self, requests: Sequence[Request]) -> list[Report]:
        keys = [request_key(r) for r in requests]
        out: dict[int, Report] = {}
        todo: list[int] = []
        for i, k in enumerate(keys):
            hit = self.memo.get(k) or self._cached(requests[i], k)
            if hit is not None:
                out[i] = hit
            else:
                todo.append(i)
        # Duplicate configurations are checked once.
        first: dict[str, int] = {}
        unique = [i for i in todo if first.setdefault(keys[i], i) == i]

        def keep(j: int, rep: Report) -> None:
            self.memo[keys[unique[j]]] = rep
            self.cache.put(keys[unique[j]], rep)

        if self.runner is not None:
            self.runner([requests[i] for i in unique], self.check, keep)
        else:
            for j, rep in enumerate(run_all([requests[i] for i in unique], self.check, self.jobs)):
                keep(j, rep)
        for i in todo:
            out[i] = self.memo[keys[i]]
        return [out[i] for i in range(len(requests))]

    def one(self, req: Request) -> Report:
        return self.many([req])[0]


@dataclass(frozen=True)
class ExploreResult:
    matrix: Matrix
    fixes: list[FixResult] | None
    model: ir.Model
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # every file read: the model and its includes


def _fixed_values(base: ir.Instance, sets: Mapping[str, str]) -> dict[str, ir.Value]:
    """The --set parameters by their qualified names, with the values `base` (configured from
    them, so every name and value has been checked) bound them to."""
    names = [p.name for p in base.model.params]
    out: dict[str, ir.Value] = {}
    for name in sets:
        q = match_name(name, names)
        assert q is not None, name  # instantiate() accepted it
        out[q] = base.binding(q)
    return out


def explore_file(path: str, vary: Sequence[str], sets: Sequence[str], sizes: Sequence[str],
                 options: Sequence[tuple[str, object]], *, jobs: int = 1, cache: Cache | None = None,
                 want_fixes: bool = False, exhaustive_fixes: bool = False,
                 check: CheckFn | None = None, runner: Runner | None = None) -> ExploreResult:
    """Raises FrontendError for bad input (unknown parameters, values out of domain...).
    `check` checks one configuration (default: checker.api.check_request); `runner` runs the
    checks elsewhere (a Dask cluster) instead of in `jobs` local processes."""
    check = check or check_request
    loaded = load_model(path)
    sink = Sink(sources=dict(loaded.sources))
    axes = parse_vary(vary, loaded.model, sink)
    set_raw = parse_assignments(list(sets), "--set", sink)
    size_raw = parse_assignments(list(sizes), "--size", sink)
    sink.raise_if_errors()
    # Configured once: validates --set and --size with good messages, and resolves their names,
    # so two spellings of one sort or parameter give one request (and one cache key).
    base = instantiate(loaded, size_raw, set_raw)
    fixed = _fixed_values(base, set_raw)
    overlap = [a.param for a in axes if a.param in fixed]
    if overlap:
        from spec.config import CLI

        sink.error(CLI, "E0410", f"`{overlap[0]}` is both varied and set", "drop it from --vary or from --set")
        sink.raise_if_errors()
    # Only the sizes given: a sort sized by a parameter follows that parameter along an axis.
    sorts = [s.name for s in base.model.sorts]
    sizes_t = tuple(sorted((q, base.size(q)) for q in (match_name(n, sorts) for n in size_raw) if q is not None))
    sources = tuple(sorted(loaded.sources.items()))
    checker = CachedChecker(cache or Cache(enabled=False), check, jobs, runner)

    def request(cfg: Mapping[str, ir.Value]) -> Request:
        return Request(loaded.model, path, sources, tuple(sorted(cfg.items())), sizes_t, tuple(options))

    configs = configurations(axes, fixed)
    reports = checker.many([request(c) for c in configs])
    matrix = build_matrix(loaded.model, axes, configs, reports)
    fixes = _fixes(loaded.model, axes, fixed, checker, request, exhaustive_fixes) if want_fixes else None
    warnings = list(cache.warnings if cache else [])
    return ExploreResult(matrix, fixes, loaded.model, warnings, dict(loaded.sources))


def _fixes(model: ir.Model, axes: Sequence[Axis], fixed: Mapping[str, ir.Value], checker: CachedChecker,
           request: Callable[[Mapping[str, ir.Value]], Request], exhaustive: bool) -> list[FixResult]:
    """Minimal mitigation sets for every combination of the varied non-mitigation axes."""
    mitigations = [m for m in mitigation_params(model) if m not in fixed and m not in {a.param for a in axes}]
    base_axes = [a for a in axes if a.param not in mitigation_params(model)]
    if not mitigations:
        raise FrontendError([_no_mitigations(model)])
    bases = configurations(base_axes, fixed)
    if checker.runner is not None and len(bases) > 1:
        # The searches run side by side here, each submitting its checks to the cluster one by one.
        with ThreadPoolExecutor(max_workers=len(bases)) as threads:
            return list(threads.map(lambda b: minimal_fixes(mitigations, b, lambda cfg: checker.one(request(cfg)),
                                                            exhaustive), bases))
    if checker.jobs > 1 and len(bases) > 1:
        # One worker per base configuration; each runs its own (sequential, cached) search.
        with ProcessPoolExecutor(max_workers=checker.jobs) as pool:
            futures = [pool.submit(_fix_worker, mitigations, b, request(b), checker.cache.directory,
                                   checker.cache.enabled, checker.check, exhaustive) for b in bases]
            return [f.result() for f in futures]
    return [minimal_fixes(mitigations, b, lambda cfg: checker.one(request(cfg)), exhaustive) for b in bases]


def _fix_worker(mitigations: list[str], base: dict[str, ir.Value], template: Request, cache_dir: Path,
                cache_on: bool, check: CheckFn, exhaustive: bool) -> FixResult:
    checker = CachedChecker(Cache(cache_dir, cache_on), check, 1)

    def run(cfg: dict[str, ir.Value]) -> Report:
        return checker.one(Request(template.model, template.file, template.sources, tuple(sorted(cfg.items())),
                                   template.sizes, template.options))

    return minimal_fixes(mitigations, base, run, exhaustive)


def _no_mitigations(model: ir.Model):
    from spec.config import CLI
    from spec.diagnostics import Diagnostic, Severity

    return Diagnostic(CLI, Severity.ERROR, "E0413", f"model `{model.name}` declares no mitigation parameters",
                      "mark kernel design choices with `mitigation param NAME: bool = true;`")
