"""The Python face of the .spec language: a model written as Python code gives the same IR as text.

    from spec.builder import E, ModelBuilder
    m = ModelBuilder("tdx")
    PageState = m.enum("PageState", "Free", "Shared", "Private")
    Page = m.sort("Page", size=3)
    st = m.var("st", m.fun(Page, PageState), init=PageState.Free)
    with m.action("alloc", p=Page, doc="allocate") as (a, p):
        a.require(st[p] == PageState.Free)
        a.assign(st[p], PageState.Shared)
    m.invariant("some_free", m.exists(Page, lambda p: st[p] == PageState.Free))
    model = m.build()                     # ir.Model; BuildError (a FrontendError) on mistakes
    inst = m.instance(sizes={"Page": 4})  # ir.Instance
    text = m.to_text()                    # the equivalent .spec source

The builder makes surface syntax (spec/ast.py) whose spans point at the user's Python lines and
runs it through the same front end as a file (spec.resolve, spec.lower), so the IR is the one the
equivalent text gives, and a mistake gets the diagnostic the text would get, located in the
Python code. See docs/python-api.md.
"""

from __future__ import annotations

import linecache
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from spec import ast, ir
from spec.builder_ast import check_module, decl_files, to_text
from spec.builder_body import ActionBody, Body, Cases, InitBody
from spec.builder_expr import (
    Def,
    E,
    EnumType,
    Expr,
    ExprLike,
    FunType,
    Member,
    RangeType,
    Ref,
    SortType,
    TypeLike,
    Var,
    caller_span,
    make_fun,
    make_range,
    node_of,
    param_names,
    type_node,
)
from spec.diagnostics import Diagnostic, FrontendError, Sink, render_all
from spec.frontend import Loaded, instantiate, model_from_modules
from spec.loader import ModuleSet, display_name, load_modules
from spec.ops import Fairness
from spec.source import Span

__all__ = [
    "ActionBody", "Body", "BuildError", "Cases", "ComponentBuilder", "Def", "E", "EnumType", "Expr", "FunType",
    "InitBody", "Member", "ModelBuilder", "Names", "RangeType", "Ref", "SortType", "Var",
]


class BuildError(FrontendError):
    """A FrontendError whose text shows every diagnostic with the Python line it points at."""

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: Mapping[str, str]):
        super().__init__(diagnostics)
        self.sources = dict(sources)

    def __str__(self) -> str:
        return render_all(self.diagnostics, self.sources)


def python_sources(files: Iterable[str]) -> dict[str, str]:
    """The text of the Python files that spans point into (for diagnostic excerpts)."""
    out: dict[str, str] = {}
    for f in files:
        text = "".join(linecache.getlines(f))
        if text:
            out[f] = text
    return out


# ---------------------------------------------------------------- declarations

_Item = Union[ast.TopDecl, ActionBody, InitBody, "ComponentBuilder", "_Include"]


@dataclass(frozen=True)
class _Include:
    """`include "path";`: `path` as written, and the files it brought in."""

    path: str
    modules: ModuleSet
    span: Span


class Names:
    """Handles for the declarations of an included file: `lib.Page`, `lib.st[p]`, `lib.kvm.spte`."""

    def __init__(self, handles: Mapping[str, object]) -> None:
        self._handles = dict(handles)

    def __getattr__(self, name: str) -> object:
        if name.startswith("_") or name not in self._handles:
            raise AttributeError(f"no declaration `{name}` here (declared: {', '.join(self._handles)})")
        return self._handles[name]

    def __getitem__(self, name: str) -> object:
        return self._handles[name]

    def __dir__(self) -> list[str]:
        return sorted(self._handles)


def _handles(decls: Iterable[ast.TopDecl], prefix: tuple[str, ...], span: Span) -> dict[str, object]:
    out: dict[str, object] = {}
    for d in decls:
        match d:
            case ast.EnumDecl():
                out[d.name] = EnumType(prefix + (d.name,), tuple(x.name for x in d.members))
            case ast.SortDecl():
                out[d.name] = SortType(prefix + (d.name,))
            case ast.VarDecl():
                out[d.name] = Var(prefix + (d.name,), span)
            case ast.ParamDecl() | ast.ConstDecl():
                out[d.name] = Ref(prefix + (d.name,), span)
            case ast.DefDecl():
                out[d.name] = Def(prefix + (d.name,))
            case ast.ComponentDecl():
                out[d.name] = Names(_handles(d.decls, (d.name,), span))
    return out


