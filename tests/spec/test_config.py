"""Binding parameters and sizes (spec.config): values and names from the command line, the
checks on them, and what an Instance looks like afterwards (no parameters left, constant
`if`s reduced to the branch taken)."""

from __future__ import annotations

import pytest

from spec import ir
from spec.config import parse_assignments
from spec.diagnostics import Sink
from spec.irutil import walk
from spec.types import RangeT
from tests.spec.helpers import action_body, codes, errors_of, instance_of

DESIGNS = """
enum Design { rfc2021, guest_memfd }
param design: Design = guest_memfd;
mitigation param flush: bool = false;
param max_ref: 1..4 = 2;
sort Page = 2;
var ref: Page -> 0..max_ref = 0;
var stale: bool = false;
var zapped: bool = false;
action punch(p: Page) {
  if design == guest_memfd {
    zapped := true;
    if flush { stale := false; } else { stale := true; }
  } else {
    stale := true;
  }
  ref[p] := ref[p] - 1;
}
"""


def _stmts(body: tuple[ir.Stmt, ...]) -> list[ir.Stmt]:
    out: list[ir.Stmt] = []
    for s in body:
        out.append(s)
        if isinstance(s, ir.If):
            out += _stmts(s.then) + _stmts(s.else_)
        elif isinstance(s, ir.Forall):
            out += _stmts(s.body)
    return out


def _no_params_left(inst: ir.Instance) -> bool:
    for a in inst.model.actions:
        for s in _stmts(a.body):
            for e in _exprs(s):
                if any(isinstance(n, ir.Param) for n in walk(e)):
                    return False
    return True


def _exprs(s: ir.Stmt) -> list[ir.Expr]:
    match s:
        case ir.Require(cond=c) | ir.If(cond=c) | ir.Choose(cond=c) | ir.Check(cond=c):
            return [c]
        case ir.Assign():
            return [*s.index, s.value]
        case ir.SetLocal():
            return [s.value]
        case _:
            return []


def test_defaults_fold_the_design_switch_away(tmp_path):
    inst = instance_of(tmp_path, DESIGNS)
    body = action_body(inst.model, "punch")
    assert not any(isinstance(s, ir.If) for s in body)
    assert [s.var for s in body if isinstance(s, ir.Assign)] == ["zapped", "stale", "ref"]
    assert _no_params_left(inst)
    assert inst.binding("design") == ir.EnumVal("Design", "guest_memfd", 1)
    assert inst.size("Page") == 2


def test_command_line_values_pick_other_branches(tmp_path):
    inst = instance_of(tmp_path, DESIGNS, params={"design": "rfc2021", "max_ref": "3"})
    body = action_body(inst.model, "punch")
    assert [s.var for s in body if isinstance(s, ir.Assign)] == ["stale", "ref"]
    assert inst.model.var("ref").type.result == RangeT(ir.lit(0), ir.lit(3))
    check = next(s for s in body if isinstance(s, ir.Check))
    assert not any(isinstance(n, ir.Param) for n in walk(check.cond))


def test_values_are_parsed_by_type(tmp_path):
    inst = instance_of(tmp_path, DESIGNS, params={"design": "Design.rfc2021", "flush": "1", "max_ref": "0x4"})
    assert dict(inst.bindings) == {"design": ir.EnumVal("Design", "rfc2021", 0), "flush": True, "max_ref": 4}
    assert "design=rfc2021" in inst.describe() and "Page=2" in inst.describe()
    assert codes(errors_of(tmp_path, DESIGNS, params={"design": "Hardware.rfc2021"})) == ["E0402"]


def test_sizes_override_and_may_come_from_parameters(tmp_path):
    text = "param n: 1..4 = 2;\nsort Page = n + 1;\nsort Vcpu;\nvar x: (Page, Vcpu) -> bool = false;\n"
    inst = instance_of(tmp_path, text, sizes={"Vcpu": 2}, params={"n": "3"})
    assert inst.size("Page") == 4 and inst.size("Vcpu") == 2
    assert len(inst.locations(inst.model.var("x"))) == 8
    inst = instance_of(tmp_path, text, sizes={"Page": "5", "Vcpu": 1})
    assert inst.size("Page") == 5


