"""Whole-module passes on the builder's surface syntax: name checks, component shadowing, and the
canonical .spec text of a builder model.

The parser guarantees what a builder cannot: that names are identifiers and not keywords, and
that a name means what it says. Both are checked here so that a builder model is always one that
text can express (`to_text` then parses back to the same IR).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass, replace
from typing import Any

from spec import ast
from spec.diagnostics import Diagnostic, Note, Severity, Sink
from spec.loader import ModuleSet
from spec.parser import KEYWORDS
from spec.printer import format_module
from spec.resolve import MemberRef, Resolved, Symbol, resolve
from spec.source import NO_SPAN, Span

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SPAN_FIELDS = ("span", "name_span")


def _children(node: object) -> Iterator[object]:
    for f in fields(node):  # type: ignore[arg-type]
        if f.name in _SPAN_FIELDS:
            continue
        value = getattr(node, f.name)
        if isinstance(value, tuple):
            yield from value
        else:
            yield value


def walk(node: object) -> Iterator[object]:
    """Every AST node under `node` (iterative: builder expressions can be deep)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Node):
            yield n
            stack.extend(c for c in _children(n) if isinstance(c, ast.Node))


# ---------------------------------------------------------------- checks


def _declared_names(node: object) -> Iterator[tuple[str, Span]]:
    """The names a node introduces, with where they were written."""
    if isinstance(node, ast.ParamOverride):  # names a parameter declared elsewhere: each part
        for part in node.name.parts:
            yield part, node.name_span
    elif isinstance(node, ast.Decl) and not isinstance(node, ast.Include | ast.InitDecl):
        yield node.name, node.name_span  # type: ignore[attr-defined]
    elif isinstance(node, ast.EnumMember | ast.Binder):
        yield node.name, node.span
    elif isinstance(node, ast.Assert) and node.name is not None:
        yield node.name, node.span


def check_names(module: ast.Module) -> list[Diagnostic]:
    """Every declared or bound name must be an identifier of the language, not a keyword."""
    out = []
    for node in walk(module):
        for name, span in _declared_names(node):
            if not isinstance(name, str) or not _NAME.match(name):
                out.append(Diagnostic(span, Severity.ERROR, "E0101", f"`{name}` is not a valid name",
                                      "names are ASCII letters, digits and `_`, not starting with a digit"))
            elif name in KEYWORDS:
                out.append(Diagnostic(span, Severity.ERROR, "E0103",
                                      f"`{name}` is a reserved word and cannot be used as a name",
                                      "choose another name (keywords are reserved everywhere)"))
    return out


def _names(node: object) -> Iterator[ast.Name]:
    for n in walk(node):
        if isinstance(n, ast.Name):
            yield n


def check_shadowing(modules: ModuleSet) -> list[Diagnostic]:
    """A builder writes every name in full, meaning what it means at the top level; inside a
    component a declaration of its own can hide that (as it would in text). Report it."""
    res = resolve(modules, Sink())
    out = []
    for decl in modules.root.decls:
        if not isinstance(decl, ast.ComponentDecl):
            continue
        for name in (n for d in decl.decls for n in _names(d)):
            meant = res.lookup(name, None)
            got = res.lookup(name, decl.name)
            if meant is None or isinstance(meant, list) or got == meant:
                continue
            hider = res.values.get(f"{decl.name}.{name.parts[0]}")
            notes = [Note(hider.decl.name_span, f"`{hider.qname}` declared here")] if hider else []
            out.append(Diagnostic(name.span, Severity.ERROR, "E0208",
                                  f"inside component `{decl.name}`, `{name}` would mean `{_what(got)}`",
                                  "rename one of the two: a component's own declaration hides a top-level one "
                                  "of the same name, in text as well", tuple(notes)))
    return out


def _what(found: Symbol | MemberRef | list[MemberRef] | None) -> str:
    if isinstance(found, Symbol):
        return found.qname
    if isinstance(found, MemberRef):
        return f"{found.enum}.{found.member}"
    return "something else"


def check_module(modules: ModuleSet) -> list[Diagnostic]:
    return check_names(modules.root) + check_shadowing(modules)


def decl_files(module: ast.Module) -> set[str]:
    """The files that declaration spans point into."""
    out = set()
    for d in module.decls:
        out.add(d.span.file)
        if isinstance(d, ast.ComponentDecl):
            out.update(x.span.file for x in d.decls)
    return out


