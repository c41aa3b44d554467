"""The batch worker: notices due batches promptly, claims them, runs the handler, acks.

It does not poll once a second: it sleeps until the earliest known due time, and the
append script publishes a wake-up hint whenever a batch appears that may be due sooner.
Pub/Sub is only a hint (it is fire-and-forget); the due index in Redis is the truth, and
a bounded sleep makes a lost hint cost at most `max_idle_s`.

A stop is bounded (issue 11): turns under way get `drain_timeout_s` to finish, the rest
are cancelled and their batches given back to the queue at once (due now, not when the
lease would run out); a retried turn finds its booking by `api_id` and sends only what
its outbox still holds, so giving a batch back is safe at any point.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Sequence
from typing import Protocol

from redis.asyncio.client import PubSub

from engine.batcher import Batch, Batcher
from engine.clock import Clock
from engine.due_scan import DueWork, Survey
from engine.fencing import ClaimLost
from engine.health import WORKERS_KEPT_MS
from engine.redis_conn import REDIS_ERRORS

log = logging.getLogger(__name__)

DRAIN_TIMEOUT_S = 2.0  # a stop lets turns under way finish this long, then gives them back
RELEASE_TIMEOUT_S = 1.0  # giving a batch back is one Redis call; never wait longer
SURVEY_SHARE = 4  # a pass lists a quarter of the free slots per bucket (engine.due_scan)


class BatchHandler(Protocol):
    """What a worker calls for each claimed batch (the dialogue engine plugs in here)."""

    async def handle(self, batch: Batch) -> None: ...


class Worker(DueWork[Batch]):
    def __init__(
        self,
        batcher: Batcher,
        handler: BatchHandler,
        clock: Clock,
        concurrency: int = 32,
        max_idle_s: float = 1.0,
        worker_id: str | None = None,
        on_flush_lag: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(clock, concurrency, max_idle_s)
        self.batcher = batcher
        self.handler = handler
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.on_flush_lag = on_flush_lag

    async def run(self, stop: asyncio.Event, drain_timeout_s: float = DRAIN_TIMEOUT_S) -> None:
        """Serve until `stop` is set; then finish the turns under way or give them back."""
        keys = self.batcher.keys
        while not stop.is_set():
            pubsub = self.batcher.wake_subscriber()
            try:
                await pubsub.subscribe(keys.wake_channel)
                await self._serve(pubsub, stop)
            except REDIS_ERRORS as exc:
                # Redis went away: keep the process, retry; leases protect claimed batches.
                log.warning("worker lost redis, retrying: %s", exc)
                await self._wait(stop, 1.0)
            finally:
                with contextlib.suppress(*REDIS_ERRORS):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._drain(drain_timeout_s)

    async def _drain(self, timeout_s: float) -> None:
        if not self._running:
            return
        _, unfinished = await asyncio.wait(self._running, timeout=timeout_s)
        for task in unfinished:
            task.cancel()  # `process` gives the batch back
        if unfinished:
            log.info("stopping: %d turn(s) under way given back to the queue", len(unfinished))
            await asyncio.wait(unfinished, timeout=RELEASE_TIMEOUT_S * 2)

    async def _serve(self, pubsub: PubSub, stop: asyncio.Event) -> None:
        last_seen_write = 0
        while not stop.is_set():
            now = self.clock.now_ms()
            if now - last_seen_write >= 2000:
                await self._report_alive(now)
                last_seen_write = now
            next_due = await self.claim_due(share=SURVEY_SHARE)
            if self.free_slots <= 0:
                # At capacity: the next claim waits for a slot (a turn's handler ending,
                # its ack may still be on the way), not for the clock.
                await self.wait_for_slot(self.max_idle_s)
                continue
            wait_s = self.max_idle_s
            if next_due is not None:
                wait_s = max(0.0, min(wait_s, (next_due - self.clock.now_ms()) / 1000))
            if wait_s > 0:
                await self._sleep_until_hint(pubsub, stop, wait_s)

    async def _sleep_until_hint(self, pubsub: PubSub, stop: asyncio.Event, wait_s: float) -> None:
        deadline = asyncio.get_running_loop().time() + wait_s
        while not stop.is_set():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return
            message = await pubsub.get_message(timeout=min(remaining, 0.25))
            if message is None:
                continue
            # The hint carries the due time: wake now if it is due before we planned to.
            try:
                hinted = int(message["data"])
            except (TypeError, ValueError):
                return
            if hinted <= self.clock.now_ms():
                return
            deadline = min(
                deadline, asyncio.get_running_loop().time() + (hinted - self.clock.now_ms()) / 1000
            )

    # The due work (engine.due_scan): batches due per bucket, claimed with a lease.
    async def next_due(self) -> Sequence[tuple[int, float | None]]:
        return await self.batcher.next_due()

    async def due_members(self, bucket: int, now_ms: int, limit: int) -> list[str]:
        return await self.batcher.due_phones(bucket, now_ms, limit)

    async def claim(self, member: str) -> Batch | None:
        return await self.batcher.claim(member)

    async def survey(self, now_ms: int, limit: int) -> Survey:
        return await self.batcher.survey(now_ms, limit)

    async def claim_picks(self, picks: Sequence[tuple[int, Sequence[str]]]) -> list[Batch]:
        return await self.batcher.claim_many(picks)

    def task_name(self, job: Batch) -> str:
        return f"turn:{job.phone[-4:]}"

    def start(self, job: Batch) -> None:
        if self.on_flush_lag is not None:
            self.on_flush_lag(self.clock.now_ms() - job.due_ms)
        super().start(job)

    async def process(self, job: Batch) -> None:
        """One turn (its own task): run the handler under a heartbeat, then ack."""
        batch = job
        turn = asyncio.current_task()
        assert turn is not None
        heartbeat = Heartbeat(self.batcher, batch, turn)
        try:
            await self.handler.handle(batch)
        except asyncio.CancelledError:
            # Stopping, or the lease was lost: give the batch back for a prompt retry (a
            # lost claim is not ours to give: the token check makes that a no-op).
            with contextlib.suppress(*REDIS_ERRORS, TimeoutError):
                async with asyncio.timeout(RELEASE_TIMEOUT_S):
                    await self.batcher.finish(batch, retry_after_ms=0)
            raise
        except ClaimLost as exc:
            log.warning("turn fenced out, its batch belongs to another worker now: %s", exc)
            return
        except Exception:
            log.exception("batch handler failed (attempt %d); will retry", batch.attempt)
            with contextlib.suppress(*REDIS_ERRORS):
                await self.batcher.finish(
                    batch, retry_after_ms=min(60_000, 1000 * 2**batch.attempt)
                )
            return
        finally:
            heartbeat.stop()
        # The handler is done: its slot serves the next claim while the ack is on its way
        # (the lease still covers the batch until the ack lands; a crash now retries it).
        self.release_slot()
        try:
            if not await self.batcher.finish(batch):
                log.warning("batch finished after its lease was lost; another worker retried it")
        except REDIS_ERRORS as exc:
            # The lease will run out and the batch be retried; effects are idempotent.
            log.warning("could not ack batch: %s", exc)

    async def _report_alive(self, now: int) -> None:
        """Seen now; the ids of workers long gone leave the set (each restart adds one)."""
        pipe = self.batcher.redis.pipeline(transaction=False)
        pipe.zadd(self.batcher.keys.workers, {self.worker_id: now})
        pipe.zremrangebyscore(self.batcher.keys.workers, "-inf", now - WORKERS_KEPT_MS)
        await pipe.execute()

    @staticmethod
    async def _wait(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


class Heartbeat:
    """Pushes a turn's lease forward every lease/3 while the turn runs; stops the turn
    when another worker owns the batch now. A timer, not a task per turn: most turns end
    long before the first beat, and a task created and cancelled per turn showed in the
    worker's profile (BENCHMARKS.md, 2.); a beat runs as a task of its own."""

    def __init__(self, batcher: Batcher, batch: Batch, turn: asyncio.Task[None]) -> None:
        self.batcher = batcher
        self.batch = batch
        self.turn = turn
        self.interval_s = batcher.policy.lease_ms / 3000
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = self._loop.call_later(self.interval_s, self._beat)
        self._beating: asyncio.Task[None] | None = None

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._beating is not None:
            self._beating.cancel()

    def _beat(self) -> None:
        self._beating = self._loop.create_task(self._extend())

    async def _extend(self) -> None:
        try:
            if not await self.batcher.extend(self.batch):
                # Another worker re-claimed the batch: stop working on it (the fence
                # already keeps this turn from writing anything).
                log.warning("lease lost while processing a batch; its turn is stopped")
                self._timer = None
                self.turn.cancel()
                return
        except REDIS_ERRORS as exc:
            log.warning("lease heartbeat failed: %s", exc)
        if self._timer is not None:  # not stopped meanwhile
            self._timer = self._loop.call_later(self.interval_s, self._beat)
