"""The worker on the system clock: prompt pickup, retries, several processes, SIGKILL."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from engine.batcher import Batch, Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.health import WORKERS_KEPT_MS
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.worker import Worker
from states.messages import InboundMessage
from tests.support.recording import RecordingHandler, record_key

REPO = Path(__file__).resolve().parents[2]


def message(msg_id: str, phone: str, ts: float, body: str = "hi") -> InboundMessage:
    return InboundMessage(id=msg_id, chat=f"{phone}@c.us", type="chat", body=body, timestamp_s=ts)


async def wait_for(predicate_coro: object, timeout_s: float) -> None:
    """Poll an async predicate until true; fail the test after `timeout_s`."""
    assert callable(predicate_coro)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await predicate_coro():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout_s} s")


@pytest.fixture
def batcher(any_redis: AsyncRedis, keys: Keys) -> Batcher:
    policy = BatchPolicy(quiet_ms=200, max_size=10, max_wait_ms=1000, lease_ms=2000)
    return Batcher(any_redis, keys, policy, SystemClock())


@pytest.fixture
async def running(batcher: Batcher) -> AsyncIterator[tuple[Worker, asyncio.Event]]:
    stop = asyncio.Event()
    handler = RecordingHandler(batcher.redis, batcher.keys.prefix)
    worker = Worker(batcher, handler, batcher.clock, max_idle_s=5.0)
    task = asyncio.create_task(worker.run(stop))
    yield worker, stop
    stop.set()
    await asyncio.wait_for(task, timeout=10)


async def processed(batcher: Batcher) -> list[dict[str, object]]:
    raw = await batcher.redis.lrange(record_key(batcher.keys.prefix), 0, -1)
    return [json.loads(r) for r in raw]


async def test_worker_wakes_for_a_new_batch_without_polling(
    batcher: Batcher, running: tuple[Worker, asyncio.Event]
) -> None:
    # max_idle_s is 5 s: only the wake hint and the due time can make this fast.
    await asyncio.sleep(0.2)
    start = time.monotonic()
    await batcher.append("79161234567", message("m1", "79161234567", time.time()))
    await batcher.append("79161234567", message("m2", "79161234567", time.time()))

    async def done() -> bool:
        return len(await processed(batcher)) == 1

    await wait_for(done, timeout_s=4)
    assert time.monotonic() - start < 4
    rows = await processed(batcher)
    assert rows[0]["ids"] == ["m1", "m2"]


class FlakyHandler:
    """Fails the first attempt of every batch, as a handler with a bug or an outage would."""

    def __init__(self) -> None:
        self.attempts: list[int] = []

    async def handle(self, batch: Batch) -> None:
        self.attempts.append(batch.attempt)
        if batch.attempt == 1:
            raise RuntimeError("first attempt fails")


async def test_handler_failure_is_retried(batcher: Batcher) -> None:
    handler = FlakyHandler()
    worker = Worker(batcher, handler, batcher.clock, max_idle_s=0.2)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await batcher.append("79161234567", message("m1", "79161234567", time.time()))

    async def retried() -> bool:
        # The ack follows the second attempt (acks of one moment share a round trip).
        stats = await batcher.stats()
        return (stats.processed_batches, stats.pending_batches) == (1, 0)

    try:
        await wait_for(retried, timeout_s=8)  # retry backoff after attempt 1 is 2 s
        assert handler.attempts == [1, 2]
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


@pytest.fixture
def spawn(any_redis_url: str, keys: Keys) -> Iterator[object]:
    procs: list[subprocess.Popen[str]] = []

    def start(lease_ms: int = 2000, hang_phone: str | None = None) -> subprocess.Popen[str]:
        args = [sys.executable, "-m", "tests.support.worker_process", any_redis_url, keys.prefix]
        args += [str(lease_ms)] + ([hang_phone] if hang_phone else [])
        proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


async def test_two_worker_processes_200_phones_exactly_once_in_order(
    batcher: Batcher, spawn: object
) -> None:
    assert callable(spawn)
    spawn()
    spawn()
    phones = [f"7900{i:07d}" for i in range(200)]
    sent: dict[str, list[str]] = {p: [] for p in phones}
    for round_ in range(3):  # three rounds, so each phone has several batches in sequence
        for p in phones:
            for j in range(2):
                msg_id = f"{p}-{round_}-{j}"
                sent[p].append(msg_id)
                await batcher.append(p, message(msg_id, p, time.time()))
        await asyncio.sleep(0.3)

    async def all_done() -> bool:
        stats = await batcher.stats()
        return stats.processed_messages == 1200 and stats.pending_batches == 0

    await wait_for(all_done, timeout_s=60)
    rows = await processed(batcher)
    seen: dict[str, list[str]] = {p: [] for p in phones}
    pids = set()
    for row in rows:
        seen[str(row["phone"])] += [str(i) for i in row["ids"]]  # type: ignore[attr-defined]
        pids.add(row["pid"])
    assert seen == sent  # every message exactly once, each phone's batches in order
    assert len(pids) == 2  # both processes did work


async def test_sigkilled_worker_leaves_the_batch_to_another_once(
    batcher: Batcher, spawn: object
) -> None:
    assert callable(spawn)
    phone = "79161234567"
    doomed = spawn(lease_ms=1000, hang_phone=phone)
    await batcher.append(phone, message("m1", phone, time.time()))
    claimed_key = f"{batcher.keys.prefix}:test:claimed"

    async def claimed() -> bool:
        return await batcher.redis.llen(claimed_key) == 1

    await wait_for(claimed, timeout_s=10)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    assert await processed(batcher) == []
    spawn(lease_ms=1000)

    async def done() -> bool:
        return len(await processed(batcher)) == 1

    await wait_for(done, timeout_s=15)
    await asyncio.sleep(1.5)  # a second, wrong processing would show up within a lease
    rows = await processed(batcher)
    assert len(rows) == 1
    assert rows[0]["ids"] == ["m1"] and rows[0]["attempt"] == 2
    stats = await batcher.stats()
    assert (stats.processed_batches, stats.pending_batches, stats.pending_messages) == (1, 0, 0)


async def test_a_pass_that_met_due_work_asks_for_another_at_once(
    any_redis: AsyncRedis, keys: Keys
) -> None:
    from datetime import UTC, datetime

    from engine.clock import VirtualClock
    from engine.keys import bucket_of

    clock = VirtualClock(datetime(2025, 7, 23, 12, 0, tzinfo=UTC))
    policy = BatchPolicy(quiet_ms=1000, max_size=10, max_wait_ms=5000, lease_ms=2000)
    batcher = Batcher(any_redis, keys, policy, clock)
    same_bucket = [p for p in (f"7900{i:07d}" for i in range(400)) if bucket_of(p) == 3][:2]
    await batcher.append(same_bucket[0], message("a", same_bucket[0], 1.0))
    clock.advance(0.005)  # the second batch falls due 5 ms after the first
    await batcher.append(same_bucket[1], message("b", same_bucket[1], 1.0))
    clock.advance(0.995)  # now only the first is due
    worker = Worker(batcher, RecordingHandler(any_redis, keys.prefix), clock)
    next_pass = await worker.claim_due()
    # The bucket's next due time was not read in this pass: run another at once rather
    # than sleep until a hint or `max_idle_s`.
    assert next_pass is not None and next_pass <= clock.now_ms()
    await asyncio.gather(*worker._running)
    clock.advance(0.005)
    assert await worker.run_once() == 1
    assert [r["ids"] for r in await processed(batcher)] == [["a"], ["b"]]


class Stuck:
    """A handler whose turn never ends by itself; it notes when it started and was cancelled."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.cancelled = asyncio.Event()

    async def handle(self, batch: Batch) -> None:
        self.started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            self.cancelled.set()
            raise


