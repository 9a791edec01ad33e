"""A result cache keyed by the content of the model files, the configuration, the engine options
and spec-check itself, so a CI run re-checks only what changed.

Entries live in `.spec-check-cache/` (one JSON file per key). The folder is not trusted: anyone
who can write it (a CI cache restored from another job) could plant an entry. So an entry is
used only if it carries a valid HMAC-SHA256 under a secret the folder does not hold
(`$SPEC_CHECK_CACHE_SECRET`, else a random per-user secret in spec/private.py's folder), names
the same key, decodes into a well-formed Report, and passes the caller's `verify` (the command
line replays every cached trace in the interpreter); anything else is ignored with a warning and
recomputed. The key includes a digest of spec-check's own source, so a changed engine never
reuses an old verdict. docs/ci.md describes the trust model.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.explore.serialize import report_from_data, report_to_data
from checker.result import Report
from spec.private import private_folder

DEFAULT_DIR = Path(".spec-check-cache")
SECRET_ENV = "SPEC_CHECK_CACHE_SECRET"
Verify = Callable[[Report], str | None]  # why a decoded report cannot be used, or None


def cache_secret() -> bytes | None:
    """The key entries are authenticated with: $SPEC_CHECK_CACHE_SECRET, else a random secret
    made once per user (mode 0600, in a folder closed to others); None when neither exists."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return env.encode()
    folder = private_folder()
    if folder is None:
        return None
    path = folder / "cache-secret"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text.encode() if len(text) >= 32 else None


def _mac(secret: bytes, key: str, report: Any) -> str:
    body = json.dumps({"key": key, "report": report}, sort_keys=True)
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


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

    def get(self, key: str, verify: Verify | None = None) -> Report | None:
        if not self.enabled:
            return None
        path = self._path(key)
        if not path.exists():
            self.misses += 1
            return None
        try:
            report = self._read(path, key)
            why = None if verify is None else verify(report)
            if why is not None:
                raise ValueError(why)
        except (OSError, ValueError, UnicodeDecodeError) as err:
            self.warnings.append(f"ignoring unusable cache entry {path}: {err}")
            self.misses += 1
            return None
        self.hits += 1
        return report

    def read_entry(self, path: Path) -> Report:
        """One entry file as `get` reads it (authenticated and decoded; raises ValueError or
        OSError otherwise), whatever its key: for tools that list the cache (the language
        server's last verdicts)."""
        return self._read(path, path.stem)

    def _read(self, path: Path, key: str) -> Report:
        secret = cache_secret()
        if secret is None:
            raise ValueError(f"no secret to authenticate it with (set {SECRET_ENV})")
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("key") != key:
            raise ValueError("entry belongs to another key")
        mac = data.get("mac")
        if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(secret, key, data.get("report"))):
            raise ValueError("not written by spec-check with this cache secret (its authentication code does "
                             "not match)")
        return report_from_data(data.get("report"))

    def put(self, key: str, report: Report) -> None:
        if not self.enabled or report.interrupted:
            return
        secret = cache_secret()
        if secret is None:
            self.warnings.append(f"not caching: no secret to authenticate entries with (set {SECRET_ENV})")
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            data = report_to_data(report)
            text = json.dumps({"key": key, "report": data, "mac": _mac(secret, key, data)}, sort_keys=True)
            # Write-then-rename: a crash never leaves a half-written entry behind.
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self._path(key))
        except OSError as err:
            self.warnings.append(f"could not write the result cache: {err}")
