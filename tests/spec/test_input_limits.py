"""What the front end reads and how much: regular files only, never more than the size limit
whatever the file claims, brackets counted toward the nesting limit, a bound on the tokens of a
file, and diagnostics that quote a window of a long line (decision 0003)."""

from __future__ import annotations

import errno
import os
import stat
import threading

import pytest

from spec import source
from spec.diagnostics import Diagnostic, FrontendError, Severity, did_you_mean, render
from spec.frontend import instantiate, load_model
from spec.parser import MAX_NESTING, MAX_TOKENS, _parser, parse
from spec.prescan import scan
from spec.source import SourceFile, Span, read_bounded
from tests.spec.helpers import codes, errors_of, model_of
from tests.spec.test_roundtrip import model_files

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


def _error(text: str) -> Diagnostic:
    with pytest.raises(FrontendError) as info:
        parse(SourceFile("t.spec", text))
    (diag,) = info.value.diagnostics
    return diag


# ---------------------------------------------------------------- brackets and nesting


@pytest.mark.parametrize("open_, close", [("(", ")"), ("[", "]")])
def test_brackets_count_toward_the_nesting_limit(open_, close):
    # `((x))` leaves no level in lark's tree: 10^5 of them passed the limit and took 5.6 s
    inner = "x" if open_ == "(" else "p"
    text = "invariant i: " + open_ * (MAX_NESTING + 1) + inner + close * (MAX_NESTING + 1) + ";\n"
    diag = _error(text)
    assert diag.code == "E0106" and (diag.span.line, diag.span.col) == (1, 14 + MAX_NESTING)


def test_parentheses_up_to_the_limit_go_through_every_stage(tmp_path):
    n = MAX_NESTING
    m = model_of(tmp_path, "var x: bool;\ninvariant i: " + "(" * n + "x" + ")" * n + ";\n")
    assert [p.name for p in m.properties][:1] == ["i"]
    instantiate(load_model(tmp_path / "m.spec"))


def test_brackets_in_comments_and_strings_do_not_count(tmp_path):
    many = "(" * (3 * MAX_NESTING)
    text = (f"// {many}\n/* {many}\n {many} */\nvar x: bool;\n"
            f'action a() "{many}" cite "{many}" {{ x := true; }}\n')
    assert model_of(tmp_path, text).actions


def test_a_hundred_thousand_parentheses_are_refused_before_parsing(monkeypatch):
    # lark is never asked: the scan stops at the 201st `(`
    monkeypatch.setattr("spec.parser._parser", lambda: pytest.fail("lark was run"))
    diag = _error("const K = " + "(" * 100_000 + "1" + ")" * 100_000 + ";\n")
    assert diag.code == "E0106" and diag.span.col == 11 + MAX_NESTING


# ---------------------------------------------------------------- tokens


def test_the_scan_counts_tokens_as_lark_does():
    for path in model_files():
        text = path.read_text(encoding="utf-8")
        lexed = [t for t in _parser().lex(text, dont_ignore=True) if t.type != "WS"]
        assert scan(str(path), text) == len(lexed), path