async def test_a_stop_gives_turns_under_way_back_to_the_queue_at_once(batcher: Batcher) -> None:
    stuck, stop = Stuck(), asyncio.Event()
    task = asyncio.create_task(Worker(batcher, stuck, batcher.clock, max_idle_s=0.2).run(stop))
    await batcher.append("79161234567", message("m1", "79161234567", time.time()))
    await asyncio.wait_for(stuck.started.wait(), timeout=5)
    started = time.monotonic()
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert stuck.cancelled.is_set() and time.monotonic() - started < 4  # 2 s grace, then back
    again = await batcher.claim("79161234567")  # due now: no waiting for the 2 s lease
    assert again is not None and again.attempt == 2 and [m.id for m in again.messages] == ["m1"]


async def test_a_turn_whose_batch_another_worker_took_is_stopped(batcher: Batcher) -> None:
    stuck, stop = Stuck(), asyncio.Event()
    task = asyncio.create_task(Worker(batcher, stuck, batcher.clock, max_idle_s=0.2).run(stop))
    try:
        await batcher.append("79161234567", message("m1", "79161234567", time.time()))
        await asyncio.wait_for(stuck.started.wait(), timeout=5)
        # Another worker whose view of time is past this claim's lease takes the batch.
        ahead = Batcher(batcher.redis, batcher.keys, batcher.policy, FutureClock(10))
        taken = await ahead.claim("79161234567")
        assert taken is not None and taken.attempt == 2
        # The next heartbeat (every lease/3 s) finds the claim gone and stops the turn.
        await asyncio.wait_for(stuck.cancelled.wait(), timeout=5)
        assert await ahead.finish(taken)  # the new owner's claim was left alone
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


class FutureClock(SystemClock):
    def __init__(self, ahead_s: float) -> None:
        self.ahead_ms = int(ahead_s * 1000)

    def now_ms(self) -> int:
        return super().now_ms() + self.ahead_ms


async def test_workers_long_gone_leave_the_workers_set(
    batcher: Batcher, running: tuple[Worker, asyncio.Event]
) -> None:
    worker, _ = running
    now = batcher.clock.now_ms()
    workers = batcher.keys.workers
    # Two restarts ago and an hour ago: only the one past a day is gone.
    await batcher.redis.zadd(workers, {"host:1": now - WORKERS_KEPT_MS - 1000})
    await batcher.redis.zadd(workers, {"host:2": now - 3600_000})

    async def trimmed() -> bool:
        members = await batcher.redis.zrange(workers, 0, -1)
        return {m.decode() for m in members if isinstance(m, bytes)} == {"host:2", worker.worker_id}

    await wait_for(trimmed, timeout_s=10)
