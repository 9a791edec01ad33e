"""`spec-check lsp`: the language server over stdio (pygls), docs/editors.md.

Diagnostics on open, change and save, for the file and every file of the model it belongs to
(the command line's codes, hints as part of the message, notes as related information); hover,
definition, references, document symbols, formatting (the `fmt` printer) and completion. A
request whose handler raises answers a JSON-RPC error (pygls), and the server stays up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls import uris
from pygls.lsp.server import LanguageServer

from checker.lsp import navigate
from checker.lsp.navigate import Loc
from checker.lsp.verdicts import LastVerdicts
from checker.lsp.workspace import Workspace, file_path, real
from spec import ast
from spec.diagnostics import Diagnostic, FrontendError, Severity
from spec.parser import parse
from spec.printer import format_module
from spec.source import SourceFile

VERSION = "0.1.0"
_SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error, Severity.WARNING: lsp.DiagnosticSeverity.Warning,
             Severity.NOTE: lsp.DiagnosticSeverity.Information}
_SYMBOL = {"component": lsp.SymbolKind.Module, "enum": lsp.SymbolKind.Enum, "enum member": lsp.SymbolKind.EnumMember,
           "sort": lsp.SymbolKind.Class, "param": lsp.SymbolKind.Constant, "const": lsp.SymbolKind.Constant,
           "var": lsp.SymbolKind.Variable, "def": lsp.SymbolKind.Function, "action": lsp.SymbolKind.Method,
           "invariant": lsp.SymbolKind.Property, "reachable": lsp.SymbolKind.Event, "property": lsp.SymbolKind.Property,
           "assume": lsp.SymbolKind.Boolean, "model": lsp.SymbolKind.File}
_COMPLETION = {"keyword": lsp.CompletionItemKind.Keyword, "action": lsp.CompletionItemKind.Method,
               "property": lsp.CompletionItemKind.Property, "state variable": lsp.CompletionItemKind.Variable,
               "def": lsp.CompletionItemKind.Function, "enum": lsp.CompletionItemKind.Enum,
               "enum member": lsp.CompletionItemKind.EnumMember, "sort": lsp.CompletionItemKind.Class,
               "component": lsp.CompletionItemKind.Module}


class SpecServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("spec-check", VERSION)
        self.models = Workspace()
        self.verdicts = LastVerdicts()
        self.published: dict[Path, set[Path]] = {}  # model root -> files that got diagnostics


def _path(uri: str) -> Path:
    fs = uris.to_fs_path(uri)
    if fs is None:
        raise ValueError(f"not a file: {uri}")
    return real(fs)


def _uri(path: Path) -> str:
    uri = uris.from_fs_path(str(path))
    assert uri is not None
    return uri


def _range(loc: Loc) -> lsp.Range:
    return lsp.Range(lsp.Position(loc.line, loc.col), lsp.Position(loc.end_line, loc.end_col))


def _location(loc: Loc) -> lsp.Location:
    return lsp.Location(_uri(loc.path), _range(loc))


def _diagnostic(d: Diagnostic) -> lsp.Diagnostic:
    loc = navigate.span_loc(d.span) if d.span.line > 0 else Loc(file_path(d.span.file), 0, 0, 0, 0)
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    related = [lsp.DiagnosticRelatedInformation(_location(navigate.span_loc(n.span)), n.message)
               for n in d.notes if n.span.line > 0]
    return lsp.Diagnostic(_range(loc), message, severity=_SEVERITY[d.severity], code=d.code, source="spec-check",
                          related_information=related or None)


def publish(ls: SpecServer, path: Path) -> None:
    """Diagnostics of the model `path` belongs to, file by file; files that had some and have
    none now are cleared."""
    root, diags = ls.models.diagnostics(path)
    by_file: dict[Path, list[lsp.Diagnostic]] = {path: [], root: []}
    for d in diags:
        by_file.setdefault(file_path(d.span.file), []).append(_diagnostic(d))
    for old in ls.published.get(root, set()) - set(by_file):
        by_file[old] = []
    ls.published[root] = {p for p, items in by_file.items() if items}
    for p, items in by_file.items():
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(_uri(p), items))


def make_server() -> SpecServer:
    server = SpecServer()
    _documents(server)
    _navigation(server)
    _editing(server)
    return server


def _documents(server: SpecServer) -> None:
    """Open, change, save, close: the texts, and the diagnostics published for them."""

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SpecServer, params: lsp.DidOpenTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        ls.models.open(path, params.text_document.text)
        publish(ls, path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SpecServer, params: lsp.DidChangeTextDocumentParams) -> None:
        doc = ls.workspace.get_text_document(params.text_document.uri)
        path = _path(params.text_document.uri)
        ls.models.open(path, doc.source)
        publish(ls, path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SpecServer, params: lsp.DidSaveTextDocumentParams) -> None:
        publish(ls, _path(params.text_document.uri))

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SpecServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.models.close(_path(params.text_document.uri))


def _navigation(server: SpecServer) -> None:
    """Hover, definition, references, outline."""

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: SpecServer, params: lsp.HoverParams) -> lsp.Hover | None:
        found = _lookup(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        names, target, here = found
        verdict = None
        if target.kind == "property":
            verdict = ls.verdicts.of(ls.models.root(_path(params.text_document.uri)), target.qname)
        text = navigate.hover(names, target, verdict)
        return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text), _range(here))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: SpecServer, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        include = _include_target(ls, params.text_document.uri, params.position)
        if include is not None:
            return [lsp.Location(_uri(include), lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)))]
        found = _lookup(ls, params.text_document.uri, params.position)
        return None if found is None else [_location(navigate.declaration(found[1]))]

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def references(ls: SpecServer, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
        found = _lookup(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        names, target, _ = found
        return [_location(x) for x in navigate.references(names, target, params.context.include_declaration)]

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def symbols(ls: SpecServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        path = _path(params.text_document.uri)
        module: ast.Module | None
        try:
            module = parse(SourceFile(str(path), ls.models.text(path), path))
        except FrontendError:
            names = ls.models.names(path)
            module = names.module(path) if names is not None else None
        return [] if module is None else [_symbol(o) for o in navigate.outline(module)]


def _editing(server: SpecServer) -> None:
    """Formatting and completion."""

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    def formatting(ls: SpecServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
        path = _path(params.text_document.uri)
        text = ls.models.text(path)
        try:
            new = format_module(parse(SourceFile(str(path), text, path)))
        except FrontendError:
            return None  # nothing to format until it parses; the diagnostics say why
        if new == text:
            return []
        lines = text.splitlines()
        end = lsp.Position(len(lines), 0)
        return [lsp.TextEdit(lsp.Range(lsp.Position(0, 0), end), new)]

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["."]))
    def completion(ls: SpecServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        path = _path(params.text_document.uri)
        names = ls.models.names(path)
        module = names.module(path) if names is not None else None
        pos = params.position
        items = [lsp.CompletionItem(label, kind=_COMPLETION.get(kind, lsp.CompletionItemKind.Constant), detail=kind)
                 for label, kind in navigate.completions(names, module, ls.models.text(path), pos.line, pos.character)]
        return lsp.CompletionList(is_incomplete=False, items=items)


def _lookup(ls: SpecServer, uri: str, pos: lsp.Position) -> tuple[Any, navigate.Target, Loc] | None:
    path = _path(uri)
    names = ls.models.names(path)
    if names is None:
        return None
    found = navigate.lookup(names, path, pos.line, pos.character)
    return None if found is None else (names, found[0], found[1])


def _include_target(ls: SpecServer, uri: str, pos: lsp.Position) -> Path | None:
    """The file an `include "..."` names, when the cursor is on that line."""
    path = _path(uri)
    lines = ls.models.text(path).splitlines()
    if not 0 <= pos.line < len(lines):
        return None
    line = lines[pos.line].strip()
    if not line.startswith("include ") or '"' not in line:
        return None
    target = real(path.parent / line.split('"')[1])
    return target if target.is_file() else None


def _symbol(o: navigate.Outline) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(o.name, _SYMBOL.get(o.kind, lsp.SymbolKind.Object), _range(o.loc), _range(o.name_loc),
                              detail=o.kind, children=[_symbol(c) for c in o.children] or None)


def main() -> int:
    make_server().start_io()
    return 0
