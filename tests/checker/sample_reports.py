"""Hand-made reports over a small model, for renderer and CLI tests that must not depend on engines."""

from __future__ import annotations

from pathlib import Path

from checker.result import (
    Certificate,
    Failure,
    PropertyResult,
    Report,
    State,
    Step,
    Trace,
    Verdict,
    Warning_,
)
from spec import ir
from spec.frontend import load
from spec.ir import Elem, EnumVal, PropKind
from spec.source import Span

MODEL = """model pages;
sort Page = 2;
enum PageState { Free, Shared, Private }
var st: Page -> PageState = Free;
var ref: Page -> 0..2 = 0;
var crashed: bool = false;

action alloc(p: Page) "allocate a page" cite "mm/page_alloc.c: alloc_pages" {
  require st[p] == Free;
  st[p] := Shared;
  ref[p] := ref[p] + 1;
}

action convert(p: Page) "make a shared page private" {
  require st[p] == Shared;
  st[p] := Private;
}

action write(p: Page) "host writes the page" {
  if st[p] == Private { crashed := true; }
}

invariant no_crash "the host never takes a machine check": !crashed;
invariant private_counted: forall p: Page :: st[p] == Private -> ref[p] > 0;
reachable private_page: exists p: Page :: st[p] == Private;
"""

FREE = EnumVal("PageState", "Free", 0)
SHARED = EnumVal("PageState", "Shared", 1)
PRIVATE = EnumVal("PageState", "Private", 2)
P0, P1 = Elem("Page", 0), Elem("Page", 1)


def model_file(tmp: Path) -> Path:
    p = tmp / "pages.spec"
    p.write_text(MODEL, encoding="utf-8")
    return p


def model(tmp: Path) -> ir.Model:
    return load(model_file(tmp))


def state(st0=FREE, st1=FREE, ref0=0, ref1=0, crashed=False) -> State:
    return State(((("st", (P0,)), st0), (("st", (P1,)), st1), (("ref", (P0,)), ref0), (("ref", (P1,)), ref1),
                  (("crashed", ()), crashed)))


def crash_trace() -> Trace:
    return Trace((Step(None, (), state()),
                  Step("alloc", (("p", P1),), state(st1=SHARED, ref1=1)),
                  Step("convert", (("p", P1),), state(st1=PRIVATE, ref1=1)),
                  Step("write", (("p", P1),), state(st1=PRIVATE, ref1=1, crashed=True))))


def witness_trace() -> Trace:
    return Trace(crash_trace().steps[:3])


def range_trace() -> Trace:
    span = Span("pages.spec", 11, 3, 11, 23)
    return Trace(crash_trace().steps[:2] + (Step("alloc", (("p", P1),), None),),
                 Failure("ref:range", "ref stays within 0..2", span))


def sample_report(file: str = "pages.spec") -> Report:
    results = (
        PropertyResult("no_crash", PropKind.INVARIANT, Verdict.VIOLATED, "bmc", 0.25, 3, crash_trace()),
        PropertyResult("private_counted", PropKind.INVARIANT, Verdict.PROVED, "pdr", 1.5, None,
                       certificate=Certificate("pdr", "forall p: Page :: st[p] == Private -> ref[p] == 1")),
        PropertyResult("private_page", PropKind.REACHABLE, Verdict.REACHED, "bmc", 0.1, 2, witness_trace()),
        PropertyResult("ref:range", PropKind.RANGE, Verdict.HOLDS_TO_DEPTH, "bmc", 2.0, 10,
                       reason="pdr: timeout after 2.0s"),
        PropertyResult("alloc:fires", PropKind.REACHABLE, Verdict.UNKNOWN, "induction", 0.5,
                       reason="solver returned unknown (incomplete quantifiers)", vacuity_of="alloc"),
    )
    warnings = (Warning_("dead-action", "action `write` can never fire: its guard `require st[p] == Free` "
                         "is never satisfied", Span(file, 19, 3, 19, 20)),)
    return Report("pages", file, "Page=2", results, warnings, 4.35)
