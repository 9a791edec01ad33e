"""Names under the cursor: what they are, where they are declared, where they are used; the
outline of a file and the names completion offers. Workspace names -> plain values (Loc,
Symbol, strings), which server.py turns into LSP types.

Positions here are 0-based (line, column) like the protocol's; spans are 1-based. Columns count
characters: the shipped models are ASCII, where characters and the protocol's UTF-16 units agree.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import spec
from checker.lsp.workspace import Names, file_path
from spec import ast
from spec.ops import Fairness
from spec.printer import print_expr, print_type
from spec.resolve import MemberRef, Resolved, Symbol
from spec.source import Span

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass(frozen=True)
class Loc:
    path: Path
    line: int  # 0-based
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Target:
    """What a name stands for: a declaration (`decl`, its component) or a local binder."""

    kind: str  # "action", "property", a SymKind value, "enum member", "local"
    qname: str
    decl: ast.Node
    component: str | None = None
    member: str | None = None


def word_at(text: str, line: int, col: int) -> tuple[tuple[str, ...], int, int] | None:
    """The dotted name at (line, col), cut after the part the cursor is on (`mm` in `mm.state` on
    its first part), with the columns of that cut name."""
    lines = text.splitlines()
    if not 0 <= line < len(lines):
        return None
    for m in WORD.finditer(lines[line]):
        if m.start() <= col <= m.end():
            parts, start = m.group(0).split("."), m.start()
            end = start
            for i, part in enumerate(parts):
                end += len(part) + (1 if i else 0)
                if col <= end:
                    return tuple(parts[:i + 1]), start, end
            return tuple(parts), start, m.end()
    return None


def span_loc(span: Span, length: int | None = None) -> Loc:
    """A span as a range; with `length`, from its start over that many characters."""
    line, col = max(span.line - 1, 0), max(span.col - 1, 0)
    if length is not None:
        return Loc(file_path(span.file), line, col, line, col + length)
    if span.end_line > 0:
        return Loc(file_path(span.file), line, col, span.end_line - 1, max(span.end_col - 1, 0))
    return Loc(file_path(span.file), line, col, line, col + 1)


# ---------------------------------------------------------------- where the cursor is


def _contains(span: Span, line: int, col: int) -> bool:
    """(line, col) 0-based within a 1-based span with an end."""
    start, here = (span.line, span.col), (line + 1, col + 1)
    end = (span.end_line, span.end_col) if span.end_line > 0 else start
    return start <= here <= end


def enclosing(module: ast.Module, line: int, col: int) -> tuple[ast.TopDecl | None, str | None]:
    """The top-level (or component-level) declaration around the position, and its component."""
    for d in module.decls:
        if isinstance(d, ast.ComponentDecl) and _contains(d.span, line, col):
            inner = next((x for x in d.decls if _contains(x.span, line, col)), None)
            return inner, d.name
        if _contains(d.span, line, col):
            return d, None
    return None, None


def _binders(node: object) -> Iterator[ast.Binder]:
    for n in _walk(node):
        if isinstance(n, ast.Binder):
            yield n


def _walk(node: object) -> Iterator[object]:
    """Every node below `node` (itself included), depth first, in source order."""
    yield node
    if isinstance(node, tuple):
        for x in node:
            yield from _walk(x)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if isinstance(value, ast.Node | tuple):
                yield from _walk(value)


# ---------------------------------------------------------------- what a name is


def lookup(names: Names, path: Path, line: int, col: int) -> tuple[Target, Loc] | None:
    """The target of the name at the position and the range of that name."""
    module = names.module(path)
    if module is None:
        return None
    word = word_at(_text_of(names, module), line, col)
    if word is None:
        return None
    parts, start, end = word
    decl, component = enclosing(module, line, col)
    here = Loc(path, line, start, line, end)
    if len(parts) == 1 and decl is not None:
        local = [b for b in _binders(decl) if b.name == parts[0] and (b.span.line - 1, b.span.col - 1) <= (line, col)]
        if local:
            return Target("local", parts[0], local[-1]), here
    target = resolve_name(names.resolved, parts, component)
    return (target, here) if target is not None else None


def resolve_name(res: Resolved, parts: tuple[str, ...], component: str | None) -> Target | None:
    """A name in the value namespace first, then an action's, then a property's."""
    found = res.lookup(ast.Name(parts), component)
    if isinstance(found, Symbol):
        return Target(found.kind.value, found.qname, found.decl, found.component)
    if isinstance(found, MemberRef):
        return _member(res, found)
    if isinstance(found, list) and found:
        return _member(res, found[0])
    for table, kind in ((res.actions, "action"), (res.props, "property")):
        for prefix in ([component] if component else []) + [None]:
            key = ".".join(((prefix,) if prefix else ()) + parts)
            if key in table:
                decl, comp = table[key]
                return Target(kind, key, decl, comp)
    return None


def _member(res: Resolved, ref: MemberRef) -> Target:
    enum = res.values[ref.enum].decl
    assert isinstance(enum, ast.EnumDecl)
    node = next(m for m in enum.members if m.name == ref.member)
    return Target("enum member", f"{ref.enum}.{ref.member}", node, res.values[ref.enum].component, ref.member)


def _text_of(names: Names, module: ast.Module) -> str:
    return names.modules.sources.get(module.file, "")


def declaration(t: Target) -> Loc:
    """Where the target's name is written in its declaration."""
    if isinstance(t.decl, ast.Decl) and t.decl.name_span.line > 0:
        return span_loc(t.decl.name_span, len(t.qname.rsplit(".", 1)[-1]))
    name = t.member or t.qname.rsplit(".", 1)[-1]
    return span_loc(t.decl.span, len(name))


