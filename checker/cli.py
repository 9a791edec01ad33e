"""The command line: argument parsing, exit codes and output; the work is done elsewhere.

Exit codes: 0 every property holds, 1 a violation, 2 bad input, 3 unknown or timeout,
4 internal error (a bug in spec-check).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from spec.diagnostics import FrontendError, render_all
from spec.frontend import load_model
from spec.parser import parse
from spec.printer import format_module
from spec.source import read_source

EXIT_OK, EXIT_VIOLATION, EXIT_BAD_INPUT, EXIT_UNKNOWN, EXIT_INTERNAL = 0, 1, 2, 3, 4
SUBCOMMANDS = ("check", "lint", "fmt")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spec-check", description="Model checker for guest-private memory designs.")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="check every property of a model (the default command)")
    c.add_argument("file")

    lint = sub.add_parser("lint", help="parse and type-check models, report every error")
    lint.add_argument("files", nargs="+")

    fmt = sub.add_parser("fmt", help="print a model in canonical form")
    fmt.add_argument("file")
    fmt.add_argument("--in-place", action="store_true", help="rewrite the file instead of printing it")
    fmt.add_argument("--check", action="store_true", help="exit 1 if the file is not in canonical form")
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


def cmd_check(args: argparse.Namespace) -> int:
    try:
        loaded = load_model(args.file)
    except FrontendError as e:
        _err(render_all(e.diagnostics, _sources(e)))
        return EXIT_BAD_INPUT
    print(f"{args.file}: parsed and type-checked ({_summary(loaded.model)}); no engine is built yet")
    return EXIT_OK


def run(argv: Sequence[str]) -> int:
    argv = list(argv)
    if argv and argv[0] not in SUBCOMMANDS and not argv[0].startswith("-"):
        argv.insert(0, "check")
    args = _parser().parse_args(argv)
    if args.command == "lint":
        return cmd_lint(args.files)
    if args.command == "fmt":
        return cmd_fmt(args.file, args.in_place, args.check)
    return cmd_check(args)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        _err("interrupted")
        code = 130
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
