"""The command line: argument parsing, exit codes and output; the work is done elsewhere.

Exit codes (docs/cli.md, checker/policy.py): 0 every property passes, 1 a violation or an
unreachable goal, 2 bad input, 3 undecided (unknown, timeout, bounded only), 4 internal error
(a bug in spec-check), 130 interrupted by Ctrl-C (1 if a violation was found before it).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from checker.backends import DeadlockMode, EngineKind
from checker.console import sources_of, to_stderr
from checker.explicit.simulate import DEFAULT_WALKS
from checker.policy import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNKNOWN,
    EXIT_VIOLATION,
)
from checker.schedule import DEFAULT_DEPTH

SUBCOMMANDS = ("check", "lint", "fmt", "graph", "explore", "completion", "lsp")
FORMATS = ("text", "json", "junit", "sarif", "html")
COMPLETION_SHELLS = ("bash", "zsh", "fish", "tcsh")
BAD_OPTION = "E0414"  # docs/errors.md
# shtab's completer for a model file argument (shtab.FILE, without importing shtab here)
MODEL_FILES = {"bash": "_shtab_compgen_files", "zsh": "_files", "tcsh": "f"}
DEFAULT_TIMEOUT = 600.0


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


def _memory_size(text: str) -> str:
    from checker.memory import parse_size

    try:
        parse_size(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def _config_args(c: argparse.ArgumentParser) -> None:
    c.add_argument("file").complete = MODEL_FILES  # type: ignore[attr-defined]
    c.add_argument("--size", action="append", default=[], metavar="SORT=N",
                   help="instance size of a sort (repeatable; comma lists allowed)")
    c.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="value of a model parameter (repeatable; comma lists allowed)")
    c.add_argument("--max-states", type=_positive_int, metavar="N", help="explicit engine: stop after N states")
    c.add_argument("--symmetry", action=argparse.BooleanOptionalAction, default=True,
                   help="explicit engine: reduce states under permutations of sort elements (default: on)")
    c.add_argument("--memory-limit", type=_memory_size, metavar="SIZE",
                   help="memory (address space) each process of the run may use, e.g. 4G or 512M (0: no "
                        "limit); past it what is undecided is UNKNOWN (default: $SPEC_CHECK_MEMORY_LIMIT, "
                        "else half the machine's memory)")


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
    c.add_argument("--all-sizes", action=argparse.BooleanOptionalAction, default=None,
                   help="after the fixed-size proofs, look for proofs for every number of elements per sort "
                        "(PROVED ALL SIZES; within --timeout; default: on with --engine auto, off otherwise)")
    c.add_argument("--certificate", metavar="DIR", help="write the certificate of each PROVED property to DIR")
    c.add_argument("--trace-dot", metavar="FILE", help="write every trace as a Graphviz graph to FILE")
    c.add_argument("--show-invariants", action="store_true", help="text: print the invariants behind proofs")
    c.add_argument("--witnesses", action="store_true",
                   help="text: also print the witness traces of goals reached as expected (failures are always printed)")
    c.add_argument("--explain", action="store_true",
                   help="text: print what each proof rests on (guards, assignments, initial values, parameters)")
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
    c.add_argument("--fail-on-gone", action="store_true",
                   help="with --baseline: a property of the baseline that this run no longer has fails it")
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
                   help="one row per configuration, or per property (auto: text and markdown whichever fits "
                        "160 columns, html one row per property)")
    c.add_argument("--jobs", "-j", type=_positive_int, default=1, metavar="N",
                   help="check configurations in N worker processes (same results as -j 1)")
    c.add_argument("--dask", metavar="CLUSTER",
                   help="check configurations on a Dask cluster: local[:N] starts one with N workers, "
                        "tcp://HOST:PORT joins a running scheduler (needs the `dask` extra)")
    c.add_argument("--dask-scheduler-file", metavar="FILE",
                   help="check configurations on the Dask cluster whose scheduler wrote FILE")
    c.add_argument("--all-sizes", action="store_true",
                   help="look for proofs for every number of elements per sort after each configuration's "
                        "fixed-size proofs (PROVED ALL SIZES cells)")
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


class _Parser(argparse.ArgumentParser):
    """argparse with the house error form: `<command line>: error[E0414]: ...` and a hint, not
    a screen of usage (subcommand parsers are of this class too)."""

    def error(self, message: str) -> NoReturn:
        to_stderr(f"<command line>: error[{BAD_OPTION}]: {message}\n  = hint: `{self.prog} --help` lists the options")
        raise SystemExit(EXIT_BAD_INPUT)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spec-check")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


USAGE = """usage: spec-check [check] FILE [options]          check every property of a model
       spec-check lint FILE...                        parse and type-check models
       spec-check fmt [--check | --in-place] FILE...  print models in canonical form
       spec-check explore FILE --vary PARAMS          the design-space matrix
       spec-check graph FILE                          the reachable state graph
       spec-check completion bash|zsh|fish|tcsh       a shell completion script
       spec-check lsp                                 the language server, over stdio
       spec-check COMMAND --help                      the options of a command
       spec-check --version
