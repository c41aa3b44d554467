"""Work kept in per-bucket due sets and claimed with a lease: the batch worker
(`engine/worker.py`), the reminder sender (`engine/reminders/sender.py`) and the record
follower (`engine/record_sync/follower.py`) all find, claim and run it the same way here.

One pass reads every bucket's earliest due time (one round trip), claims what is due up to
the free task slots, and runs each claimed job as a task. A pass that met a due bucket asks
for another pass at once: that bucket's next due time is only known after a fresh read
(benchmarks/flush_lag.py found this for batches: without it a burst drained one pass per
`max_idle_s`).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from engine.clock import Clock
from engine.keys import BUCKETS
from engine.redis_conn import REDIS_ERRORS, AsyncRedis, as_text

log = logging.getLogger(__name__)

J = TypeVar("J")


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


async def bucket_heads(
    redis: AsyncRedis, due_set: Callable[[int], str]
) -> list[tuple[int, float | None]]:
    """(bucket, earliest due ms or None) of every bucket's due set, in one round trip (a
    Cluster client splits the pipeline per node)."""
    pipe = redis.pipeline(transaction=False)
    for bucket in range(BUCKETS):
        pipe.zrange(due_set(bucket), 0, 0, withscores=True)
    rows: list[list[tuple[bytes, float]]] = await pipe.execute()
    return [(b, row[0][1] if row else None) for b, row in enumerate(rows)]


async def due_in(redis: AsyncRedis, due_set: str, now_ms: int, limit: int) -> list[str]:
    """Up to `limit` members of one due set due by `now_ms`, earliest first."""
    raw = await redis.zrangebyscore(due_set, "-inf", now_ms, 0, limit)
    return [as_text(m) for m in raw]


class DueWork(abc.ABC, Generic[J]):
    """Claims due jobs of type `J` bucket by bucket and runs each as a task."""

    def __init__(self, clock: Clock, concurrency: int, max_idle_s: float) -> None:
        self.clock = clock
        self.concurrency = concurrency
        self.max_idle_s = max_idle_s
        self._running: set[asyncio.Task[None]] = set()

    @abc.abstractmethod
    async def next_due(self) -> Sequence[tuple[int, float | None]]:
        """(bucket, earliest due ms or None) for every bucket."""

    @abc.abstractmethod
    async def due_members(self, bucket: int, now_ms: int, limit: int) -> list[str]:
        """Up to `limit` members of the bucket due by `now_ms`."""

    @abc.abstractmethod
    async def claim(self, member: str) -> J | None:
        """Take the member's job with a lease; None when someone else has it, or nothing
        is left to do."""

    @abc.abstractmethod
    async def process(self, job: J) -> None:
        """Run one claimed job (in its own task)."""

    def task_name(self, job: J) -> str:
        return type(self).__name__

    def start(self, job: J) -> None:
        task = asyncio.create_task(self.process(job), name=self.task_name(job))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def claim_due(self) -> float | None:
        """Claim due jobs up to capacity; return when the next pass should run."""
        now = self.clock.now_ms()

        async def take(bucket: int, room: int) -> None:
            for member in await self.due_members(bucket, now, room):
                job = await self.claim(member)
                if job is not None:
                    self.start(job)

        def free() -> int:
            return self.concurrency - len(self._running)

        return await scan_due(await self.next_due(), now, free, take)

    async def run_once(self) -> int:
        """Claim every job due now and run them all (tests on a virtual clock)."""
        before = set(self._running)
        await self.claim_due()
        started = self._running - before
        if started:
            await asyncio.gather(*started)
        return len(started)

    async def run(self, stop: asyncio.Event, drain_timeout_s: float = 10.0) -> None:
        """Serve until `stop` is set, re-reading the due sets at least every `max_idle_s`;
        Redis going away is waited out, not fatal. Jobs under way get `drain_timeout_s`."""
        while not stop.is_set():
            try:
                next_due = await self.claim_due()
            except REDIS_ERRORS as exc:
                log.warning("%s lost redis, retrying: %s", type(self).__name__, exc)
                next_due = None
            wait_s = self.max_idle_s
            if next_due is not None:
                wait_s = max(0.0, min(wait_s, (next_due - self.clock.now_ms()) / 1000))
            if len(self._running) >= self.concurrency:
                await asyncio.wait(
                    self._running, timeout=self.max_idle_s, return_when=asyncio.FIRST_COMPLETED
                )
            elif wait_s > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait_s)
        if self._running:
            await asyncio.wait(self._running, timeout=drain_timeout_s)
