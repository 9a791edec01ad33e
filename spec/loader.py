"""Read a model and everything it includes; path -> ModuleSet.

Includes are relative to the including file, must stay inside the root model's folder, are read
once each (a diamond is fine), and a cycle is an error, never a hang.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spec import ast
from spec.diagnostics import FrontendError, Note, Sink
from spec.parser import parse
from spec.source import MAX_FILE_BYTES, SourceFile, Span, read_source


@dataclass(frozen=True)
class ModuleSet:
    """The parsed files of one model, root first, then includes in the order first reached."""

    root: ast.Module
    modules: tuple[ast.Module, ...]
    # file name -> the `include` that first brought it in (absent for the root)
    included_from: dict[str, Span] = field(default_factory=dict, compare=False)
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    # (including file, line, col of the include) -> the included file's name
    include_targets: dict[tuple[str, int, int], str] = field(default_factory=dict, compare=False)

    def decls(self) -> list[ast.TopDecl]:
        """Every top-level declaration, each included file's declarations in place of its include."""
        by_file = {m.file: m for m in self.modules}
        out: list[ast.TopDecl] = []
        seen: set[str] = set()

        def walk(mod: ast.Module) -> None:
            seen.add(mod.file)
            for d in mod.decls:
                if isinstance(d, ast.Include):
                    target = self.include_targets.get((mod.file, d.span.line, d.span.col))
                    if target is not None and target in by_file and target not in seen:
                        walk(by_file[target])
                else:
                    out.append(d)

        walk(self.root)
        return out


def display_name(path: Path) -> str:
    """How a file is named in messages: relative to the working directory when it is below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("..") else str(path)


class _Loader:
    def __init__(self, sink: Sink, root_dir: Path, root_text: str | None = None,
                 overlays: Mapping[Path, str] | None = None):
        self.sink = sink
        self.root_text = root_text  # the root model's text when it came from standard input
        self.overlays = overlays or {}  # real path -> text not yet saved (an editor's buffers)
        self.root_dir = root_dir
        self.modules: dict[str, ast.Module] = {}
        self.order: list[str] = []
        self.included_from: dict[str, Span] = {}
        self.stack: list[tuple[Path, Span | None]] = []
        self.targets: dict[tuple[str, int, int], str] = {}

    def load(self, path: Path, via: Span | None, display: str | None = None) -> str | None:
        real = _real(path)
        name = display if display is not None else display_name(real)
        for i, (p, _) in enumerate(self.stack):
            if p == real:
                chain = " -> ".join(display_name(q) for q, _ in self.stack[i:]) + f" -> {name}"
                assert via is not None
                self.sink.error(via, "E0203", f"include cycle: {chain}",
                                "an included file must not include (directly or not) the file including it")
                return None
        if name in self.modules:
            return name
        try:  # regular files only, and never more than the limit (a FIFO or /dev/zero is refused)
            if via is None and self.root_text is not None:
                src = SourceFile(name, self.root_text, real)
            elif real in self.overlays:
                src = SourceFile(name, self.overlays[real], real)
            else:
                src = read_source(real, name, MAX_FILE_BYTES)
        except OSError as err:
            reason = err.strerror or str(err)
            where = via if via is not None else Span(name, 0, 0)
            self.sink.error(where, "E0201", f"cannot read `{display_name(path)}`: {reason}", _read_hint(err))
            return None
        self.sink.sources[src.name] = src.text
        try:
            mod = parse(src)
        except FrontendError as err:
            self.sink.items.extend(err.diagnostics)
            if via is not None:
                self.included_from.setdefault(src.name, via)
            return None
        self.modules[name] = mod
        self.order.append(name)
        if via is not None:
            self.included_from[name] = via
        self.stack.append((real, via))
        self._includes(mod, src, real)
        self.stack.pop()
        return name

    def _includes(self, mod: ast.Module, src: SourceFile, real: Path) -> None:
        for d in mod.decls:
            if isinstance(d, ast.ComponentDecl):
                for inner in d.decls:
                    if isinstance(inner, ast.Include):
                        self.sink.error(inner.span, "E0205", "`include` is allowed only at the top level of a file",
                                        "move the include above the component")
            if not isinstance(d, ast.Include):
                continue
            if not d.path:
                self.sink.error(d.span, "E0201", "empty include path")
                continue
            target = _real(real.parent / d.path)
            if not _inside(target, self.root_dir):
                self.sink.error(d.span, "E0204", f"`{d.path}` is outside the model's folder",
                                f"includes must stay in `{display_name(self.root_dir).rstrip('/')}/` (the folder of "
                                "the model being checked) or below it")
                continue
            name = self.load(target, d.span)
            if name is not None:
                self.targets[(mod.file, d.span.line, d.span.col)] = name


def _real(path: Path) -> Path:
    # Not Path.resolve(): on a symlink loop it raises RuntimeError (Python 3.11); realpath leaves
    # the loop for the read to report (E0201, "Too many levels of symbolic links").
    return Path(os.path.realpath(path))


def _read_hint(err: OSError) -> str | None:
    if err.errno == errno.EINVAL:
        return "models and included files are read from regular files only (not devices, FIFOs or sockets)"
    if err.errno == errno.EFBIG:
        return "a model this large is almost certainly the wrong file"
    return None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def load_modules(path: Path, sink: Sink, text: str | None = None,
                 overlays: Mapping[Path, str] | None = None) -> ModuleSet:
    """Read and parse `path` and its includes. Raises FrontendError when anything failed.
    `text`: the root's text, read elsewhere (standard input: `path` is then `<stdin>`, and its
    includes are found from the working directory). `overlays`: texts to use instead of the files
    at those real paths (the language server's unsaved buffers)."""
    root_dir = _real(path).parent
    loader = _Loader(sink, root_dir, text, overlays)
    root_name = loader.load(path, None, display=str(path))
    add_include_notes(sink, loader.included_from)
    sink.raise_if_errors()
    assert root_name is not None
    modules = tuple(loader.modules[n] for n in loader.order)
    return ModuleSet(loader.modules[root_name], modules, dict(loader.included_from), dict(sink.sources),
                     dict(loader.targets))


def add_include_notes(sink: Sink, included_from: dict[str, Span]) -> None:
    """Give every diagnostic in an included file a note at the include line that reached it."""
    for i, d in enumerate(sink.items):
        file = d.span.file
        span = included_from.get(file)
        notes = list(d.notes)
        seen = set()
        while span is not None and span.file not in seen:
            seen.add(span.file)
            notes.append(Note(span, f"`{file}` included from here"))
            file = span.file
            span = included_from.get(file)
        if len(notes) != len(d.notes):
            sink.items[i] = type(d)(d.span, d.severity, d.code, d.message, d.hint, tuple(notes))
