"""The .spec language front end: text (or the Python builder) -> typed IR -> Instance.

`spec.load`, `spec.load_instance`, `spec.load_model` and `spec.FrontendError` are imported on
first use, so that `import spec.ir` (engines, worker processes, `spec-check --help`) does not
load the parser and the type checker."""

from __future__ import annotations

from typing import Any

__all__ = ["FrontendError", "load", "load_instance", "load_model"]


def __getattr__(name: str) -> Any:
    if name == "FrontendError":
        from spec.diagnostics import FrontendError

        return FrontendError
    if name in ("load", "load_instance", "load_model"):
        from spec import frontend

        return getattr(frontend, name)
    raise AttributeError(f"module 'spec' has no attribute {name!r}")
