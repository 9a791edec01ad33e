"""Hypothesis strategies for random, well-typed .spec models (differential and round-trip tests).

Models are small on purpose (one or two sorts of size <= 3, a handful of variables and actions)
so that the explicit engine can search them exhaustively and Z3 answers in milliseconds. They use
every statement kind (require, plain and indexed assignment, if/else, match, forall, choose,
assert) and every expression kind, and they can overflow their ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from spec import ir

SORTS = ("S", "T")
ENUM = ("E", ("A", "B", "C"))


@dataclass(frozen=True)
class VarSpec:
    name: str
    kind: str  # "bool" | "int" | "enum" | "fun_bool" | "fun_enum" | "fun_int" | "fun2_bool"
    sort: str = "S"


VARS = (
    VarSpec("b", "bool"),
    VarSpec("c", "bool"),
    VarSpec("n", "int"),
    VarSpec("e", "enum"),
    VarSpec("f", "fun_enum"),
    VarSpec("g", "fun_bool"),
    VarSpec("h", "fun_int"),
    VarSpec("r", "fun2_bool", "T"),
)


def _decl(v: VarSpec, init: bool) -> str:
    t = {
        "bool": "bool", "int": "0..3", "enum": "E", "fun_bool": f"{v.sort} -> bool", "fun_enum": f"{v.sort} -> E",
        "fun_int": f"{v.sort} -> 0..2", "fun2_bool": f"(S, {v.sort}) -> bool",
    }[v.kind]
    value = {"bool": "false", "int": "0", "enum": "A", "fun_bool": "false", "fun_enum": "A", "fun_int": "0",
             "fun2_bool": "false"}[v.kind]
    return f"var {v.name}: {t}" + (f" = {value};" if init else ";")


@st.composite
def bool_expr(draw, env: dict[str, str], depth: int = 2) -> str:
    """A bool expression over the state and the locals in `env` (name -> sort)."""
    svars = [n for n, s in env.items() if s == "S"]
    choices = ["b", "c", "n_cmp", "e_eq", "lit"]
    if svars:
        choices += ["f_eq", "g", "h_cmp", "r"]
    if depth > 0:
        choices += ["not", "and", "or", "implies", "iff", "quant", "ite", "count"]
    kind = draw(st.sampled_from(choices))
    s = draw(st.sampled_from(svars)) if svars else None
    t = draw(st.sampled_from([n for n, v in env.items() if v == "T"] or ["__none"]))
    match kind:
        case "b" | "c":
            return kind
        case "lit":
            return draw(st.sampled_from(["true", "false"]))
        case "n_cmp":
            op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
            return f"n {op} {draw(st.integers(0, 3))}"
        case "e_eq":
            return f"e {draw(st.sampled_from(['==', '!=']))} {draw(st.sampled_from(ENUM[1]))}"
        case "f_eq":
            return f"f[{s}] {draw(st.sampled_from(['==', '!=']))} {draw(st.sampled_from(ENUM[1]))}"
        case "g":
            return f"g[{s}]"
        case "h_cmp":
            return f"h[{s}] {draw(st.sampled_from(['==', '<', '>=']))} {draw(st.integers(0, 2))}"
        case "r":
            if t == "__none":
                return f"g[{s}]"
            return f"r[{s}, {t}]"
        case "not":
            return f"!({draw(bool_expr(env, depth - 1))})"
        case "and" | "or" | "implies" | "iff":
            op = {"and": "&&", "or": "||", "implies": "->", "iff": "<->"}[kind]
            return f"({draw(bool_expr(env, depth - 1))}) {op} ({draw(bool_expr(env, depth - 1))})"
        case "ite":
            return (f"({draw(bool_expr(env, depth - 1))}) ? ({draw(bool_expr(env, depth - 1))}) : "
                    f"({draw(bool_expr(env, depth - 1))})")
        case "quant":
            var = _fresh(env, "q")
            sort = draw(st.sampled_from(SORTS))
            q = draw(st.sampled_from(["forall", "exists"]))
            return f"({q} {var}: {sort} :: {draw(bool_expr({**env, var: sort}, depth - 1))})"
        case "count":
            var = _fresh(env, "k")
            inner = draw(bool_expr({**env, var: "S"}, depth - 1))
            return f"(count {var}: S :: {inner}) {draw(st.sampled_from(['>=', '<', '==']))} {draw(st.integers(0, 2))}"
    raise AssertionError(kind)


def _fresh(env: dict[str, str], base: str) -> str:
    i = 0
    while f"{base}{i}" in env:
        i += 1
    return f"{base}{i}"


@st.composite
def int_expr(draw, env: dict[str, str]) -> str:
    svars = [n for n, s in env.items() if s == "S"]
    # A lone literal fits both 0..3 and 0..2; arithmetic only on state (a constant out of
    # range is a static error, which is not what these models are for).
    if draw(st.integers(0, 3)) == 0:
        return str(draw(st.integers(0, 2)))
    atoms = ["n"]
    if svars:
        atoms.append(f"h[{draw(st.sampled_from(svars))}]")
    a = draw(st.sampled_from(atoms))
    op = draw(st.sampled_from(["", "+ 1", "- 1", "+ n", "* 2"]))
    return f"{a} {op}".strip()


@st.composite
def statements(draw, env: dict[str, str], depth: int = 2, in_forall: str | None = None) -> list[str]:
    """A statement list; inside `forall x`, assignments only write entries indexed by x."""
    out: list[str] = []
    n = draw(st.integers(1, 3))
    for _ in range(n):
        svars = [v for v, s in env.items() if s == "S"]
        kinds = ["require", "assign"]
        if depth > 0:
            kinds += ["if", "match", "choose", "assert"]
            if in_forall is None:
                kinds += ["forall"]
        kind = draw(st.sampled_from(kinds))
        match kind:
            case "require":
                out.append(f"require {draw(bool_expr(env, 1))};")
            case "assert":
                out.append(f"assert {draw(bool_expr(env, 1))};")
            case "assign":
                out.append(draw(_assign(env, in_forall, svars)))
            case "if":
                then = draw(statements(env, depth - 1, in_forall))
                else_ = draw(statements(env, depth - 1, in_forall)) if draw(st.booleans()) else None
                s = f"if {draw(bool_expr(env, 1))} {{ {' '.join(then)} }}"
                if else_:
                    s += f" else {{ {' '.join(else_)} }}"
                out.append(s)
            case "match":
                arms = []
                for m in ENUM[1][:2]:
                    arms.append(f"{m} => {{ {' '.join(draw(statements(env, depth - 1, in_forall)))} }}")
                arms.append("_ => skip;")
                out.append(f"match e {{ {' '.join(arms)} }}")
            case "choose":
                var = _fresh(env, "x")
                sort = draw(st.sampled_from(SORTS))
                cond = draw(bool_expr({**env, var: sort}, 1)) if draw(st.booleans()) else None
                out.append(f"choose {var}: {sort}" + (f" where {cond};" if cond else ";"))
                env = {**env, var: sort}
            case "forall":
                var = _fresh(env, "v")
                body = draw(statements({**env, var: "S"}, depth - 1, var))
                out.append(f"forall {var}: S {{ {' '.join(body)} }}")
    return out


@st.composite
def _assign(draw, env: dict[str, str], in_forall: str | None, svars: list[str]) -> str:
    if in_forall is not None:
        s = in_forall
        which = draw(st.sampled_from(["f", "g", "h"]))
    else:
        options = ["b", "c", "n", "e"] + (["f", "g", "h"] if svars else [])
        which = draw(st.sampled_from(options))
        s = draw(st.sampled_from(svars)) if svars else None
    match which:
        case "b" | "c":
            return f"{which} := {draw(bool_expr(env, 1))};"
        case "n":
            return f"n := {draw(int_expr(env))};"
        case "e":
            return f"e := {draw(st.sampled_from(ENUM[1]))};"
        case "f":
            return f"f[{s}] := {draw(st.sampled_from(ENUM[1]))};"
        case "g":
            return f"g[{s}] := {draw(bool_expr(env, 1))};"
        case "h":
            return f"h[{s}] := {draw(int_expr(env))};"
    raise AssertionError(which)


@st.composite
def models(draw, max_actions: int = 3) -> str:
    """The text of a random well-typed model."""
    size_s = draw(st.integers(1, 3))
    size_t = draw(st.integers(1, 2))
    lines = [f"enum {ENUM[0]} {{ {', '.join(ENUM[1])} }}", f"sort S = {size_s};", f"sort T = {size_t};"]
    uninit = draw(st.sets(st.sampled_from([v.name for v in VARS if v.kind in ("bool", "enum", "fun_bool")]),
                          max_size=2))
    for v in VARS:
        lines.append(_decl(v, v.name not in uninit))
    if draw(st.booleans()):
        lines.append(f"init {{ {' '.join(draw(statements({}, 1)))} }}")
    for i in range(draw(st.integers(1, max_actions))):
        params = draw(st.sampled_from([{}, {"p": "S"}, {"p": "S", "t": "T"}]))
        body = draw(statements(dict(params), 2))
        ps = ", ".join(f"{k}: {s}" for k, s in params.items())
        lines.append(f"action a{i}({ps}) {{ {' '.join(body)} }}")
    for i in range(draw(st.integers(1, 3))):
        lines.append(f"invariant inv{i}: {draw(bool_expr({}, 2))};")
    lines.append(f"reachable goal0: {draw(bool_expr({}, 2))};")
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"assume asm0: {draw(bool_expr({}, 1))};")
    return "\n".join(lines) + "\n"


def generated_instance(tmp_path_factory: Any, text: str) -> ir.Instance:
    """A generated model written to a fresh directory (its path shows in failures) and loaded."""
    from spec.frontend import load_instance

    path = tmp_path_factory.mktemp("gen") / "m.spec"
    path.write_text(text, encoding="utf-8")
    return load_instance(path)
