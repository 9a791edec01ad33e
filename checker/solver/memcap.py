"""Z3's share of the memory limit (checker/memory.py): a cap on Z3's own allocations, so that a
model too large for it gives UNKNOWN ("out of memory") instead of taking the machine.

Z3 has its own cap (the global parameter `memory_max_size`); past it, the API call that allocates
raises a Z3Exception "out of memory" and a running check answers unknown. Only one call does not
fail cleanly: a context made past the cap is NULL, which z3py does not check (the process
crashes), so every context is made through `new_context`, with the cap lifted for that moment,
and z3py's default context is made before the cap is set. Deleting a context allocates too: what a
run left behind when it hit the cap is dropped with the cap lifted (`drop`).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

import z3

_lock = threading.Lock()  # the cap is global to the process: lift and restore it as one step


def cap_memory(nbytes: int | None) -> None:
    """Make Z3 give up past `nbytes` of its own memory (None: no cap)."""
    with _lock:
        z3.main_ctx()  # made now, uncapped: z3py makes it on first use (SolverFor's logic name) unchecked
        z3.set_param("memory_max_size", 0 if nbytes is None else max(1, nbytes >> 20))


@contextlib.contextmanager
def lifted() -> Iterator[None]:
    """No cap inside: for dropping what a run made before it hit the cap. Deleting a context
    allocates, and at the cap Z3_del_context can crash (SIGSEGV) instead of failing."""
    with _lock:
        cap = z3.get_param("memory_max_size")
        z3.set_param("memory_max_size", 0)
    try:
        yield
    finally:
        with _lock:
            z3.set_param("memory_max_size", cap)


def drop(holder: list[object]) -> None:
    """Empty `holder` (an exception and what its frames hold: a half-built encoding's context) and
    collect it with the cap lifted."""
    with lifted():
        holder.clear()
        gc.collect()


def out_of_memory(err: BaseException) -> bool:
    """Whether `err` is Z3 giving up at the cap."""
    return isinstance(err, z3.Z3Exception) and "out of memory" in str(err)


def new_context() -> z3.Context:
    """A fresh Z3 context, made even at the cap (what is then done in it is capped again)."""
    with _lock:
        cap = z3.get_param("memory_max_size")
        z3.set_param("memory_max_size", 0)
        try:
            return z3.Context()
        finally:
            z3.set_param("memory_max_size", cap)
