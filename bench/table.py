"""The one table layout every benchmark prints: a `benchmark` column padded to the longest name."""

from __future__ import annotations

from collections.abc import Sequence


def print_table(rows: Sequence[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"{'benchmark'.ljust(width)}  result")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
