"""The front end as an ordered list of stages; path -> ir.Model -> Instance, or diagnostics.

Each stage consumes the previous stage's result; the first stage that reports an error stops
the pipeline, and every diagnostic found so far (warnings included) is returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spec import ir
from spec.config import configure
from spec.diagnostics import Diagnostic, FrontendError, Sink
from spec.loader import ModuleSet, add_include_notes, load_modules
from spec.lower import lower
from spec.resolve import resolve
from spec.source import Span


@dataclass(frozen=True)
class Loaded:
    """A model with the sources it came from (for rendering later diagnostics)."""

    model: ir.Model
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    warnings: tuple[Diagnostic, ...] = ()


def load_model(path: str | Path, text: str | None = None, overlays: Mapping[Path, str] | None = None) -> Loaded:
    """Parse, resolve and type-check a model file (or `text`, named `path`: standard input).
    `overlays`: unsaved texts by real path (spec/loader.py). Raises FrontendError with every
    diagnostic."""
    sink = Sink()
    modules: ModuleSet = load_modules(Path(path), sink, text, overlays)
    return model_from_modules(modules, sink)


def model_from_modules(modules: ModuleSet, sink: Sink) -> Loaded:
    try:
        res = resolve(modules, sink)
        model = lower(res, sink)
    except RecursionError:
        raise _too_deep(modules.root.file, sink) from None
    add_include_notes(sink, modules.included_from)
    sink.sources.update(modules.sources)
    sink.raise_if_errors()
    return Loaded(model, dict(sink.sources), tuple(sink.sorted()))


def instantiate(loaded: Loaded, sizes: Mapping[str, int | str] | None = None,
                params: Mapping[str, ir.Value | str] | None = None) -> ir.Instance:
    """Bind parameters and sizes. Raises FrontendError on unknown names or values out of domain."""
    sink = Sink(sources=dict(loaded.sources))
    try:
        inst = configure(loaded.model, sizes, params, sink)
    except RecursionError:
        raise _too_deep(next(iter(loaded.sources), loaded.model.name), sink) from None
    sink.raise_if_errors()
    assert inst is not None
    return inst


def _too_deep(file: str, sink: Sink) -> FrontendError:
    # The parser bounds the nesting of what is written (E0106 there); defs expanded inside defs
    # can still multiply it beyond what a recursive stage can walk.
    sink.error(Span(file, 0, 0), "E0106", "the model is nested too deeply once its defs are expanded",
               "a def that calls defs that call defs ... is expanded in full at every use: "
               "flatten the chain of defs")
    return FrontendError(sink.sorted())


def load(path: str | Path) -> ir.Model:
    """The IR of a model file (the Python API's `spec.load`)."""
    return load_model(path).model


def load_instance(path: str | Path, sizes: Mapping[str, int | str] | None = None,
                  params: Mapping[str, ir.Value | str] | None = None) -> ir.Instance:
    """One configured instance of a model file."""
    return instantiate(load_model(path), sizes, params)


__all__ = ["FrontendError", "Loaded", "instantiate", "load", "load_instance", "load_model"]
