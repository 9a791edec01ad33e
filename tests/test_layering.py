"""Architecture rules that a reviewer would otherwise have to check by hand (docs/architecture.md).

- z3 is imported only under checker/solver/ (docs/decisions/0012-z3-only-in-solver.md);
- spec/ never imports checker/; each room of checker/ imports only the rooms below it: the two
  engine columns (explicit/ on interp/, symbolic/ on solver/) never see each other;
- no module reaches into another's private names;
- no module over 600 lines, no function over 60;
- printing happens only in checker/report/ and checker/cli.py;
- the IR walkers handle every expression and statement class.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from spec import ir, irutil

ROOT = Path(__file__).resolve().parent.parent
PRINT_ALLOWED_PREFIXES = ("checker/report/", "checker/cli.py", "checker/commands.py", "checker/console.py")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
# room -> the rooms (and shared top-level modules) it may import; "checker" is the orchestration
# layer (cli, api, schedule, backends, policy, vacuity), which may import every room.
ROOMS = {
    "spec": set(),
    "solver": {"spec", "checker.result"},
    "interp": {"spec", "checker.result"},
    "explicit": {"spec", "checker.result", "interp"},
    "symbolic": {"spec", "checker.result", "solver"},
    "explore": {"spec", "checker.result", "checker.api"},
    "report": {"spec", "checker.result", "checker.policy", "explicit", "explore"},
    "lsp": {"spec", "checker.result", "explore"},  # the language server: the front end, and the cache for hover
}


def _sources():
    for pkg in ("spec", "checker"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree: ast.AST) -> list[tuple[int, str, list[str]]]:
    """(line, module, names imported from it) for every import, at any depth."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.lineno, node.module, [a.name for a in node.names]))
    return out


def _room(rel: str) -> str:
    parts = rel.removesuffix(".py").split("/")
    if parts[0] == "spec":
        return "spec"
    return parts[1] if len(parts) > 2 else "checker"


def _target(module: str) -> str | None:
    """The room (or shared checker module) an import reaches; None outside the project."""
    parts = module.split(".")
    if parts[0] == "spec":
        return "spec"
    if parts[0] != "checker" or len(parts) == 1:
        return None
    return parts[1] if parts[1] in ROOMS else f"checker.{parts[1]}"


def test_z3_is_confined_to_the_solver_room():
    offenders = [f"{rel}:{line}" for rel, tree in _sources() for line, mod, _ in _imports(tree)
                 if (mod == "z3" or mod.startswith("z3.")) and not rel.startswith("checker/solver/")]
    assert offenders == []


def test_rooms_import_only_the_rooms_below_them():
    offenders = []
    for rel, tree in _sources():
        room = _room(rel)
        if room == "checker":
            continue
        for line, mod, names in _imports(tree):
            targets = [_target(mod)] if mod != "checker" else [_target(f"checker.{n}") for n in names]
            for t in targets:
                if t is not None and t != room and t not in ROOMS[room]:
                    offenders.append(f"{rel}:{line} imports {mod}")
    assert offenders == []


def test_no_module_imports_another_modules_private_names():
    offenders = []
    for rel, tree in _sources():
        for line, mod, names in _imports(tree):
            if _target(mod) is not None or mod == "checker":
                offenders += [f"{rel}:{line} {mod}.{n}" for n in names if n.startswith("_") and n != "__future__"]
        for node in ast.walk(tree):  # module._name through an imported module
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr.startswith("_") \
                    and not node.attr.startswith("__") and node.value.id not in ("self", "cls"):
                imported = {n for _, m, ns in _imports(tree) if _target(m) is not None or m == "checker" for n in ns}
                if node.value.id in imported:
                    offenders.append(f"{rel}:{node.lineno} {node.value.id}.{node.attr}")
    assert offenders == []


def test_modules_and_functions_stay_small():
    offenders = []
    for rel, tree in _sources():
        lines = len((ROOT / rel).read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            offenders.append(f"{rel}: {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    offenders.append(f"{rel}:{node.lineno} {node.name}: {n} lines")
    assert offenders == []


def test_the_rules_see_a_violation():
    """The import rules are only as good as their parsing: they must catch these."""
    bad = ast.parse("import z3\nfrom checker.symbolic import bmc\nfrom checker.explicit.search import _x\n")
    imports = _imports(bad)
    assert [m for _, m, _ in imports] == ["z3", "checker.symbolic", "checker.explicit.search"]
    assert _target("checker.symbolic") == "symbolic" and "symbolic" not in ROOMS["explicit"]
    assert _target("checker.result") == "checker.result" and _room("checker/explicit/engine.py") == "explicit"
    assert _room("checker/cli.py") == "checker" and _target("networkx") is None


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