# ---------------------------------------------------------------- canonical text


def _rebuild(node: object, f: Callable[[object], object]) -> object:
    """`node` with every AST node below it rebuilt bottom-up through `f`."""
    if isinstance(node, tuple):
        return tuple(_rebuild(x, f) for x in node)
    if not (is_dataclass(node) and isinstance(node, ast.Node)):
        return node
    changes: dict[str, Any] = {fl.name: _rebuild(getattr(node, fl.name), f) for fl in fields(node)
                               if fl.name not in _SPAN_FIELDS}
    return f(replace(node, **changes))


def _shorter(name: ast.Name, comp: str | None, res: Resolved) -> ast.Name:
    """The shortest spelling of `name` that means the same inside `comp` (bare enum members,
    no component prefix inside the component itself)."""
    if len(name.parts) < 2:
        return name
    meant = res.lookup(name, comp)
    if meant is None or isinstance(meant, list):
        return name
    candidates: list[tuple[str, ...]] = []
    if isinstance(meant, MemberRef):
        candidates.append((name.parts[-1],))
        candidates.append(tuple(meant.enum.rsplit(".", 1)[-1:]) + (meant.member,))
    if comp is not None and name.parts[0] == comp:
        candidates.append(name.parts[1:])
    for parts in candidates:
        short = ast.Name(parts)
        if res.lookup(short, comp) == meant:
            return short
    return name


def _clean(decl: ast.TopDecl, comp: str | None, res: Resolved) -> ast.TopDecl:
    def f(node: object) -> object:
        if isinstance(node, ast.Name):
            node = _shorter(node, comp, res)
        if isinstance(node, ast.ComponentDecl):
            return node  # its declarations were cleaned with their own component below
        return _strip(node)

    if isinstance(decl, ast.ComponentDecl):
        inner = tuple(_clean(d, decl.name, res) for d in decl.decls)
        return ast.ComponentDecl(decl.name, inner)
    out = _rebuild(decl, f)
    assert isinstance(out, ast.Decl)
    return out  # type: ignore[return-value]


def _strip(node: object) -> object:
    if isinstance(node, ast.Decl):
        return replace(node, span=NO_SPAN, name_span=NO_SPAN)
    if isinstance(node, ast.Node):
        return replace(node, span=NO_SPAN)
    return node


_BIG = (ast.ActionDecl, ast.InitDecl, ast.ComponentDecl)
# Declarations of one group are written without blank lines between them.
_GROUP = {ast.ModelDecl: 0, ast.Include: 1, ast.EnumDecl: 2, ast.SortDecl: 2, ast.ParamDecl: 2, ast.ConstDecl: 2,
          ast.VarDecl: 3, ast.DefDecl: 4, ast.InvariantDecl: 5, ast.ReachableDecl: 5, ast.PropertyDecl: 5,
          ast.AssumeDecl: 5}


def _blank_between(prev: ast.TopDecl, d: ast.TopDecl) -> bool:
    return isinstance(d, _BIG) or isinstance(prev, _BIG) or _GROUP.get(type(d)) != _GROUP.get(type(prev))


def _layout(decls: tuple[ast.TopDecl, ...], line: int) -> tuple[tuple[ast.TopDecl, ...], int]:
    """Give declarations made-up lines so that the formatter leaves a blank line between groups
    and around every multi-line declaration."""
    out: list[ast.TopDecl] = []
    prev: ast.TopDecl | None = None
    for d in decls:
        if prev is not None:
            line += 2 if _blank_between(prev, d) else 1
        start = line
        if isinstance(d, ast.ComponentDecl):
            inner, line = _layout(d.decls, line + 1)
            d = replace(d, decls=inner)
        span = Span("<builder>", start, 1, line, 1)
        out.append(replace(d, span=span, name_span=span))
        prev = d
    return tuple(out), line


def to_text(modules: ModuleSet) -> str:
    """The canonical .spec text of the builder's root module."""
    res = resolve(modules, Sink())
    cleaned = tuple(_clean(d, None, res) for d in modules.root.decls)
    laid, _ = _layout(cleaned, 1)
    return format_module(ast.Module(modules.root.file, laid))
