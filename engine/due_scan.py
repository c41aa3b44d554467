"""One pass over the per-bucket due sets: what the batch worker and the reminder sender
both do to find due work (the batch worker's loop, `engine/worker.py`, is the model).

A pass that met a due bucket asks for another pass at once: that bucket's next due time is
only known after a fresh read (benchmarks/flush_lag.py found this for batches).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence


async def scan_due(
    next_due: Sequence[tuple[int, float | None]],
    now_ms: int,
    free: Callable[[], int],
    take_bucket: Callable[[int, int], Awaitable[None]],
) -> float | None:
    """Call `take_bucket(bucket, free slots)` for every due bucket while there is room;
    return when the next pass should run (`now_ms` again after a due bucket; None: idle)."""
    earliest: float | None = None
    met_due = False
    for bucket, due in next_due:
        if due is None:
            continue
        if due > now_ms:
            earliest = due if earliest is None else min(earliest, due)
            continue
        met_due = True
        room = free()
        if room <= 0:
            break
        await take_bucket(bucket, room)
    return now_ms if met_due else earliest
