"""A per-user folder for what spec-check keeps between runs and must not share: parse caches
(pickles: a file planted by another user would run code) and the result cache's secret."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def private_folder(*parts: str) -> Path | None:
    """`$XDG_CACHE_HOME/spec-check/PARTS` (default ~/.cache), owned by us and closed to others,
    or None when it cannot be made so."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base, "spec-check", *parts)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for f in [folder, *folder.parents][: len(parts) + 1]:
            st = f.stat()
            if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None
    except (OSError, AttributeError):
        return None
    return folder