# ---------------------------------------------------------------- references


def references(names: Names, target: Target, include_declaration: bool) -> list[Loc]:
    """Every use of the target in the model's files (qualified or not), and its declaration."""
    out = [declaration(target)] if include_declaration else []
    if target.kind == "local":
        return out + [span_loc(n.name.span, len(target.qname)) for n in _walk(_owner(names, target))
                      if isinstance(n, ast.NameExpr) and n.name.parts == (target.qname,)]
    for module in names.modules.modules:
        for decl, component in _decls(module.decls, None):
            for n in _walk(decl):
                if isinstance(n, ast.Name) and n.span.line > 0:
                    t = resolve_name(names.resolved, n.parts, component)
                    if t is not None and t.qname == target.qname and t.kind == target.kind:
                        out.append(span_loc(n.span, len(str(n))))
    return sorted(set(out), key=lambda loc: (str(loc.path), loc.line, loc.col))


def _decls(decls: tuple[ast.TopDecl, ...], component: str | None) -> Iterator[tuple[ast.TopDecl, str | None]]:
    for d in decls:
        if isinstance(d, ast.ComponentDecl):
            yield from _decls(d.decls, d.name)
        else:
            yield d, component


def _owner(names: Names, target: Target) -> object:
    """The declaration a local binder belongs to."""
    for module in names.modules.modules:
        for decl, _ in _decls(module.decls, None):
            if any(b is target.decl for b in _binders(decl)):
                return decl
    return ()


# ---------------------------------------------------------------- hover


def hover(names: Names, target: Target, verdict: str | None = None) -> str:
    """Markdown: the declaration's head, its doc (doc string, or the comment lines above it),
    `cite`, and for a property the last verdict the result cache holds."""
    d = target.decl
    head = _head(target)
    parts = [f"```spec\n{head}\n```"]
    doc = getattr(d, "doc", None) or (_comment_above(names, d) if isinstance(d, ast.Decl) else None)
    if doc:
        parts.append(doc)
    cite = getattr(d, "cite", None)
    if cite:
        parts.append(f"cite: {cite}")
    if verdict:
        parts.append(verdict)
    return "\n\n".join(parts)


def _head(t: Target) -> str:
    d = t.decl
    match d:
        case ast.VarDecl():
            return f"var {t.qname}: {print_type(d.type)}"
        case ast.ParamDecl():
            return f"{'mitigation ' if d.mitigation else ''}param {t.qname}: {print_type(d.type)} = {print_expr(d.default)}"
        case ast.ConstDecl():
            return f"const {t.qname} = {print_expr(d.value)}"
        case ast.SortDecl():
            return f"sort {t.qname}" + (f" = {print_expr(d.size)}" if d.size is not None else "")
        case ast.EnumDecl():
            return f"enum {t.qname} {{ {', '.join(m.name for m in d.members)} }}"
        case ast.DefDecl():
            return f"def {t.qname}({_params(d.params)}): {print_type(d.result)}"
        case ast.ActionDecl():
            fair = "" if d.fairness is None else "fair " if d.fairness is Fairness.WEAK else "strong fair "
            return f"{fair}action {t.qname}({_params(d.params)})"
        case ast.InvariantDecl():
            return f"{'lemma' if d.lemma else 'invariant'} {t.qname}"
        case ast.ReachableDecl():
            return f"reachable {t.qname}" + (f" expect {d.expect}" if d.expect else "")
        case ast.PropertyDecl() | ast.AssumeDecl() | ast.ComponentDecl():
            return f"{_KIND[type(d)]} {t.qname}"
        case ast.EnumMember():
            return f"{t.qname} (member of enum {t.qname.rsplit('.', 1)[0]})"
        case ast.Binder():
            return f"{t.qname}: {print_type(d.type)} (local)"
    return t.qname


