"""`once`: threads asking together for a value under construction get the one value,
built once (issue 15: each first turn's thread built its own pymorphy3 analyzer)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from adapters.fillers.once import once

REPO = Path(__file__).resolve().parents[3]


def test_threads_asking_together_get_one_value_built_once() -> None:
    calls: list[int] = []
    gate = threading.Barrier(8)

    @once
    def build() -> object:
        calls.append(1)
        time.sleep(0.2)  # the others ask while it builds (widens the race; no timing asserted)
        return object()

    def ask() -> object:
        gate.wait(timeout=10)
        return build()

    with ThreadPoolExecutor(8) as pool:
        values = list(pool.map(lambda _: ask(), range(8)))
    assert len(calls) == 1
    assert all(v is values[0] for v in values)
    assert build() is values[0]


def test_a_failed_build_is_tried_again() -> None:
    attempts: list[int] = []

    @once
    def build() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("the file is not there yet")
        return 42

    with pytest.raises(OSError):
        build()
    assert build() == 42 and build() == 42
    assert len(attempts) == 2


ARENAS = """
import sys, threading
from adapters.fillers.once import one_malloc_arena
if sys.argv[1] == "one":
    one_malloc_arena()
def allocate():
    kept = [bytearray(2000) for _ in range(2000)]  # past pymalloc: glibc's malloc
threads = [threading.Thread(target=allocate) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
# A thread's arena reserves 64 MB of address space (mostly inaccessible) at once.
sizes = []
for line in open("/proc/self/maps"):
    start, end = (int(x, 16) for x in line.split()[0].split("-"))
    sizes.append(end - start)
print(sum(1 for s in sizes if s >= 32 << 20))
"""


@pytest.mark.parametrize(("arenas", "more_than_one"), [("one", False), ("default", True)])
def test_threads_share_one_malloc_arena_once_asked(arenas: str, more_than_one: bool) -> None:
    """glibc gives threads heaps of their own unless `one_malloc_arena` asked first."""
    done = subprocess.run(
        [sys.executable, "-c", ARENAS, arenas],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert (int(done.stdout) > 0) is more_than_one
