"""The commands that check models: `check`, `explore` and `graph` (checker/cli.py parses the
arguments and dispatches here, so that `lint`, `fmt` and `--help` never load the engines)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from checker import api
from checker.backends import DeadlockMode, EngineKind, Options
from checker.console import BUG, sources_of, to_stderr
from checker.explore import baseline
from checker.explore.cluster import ClusterRunner
from checker.explore.run import cache_from_env, check_key, explore_file
from checker.files import write_text_safely
from checker.policy import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_VIOLATION,
    BaselineView,
    Policy,
    exit_status,
)
from checker.progress import Progress, live_terminal
from checker.report.common import Context
from checker.report.dot import render_trace_dot
from checker.report.html import render_html as render_matrix_html
from checker.report.json import render_json
from checker.report.junit import render_junit
from checker.report.matrix import render_fixes_text
from checker.report.matrix import render_json as render_matrix_json
from checker.report.matrix import render_markdown as render_matrix_markdown
from checker.report.matrix import render_text as render_matrix_text
from checker.report.sarif import render_sarif
from checker.report.text import TextOptions, render_text, trace_renderer
from checker.report.timeline import render_html_report
from checker.result import Report
from checker.schedule import InternalError
from spec.config import parse_assignments
from spec.diagnostics import FrontendError, Sink, render_all
from spec.frontend import instantiate, load_model
from spec.source import STDIN_DISPLAY, STDIN_NAMES, read_stdin_text

Inputs = Sequence[str]  # the files a run read: nothing it writes may replace them


def _failed(exc: FrontendError | OSError | InternalError, file: str) -> int:
    """Print why a command could not run; the exit code: 2 bad input, 4 a bug in spec-check."""
    if isinstance(exc, FrontendError):
        to_stderr(render_all(exc.diagnostics, sources_of(exc)))
        return EXIT_BAD_INPUT
    if isinstance(exc, OSError):
        to_stderr(f"{file}: error[E0201]: cannot read `{file}`: {exc.strerror or exc}")
        return EXIT_BAD_INPUT
    to_stderr(f"internal error: {exc}")
    to_stderr(BUG)
    return EXIT_INTERNAL


class BadCluster(Exception):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


@contextlib.contextmanager
def _cluster(args: argparse.Namespace) -> Iterator[ClusterRunner | None]:
    """The Dask cluster `--dask` or `--dask-scheduler-file` names (checker/explore/cluster.py), or None."""
    if args.dask is None and args.dask_scheduler_file is None:
        yield None
        return
    from checker.explore.cluster import INSTALL_HINT, ClusterRunner, DaskMissing, parse_target

    try:
        target = parse_target(args.dask, args.dask_scheduler_file)
    except ValueError as err:
        raise BadCluster(str(err), "--dask local:4 starts four local workers; --dask tcp://HOST:8786 joins a "
                                   "running scheduler") from None
    try:
        runner = ClusterRunner(target).__enter__()
    except DaskMissing as err:
        raise BadCluster(str(err).split(";")[0], INSTALL_HINT) from None
    except OSError as err:
        raise BadCluster(f"cannot reach {target.describe()}: {err}", "is the scheduler running? "
                         "`dask scheduler` prints its address") from None
    try:
        yield runner
    finally:
        runner.__exit__(None, None, None)


def _prepare(args: argparse.Namespace) -> api.Prepared:
    """Load and configure the model named on the command line; FrontendError on bad input."""
    sink = Sink()
    sizes = parse_assignments(args.size, "--size", sink)
    params = parse_assignments(args.set, "--set", sink)
    sink.raise_if_errors()
    if args.file in STDIN_NAMES:  # includes are found from the working directory
        args.file = STDIN_DISPLAY
        text = read_stdin_text(sys.stdin.buffer)
        try:
            loaded = load_model(STDIN_DISPLAY, text)
        except FrontendError as err:
            err.sources[STDIN_DISPLAY] = text
            raise
    else:
        loaded = load_model(args.file)
    if loaded.warnings and not getattr(args, "quiet", False):
        to_stderr(render_all(loaded.warnings, loaded.sources))
    return api.Prepared(instantiate(loaded, sizes, params), args.file, dict(loaded.sources))


def _options(args: argparse.Namespace) -> Options:
    return Options(engine=EngineKind(args.engine), depth=args.depth, timeout=args.timeout or None,
                   max_states=args.max_states, symmetry=args.symmetry, keep_graph=args.keep_graph,
                   deadlock=DeadlockMode(args.deadlock), vacuity=args.vacuity, strict=args.strict,
                   stats=args.stats, seed=args.seed, walks=args.walks, memory_limit=args.memory_limit,
                   all_sizes=args.all_sizes)


def _policy(args: argparse.Namespace) -> Policy:
    bounded = args.depth is not None and args.engine in (EngineKind.BMC.value, EngineKind.EXPLICIT.value)
    return Policy(strict=args.strict, bounded_depth=args.depth if bounded else None,
                  deadlock_error=args.deadlock == DeadlockMode.ERROR.value)


def _render(args: argparse.Namespace, report: Report, ctx: Context, policy: Policy, code: int) -> str:
    if args.format == "json":
        return render_json(report, ctx, policy, code)
    if args.format == "junit":
        return render_junit(report, ctx, policy)
    if args.format == "sarif":
        return render_sarif(report, ctx, policy)
    if args.format == "html":
        return render_html_report(report, ctx, policy)
    # NO_COLOR and FORCE_COLOR as no-color.org and force-color.org say; TERM=dumb has no colour
    color = "NO_COLOR" not in os.environ and (
        bool(os.environ.get("FORCE_COLOR")) or args.output is None and live_terminal(sys.stdout))
    return render_text(report, ctx, TextOptions(color=color, show_invariants=args.show_invariants, explain=args.explain,
                                                    quiet=args.quiet, stats=args.stats, witnesses=args.witnesses))


def _output(path: str | None, text: str, inputs: Inputs) -> bool:
    """Write `text` to `path`, or to stdout; False (after saying why) when the file cannot be written."""
    try:
        if path:
            _write(path, text, inputs)
        else:
            sys.stdout.write(text)
    except OSError as err:
        to_stderr(f"error: cannot write `{err.filename}`: {err.strerror or err}")
        return False
    return True


def _write(path: str, text: str, inputs: Inputs) -> None:
    write_text_safely(path, text, inputs)


def _write_certificates(directory: str, report: Report, inputs: Inputs) -> int:
    """`PROP.invariant.txt` and `PROP.QUERY.smt2` per certified property (checker/symbolic/certificate.py),
    each written like a report: a file planted in DIR (a symlink) is replaced, not followed."""
    from checker.symbolic.certificate import certificate_files

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for r in report.results:
        files = certificate_files(r)
        for name, text in files.items():
            _write(str(folder / name), text, inputs)
        written += bool(files)
    return written


def cmd_check(args: argparse.Namespace) -> int:
    try:
        prepared = _prepare(args)
        cache = cache_from_env(args.cache and not args.keep_graph)
        key = check_key(prepared, args.property, _options(args))
        report = cache.get(key, verify=lambda r: api.unreplayed(r, prepared.instance))
        if report is None:
            progress = None if args.quiet else Progress(sys.stderr, live_terminal(sys.stderr))
            try:
                report = api.run(prepared, args.property or None, _options(args), progress=progress).report
            finally:
                if progress is not None:
                    progress.close()
            cache.put(key, report)
        for w in cache.warnings:
            to_stderr(f"warning: {w}")
    except (FrontendError, OSError, InternalError) as exc:
        return _failed(exc, args.file)
    policy = _policy(args)
    inputs = [args.file, *prepared.sources]
    diffs = None
    if args.baseline:  # compared before the report is made, so every format says what the exit code says
        try:
            diffs = baseline.against(Path(args.baseline), [report])
        except ValueError as err:
            to_stderr(f"error: {err}")
            return EXIT_BAD_INPUT
        policy = replace(policy, baseline=BaselineView.of(diffs, fail_on_gone=args.fail_on_gone, file=args.baseline))
    code = exit_status(report, policy)
    if report.interrupted and code != EXIT_VIOLATION:
        code = EXIT_INTERRUPTED
    code = _emit(args, report, Context(prepared.instance.model), policy, code, inputs)
    if code in (EXIT_BAD_INPUT, EXIT_INTERNAL) or report.interrupted:
        return code
    return _gate(args, [report], code, inputs, diffs)


def _gate(args: argparse.Namespace, reports: list[Report], code: int, inputs: Inputs,
          diffs: list[baseline.Difference] | None = None) -> int:
    """--save-baseline / --baseline: with a baseline, only regressions fail the run. `diffs`: the
    comparison with the baseline when the caller already made it."""
    try:
        if args.save_baseline:
            _write(args.save_baseline, baseline.dumps(reports), [*inputs, *([args.baseline] if args.baseline else [])])
        if not args.baseline:
            return code
        if diffs is None:
            diffs = baseline.against(Path(args.baseline), reports)
    except ValueError as err:
        to_stderr(f"error: {err}")
        return EXIT_BAD_INPUT
    except OSError as err:
        to_stderr(f"error: cannot write `{err.filename}`: {err.strerror or err}")
        return EXIT_BAD_INPUT
    for d in diffs:
        before = d.before.value if d.before else "(absent)"
        after = d.after.value if d.after else "(absent)"
        to_stderr(f"{d.change.value}: {d.prop} [{d.config}]: {before} -> {after}")
    n = Counter(d.change for d in diffs)
    C = baseline.Change
    to_stderr(f"baseline {args.baseline}: {n[C.REGRESSION]} regression(s), {n[C.IMPROVEMENT]} improvement(s), "
              f"{n[C.GONE]} gone"
              + (f", {n[C.CHANGED]} open question(s) answered differently" if n[C.CHANGED] else "")
              + (" (--fail-on-gone)" if n[C.GONE] and args.fail_on_gone else ""))
    regressions = any(d.change is baseline.Change.REGRESSION for d in diffs)
    gone = any(d.change is baseline.Change.GONE for d in diffs)
    return EXIT_VIOLATION if regressions or gone and args.fail_on_gone else code


def cmd_explore(args: argparse.Namespace) -> int:
    options = [("engine", args.engine), ("depth", args.depth), ("timeout", args.timeout or None),
               ("max_states", args.max_states), ("symmetry", args.symmetry), ("vacuity", args.vacuity),
               ("memory_limit", args.memory_limit), ("all_sizes", args.all_sizes)]
    cache = cache_from_env(args.cache)
    try:
        with _cluster(args) as cluster:
            result = explore_file(args.file, args.vary, args.set, args.size, options, jobs=max(1, args.jobs),
                                  cache=cache, want_fixes=args.minimal_fixes or args.exhaustive_fixes,
                                  exhaustive_fixes=args.exhaustive_fixes,
                                  runner=None if cluster is None else cluster.run)
    except (FrontendError, OSError, InternalError) as exc:
        return _failed(exc, args.file)
    except BadCluster as err:
        to_stderr(f"<command line>: error[E0414]: {err.message}\n  = hint: {err.hint}")
        return EXIT_BAD_INPUT
    for w in result.warnings:
        to_stderr(f"warning: {w}")
    trace_text = trace_renderer(Context(result.model))
    m = result.matrix
    reports = [rep for _b, rep in m.rows]
    diffs = None
    if args.baseline:  # compared before the matrix is made, so its JSON says what the exit code says
        try:
            diffs = baseline.against(Path(args.baseline), reports)
        except ValueError as err:
            to_stderr(f"error: {err}")
            return EXIT_BAD_INPUT
    if args.format == "json":
        policies = None if diffs is None else {
            rep.config: Policy(baseline=BaselineView.of(diffs, rep.config, args.fail_on_gone, args.baseline))
            for rep in reports}
        text = render_matrix_json(m, result.fixes, Context(result.model), policies)
    elif args.format == "markdown":
        text = render_matrix_markdown(m, trace_text, layout=args.layout)
    elif args.format == "html":
        text = render_matrix_html(m, trace_text, result.fixes, layout=args.layout, ctx=Context(result.model))
    else:
        text = render_matrix_text(m, trace_text, layout=args.layout)
        if result.fixes is not None:
            text += "\n" + render_fixes_text(result.fixes)
    inputs = [args.file, *result.sources]
    if not _output(args.output, text, inputs):
        return EXIT_BAD_INPUT
    return _gate(args, reports, EXIT_OK, inputs, diffs)


def _emit(args: argparse.Namespace, report: Report, ctx: Context, policy: Policy, code: int, inputs: Inputs) -> int:
    """Print or write the report and the side files; a file that cannot be written is bad input."""
    text = _render(args, report, ctx, policy, code)
    try:
        if args.output:
            _write(args.output, text, inputs)
        else:
            sys.stdout.write(text)
        if args.trace_dot:
            _write(args.trace_dot, render_trace_dot(report), inputs)
        if args.certificate:
            n = _write_certificates(args.certificate, report, inputs)
            if not args.quiet:
                to_stderr(f"wrote {n} certificate{'s' if n != 1 else ''} to {args.certificate}")
    except OSError as err:
        to_stderr(f"error: cannot write `{err.filename}`: {err.strerror or err}")
        return EXIT_BAD_INPUT
    return code


def cmd_graph(args: argparse.Namespace) -> int:
    try:
        prepared = _prepare(args)
        from checker.explicit.engine import ExplicitEngine
        from checker.report.graph import DEFAULT_MAX_STATES, state_graph_text
        from checker.result import Budget

        limit = args.max_states or DEFAULT_MAX_STATES
        engine = ExplicitEngine(prepared.instance, symmetry=args.symmetry, keep_graph=True, deadlock="ignore")
        # one state over the limit is enough to know the graph is too large to draw
        outcome = engine.check([], Budget(max_states=limit + 1))
        if not outcome.exhaustive:
            raise ValueError(f"the state graph has more than {limit} states; raise the limit with --max-states, "
                             "or use smaller sizes (--size)")
        text = state_graph_text(outcome, prepared.instance, fmt=args.format, max_states=limit)
    except FrontendError as e:
        to_stderr(render_all(e.diagnostics, sources_of(e)))
        return EXIT_BAD_INPUT
    except ValueError as err:  # a refusal (graph too large)
        to_stderr(f"error: {err}")
        return EXIT_BAD_INPUT
    return EXIT_OK if _output(args.output, text, [args.file, *prepared.sources]) else EXIT_BAD_INPUT
