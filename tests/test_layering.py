"""Architecture rules that a reviewer would otherwise have to check by hand.

- z3 is imported only by checker/solver/encode.py and checker/solver/smt.py (and checker/symbolic/pdr.py's certificate
  writer goes through smt.py);
- printing happens only in checker/report/ and checker/cli.py;
- the IR walkers handle every expression and statement class.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from spec import ir, irutil

ROOT = Path(__file__).resolve().parent.parent
Z3_ALLOWED = {"checker/solver/encode.py", "checker/solver/smt.py"}
PRINT_ALLOWED_PREFIXES = ("checker/report/", "checker/cli.py")


def _sources():
    for pkg in ("spec", "checker"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_z3_is_confined():
    offenders = []
    for rel, tree in _sources():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "z3" or n.startswith("z3.") for n in names) and rel not in Z3_ALLOWED:
                offenders.append(rel)
    assert offenders == []


def test_printing_is_confined():
    offenders = []
    for rel, tree in _sources():
        if rel.startswith(PRINT_ALLOWED_PREFIXES):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


def test_no_eval_or_exec():
    offenders = []
    for rel, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec"):
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


def _handled_classes(func) -> set[str]:
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.MatchClass) and isinstance(node.cls, ast.Attribute):
            names.add(node.cls.attr)
    return names


def test_expression_walkers_are_complete():
    expr_names = {c.__name__ for c in ir.EXPR_CLASSES}
    for func in (irutil.children, irutil.map_children):
        assert expr_names <= _handled_classes(func), func.__name__


def test_statement_walker_is_complete():
    stmt_names = {c.__name__ for c in ir.STMT_CLASSES}
    assert stmt_names <= _handled_classes(irutil.map_stmt_exprs)