"""


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="spec-check", description="Model checker for guest-private memory designs.",
                                epilog="exit codes: 0 all pass, 1 violation, 2 bad input, 3 undecided "
                                       "(unknown, timeout, bounded only), 4 internal error, 130 interrupted")
    p.add_argument("--version", action="version", version=f"spec-check {_version()}")
    sub = p.add_subparsers(dest="command", required=True)

    _check_args(sub.add_parser("check", help="check every property of a model (the default command)"))

    lint = sub.add_parser("lint", help="parse and type-check models, report every error")
    lint.add_argument("files", nargs="+").complete = MODEL_FILES  # type: ignore[attr-defined]

    fmt = sub.add_parser("fmt", help="print a model in canonical form")
    fmt.add_argument("files", nargs="+", metavar="file").complete = MODEL_FILES  # type: ignore[attr-defined]
    fmt.add_argument("--in-place", action="store_true", help="rewrite the files instead of printing them")
    fmt.add_argument("--check", action="store_true",
                     help="print how each file differs from its canonical form; exit 1 if one does")

    _explore_args(sub.add_parser("explore", help="check every combination of some parameters' values: "
                                 "the design-space matrix"))

    g = sub.add_parser("graph", help="write the reachable state graph (explicit engine)")
    _config_args(g)
    g.add_argument("-o", "--output", metavar="FILE", help="write the graph to FILE instead of stdout")
    g.add_argument("--format", choices=("dot", "graphml"), default="dot")

    comp = sub.add_parser("completion", help="print a shell completion script (needs the `completion` extra)")
    comp.add_argument("shell", choices=COMPLETION_SHELLS)

    sub.add_parser("lsp", help="run the language server over stdio, for editors (needs the `lsp` extra; "
                               "docs/editors.md)")
    return p


def cmd_lsp() -> int:
    """The language server (checker/lsp/), speaking LSP on stdin and stdout until the editor stops it."""
    try:
        from checker.lsp.server import main as serve
    except ImportError as err:
        to_stderr(f"<command line>: error[{BAD_OPTION}]: the language server needs pygls ({err.name} is missing)\n"
                  "  = hint: pip install 'spec-check[lsp]'")
        return EXIT_BAD_INPUT
    return serve()


def cmd_completion(shell: str) -> int:
    """The parser, as a completion script by shtab (docs/decisions/0022)."""
    try:
        import shtab
    except ImportError:
        to_stderr(f"<command line>: error[{BAD_OPTION}]: shell completion needs shtab\n"
                  "  = hint: pip install 'spec-check[completion]'")
        return EXIT_BAD_INPUT
    sys.stdout.write(shtab.complete(_parser(), shell=shell) + "\n")
    return EXIT_OK


def cmd_lint(files: list[str]) -> int:
    from spec.diagnostics import FrontendError, render_all
    from spec.frontend import load_model

    status = EXIT_OK
    for f in files:
        try:
            loaded = load_model(f)
        except FrontendError as e:
            to_stderr(render_all(e.diagnostics, sources_of(e)))
            status = EXIT_BAD_INPUT
            continue
        if loaded.warnings:
            to_stderr(render_all(loaded.warnings, loaded.sources))
        print(f"{f}: ok ({_summary(loaded.model)})")
    return status


def _summary(m) -> str:
    return (f"{len(m.vars)} variables, {len(m.actions)} actions, "
            f"{sum(1 for p in m.properties if p.kind.value in ('invariant', 'reachable', 'property'))} properties")


def cmd_fmt(files: list[str], in_place: bool, check: bool) -> int:
    if len(files) > 1 and not (in_place or check):
        to_stderr(f"<command line>: error[{BAD_OPTION}]: fmt prints one file; give --check or --in-place for several\n"
                  "  = hint: `spec-check fmt --check a.spec b.spec` shows what would change in each")
        return EXIT_BAD_INPUT
    codes = [_fmt_one(f, in_place, check) for f in files]
    return max(codes)  # bad input (2) over not canonical (1) over ok (0)


def _fmt_one(file: str, in_place: bool, check: bool) -> int:
    import difflib

    from spec.diagnostics import FrontendError, render_all
    from spec.parser import parse
    from spec.printer import format_module
    from spec.source import read_source

    try:
        src = read_source(Path(file), file)
        module = parse(src)
    except FrontendError as e:
        to_stderr(render_all(e.diagnostics, sources_of(e)))
        return EXIT_BAD_INPUT
    except OSError as err:
        to_stderr(f"{file}: error[E0201]: cannot read `{file}`: {err.strerror or err}")
        return EXIT_BAD_INPUT
    text = format_module(module)
    if check:
        if text != src.text:
            sys.stdout.writelines(difflib.unified_diff(src.text.splitlines(keepends=True), text.splitlines(keepends=True),
                                                       f"{file}", f"{file} (canonical)"))
            to_stderr(f"{file}: not in canonical form (run `spec-check fmt --in-place {file}`)")
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


def run(argv: Sequence[str]) -> int:
    argv = list(argv)
    if not argv:
        to_stderr(USAGE.rstrip())
        return EXIT_BAD_INPUT
    # `spec-check FILE ...` and `spec-check --no-cache FILE ...` mean `check`: the top level has
    # no option of its own but --help and --version
    if argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "check")
    args = _parser().parse_args(argv)
    if args.command == "lint":
        return cmd_lint(args.files)
    if args.command == "fmt":
        return cmd_fmt(args.files, args.in_place, args.check)
    if args.command == "completion":
        return cmd_completion(args.shell)
    if args.command == "lsp":
        return cmd_lsp()
    from checker import memory

    try:
        args.memory_limit = memory.resolve(args.memory_limit)
    except ValueError as err:  # a malformed $SPEC_CHECK_MEMORY_LIMIT (the option is checked by argparse)
        to_stderr(f"spec-check: error: {err}")
        return EXIT_BAD_INPUT
    # check, explore and graph load the engines and reports: imported only when asked for
    from checker import commands

    if args.command == "graph":  # check and explore pass the limit in Options, to the scheduler
        with memory.limited(args.memory_limit):
            return commands.cmd_graph(args)
    if args.command == "explore":
        return commands.cmd_explore(args)
    return commands.cmd_check(args)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        to_stderr("interrupted")
        code = EXIT_INTERRUPTED
    except MemoryError:  # outside the engines (which report UNKNOWN): no verdict could be made
        from checker.memory import exhausted

        to_stderr(f"spec-check: {exhausted()} before the run could report; nothing was decided")
        code = EXIT_UNKNOWN
    except SystemExit as e:  # argparse: usage errors are bad input
        code = e.code if isinstance(e.code, int) else EXIT_BAD_INPUT
    except Exception:  # noqa: BLE001 - the last line of defence: never a bare traceback
        to_stderr("internal error: this is a bug in spec-check; please report it with the input that caused it")
        to_stderr(traceback.format_exc())
        code = EXIT_INTERNAL
    if argv is None:
        sys.exit(code)
    return code


if __name__ == "__main__":
    main()