def _params(params: tuple[ast.Binder, ...]) -> str:
    return ", ".join(f"{b.name}: {print_type(b.type)}" for b in params)


def _comment_above(names: Names, d: ast.Decl) -> str | None:
    lines = names.modules.sources.get(d.span.file, "").splitlines()
    i = d.span.line - 2
    out: list[str] = []
    while 0 <= i < len(lines) and lines[i].strip().startswith("//"):
        out.append(lines[i].strip()[2:].strip())
        i -= 1
    return " ".join(reversed(out)) or None


# ---------------------------------------------------------------- outline and completion


@dataclass(frozen=True)
class Outline:
    name: str
    kind: str  # "component", "enum", "sort", "param", "const", "var", "def", "action", "property", ...
    loc: Loc  # the whole declaration
    name_loc: Loc
    children: tuple[Outline, ...] = ()


_KIND = {ast.ComponentDecl: "component", ast.EnumDecl: "enum", ast.SortDecl: "sort", ast.ParamDecl: "param",
         ast.ConstDecl: "const", ast.VarDecl: "var", ast.DefDecl: "def", ast.ActionDecl: "action",
         ast.InvariantDecl: "invariant", ast.ReachableDecl: "reachable", ast.PropertyDecl: "property",
         ast.AssumeDecl: "assume", ast.ModelDecl: "model"}


def outline(module: ast.Module) -> list[Outline]:
    return [o for d in module.decls if (o := _outline(d)) is not None]


def _outline(d: ast.TopDecl) -> Outline | None:
    kind = _KIND.get(type(d))
    name = getattr(d, "name", None)
    if kind is None or not isinstance(name, str):
        return None
    children: tuple[Outline, ...] = ()
    if isinstance(d, ast.ComponentDecl):
        children = tuple(o for x in d.decls if (o := _outline(x)) is not None)
    elif isinstance(d, ast.EnumDecl):
        children = tuple(Outline(m.name, "enum member", span_loc(m.span, len(m.name)), span_loc(m.span, len(m.name)))
                         for m in d.members)
    return Outline(name, kind, span_loc(d.span), span_loc(d.name_span, len(name)), children)


def completions(names: Names | None, module: ast.Module | None, text: str, line: int, col: int) -> list[tuple[str, str]]:
    """(label, kind) for the word being typed: after `comp.`, the names declared in that
    component; otherwise keywords and every name in scope of the cursor's component."""
    lines = text.splitlines()
    before = lines[line][:col] if 0 <= line < len(lines) else ""
    m = re.search(r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?\.?$", before)
    typed = m.group(0) if m else ""
    out: dict[str, str] = {}
    if names is not None:
        res = names.resolved
        _, component = enclosing(module, line, col) if module is not None else (None, None)
        scoped = [(q, s.kind.value) for q, s in res.values.items()]
        scoped += [(q, "action") for q in res.actions] + [(q, "property") for q in res.props]
        scoped += [(m.member, "enum member") for refs in res.members.values() for m in refs]
        if "." in typed:
            prefix = typed.rsplit(".", 1)[0] + "."
            full = [prefix, f"{component}.{prefix}"] if component else [prefix]
            for q, kind in scoped:
                for p in full:
                    if q.startswith(p) and "." not in q[len(p):]:
                        out.setdefault(q[len(p):], kind)
            return sorted(out.items())
        for q, kind in scoped:
            if component and q.startswith(component + "."):
                out.setdefault(q[len(component) + 1:], kind)
            if q.count(".") <= 1:
                out.setdefault(q, kind)
    if "." not in typed:
        for k in keywords():
            out.setdefault(k, "keyword")
    return sorted(out.items())


@functools.cache
def keywords() -> tuple[str, ...]:
    """The language's keywords: the alphabetic literals of spec/grammar.lark."""
    text = (Path(spec.__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    return tuple(sorted(set(re.findall(r'"([a-z][a-z_]*)"', text))))
