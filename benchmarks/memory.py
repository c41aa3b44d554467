"""Benchmark 4: worker memory with 10,000 conversations persisted and 1,000 active.

A real conversation (two turns, booked) is replayed into 10,000 phones' persisted state
in Redis; then a real worker process starts (`tests.support.engine_worker`, the sandbox
in its own process) and 1,000 of those phones write at once. The worker's RSS is sampled
every 50 ms and its USS (private memory: pages no other process shares, so neither the
shared libraries nor the mapped dictionary files) every second: idle after start, peak
while the 1,000 turns run, and after. Redis memory per persisted conversation comes from
`INFO memory` before and after. Then `benchmarks.import_memory`: what the memory is made
of, import group by import group and dictionary by dictionary, each in a fresh
interpreter.

    .venv/bin/python -m benchmarks.memory [--persisted 10000] [--active 1000]

(The breakdown alone: `.venv/bin/python -m benchmarks.import_memory`.)
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import psutil

from adapters.fillers import OfflineFiller
from benchmarks.common import DEFAULT_REDIS_URL, bench_prefix, command_line, delete_prefix, report
from benchmarks.engine_setup import (
    CountingGateway,
    first_message,
    start_sandbox,
    start_worker,
    wait_processed,
)
from benchmarks.import_memory import breakdown
from benchmarks.servers import children
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.harness import engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, client_for
from engine.runtime import YClientsLimits

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)
TEMPLATE_PHONE = "79990001122"


async def template_document(redis: AsyncRedis, keys: Keys) -> str:
    """The stored document of a real booked conversation (two turns, traces included)."""
    lifted = YClientsLimits.lifted()
    async with engine_harness(redis, keys, OfflineFiller(), START, yclients=lifted) as h:
        await h.turn(TEMPLATE_PHONE, "Запишите на стрижку", "завтра в 18:00", "к Бари",
                     pushname="Ира")  # fmt: skip
        await h.turn(TEMPLATE_PHONE, "да")
        assert (await h.conversation(TEMPLATE_PHONE)).state == "booked"
    raw = await redis.hget(keys.phone_keys(TEMPLATE_PHONE).state, "doc")
    assert raw is not None
    return raw.decode() if isinstance(raw, bytes) else str(raw)


async def persist(redis: AsyncRedis, keys: Keys, count: int) -> dict[str, Any]:
    before = int((await redis.info("memory"))["used_memory"])
    template = await template_document(redis, Keys(f"{keys.prefix}-template"))
    for start in range(0, count, 500):
        pipe = redis.pipeline(transaction=False)
        for n in range(start, min(count, start + 500)):
            phone = first_message(n)[0]
            doc = template.replace(TEMPLATE_PHONE, phone)
            pipe.hset(keys.phone_keys(phone).state, mapping={"version": 2, "doc": doc})
        await pipe.execute()
    after = int((await redis.info("memory"))["used_memory"])
    return {
        "conversations": count,
        "document_bytes": len(template.encode()),
        "redis_bytes_per_conversation": round((after - before) / count),
    }


async def activate(url: str, prefix: str, active: int, rss: RssSampler) -> dict[str, Any]:
    redis = client_for(url)
    batcher = Batcher(redis, Keys(prefix), BatchPolicy(quiet_ms=1000), SystemClock())
    try:
        await asyncio.sleep(1.0)
        rss.mark("idle")
        started = time.perf_counter()
        gate = asyncio.Semaphore(64)  # the client pool holds 100 connections at most

        async def append(n: int) -> None:
            async with gate:
                await batcher.append(*first_message(n))

        await asyncio.gather(*(append(n) for n in range(active)))
        outcome = await wait_processed(batcher, active, timeout_s=180)
        outcome["seconds_to_process"] = round(time.perf_counter() - started, 2)
        await asyncio.sleep(0.5)
        rss.mark("after")
        return outcome
    finally:
        await redis.aclose()


class RssSampler:
    """Samples a process's RSS every 50 ms and its USS every second, in the background.

    USS comes from `/proc/PID/smaps`, whose reading costs milliseconds: it is read in a
    thread and seldom, so the sampler does not hold up this process's venom gateway."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.samples: list[int] = []
        self.uss_samples: list[int] = []
        self.marks: dict[str, tuple[int, int]] = {}

    def read(self) -> tuple[int, int]:
        info = self.process.memory_full_info()
        return info.rss, info.uss

    def mark(self, name: str) -> None:
        self.marks[name] = self.read()

    async def run(self, stop: asyncio.Event) -> None:
        tick = 0
        while not stop.is_set() and self.process.is_running():
            self.samples.append(self.process.memory_info().rss)
            if tick % 20 == 0:
                self.uss_samples.append((await asyncio.to_thread(self.read))[1])
            tick += 1
            await asyncio.sleep(0.05)


def mb(value: int) -> float:
    return round(value / 2**20, 1)


async def measure(url: str, persisted: int, active: int) -> dict[str, Any]:
    prefix = bench_prefix("memory")
    keys = Keys(prefix)
    redis = client_for(url)
    try:
        stored = await persist(redis, keys, persisted)
        with children() as procs:
            sandbox = start_sandbox(procs)
            async with CountingGateway().running() as gateway:
                worker = start_worker(procs, url, prefix, sandbox, gateway.url)
                rss = RssSampler(worker.pid)
                stop = asyncio.Event()
                sampler = asyncio.create_task(rss.run(stop))
                outcome = await activate(url, prefix, active, rss)
                stop.set()
                await sampler
                outcome["replies_sent"] = gateway.replies
    finally:
        await redis.aclose()
        delete_prefix(url, prefix)
        delete_prefix(url, f"{prefix}-template")
    return {
        "persisted": stored,
        "active_phones": active,
        "turns": outcome,
        "worker_rss_mb": {
            "idle": mb(rss.marks["idle"][0]),
            "peak": mb(max(rss.samples)),
            "after": mb(rss.marks["after"][0]),
        },
        "worker_uss_mb": {
            "idle": mb(rss.marks["idle"][1]),
            "peak": mb(max(rss.uss_samples)),
            "after": mb(rss.marks["after"][1]),
        },
        "breakdown": breakdown(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persisted", type=int, default=10_000)
    parser.add_argument("--active", type=int, default=1_000)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    results = asyncio.run(measure(args.redis_url, args.persisted, args.active))
    report("memory", command_line("benchmarks.memory"), results)


if __name__ == "__main__":
    main()