def test_qualified_names_match_by_unique_suffix(tmp_path):
    text = "component kvm { param zap: bool = true; sort Slot = 2; var s: Slot -> bool = false; }\n"
    inst = instance_of(tmp_path, text, sizes={"Slot": 3}, params={"zap": "false"})
    assert inst.binding("kvm.zap") is False and inst.size("kvm.Slot") == 3


def test_bad_configurations_are_reported_together(tmp_path):
    errs = errors_of(tmp_path, DESIGNS, sizes={"Pages": 3, "Page": 0},
                     params={"desing": "x", "flush": "maybe", "max_ref": "9"})
    assert codes(errs) == ["E0401", "E0402", "E0402", "E0403", "E0404"]
    assert all(d.span.file == "<command line>" for d in errs)


def test_a_sort_needs_a_size(tmp_path):
    assert codes(errors_of(tmp_path, "sort Page;\nvar x: Page -> bool = false;\n")) == ["E0405"]


def test_parameter_ranges_may_depend_on_parameters(tmp_path):
    text = "param n: 1..4 = 2;\nparam m: 0..n = 1;\nvar x: 0..m = 0;\n"
    assert instance_of(tmp_path, text, params={"n": 4, "m": 3}).binding("m") == 3
    assert codes(errors_of(tmp_path, text, params={"n": 1, "m": 3})) == ["E0402"]


def test_ranges_emptied_by_parameters_and_huge_domains(tmp_path):
    assert codes(errors_of(tmp_path, "param lo: 0..5 = 0;\nvar x: lo..3 = 3;\n", params={"lo": 5})) == ["E0407"]
    errs = errors_of(tmp_path, "param n: 0..100000 = 9000;\ninvariant i: forall k: 0..n :: k >= 0;\n")
    assert codes(errs) == ["E0408"]


def test_huge_integer_bounds_are_counted_without_overflow(tmp_path):
    # `0..9223372036854775807` once crashed in Instance.domain (OverflowError, exit 4): a range of
    # any size is a valid model (the symbolic engines check it); only listing it is refused
    text = ("param hi: 0..9223372036854775807 = 9223372036854775807;\n"
            "const LO = -9223372036854775807 - 9223372036854775807;\nvar y: LO..hi;\n")
    inst = instance_of(tmp_path, text)
    t = inst.model.var("y").type
    assert inst.card(t) == 3 * 2**63 - 2 and inst.first(t) == -(2**64) + 2
    with pytest.raises(ValueError, match="too many to list"):
        inst.domain(t)
    assert inst.card(RangeT(ir.lit(3), ir.lit(1))) == 0 and inst.domain(RangeT(ir.lit(1), ir.lit(3))) == (1, 2, 3)


def test_huge_values_on_the_command_line_are_diagnostics(tmp_path):
    text = "param hi: 0..9223372036854775807 = 5;\nsort Page = 2;\nvar f: Page -> 0..hi = 0;\n"
    assert instance_of(tmp_path, text, params={"hi": str(2**63 - 1)}).binding("hi") == 2**63 - 1
    for value in (str(2**63), "10**30", "-" + "9" * 5000):
        assert codes(errors_of(tmp_path, text, params={"hi": value})) == ["E0402"]
    for size in (str(10**30), "10**30", "-1", "9" * 5000):
        assert codes(errors_of(tmp_path, text, sizes={"Page": size})) == ["E0404"]
    assert codes(errors_of(tmp_path, "sort Page = 9223372036854775807;\n")) == ["E0404"]


def test_parse_assignments_accepts_repeats_and_comma_lists():
    sink = Sink()
    got = parse_assignments(["a=1, b = x", "c=2", ""], "--set", sink)
    assert got == {"a": "1", "b": "x", "c": "2"} and not sink.items
    parse_assignments(["novalue"], "--set", sink)
    assert codes(sink.items) == ["E0409"]