class _Scope:
    """Declarations of the model or of one component (names then qualified: `kvm.spte`)."""

    def __init__(self, prefix: str | None) -> None:
        self._prefix = prefix
        self._items: list[_Item] = []

    def _parts(self, name: str) -> tuple[str, ...]:
        if not isinstance(name, str):
            raise TypeError(f"a name is a string, not {name!r}")
        return (self._prefix, name) if self._prefix else (name,)

    def _add(self, decl: _Item) -> None:
        self._items.append(decl)

    def enum(self, name: str, /, *members: str) -> EnumType:
        """`enum NAME { members }`; members as attributes: `PageState.Free`."""
        span = caller_span()
        if not all(isinstance(x, str) for x in members):
            raise TypeError("enum members are strings: m.enum('PageState', 'Free', 'Shared')")
        self._add(ast.EnumDecl(name, tuple(ast.EnumMember(x, span=span) for x in members),
                               span=span, name_span=span))
        return EnumType(self._parts(name), tuple(members))

    def sort(self, name: str, /, size: ExprLike | None = None) -> SortType:
        """`sort NAME [= size];` (the size may be a const or parameter; instances can override it)."""
        span = caller_span()
        self._add(ast.SortDecl(name, node_of(size, span) if size is not None else None, span=span, name_span=span))
        return SortType(self._parts(name))

    def param(self, name: str, /, type: TypeLike, default: ExprLike, *, mitigation: bool = False) -> Ref:
        """`[mitigation] param NAME: type = default;`"""
        span = caller_span()
        self._add(ast.ParamDecl(name, type_node(type, span), node_of(default, span), mitigation,
                                span=span, name_span=span))
        return Ref(self._parts(name), span)

    def param_default(self, param: Ref | str, /, value: ExprLike) -> None:
        """`param NAME = value;`: a new default for a parameter declared elsewhere, typically in an
        included library (`m.param_default(lib.hardware, lib.Hardware.snp)` or
        `m.param_default("hw.hardware", ...)`); `--set` and `instance(params=...)` still win."""
        span = caller_span()
        parts = tuple(param.name.split(".")) if isinstance(param, Ref) else tuple(param.split("."))
        self._add(ast.ParamOverride(ast.Name(parts, span=span), node_of(value, span), span=span, name_span=span))

    def const(self, name: str, /, value: ExprLike) -> Ref:
        """`const NAME = value;`"""
        span = caller_span()
        self._add(ast.ConstDecl(name, node_of(value, span), span=span, name_span=span))
        return Ref(self._parts(name), span)

    def var(self, name: str, /, type: TypeLike, init: ExprLike | None = None) -> Var:
        """`var NAME: type [= init];` (for a function, `init` is the value of every entry)."""
        span = caller_span()
        self._add(ast.VarDecl(name, type_node(type, span), node_of(init, span) if init is not None else None,
                              span=span, name_span=span))
        return Var(self._parts(name), span)

    def init(self) -> InitBody:
        """`with m.init() as i:` an `init { ... }` block (several are run in order)."""
        body = InitBody("init block", caller_span())
        self._add(body)
        return body

    def define(self, name: str, /, *signature: object, returns: TypeLike) -> Def:
        """`def NAME(p: T, ...): returns = body;` as `m.define(NAME, T, ..., lambda p, ...: body,
        returns=...)`; the function's parameter names name the def's parameters."""
        span = caller_span()
        *types, body = signature if signature else (None,)
        if callable(body) and not isinstance(body, Expr):
            names = param_names(body, len(types), f"define({name!r})")
            value = body(*(Ref((n,), span) for n in names))
        elif not types:
            names, value = (), body
        else:
            raise TypeError(f"define({name!r}, T1, ..., body): the body is a function of the parameters")
        binders = tuple(ast.Binder(n, type_node(t, span), span=span) for n, t in zip(names, types, strict=True))
        self._add(ast.DefDecl(name, binders, type_node(returns, span), node_of(value, span),
                              span=span, name_span=span))
        return Def(self._parts(name))

    def action(self, name: str, /, *, doc: str | None = None, cite: str | None = None,
               params: Mapping[str, TypeLike] | None = None, fair: Fairness | None = None,
               **kw_params: TypeLike) -> ActionBody:
        """`with m.action(NAME, p=Page, doc=..., cite=...) as (a, p):` (parameters in order; use
        `params={...}` for a parameter named `doc`, `cite`, `params` or `fair`); `fair=
        Fairness.WEAK` is `fair action`, `Fairness.STRONG` `strong fair action`."""
        span = caller_span()
        body = ActionBody(self._parts(name), tuple({**(params or {}), **kw_params}.items()), doc, cite, span, fair)
        self._add(body)
        return body

    def invariant(self, name: str, /, expr: ExprLike, doc: str | None = None) -> None:
        """`invariant NAME "doc": expr;` must hold in every reachable state."""
        span = caller_span()
        self._add(ast.InvariantDecl(name, doc, node_of(expr, span), span=span, name_span=span))

    def property(self, name: str, /, expr: ExprLike, doc: str | None = None) -> None:
        """`property NAME "doc": expr;` a liveness property: `E.always(E.implies(p, E.eventually(q)))`,
        `E.eventually(q)` or `E.always(E.eventually(q))`, under `E.forall`."""
        span = caller_span()
        self._add(ast.PropertyDecl(name, doc, node_of(expr, span), span=span, name_span=span))

    def reachable(self, name: str, /, expr: ExprLike, doc: str | None = None, expect: str | None = None) -> None:
        """`reachable NAME [expect WORD] "doc": expr;` holds in some reachable state; `expect`
        "unreachable" or "any" (an open question) changes which answer fails a run."""
        span = caller_span()
        self._add(ast.ReachableDecl(name, doc, node_of(expr, span), expect, span, span=span, name_span=span))

    def assume(self, name: str, /, expr: ExprLike, doc: str | None = None) -> None:
        """`assume NAME "doc": expr;` restricts the states considered."""
        span = caller_span()
        self._add(ast.AssumeDecl(name, doc, node_of(expr, span), span=span, name_span=span))

    # -- types and expression helpers (the same as spec.builder.E)

    range = staticmethod(make_range)
    fun = staticmethod(make_fun)
    forall = staticmethod(E.forall)
    exists = staticmethod(E.exists)
    count = staticmethod(E.count)
    ite = staticmethod(E.ite)

    def _decls(self) -> tuple[ast.TopDecl, ...]:
        out: list[ast.TopDecl] = []
        for item in self._items:
            if isinstance(item, ActionBody | InitBody):
                out.append(item.decl())
            elif isinstance(item, ComponentBuilder):
                out.append(ast.ComponentDecl(item.name, item._decls(), span=item._span, name_span=item._span))
            elif isinstance(item, _Include):
                out.append(ast.Include(item.path, span=item.span, name_span=item.span))
            else:
                out.append(item)
        return tuple(out)


