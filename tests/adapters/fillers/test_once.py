"""`once`: threads asking together for a value under construction get the one value,
built once (issue 15: each first turn's thread built its own pymorphy3 analyzer)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from adapters.fillers.once import once


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
