"""The models an editor has open: unsaved texts, the model each file belongs to, and the front
end's answers for it (diagnostics; the parsed files and their resolved names).

A file that declares `model` (or that nothing near it includes) is its own root. A library file
(models/lib/kvm.spec) is checked as part of a model that includes it: the first `*.spec` in its
folder or the two above, in name order, whose includes reach it. Unsaved texts of every open
file are used in place of the files (spec/loader.py overlays). The last analysis that parsed is
kept, so that names still resolve while the text being typed does not parse.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from spec import ast
from spec.diagnostics import Diagnostic, FrontendError, Sink
from spec.frontend import load_model
from spec.loader import ModuleSet, load_modules
from spec.resolve import Resolved, resolve

ROOT_SEARCH_LEVELS = 3  # the file's folder and the two above it


def real(path: Path | str) -> Path:
    return Path(os.path.realpath(path))


def file_path(name: str) -> Path:
    """The file a diagnostic's or a module's name stands for (names are relative to the working
    directory when the file is below it, else absolute: spec/loader.py display_name)."""
    return real(Path(name) if os.path.isabs(name) else Path.cwd() / name)


@dataclass(frozen=True)
class Names:
    """A model's parsed files and its resolved names."""

    modules: ModuleSet
    resolved: Resolved

    def module(self, path: Path) -> ast.Module | None:
        for m in self.modules.modules:
            if file_path(m.file) == path:
                return m
        return None


@dataclass
class Workspace:
    texts: dict[Path, str] = field(default_factory=dict)  # real path -> the editor's text
    _roots: dict[Path, Path] = field(default_factory=dict)
    _names: dict[Path, Names] = field(default_factory=dict)  # root -> last analysis that parsed

    def open(self, path: Path, text: str) -> None:
        self.texts[real(path)] = text

    def close(self, path: Path) -> None:
        self.texts.pop(real(path), None)

    def text(self, path: Path) -> str:
        p = real(path)
        if p in self.texts:
            return self.texts[p]
        return p.read_text(encoding="utf-8", errors="replace")

    # ------------------------------------------------------------------ roots

    def root(self, path: Path) -> Path:
        """The model `path` is checked as part of (itself when it is a model)."""
        p = real(path)
        if p in self._roots and self._roots[p] != p:
            return self._roots[p]
        found = p if _declares_model(self.text(p)) else self._including_model(p)
        self._roots[p] = found
        return found

    def _including_model(self, path: Path) -> Path:
        folder = path.parent
        for _ in range(ROOT_SEARCH_LEVELS):
            for cand in sorted(folder.glob("*.spec")):
                c = real(cand)
                if c != path and _declares_model(self._peek(c)) and path in self._reach(c):
                    return c
            if folder.parent == folder:
                break
            folder = folder.parent
        return path

    def _peek(self, path: Path) -> str:
        try:
            return self.text(path)
        except OSError:
            return ""

    def _reach(self, root: Path) -> set[Path]:
        try:
            modules = load_modules(root, Sink(), overlays=self.texts)
        except FrontendError:
            return set()
        return {file_path(m.file) for m in modules.modules}

    # ------------------------------------------------------------------ answers

    def diagnostics(self, path: Path) -> tuple[Path, list[Diagnostic]]:
        """The model `path` belongs to, and every diagnostic of it (any of its files)."""
        root = self.root(path)
        try:
            loaded = load_model(root, overlays=self.texts)
        except FrontendError as err:
            return root, list(err.diagnostics)
        except RecursionError:
            return root, []
        return root, list(loaded.warnings)

    def names(self, path: Path) -> Names | None:
        """The parsed files and resolved names of the model `path` belongs to: now, or as they were
        the last time it parsed; None when it never has."""
        root = self.root(path)
        try:
            sink = Sink()
            modules = load_modules(root, sink, overlays=self.texts)
            self._names[root] = Names(modules, resolve(modules, sink))
        except (FrontendError, RecursionError):
            pass
        return self._names.get(root)


def _declares_model(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("model ") or stripped.startswith("model\t"):
            return True
    return False
