"""The last verdicts the result cache holds for a model, for hover: model file -> property ->
text. Entries are read as the command line reads them (authenticated, decoded), never trusted
further: what hover shows is labelled as the cache's, with the run's time.

The cache folder is $SPEC_CHECK_CACHE, else the first `.spec-check-cache/` found from the model's
folder upwards (where `spec-check` was run from). The newest entry that names the model's file
and holds the property wins; a folder is scanned again only when its modification time changes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from checker.explore.cache import Cache
from checker.lsp.workspace import real

MAX_ENTRIES = 200  # the newest entries looked at


@dataclass
class LastVerdicts:
    _seen: dict[Path, tuple[float, dict[Path, dict[str, str]]]] = field(default_factory=dict)

    def of(self, model: Path, prop: str) -> str | None:
        folder = _cache_folder(model)
        if folder is None:
            return None
        try:
            stamp = folder.stat().st_mtime
        except OSError:
            return None
        known = self._seen.get(folder)
        if known is None or known[0] != stamp:
            known = (stamp, _scan(folder))
            self._seen[folder] = known
        return known[1].get(real(model), {}).get(prop)


def _cache_folder(model: Path) -> Path | None:
    env = os.environ.get("SPEC_CHECK_CACHE")
    if env:
        return Path(env) if Path(env).is_dir() else None
    for folder in [model.parent, *model.parent.parents]:
        if (folder / ".spec-check-cache").is_dir():
            return folder / ".spec-check-cache"
    return None


def _scan(folder: Path) -> dict[Path, dict[str, str]]:
    cache = Cache(folder)
    entries = sorted(folder.glob("*.json"), key=_mtime, reverse=True)[:MAX_ENTRIES]
    out: dict[Path, dict[str, str]] = {}
    for path in entries:
        try:
            report = cache.read_entry(path)
        except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError):
            continue
        model = real(folder.parent / report.file)
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(_mtime(path)))
        props = out.setdefault(model, {})
        for r in report.results:
            bound = f" to depth {r.depth}" if r.verdict.value == "HOLDS TO DEPTH" else ""
            props.setdefault(r.prop, f"last verdict in the result cache: **{r.verdict.value}**{bound} "
                                     f"({report.config}; run of {when})")
    return out


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
