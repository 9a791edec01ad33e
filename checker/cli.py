"""The command line: argument parsing, exit codes and output; the work is done elsewhere.

Exit codes (docs/cli.md, checker/policy.py): 0 every property passes, 1 a violation or an
unreachable goal, 2 bad input, 3 undecided (unknown, timeout, bounded only), 4 internal error
(a bug in spec-check), 130 interrupted by Ctrl-C (1 if a violation was found before it).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from checker import api
from checker.backends import DeadlockMode, EngineKind, Options
from checker.explicit.simulate import DEFAULT_WALKS
from checker.explore import baseline
from checker.explore.run import cache_from_env, check_key, explore_file
from checker.policy import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_VIOLATION,
    Policy,
    exit_status,
)
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
from checker.result import Report
from checker.schedule import DEFAULT_DEPTH, InternalError
from spec.config import parse_assignments
from spec.diagnostics import FrontendError, Sink, render_all
from spec.frontend import instantiate, load_model
from spec.parser import parse
from spec.printer import format_module
from spec.source import read_source

SUBCOMMANDS = ("check", "lint", "fmt", "graph", "explore")
FORMATS = ("text", "json", "junit", "sarif")
DEFAULT_TIMEOUT = 300.0
BUG = "this is a bug in spec-check; please report it with the model and the command line that caused it"


def _at_least_one(text: str) -> int:
    n = _positive_int(text)
    if n == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {n}")
    return n


def _seconds(text: str) -> float:
    try:
        t = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a number of seconds") from None
    if t < 0 or t != t:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or a positive number of seconds, not {text}")
    return t


def _config_args(c: argparse.ArgumentParser) -> None:
    c.add_argument("file")
    c.add_argument("--size", action="append", default=[], metavar="SORT=N",
                   help="instance size of a sort (repeatable; comma lists allowed)")
    c.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="value of a model parameter (repeatable; comma lists allowed)")
    c.add_argument("--max-states", type=_positive_int, metavar="N", help="explicit engine: stop after N states")
    c.add_argument("--symmetry", action=argparse.BooleanOptionalAction, default=True,
                   help="explicit engine: reduce states under permutations of sort elements (default: on)")


def _check_args(c: argparse.ArgumentParser) -> None:
    _config_args(c)
    c.add_argument("--engine", choices=[k.value for k in EngineKind], default="auto",
                   help="auto (default: capped explicit search, BMC, k-induction, PDR) or one engine "
                        "(simulate: random walks, finds bugs, never proves)")
    c.add_argument("--depth", type=_positive_int, metavar="K",
                   help=f"BMC depth / induction bound (default {DEFAULT_DEPTH}); explicit: BFS depth; "
                        "simulate: walk length")
    c.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="S",
                   help=f"time budget for the whole run in seconds (default {DEFAULT_TIMEOUT:g}; 0: no limit)")
    c.add_argument("--property", action="append", default=[], metavar="NAME",
                   help="check only this property (repeatable); ACTION:fires names a vacuity goal")
    c.add_argument("--format", choices=FORMATS, default="text", help="report format (default text)")
    c.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    c.add_argument("--quiet", "-q", action="store_true", help="text: print only warnings and the summary")
    c.add_argument("--strict", action="store_true",
                   help="dead actions and undecided vacuity goals fail the run")
    c.add_argument("--no-vacuity", dest="vacuity", action="store_false",
                   help="do not add the ACTION:fires goals")
    c.add_argument("--certificate", metavar="DIR", help="write the certificate of each PROVED property to DIR")
    c.add_argument("--trace-dot", metavar="FILE", help="write every trace as a Graphviz graph to FILE")
    c.add_argument("--show-invariants", action="store_true", help="text: print the invariants behind proofs")
    c.add_argument("--deadlock", choices=[d.value for d in DeadlockMode], default="warn",
                   help="explicit engine: what a state without successors is (default warn)")
    c.add_argument("--keep-graph", action="store_true", help="explicit engine: keep the state graph")
    c.add_argument("--seed", type=_positive_int, default=0, metavar="N",
                   help="simulate: the random walks' seed (default 0; the same seed gives the same traces)")
    c.add_argument("--walks", type=_at_least_one, default=None, metavar="N",
                   help=f"simulate: how many random walks (default {DEFAULT_WALKS:,}, fewer if the time runs out)")
    c.add_argument("--stats", action="store_true",
                   help="text: print each explicit search's states, transitions and rate; with symmetry "
                        "reduction, also count the states the stored orbits stand for")
    _gate_args(c)


def _gate_args(c: argparse.ArgumentParser) -> None:
    c.add_argument("--baseline", metavar="FILE",
                   help="compare with a saved run: exit 1 on regressions only (improvements pass)")
    c.add_argument("--save-baseline", metavar="FILE", help="save this run's verdicts as a baseline")
    c.add_argument("--no-cache", dest="cache", action="store_false",
                   help="do not read or write the result cache (.spec-check-cache/)")


def _explore_args(c: argparse.ArgumentParser) -> None:
    _config_args(c)
    c.add_argument("--vary", action="append", required=True, metavar="PARAMS",
                   help="parameters to vary: enum/bool names (comma list), integer ones as NAME=LO..HI")
    c.add_argument("--engine", choices=[k.value for k in EngineKind], default="auto",
                   help="engine for each configuration (default auto)")
    c.add_argument("--depth", type=_positive_int, metavar="K", help="BMC depth / induction bound")
    c.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="S",
                   help=f"time budget per configuration in seconds (default {DEFAULT_TIMEOUT:g}; 0: no limit)")
    c.add_argument("--format", choices=("text", "markdown", "json", "html"), default="text",
                   help="matrix format (default text)")
    c.add_argument("-o", "--output", metavar="FILE", help="write the matrix to FILE instead of stdout")
    c.add_argument("--layout", choices=("auto", "configs", "properties"), default="auto",
                   help="text: one row per configuration, or per property (auto: whichever fits 160 columns)")
    c.add_argument("--jobs", "-j", type=_positive_int, default=1, metavar="N",
                   help="check configurations in N worker processes (same results as -j 1)")
    c.add_argument("--vacuity", action="store_true",
                   help="also show the ACTION:fires goals as columns (off: dead actions are the check command's "
                        "business)")
    c.add_argument("--exhaustive-fixes", action="store_true",
                   help="with --minimal-fixes: check every subset of the mitigations and report every "
                        "inclusion-minimal set (2^m checks) instead of assuming mitigations are monotone")
    c.add_argument("--minimal-fixes", action="store_true",
                   help="for each setting of the varied parameters, find the smallest sets of mitigation "
                        "parameters under which every property passes")
    _gate_args(c)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spec-check", description="Model checker for guest-private memory designs.",
                                epilog="exit codes: 0 all pass, 1 violation, 2 bad input, 3 undecided "
                                       "(unknown, timeout, bounded only), 4 internal error, 130 interrupted")
    sub = p.add_subparsers(dest="command", required=True)

    _check_args(sub.add_parser("check", help="check every property of a model (the default command)"))

    lint = sub.add_parser("lint", help="parse and type-check models, report every error")
    lint.add_argument("files", nargs="+")

    fmt = sub.add_parser("fmt", help="print a model in canonical form")
    fmt.add_argument("file")
    fmt.add_argument("--in-place", action="store_true", help="rewrite the file instead of printing it")
    fmt.add_argument("--check", action="store_true", help="exit 1 if the file is not in canonical form")

    _explore_args(sub.add_parser("explore", help="check every combination of some parameters' values: "
                                 "the design-space matrix"))

    g = sub.add_parser("graph", help="write the reachable state graph (explicit engine)")
    _config_args(g)
    g.add_argument("-o", "--output", metavar="FILE", help="write the graph to FILE instead of stdout")
    g.add_argument("--format", choices=("dot", "graphml"), default="dot")
    return p


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def cmd_lint(files: list[str]) -> int:
    status = EXIT_OK
    for f in files:
        try:
            loaded = load_model(f)
        except FrontendError as e:
            _err(render_all(e.diagnostics, _sources(e)))
            status = EXIT_BAD_INPUT
            continue
        if loaded.warnings:
            _err(render_all(loaded.warnings, loaded.sources))
        print(f"{f}: ok ({_summary(loaded.model)})")
    return status


def _summary(m) -> str:
    return (f"{len(m.vars)} variables, {len(m.actions)} actions, "
            f"{sum(1 for p in m.properties if p.kind.value in ('invariant', 'reachable'))} properties")


def _sources(e: FrontendError) -> dict[str, str]:
    out: dict[str, str] = {}
    for d in e.diagnostics:
        for span in [d.span] + [n.span for n in d.notes]:
            if span.file not in out and span.line > 0:
                try:
                    out[span.file] = Path(span.file).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    pass
    return out


def cmd_fmt(file: str, in_place: bool, check: bool) -> int:
    try:
        src = read_source(Path(file), file)
        module = parse(src)
    except FrontendError as e:
        _err(render_all(e.diagnostics, _sources(e)))
        return EXIT_BAD_INPUT
    except OSError as err:
        _err(f"{file}: error[E0201]: cannot read `{file}`: {err.strerror or err}")
        return EXIT_BAD_INPUT
    text = format_module(module)
    if check:
        if text != src.text:
            _err(f"{file}: not in canonical form (run `spec-check fmt --in-place {file}`)")
            return EXIT_VIOLATION
        return EXIT_OK
    if in_place:
        if text != src.text:
            tmp = Path(file + ".fmt-tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(file)
        return EXIT_OK
    sys.stdout.write(text)
    return EXIT_OK


def _failed(exc: FrontendError | OSError | InternalError, file: str) -> int:
    """Print why a command could not run; the exit code: 2 bad input, 4 a bug in spec-check."""
    if isinstance(exc, FrontendError):
        _err(render_all(exc.diagnostics, _sources(exc)))
        return EXIT_BAD_INPUT
    if isinstance(exc, OSError):
        _err(f"{file}: error[E0201]: cannot read `{file}`: {exc.strerror or exc}")
        return EXIT_BAD_INPUT
    _err(f"internal error: {exc}")
    _err(BUG)
    return EXIT_INTERNAL


def _prepare(args: argparse.Namespace) -> api.Prepared:
    """Load and configure the model named on the command line; FrontendError on bad input."""
    sink = Sink()
    sizes = parse_assignments(args.size, "--size", sink)
    params = parse_assignments(args.set, "--set", sink)
    sink.raise_if_errors()
    loaded = load_model(args.file)
    if loaded.warnings and not getattr(args, "quiet", False):
        _err(render_all(loaded.warnings, loaded.sources))
    return api.Prepared(instantiate(loaded, sizes, params), args.file, dict(loaded.sources))


def _options(args: argparse.Namespace) -> Options:
    return Options(engine=EngineKind(args.engine), depth=args.depth, timeout=args.timeout or None,
                   max_states=args.max_states, symmetry=args.symmetry, keep_graph=args.keep_graph,
                   deadlock=DeadlockMode(args.deadlock), vacuity=args.vacuity, strict=args.strict,
                   stats=args.stats, seed=args.seed, walks=args.walks)


def _policy(args: argparse.Namespace) -> Policy:
    bounded = args.depth is not None and args.engine in (EngineKind.BMC.value, EngineKind.EXPLICIT.value)
    return Policy(strict=args.strict, bounded_depth=args.depth if bounded else None,
                  deadlock_error=args.deadlock == DeadlockMode.ERROR.value)


def _progress(enabled: bool):
    if not enabled:
        return None

    def say(msg: str) -> None:
        sys.stderr.write("\r\x1b[K" + msg[:120])
        sys.stderr.flush()

    return say


def _render(args: argparse.Namespace, report: Report, ctx: Context, policy: Policy, code: int) -> str:
    if args.format == "json":
        return render_json(report, ctx, policy, code)
    if args.format == "junit":
        return render_junit(report, ctx, policy)
    if args.format == "sarif":
        return render_sarif(report, ctx, policy)
    color = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return render_text(report, ctx, TextOptions(color=color, show_invariants=args.show_invariants, quiet=args.quiet,
                                                    stats=args.stats))


def _output(path: str | None, text: str) -> bool:
    """Write `text` to `path`, or to stdout; False (after saying why) when the file cannot be written."""
    try:
        if path:
            _write(path, text)
        else:
            sys.stdout.write(text)
    except OSError as err:
        _err(f"error: cannot write `{err.filename}`: {err.strerror or err}")
        return False
    return True


def _write(path: str, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")


def _write_certificates(directory: str, report: Report) -> int:
    """`PROP.invariant.txt` and `PROP.QUERY.smt2` per certified property (checker/symbolic/certificate.py)."""
    from checker.symbolic.certificate import write_certificate

    return sum(1 for r in report.results if write_certificate(r, directory))


def cmd_check(args: argparse.Namespace) -> int:
    try:
        prepared = _prepare(args)
        progress = _progress(sys.stderr.isatty() and not args.quiet)
        cache = cache_from_env(args.cache and not args.keep_graph)
        key = check_key(prepared, args.property, _options(args))
        report = cache.get(key)
        if report is None:
            try:
                report = api.run(prepared, args.property or None, _options(args), progress=progress).report
            finally:
                if progress is not None:
                    sys.stderr.write("\r\x1b[K")
            cache.put(key, report)
        for w in cache.warnings:
            _err(f"warning: {w}")
    except (FrontendError, OSError, InternalError) as exc:
        return _failed(exc, args.file)
    policy = _policy(args)
    code = exit_status(report, policy)
    if report.interrupted and code != EXIT_VIOLATION:
        code = EXIT_INTERRUPTED
    code = _emit(args, report, Context(prepared.instance.model), policy, code)
    if code in (EXIT_BAD_INPUT, EXIT_INTERNAL) or report.interrupted:
        return code
    return _gate(args, [report], code)


def _gate(args: argparse.Namespace, reports: list[Report], code: int) -> int:
    """--save-baseline / --baseline: with a baseline, only regressions fail the run."""
    try:
        if args.save_baseline:
            baseline.save(Path(args.save_baseline), reports)
        if not args.baseline:
            return code
        diffs = baseline.compare(baseline.load(Path(args.baseline)), reports)
    except ValueError as err:
        _err(f"error: {err}")
        return EXIT_BAD_INPUT
    except OSError as err:
        _err(f"error: cannot write `{err.filename}`: {err.strerror or err}")
        return EXIT_BAD_INPUT
    for d in diffs:
        before = d.before.value if d.before else "(absent)"
        after = d.after.value if d.after else "(absent)"
        _err(f"{d.change.value}: {d.prop} [{d.config}]: {before} -> {after}")
    regressions = sum(1 for d in diffs if d.change is baseline.Change.REGRESSION)
    _err(f"baseline {args.baseline}: {regressions} regression(s), "
         f"{sum(1 for d in diffs if d.change is baseline.Change.IMPROVEMENT)} improvement(s)")
    return EXIT_VIOLATION if regressions else EXIT_OK


def cmd_explore(args: argparse.Namespace) -> int:
    options = [("engine", args.engine), ("depth", args.depth), ("timeout", args.timeout or None),
               ("max_states", args.max_states), ("symmetry", args.symmetry), ("vacuity", args.vacuity)]
    cache = cache_from_env(args.cache)
    try:
        result = explore_file(args.file, args.vary, args.set, args.size, options, jobs=max(1, args.jobs),
                              cache=cache, want_fixes=args.minimal_fixes or args.exhaustive_fixes,
                              exhaustive_fixes=args.exhaustive_fixes)
    except (FrontendError, OSError, InternalError) as exc:
        return _failed(exc, args.file)
    for w in result.warnings:
        _err(f"warning: {w}")
    trace_text = trace_renderer(Context(result.model))
    m = result.matrix
    if args.format == "json":
        text = render_matrix_json(m, result.fixes, Context(result.model))
    elif args.format == "markdown":
        text = render_matrix_markdown(m, trace_text)
    elif args.format == "html":
        text = render_matrix_html(m, trace_text, result.fixes)
    else:
        text = render_matrix_text(m, trace_text, layout=args.layout)
        if result.fixes is not None:
            text += "\n" + render_fixes_text(result.fixes)
    if not _output(args.output, text):
        return EXIT_BAD_INPUT
    return _gate(args, [rep for _b, rep in m.rows], EXIT_OK)


def _emit(args: argparse.Namespace, report: Report, ctx: Context, policy: Policy, code: int) -> int:
    """Print or write the report and the side files; a file that cannot be written is bad input."""
    text = _render(args, report, ctx, policy, code)
    try:
        if args.output:
            _write(args.output, text)
        else:
            sys.stdout.write(text)
        if args.trace_dot:
            _write(args.trace_dot, render_trace_dot(report))
        if args.certificate:
            n = _write_certificates(args.certificate, report)
            if not args.quiet:
                _err(f"wrote {n} certificate{'s' if n != 1 else ''} to {args.certificate}")
    except OSError as err:
        _err(f"error: cannot write `{err.filename}`: {err.strerror or err}")
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
        _err(render_all(e.diagnostics, _sources(e)))
        return EXIT_BAD_INPUT
    except ValueError as err:  # a refusal (graph too large)
        _err(f"error: {err}")
        return EXIT_BAD_INPUT
    return EXIT_OK if _output(args.output, text) else EXIT_BAD_INPUT


def run(argv: Sequence[str]) -> int:
    argv = list(argv)
    if argv and argv[0] not in SUBCOMMANDS and not argv[0].startswith("-"):
        argv.insert(0, "check")
    args = _parser().parse_args(argv)
    if args.command == "lint":
        return cmd_lint(args.files)
    if args.command == "fmt":
        return cmd_fmt(args.file, args.in_place, args.check)
    if args.command == "graph":
        return cmd_graph(args)
    if args.command == "explore":
        return cmd_explore(args)
    return cmd_check(args)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        _err("interrupted")
        code = EXIT_INTERRUPTED
    except SystemExit as e:  # argparse: usage errors are bad input
        code = e.code if isinstance(e.code, int) else EXIT_BAD_INPUT
    except Exception:  # noqa: BLE001 - the last line of defence: never a bare traceback
        _err("internal error: this is a bug in spec-check; please report it with the input that caused it")
        _err(traceback.format_exc())
        code = EXIT_INTERNAL
    if argv is None:
        sys.exit(code)
    return code


if __name__ == "__main__":
    main()
