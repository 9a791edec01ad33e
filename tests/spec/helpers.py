"""Small helpers for the front end's unit tests: a model text in, IR or diagnostics out."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from spec import ir
from spec.diagnostics import Diagnostic, FrontendError
from spec.frontend import Loaded, instantiate, load_model


def write_files(tmp_path: Path, text: str, files: Mapping[str, str] | None = None) -> Path:
    for name, body in (files or {}).items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(body, encoding="utf-8")
    root = tmp_path / "m.spec"
    root.write_text(text, encoding="utf-8")
    return root


def load_text(tmp_path: Path, text: str, files: Mapping[str, str] | None = None) -> Loaded:
    return load_model(write_files(tmp_path, text, files))


def model_of(tmp_path: Path, text: str, files: Mapping[str, str] | None = None) -> ir.Model:
    return load_text(tmp_path, text, files).model


def instance_of(tmp_path: Path, text: str, sizes: Mapping[str, int | str] | None = None,
                params: Mapping[str, ir.Value | str] | None = None) -> ir.Instance:
    return instantiate(load_text(tmp_path, text), sizes, params)


def errors_of(tmp_path: Path, text: str, files: Mapping[str, str] | None = None,
              sizes: Mapping[str, int | str] | None = None,
              params: Mapping[str, ir.Value | str] | None = None) -> list[Diagnostic]:
    """The errors of a text that must not load (or configure)."""
    with pytest.raises(FrontendError) as info:
        instantiate(load_text(tmp_path, text, files), sizes, params)
    return [d for d in info.value.diagnostics if d.severity.value == "error"]


def codes(diags: list[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


def action_body(model: ir.Model, name: str) -> tuple[ir.Stmt, ...]:
    return model.action(name).body
