"""Z3's share of the memory limit (checker/memory.py): a cap on Z3's own allocations, so that a
model too large for it gives UNKNOWN ("out of memory") instead of taking the machine.

Z3 has its own cap (the global parameter `memory_max_size`); past it, the API call that allocates
raises a Z3Exception "out of memory" and a running check answers unknown. Only one call does not
fail cleanly: a context made past the cap is NULL, which z3py does not check (the process
crashes), so every context is made through `new_context`, with the cap lifted for that moment,
and z3py's default context is made before the cap is set. A context in which an allocation failed
is not safe to delete (Z3_del_context crashes now and then, cap lifted or not): `drop` abandons
the contexts alive at that moment, which then live as long as the process.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import weakref
from collections.abc import Iterator

import z3

_lock = threading.Lock()  # the cap is global to the process: lift and restore it as one step
_made: weakref.WeakSet[z3.Context] = weakref.WeakSet()  # every context new_context made that is alive


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
    collect it with the cap lifted, leaving every context alive now undeleted: one of them failed
    an allocation part way, and deleting it can crash the process (SIGSEGV in Z3_del_context, 1
    run in 6 of tests/checker/test_memory.py's pdr case). What they hold is given back at exit."""
    with lifted():
        abandon()
        holder.clear()
        gc.collect()


def abandon() -> None:
    """Leave every context alive now undeleted (see `drop`)."""
    for ctx in list(_made):
        ctx.owner = False  # z3py's Context.__del__ deletes only what it owns: the Z3 context leaks
    _made.clear()


def out_of_memory(err: BaseException) -> bool:
    """Whether `err` is Z3 giving up at the cap; if so, the contexts alive now are abandoned (one
    of them is the one that failed, still held by `err`'s frames)."""
    hit = isinstance(err, z3.Z3Exception) and "out of memory" in str(err)
    if hit:
        abandon()
    return hit


def new_context() -> z3.Context:
    """A fresh Z3 context, made even at the cap (what is then done in it is capped again)."""
    with _lock:
        cap = z3.get_param("memory_max_size")
        z3.set_param("memory_max_size", 0)
        try:
            ctx = z3.Context()
            _made.add(ctx)
            return ctx
        finally:
            z3.set_param("memory_max_size", cap)
