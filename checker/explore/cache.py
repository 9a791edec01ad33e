"""A result cache keyed by the content of the model files, the configuration, the engine options
and spec-check itself, so a CI run re-checks only what changed.

Entries live in `.spec-check-cache/` (one JSON file per key). An entry is trusted only if it
parses, names the same key, and decodes into a well-formed Report; anything else is ignored
with a warning and recomputed. The key includes a digest of spec-check's own source, so a
changed engine never reuses an old verdict.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.explore.serialize import report_from_data, report_to_data
from checker.result import Report

DEFAULT_DIR = Path(".spec-check-cache")


@functools.lru_cache(maxsize=1)
def tool_digest() -> str:
    """A digest of spec-check's own code: the cache's notion of "tool version"."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for pkg in ("spec", "checker"):
        for p in sorted((root / pkg).rglob("*")):
            if p.suffix in (".py", ".lark") and "__pycache__" not in p.parts:
                h.update(p.relative_to(root).as_posix().encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def cache_key(sources: Mapping[str, str], config: Mapping[str, Any]) -> str:
    """`sources`: every model file's text by name; `config`: params, sizes, engine options."""
    payload = json.dumps({"tool": tool_digest(), "sources": sorted(sources.items()), "config": config},
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class Cache:
    directory: Path = DEFAULT_DIR
    enabled: bool = True
    warnings: list[str] = field(default_factory=list)
    hits: int = 0
    misses: int = 0

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def get(self, key: str) -> Report | None:
        if not self.enabled:
            return None
        path = self._path(key)
        if not path.exists():
            self.misses += 1
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("key") != key:
                raise ValueError("entry belongs to another key")
            report = report_from_data(data.get("report"))
        except (OSError, ValueError, UnicodeDecodeError) as err:
            self.warnings.append(f"ignoring unusable cache entry {path}: {err}")
            self.misses += 1
            return None
        self.hits += 1
        return report

    def put(self, key: str, report: Report) -> None:
        if not self.enabled or report.interrupted:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"key": key, "report": report_to_data(report)}, sort_keys=True)
            # Write-then-rename: a crash never leaves a half-written entry behind.
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self._path(key))
        except OSError as err:
            self.warnings.append(f"could not write the result cache: {err}")
