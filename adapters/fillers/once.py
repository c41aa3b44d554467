"""`once`: a zero-argument builder run at most once per process, even from many threads.

The filler reads in worker threads (`asyncio.to_thread`), so the first turns of a fresh
worker arrive together. `functools.cache` lets each of them build its own copy of a
dictionary (the pymorphy3 analyzer, the lexicons) and keep one: a worker took 230 MB
instead of 110 MB after its first 20 turns (issue 15). Here the first caller builds and
the others wait for its result, in their own threads, never on the event loop.

A build leaves much garbage behind (the parses, sets and lists its structures are made
from). Python frees it, but glibc keeps freed heap pages in the process unless asked:
after each build they are handed back (`malloc_trim`; elsewhere than glibc nothing is
done). What was built lives as long as the process, so it is frozen out of the garbage
collector's reach (`gc.freeze`, issue 13): full collections stay short. The freeze also
takes the objects of the turns under way at that moment; any garbage cycle among them is
kept, once.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def once(build: Callable[[], T]) -> Callable[[], T]:
    lock = threading.Lock()
    built: list[T] = []

    @functools.wraps(build)
    def get() -> T:
        if not built:  # after the first build: one list test, no lock
            with lock:
                if not built:
                    # No collection while it builds: one started on the event loop's thread
                    # would walk every object the build has made so far, and stall the loop.
                    collecting = gc.isenabled()
                    gc.disable()
                    try:
                        built.append(build())
                    finally:
                        if collecting:
                            gc.enable()
                    release_free_heap()
                    gc.freeze()
        return built[0]

    return get


def release_free_heap() -> None:
    """Hand the heap's free pages back to the system (glibc's `malloc_trim`)."""
    trim = _libc("malloc_trim")
    if trim is not None:
        trim(0)


M_ARENA_MAX = -8  # glibc's <malloc.h>


def one_malloc_arena() -> None:
    """glibc gives each thread that allocates its own heap (arena), up to 8 per core: the
    filler's threads each kept one, fragmented, ~1 MB of a worker's RSS after a few
    hundred turns (issue 15). Threads run Python under the GIL one at a time, so sharing
    the main heap costs them nothing. Arenas made before the call are kept; call it first."""
    mallopt = _libc("mallopt")
    if mallopt is not None:
        mallopt(M_ARENA_MAX, 1)


@functools.cache
def _libc(name: str) -> Callable[..., int] | None:
    # The interpreter's own symbols: glibc's when it runs on glibc (no library search, which
    # would start `ldconfig`); None elsewhere (musl has neither malloc_trim nor M_ARENA_MAX).
    function = getattr(ctypes.CDLL(None), name, None)
    return function
