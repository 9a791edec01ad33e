"""spec-check's engines, reports and command line.

`checker.check(model, ...)` is the Python API (checker/api.py); it is imported lazily so that
`import checker.result` stays cheap for engines and worker processes.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check"]


def __getattr__(name: str) -> Any:
    if name == "check":
        from checker.api import check

        return check
    raise AttributeError(f"module 'checker' has no attribute {name!r}")