class ComponentBuilder(_Scope):
    """`component NAME { ... }`: the same declarations, named `NAME.x`."""

    def __init__(self, name: str, span: Span) -> None:
        super().__init__(name)
        self.name = name
        self._span = span

    def __enter__(self) -> ComponentBuilder:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None


class ModelBuilder(_Scope):
    """A whole model; see the module docstring."""

    def __init__(self, name: str) -> None:
        super().__init__(None)
        span = caller_span()
        self.name = name
        self._span = span
        self._add(ast.ModelDecl(name, span=span, name_span=span))

    def component(self, name: str, /) -> ComponentBuilder:
        """`with m.component("kvm") as kvm:` then `kvm.var(...)`, `kvm.action(...)`, ..."""
        comp = ComponentBuilder(name, caller_span())
        self._add(comp)
        return comp

    def include(self, path: str | Path, /) -> Names:
        """`include "path";` (relative to the calling Python file). Returns handles for the
        included declarations: `lib = m.include("lib/mm.spec")`, then `lib.Page`, `lib.st[p]`."""
        span = caller_span()
        here = Path(span.file).parent if not span.file.startswith("<") else Path.cwd()
        file = Path(display_name((here / path).resolve()))
        try:
            modules = load_modules(file, Sink())
        except FrontendError as err:
            raise BuildError(err.diagnostics, python_sources(_files(err.diagnostics))) from None
        self._add(_Include(str(path), modules, span))
        return Names(_handles(modules.decls(), (), span))

    def module(self) -> ast.Module:
        """The surface syntax of the model (spans at the Python lines that built it)."""
        return ast.Module(f"<builder {self.name}>", self._decls(), span=self._span)

    def loaded(self) -> Loaded:
        """The model and the sources its spans point into. Raises BuildError on mistakes."""
        module = self.module()
        sink = Sink()
        modules = self._with_includes(module, sink)
        sink.items.extend(check_module(modules))
        try:
            loaded = model_from_modules(modules, sink)
        except FrontendError as err:
            raise BuildError(err.diagnostics, {**modules.sources, **python_sources(_files(err.diagnostics))}) \
                from None
        return Loaded(loaded.model, {**loaded.sources, **python_sources(decl_files(module))}, loaded.warnings)

    def _with_includes(self, module: ast.Module, sink: Sink) -> ModuleSet:
        modules: dict[str, ast.Module] = {}
        targets: dict[tuple[str, int, int], str] = {}
        included_from: dict[str, Span] = {}
        sources: dict[str, str] = {}
        for item in self._items:
            if not isinstance(item, _Include):
                continue
            got = item.modules
            for m in got.modules:
                modules.setdefault(m.file, m)
            targets.update(got.include_targets)
            targets[(module.file, item.span.line, item.span.col)] = got.root.file
            included_from.update(got.included_from)
            included_from.setdefault(got.root.file, item.span)
            sources.update(got.sources)
        sink.sources.update(sources)
        return ModuleSet(module, (module, *modules.values()), included_from, sources, targets)

    def build(self) -> ir.Model:
        """The IR, exactly as `spec.load` gives it for `self.to_text()`. Raises BuildError."""
        return self.loaded().model

    def instance(self, sizes: Mapping[str, int | str] | None = None,
                 params: Mapping[str, ir.Value | str] | None = None) -> ir.Instance:
        """One configuration: parameters bound (by name, values or member names) and sorts sized."""
        loaded = self.loaded()
        try:
            return instantiate(loaded, sizes, params)
        except FrontendError as err:
            raise BuildError(err.diagnostics, loaded.sources) from None

    def to_text(self) -> str:
        """The equivalent .spec source, canonically formatted (`spec.load` of it gives `build()`)."""
        return to_text(self._with_includes(self.module(), Sink()))


def _files(diags: Iterable[Diagnostic]) -> set[str]:
    out = set()
    for d in diags:
        out.add(d.span.file)
        out.update(n.span.file for n in d.notes)
    return out