def test_a_file_past_the_token_limit_is_refused_at_the_first_token_too_many(monkeypatch):
    monkeypatch.setattr("spec.parser._parser", lambda: pytest.fail("lark was run"))
    line = "var v: bool;\n"  # 5 tokens
    text = line * (MAX_TOKENS // 5) + "var last: bool;\n"
    diag = _error(text)
    assert diag.code == "E0111" and (diag.span.line, diag.span.col) == (MAX_TOKENS // 5 + 1, 1)
    assert f"more than {MAX_TOKENS:,} tokens" in diag.message and "include" in (diag.hint or "")


def test_comments_count_as_tokens_and_a_file_at_the_limit_is_parsed():
    assert _error("// c\n" * (MAX_TOKENS + 1)).code == "E0111"
    text = "// c\n" * (MAX_TOKENS - 5) + "var x: bool;\n"  # exactly MAX_TOKENS
    assert scan("t.spec", text) == MAX_TOKENS
    assert parse(SourceFile("t.spec", text)).decls


def test_resuming_after_syntax_errors_is_bounded_on_a_large_file():
    # each resumption parses the whole file again: near the token limit only one is made
    body = "".join(f"action a{i}() {{ x := !x; }}\n" for i in range(1300))  # 11 tokens each
    bad = "".join(f"action b{i}() {{ x = !x; }}\n" for i in range(5))
    with pytest.raises(FrontendError) as info:
        parse(SourceFile("t.spec", "var x: bool;\n" + body + bad))
    assert [d.code for d in info.value.diagnostics] == ["E0102", "E0102"]
    with pytest.raises(FrontendError) as info:
        parse(SourceFile("t.spec", "var x: bool;\n" + bad))  # a small file: every one
    assert len(info.value.diagnostics) == 5


# ---------------------------------------------------------------- files


_REAL_OPEN = os.open


@pytest.fixture
def fifo(tmp_path):
    """A FIFO, with a rescuer: should something open it for reading and block (a regression), a
    writer comes after 10 s, so that the test fails instead of hanging the suite."""
    path = tmp_path / "pipe.spec"
    os.mkfifo(path)
    rescued: list[bool] = []

    def rescue() -> None:
        try:
            fd = _REAL_OPEN(path, os.O_WRONLY | os.O_NONBLOCK)  # ENXIO unless a reader is waiting
        except OSError:
            return
        rescued.append(True)
        os.close(fd)

    timer = threading.Timer(10, rescue)
    timer.start()
    yield path
    timer.cancel()
    assert not rescued, "a FIFO was opened for reading and blocked"


@posix_only
def test_a_fifo_is_refused_before_it_is_opened(fifo, monkeypatch):
    monkeypatch.setattr(os, "open", lambda *a, **k: pytest.fail("opened"))
    with pytest.raises(OSError) as info:
        read_bounded(fifo)
    assert info.value.errno == errno.EINVAL and "it is a FIFO, not a regular file" in info.value.strerror


@posix_only
def test_a_fifo_swapped_in_after_the_check_cannot_block_the_open(fifo, monkeypatch):
    real_stat = os.stat

    def looks_regular(path, *a, **k):  # as if the FIFO replaced a file right after os.stat
        st = real_stat(path, *a, **k)
        return os.stat_result((stat.S_IFREG | 0o644,) + tuple(st)[1:])

    monkeypatch.setattr(source.os, "stat", looks_regular)
    with pytest.raises(OSError) as info:  # without O_NONBLOCK the open would wait for a writer
        read_bounded(fifo)
    assert "FIFO" in info.value.strerror


def test_no_more_than_the_limit_is_read_whatever_the_size_claims(tmp_path, monkeypatch):
    big = tmp_path / "big.spec"
    big.write_bytes(b"x" * 10_000)
    real_stat, real_read = os.stat, os.read
    asked: list[int] = []

    def claims_empty(path, *a, **k):  # a file that grows, or a file system that says 0
        return os.stat_result(tuple(real_stat(path, *a, **k))[:6] + (0,) + tuple(real_stat(path))[7:])

    def counting_read(fd, n):
        asked.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(source.os, "stat", claims_empty)
    monkeypatch.setattr(source.os, "read", counting_read)
    with pytest.raises(OSError) as info:
        read_bounded(big, limit=100)
    assert info.value.errno == errno.EFBIG and "larger than 100 bytes" in info.value.strerror
    assert sum(asked) <= 101
    assert read_bounded(big, limit=10_000) == b"x" * 10_000


@posix_only
def test_an_include_of_a_fifo_points_at_the_include(tmp_path, fifo):
    errs = errors_of(tmp_path, 'var x: bool;\ninclude "pipe.spec";\n')
    assert codes(errs) == ["E0201"]
    assert (errs[0].span.file, errs[0].span.line) == (str(tmp_path / "m.spec"), 2)
    assert "it is a FIFO, not a regular file" in errs[0].message
    assert "regular files only" in (errs[0].hint or "")


def test_a_symlink_loop_is_a_diagnostic_not_a_traceback(tmp_path):
    # Path.resolve() raised RuntimeError on a loop: exit 4 and a traceback
    (tmp_path / "a.spec").symlink_to(tmp_path / "b.spec")
    (tmp_path / "b.spec").symlink_to(tmp_path / "a.spec")
    errs = errors_of(tmp_path, 'include "a.spec";\n')
    assert codes(errs) == ["E0201"] and errs[0].span.line == 1
    with pytest.raises(FrontendError) as info:
        load_model(tmp_path / "a.spec")
    assert [d.code for d in info.value.diagnostics] == ["E0201"]


def test_deep_blocks_get_a_hint_about_blocks():
    text = "var x: bool;\naction a() {\n" + "if x {\n" * MAX_NESTING + "skip;\n" + "}\n" * MAX_NESTING + "}\n"
    diag = _error(text)
    assert diag.code == "E0106" and "nested `if`s" in (diag.hint or "")


# ---------------------------------------------------------------- what a diagnostic quotes


def _rendered(line: str, col: int, width: int = 1) -> list[str]:
    d = Diagnostic(Span("f.spec", 1, col, 1, col + width), Severity.ERROR, "E0999", "m")
    return render(d, {"f.spec": line + "\n"}).splitlines()


def test_a_long_line_is_quoted_as_a_window_with_the_caret_in_place():
    line = "a" * 5000 + "BAD" + "b" * 5000
    _, quoted, caret = _rendered(line, 5001, 3)
    shown, under = quoted[len("   1 | "):], caret[len("     | "):]
    assert shown.startswith("...") and shown.endswith("...") and len(shown) <= 130
    assert shown[under.index("^"):].startswith("BAD") and under.endswith("^~~")
    _, quoted, caret = _rendered(line, 1)  # at the start: cut on the right only
    assert quoted[len("   1 | "):].startswith("aaa") and caret.endswith("| ^")
    _, quoted, caret = _rendered(line, len(line) + 1)  # just past the end (a missing `;`)
    assert quoted.endswith("bbb") and len(caret) == len(quoted) + 1


def test_a_long_message_is_cut():
    d = Diagnostic(Span("f.spec", 0, 0), Severity.ERROR, "E0301", "unknown name `" + "n" * 10**6 + "`")
    out = render(d, {})
    assert len(out) < 500 and "..." in out and out.endswith("`")
    assert did_you_mean("n" * 10**6, ["n" * 10**6 + "x", "m"]) is None


def test_did_you_mean_is_given_for_the_first_hundred_unknown_names_only(tmp_path):
    # every unknown name is still an error; the hint (a comparison with every visible name) stops
    # after MAX_SUGGESTIONS, so a file of a thousand misspellings lints in under a second
    from spec.typecheck import MAX_SUGGESTIONS
    from tests.conftest import run_cli

    decls = "\n".join(f"var v{i}: bool = false;" for i in range(300))
    acts = "\n".join(f"action a{i}() {{ v{i} := vv{i}; }}" for i in range(300))
    path = tmp_path / "typos.spec"
    path.write_text(f"model m;\n{decls}\n{acts}\n", encoding="utf-8")
    r = run_cli(["lint", str(path)])
    assert r.code == 2 and r.err.count("error[E0301]") == 300
    assert r.err.count("did you mean") == MAX_SUGGESTIONS
