"""Scopes and names: every declaration entered under its qualified name; ModuleSet -> Resolved.

Namespaces: values and types (enums, sorts, params, consts, vars, defs, components) share one;
actions have their own; properties (invariants, reachable goals, assumes, named asserts) have
their own. A declaration inside `component c { ... }` is named `c.x`. Inside a component a bare
name means the component's own declaration first, then the top-level one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from spec import ast
from spec.diagnostics import Note, Sink
from spec.loader import ModuleSet
from spec.source import Span


class SymKind(Enum):
    ENUM = "enum"
    SORT = "sort"
    PARAM = "parameter"
    CONST = "constant"
    VAR = "state variable"
    DEF = "def"
    COMPONENT = "component"


@dataclass(frozen=True)
class Symbol:
    kind: SymKind
    qname: str
    decl: ast.TopDecl
    component: str | None


@dataclass(frozen=True)
class MemberRef:
    """An enum member, found by name."""

    enum: str  # qualified enum name
    member: str


@dataclass
class Resolved:
    model_name: str
    values: dict[str, Symbol] = field(default_factory=dict)
    members: dict[str, list[MemberRef]] = field(default_factory=dict)  # member name -> enums
    actions: dict[str, tuple[ast.ActionDecl, str | None]] = field(default_factory=dict)
    props: dict[str, tuple[ast.TopDecl, str | None]] = field(default_factory=dict)
    # declarations in source order, each with its component (None at top level)
    decls: list[tuple[ast.TopDecl, str | None]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def lookup(self, name: ast.Name, component: str | None) -> Symbol | MemberRef | list[MemberRef] | None:
        """A symbol, an enum member, a list of candidate members (ambiguous), or None."""
        parts = name.parts
        # 1. the whole name as a declaration, component-local first
        for prefix in ([component] if component else []) + [None]:
            key = ".".join(((prefix,) if prefix else ()) + parts)
            sym = self.values.get(key)
            if sym is not None and sym.kind is not SymKind.COMPONENT:
                return sym
        # 2. `Enum.Member` (or `comp.Enum.Member`)
        if len(parts) >= 2:
            enum_name = ast.Name(parts[:-1])
            enum = self.lookup(enum_name, component)
            if isinstance(enum, Symbol) and enum.kind is SymKind.ENUM:
                decl = enum.decl
                assert isinstance(decl, ast.EnumDecl)
                if any(m.name == parts[-1] for m in decl.members):
                    return MemberRef(enum.qname, parts[-1])
                return None
        # 3. a bare enum member
        if len(parts) == 1:
            cands = self.members.get(parts[0], [])
            if len(cands) == 1:
                return cands[0]
            if len(cands) > 1:
                return list(cands)
        # 4. a component name on its own
        sym = self.values.get(".".join(parts))
        return sym

    def visible_names(self, component: str | None) -> list[str]:
        """Names a user could have meant (for 'did you mean')."""
        out = list(self.members)
        for key in self.values:
            out.append(key)
            if component and key.startswith(component + "."):
                out.append(key[len(component) + 1:])
        return out


_NAMED = ast.EnumDecl | ast.SortDecl | ast.ParamDecl | ast.ConstDecl | ast.VarDecl | ast.DefDecl  # _kind_of's


def _kind_of(decl: ast.TopDecl) -> SymKind | None:
    return {
        ast.EnumDecl: SymKind.ENUM, ast.SortDecl: SymKind.SORT, ast.ParamDecl: SymKind.PARAM,
        ast.ConstDecl: SymKind.CONST, ast.VarDecl: SymKind.VAR, ast.DefDecl: SymKind.DEF,
        ast.ComponentDecl: SymKind.COMPONENT,
    }.get(type(decl))


def _qualify(component: str | None, name: str) -> str:
    return f"{component}.{name}" if component else name


def resolve(modules: ModuleSet, sink: Sink) -> Resolved:
    """Enter every declaration; report duplicates and misplaced declarations."""
    headers = [d for d in modules.root.decls if isinstance(d, ast.ModelDecl)]
    model_name = headers[0].name if headers else None
    for extra in headers[1:]:
        sink.error(extra.name_span, "E0209", "a second `model` header",
                   notes=[Note(headers[0].name_span, "the model is named here")])
    if model_name is None:
        stem = modules.root.file.rsplit("/", 1)[-1]
        model_name = stem[:-5] if stem.endswith(".spec") else stem
    res = Resolved(model_name, sources=dict(modules.sources))
    first_span: dict[tuple[str, str], Span] = {}

    def enter(ns: str, qname: str, span: Span, what: str) -> bool:
        key = (ns, qname)
        if key in first_span:
            sink.error(span, "E0202", f"duplicate declaration of {what} `{qname}`",
                       notes=[Note(first_span[key], f"`{qname}` first declared here")])
            return False
        first_span[key] = span
        return True

    def walk(decls: tuple[ast.TopDecl, ...] | list[ast.TopDecl], component: str | None) -> None:
        for d in decls:
            if isinstance(d, ast.ModelDecl) and component is not None:
                sink.error(d.name_span, "E0209", "a `model` header inside a component",
                           "name the model once, at the top level of its main file")
            if isinstance(d, ast.ModelDecl | ast.Include):
                continue  # the loader has dealt with these
            kind = _kind_of(d)
            if isinstance(d, ast.ComponentDecl):
                q = _qualify(component, d.name)
                if component is not None:
                    # Reported, then entered as `outer.inner` so that its uses do not cascade.
                    sink.error(d.name_span, "E0206", "components cannot be nested",
                               f"declare `{d.name}` at the top level of a file")
                if enter("value", q, d.name_span, "component"):
                    res.values[q] = Symbol(SymKind.COMPONENT, q, d, component)
                walk(d.decls, q)
                continue
            res.decls.append((d, component))
            if kind is not None:
                assert isinstance(d, _NAMED)
                q = _qualify(component, d.name)
                if enter("value", q, d.name_span, kind.value):
                    res.values[q] = Symbol(kind, q, d, component)
                if isinstance(d, ast.EnumDecl):
                    for m in d.members:
                        res.members.setdefault(m.name, []).append(MemberRef(q, m.name))
            elif isinstance(d, ast.ActionDecl):
                q = _qualify(component, d.name)
                if enter("action", q, d.name_span, "action"):
                    res.actions[q] = (d, component)
            elif isinstance(d, ast.InvariantDecl | ast.ReachableDecl | ast.PropertyDecl | ast.AssumeDecl):
                q = _qualify(component, d.name)
                if enter("prop", q, d.name_span, "property"):
                    res.props[q] = (d, component)

    walk(modules.decls(), None)
    return res
