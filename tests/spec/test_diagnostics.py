"""Rendering of diagnostics and the loader's include rules (beyond the golden files)."""

from __future__ import annotations

from spec import loader
from spec.diagnostics import Diagnostic, Note, Severity, Sink, render, render_all, source_lines, visible
from spec.source import Span
from tests.spec.helpers import codes, errors_of, model_of


def _diag(line: int, col: int, end_col: int, **kw) -> Diagnostic:
    return Diagnostic(Span("f.spec", line, col, line, end_col), Severity.ERROR, "E0999", "msg", **kw)


def test_caret_is_under_the_span_with_tabs_kept():
    out = render(_diag(1, 3, 6), {"f.spec": "\t\tabc + d\n"})
    assert out.splitlines()[1:] == ["   1 | \t\tabc + d", "     | \t\t^~~"]


def test_caret_of_a_span_running_past_the_line_is_clipped():
    out = render(Diagnostic(Span("f.spec", 1, 5, 3, 2), Severity.ERROR, "E0999", "m"), {"f.spec": "var x\ny\nz\n"})
    assert out.splitlines()[-1] == "     |     ^"


def test_control_characters_are_shown_not_sent_to_the_terminal():
    out = render(_diag(1, 1, 2, hint="bad \x1b[31m"), {"f.spec": "a\x00b\x1b[2J\u202ec\n"})
    assert "\x00" not in out and "\x1b" not in out and "\u202e" not in out
    assert "a\u2400b\u241b[2J\ufffdc" in out
    assert visible("tab\tstays") == "tab\tstays"


def test_lines_are_counted_like_the_parser():
    assert source_lines("a\r\nb\x0cc\u2028d\nlast") == ["a", "b\x0cc\u2028d", "last"]
    assert source_lines("\ufeffvar x;\n") == ["var x;", ""]


def test_notes_then_hint_and_a_summary():
    d = _diag(2, 1, 2, hint="do this", notes=(Note(Span("f.spec", 1, 1, 1, 2), "first here"),))
    out = render_all([d, d], {"f.spec": "x\ny\n"})
    lines = out.splitlines()
    assert lines[0] == "f.spec:2:1: error[E0999]: msg"
    assert lines[3] == "f.spec:1:1: note: first here"
    assert lines[6] == "  = hint: do this"
    assert lines[-1] == "2 errors found"


def test_sink_orders_by_file_then_position_and_drops_duplicates():
    sink = Sink()
    sink.error(Span("b.spec", 3, 1), "E1", "late")
    sink.error(Span("a.spec", 9, 1), "E1", "other file")
    sink.error(Span("b.spec", 1, 1), "E1", "early")
    sink.error(Span("b.spec", 1, 1), "E1", "early")
    assert [d.message for d in sink.sorted()] == ["early", "late", "other file"]


# ---------------------------------------------------------------- includes


def test_diamond_includes_are_read_once(tmp_path):
    files = {"a.spec": 'include "c.spec";\nvar a: bool;\n', "b.spec": 'include "c.spec";\nvar b: bool;\n',
             "c.spec": "var c: bool;\n"}
    m = model_of(tmp_path, 'include "a.spec";\ninclude "b.spec";\n', files)
    assert [v.name for v in m.vars] == ["c", "a", "b"]


def test_include_cycle_is_an_error_not_a_hang(tmp_path):
    errs = errors_of(tmp_path, 'include "a.spec";\n', {"a.spec": 'include "m.spec";\n'})
    assert codes(errs) == ["E0203"]
    assert errs[0].notes and "included from here" in errs[0].notes[0].message


def test_a_file_may_include_itself_only_as_an_error(tmp_path):
    assert codes(errors_of(tmp_path, 'include "m.spec";\nvar x: bool;\n')) == ["E0203"]


def test_a_symlink_cannot_smuggle_a_file_from_outside(tmp_path):
    outside = tmp_path / "outside.spec"
    outside.write_text("var secret: bool;\n", encoding="utf-8")
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "link.spec").symlink_to(outside)
    assert codes(errors_of(model_dir, 'include "link.spec";\n')) == ["E0204"]


def test_unreadable_includes(tmp_path, monkeypatch):
    (tmp_path / "dir").mkdir()
    (tmp_path / "big.spec").write_text("var x: bool;\n" * 10, encoding="utf-8")
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 64)
    errs = errors_of(tmp_path, 'include "dir";\ninclude "big.spec";\ninclude "none.spec";\n')
    assert codes(errs) == ["E0201", "E0201", "E0201"]
    assert "larger than" in errs[1].message


def test_errors_in_several_files_are_all_reported(tmp_path):
    files = {"a.spec": "var a: bool = 1;\n", "b.spec": "var b: bol;\n"}
    errs = errors_of(tmp_path, 'include "a.spec";\ninclude "b.spec";\nvar c: bool = 2;\n', files)
    assert sorted(codes(errs)) == ["E0318", "E0318", "E0323"]


def test_caret_accounts_for_wide_and_combining_characters():
    # `名` takes two terminal columns, the combining accent none.
    out = render(_diag(1, 21, 22), {"f.spec": 'var x: bool; // 名e\u0301 x\n'})
    assert out.splitlines()[-1] == "     | " + " " * 20 + "^"
    out = render(_diag(1, 17, 18), {"f.spec": 'var x: bool; // 名e\u0301 x\n'})
    assert out.splitlines()[-1] == "     | " + " " * 16 + "^~"
    out = render(_diag(1, 3, 4), {"f.spec": "名名x\n"})
    assert out.splitlines()[-1] == "     |     ^"
