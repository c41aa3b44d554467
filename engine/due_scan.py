"""Work kept in per-bucket due sets and claimed with a lease: the batch worker
(`engine/worker.py`), the reminder sender (`engine/reminders/sender.py`) and the record
follower (`engine/record_sync/follower.py`) all find, claim and run it the same way here.

One pass reads every bucket's earliest due time and the members due now (one round trip
for the batch worker), shares the free task slots out over the due buckets, claims them
and runs each claimed job as a task. A pass that met a due bucket asks
for another pass at once: that bucket's next due time is only known after a fresh read
(benchmarks/flush_lag.py found this for batches: without it a burst drained one pass per
`max_idle_s`).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from engine.clock import Clock
from engine.keys import BUCKETS
from engine.redis_conn import REDIS_ERRORS, AsyncRedis, as_text

log = logging.getLogger(__name__)

J = TypeVar("J")

# A survey lists more due members than one pass takes (a quarter of the free slots per
# bucket, 16 buckets); the rest serve the next passes without a new survey while they are
# this fresh and fill every free slot (a burst then costs about one survey per four
# claims). A stale pick is harmless: the claim checks that the member is still due and free.
LEFTOVER_MAX_AGE_MS = 50


Survey = Sequence[tuple[int, float | None, Sequence[str]]]
"""Per bucket: (bucket, earliest due ms or None, members due now, earliest first)."""


def share_out(
    survey: Survey, now_ms: int, room: int
) -> tuple[list[tuple[int, list[str]]], float | None]:
    """The members to claim, at most `room` in all, taken from the due buckets in turn (no
    bucket starves another); and when the next pass should run (`now_ms` again after a due
    bucket: its next due time is only known after a fresh read; None: idle)."""
    earliest: float | None = None
    met_due = False
    queues: list[tuple[int, list[str]]] = []
    for bucket, due, members in survey:
        if due is None:
            continue
        if due > now_ms:
            earliest = due if earliest is None else min(earliest, due)
            continue
        met_due = True
        if members:
            queues.append((bucket, list(members)))
    picks: dict[int, list[str]] = {}
    depth = 0
    while room > 0 and any(depth < len(members) for _, members in queues):
        for bucket, members in queues:
            if room > 0 and depth < len(members):
                picks.setdefault(bucket, []).append(members[depth])
                room -= 1
        depth += 1
    return list(picks.items()), (now_ms if met_due else earliest)


async def bucket_survey(
    redis: AsyncRedis, due_set: Callable[[int], str], now_ms: int, limit: int
) -> list[tuple[int, float | None, list[str]]]:
    """Every bucket's earliest due time and up to `limit` members due by `now_ms`, in one
    round trip (a Cluster client splits the pipeline per node). One command per bucket: its
    first `limit` members with their scores hold both the head and the members due now."""
    pipe = redis.pipeline(transaction=False)
    for bucket in range(BUCKETS):
        pipe.zrangebyscore(due_set(bucket), "-inf", "+inf", 0, max(1, limit), withscores=True)
    rows: list[list[tuple[bytes, float]]] = await pipe.execute()
    out: list[tuple[int, float | None, list[str]]] = []
    for bucket, row in enumerate(rows):
        members = [as_text(m) for m, score in row[:limit] if score <= now_ms]
        out.append((bucket, row[0][1] if row else None, members))
    return out


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
        # Every task under way (a turn's ack included), and those that hold a slot: a job
        # may give its slot back before its task ends (the batch worker does once the
        # handler is done and only the coalesced ack is left), so the next claim need
        # not wait for that round trip.
        self._running: set[asyncio.Task[None]] = set()
        self._holding: set[asyncio.Task[None]] = set()
        self._slot_freed = asyncio.Event()
        self._leftover: Survey = []  # the last survey's due members not yet picked
        self._leftover_ms = 0

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
        self._holding.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self.release_slot(task)

    def release_slot(self, task: asyncio.Task[Any] | None = None) -> None:
        """The job of `task` (default: the current one) no longer counts against the
        concurrency; idempotent, and the task's end releases it anyway."""
        task = task if task is not None else asyncio.current_task()
        if task in self._holding:
            self._holding.discard(task)
            self._slot_freed.set()

    @property
    def free_slots(self) -> int:
        return self.concurrency - len(self._holding)

    async def wait_for_slot(self, timeout_s: float) -> None:
        """Until a slot is free (at once if one is), or `timeout_s`."""
        self._slot_freed.clear()
        if self.free_slots > 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._slot_freed.wait(), timeout=timeout_s)

    async def survey(self, now_ms: int, limit: int) -> Survey:
        """Every bucket's earliest due time, with up to `limit` members due now for each
        due bucket (the batch worker reads it all in one round trip)."""
        out: list[tuple[int, float | None, Sequence[str]]] = []
        for bucket, due in await self.next_due():
            due_now = due is not None and due <= now_ms and limit > 0
            members = await self.due_members(bucket, now_ms, limit) if due_now else []
            out.append((bucket, due, members))
        return out

    async def claim_picks(self, picks: Sequence[tuple[int, Sequence[str]]]) -> list[J]:
        """Claim the picked members, bucket by bucket; the jobs taken (the batch worker
        claims a whole bucket's picks in one script call, all buckets in one round trip)."""
        jobs = []
        for _, members in picks:
            for member in members:
                job = await self.claim(member)
                if job is not None:
                    jobs.append(job)
        return jobs

    async def claim_due(self, share: int = 1) -> float | None:
        """Claim due jobs up to capacity; return when the next pass should run. Each bucket
        lists at most 1/`share` of the free slots: a serving worker (share 4) does not read
        16 times what fits when a burst covers every bucket, while a pass that must take
        everything due (`run_once`) lists all of it."""
        now = self.clock.now_ms()
        room = self.free_slots
        fresh = now - self._leftover_ms <= LEFTOVER_MAX_AGE_MS
        if room > 0 and fresh and sum(len(m) for _, _, m in self._leftover) >= room:
            survey = self._leftover
        else:
            limit = max(0, min(room, -(-room // share)))
            survey = await self.survey(now, limit)
            self._leftover_ms = now
        picks, next_pass = share_out(survey, now, room)
        taken = {member for _, members in picks for member in members}
        self._leftover = [
            (bucket, due, [m for m in members if m not in taken])
            for bucket, due, members in survey
            if members
        ]
        if picks:
            for job in await self.claim_picks(picks):
                self.start(job)
        return next_pass

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
            if self.free_slots <= 0:
                await self.wait_for_slot(self.max_idle_s)
            elif wait_s > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait_s)
        if self._running:
            await asyncio.wait(self._running, timeout=drain_timeout_s)
