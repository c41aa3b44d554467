"""The operator console's health panel: Redis, the workers seen, the batches waiting."""

from __future__ import annotations

import time
from typing import cast

from engine.batcher import Batcher
from engine.health import WORKER_SILENCE_MS, WORKERS_KEPT_MS, RedisHealth
from engine.redis_conn import REDIS_ERRORS
from states.console import HealthView, WorkerSeen
from states.ports import StorageUnavailable


async def read_health(batcher: Batcher, probe: RedisHealth) -> HealthView:
    """Redis's answer time, the workers that reported lately, the batch counters; Redis
    down is a view too (not an error)."""
    redis, keys, clock = batcher.redis, batcher.keys, batcher.clock
    started = time.perf_counter()
    try:
        await redis.ping()
        ping_ms = (time.perf_counter() - started) * 1000
        now = clock.now_ms()
        seen = cast(
            list[tuple[bytes, float]],
            await redis.zrangebyscore(keys.workers, now - WORKERS_KEPT_MS, "+inf", withscores=True),
        )
        stats = await batcher.stats()
        degraded = await probe.degraded()
    except (*REDIS_ERRORS, StorageUnavailable) as error:
        return HealthView(False, None, [], 0, 0, 0, 0, 0, [f"redis: {error}"])
    workers = [
        WorkerSeen(
            id=member.decode(),
            seconds_ago=max(0.0, (now - ms) / 1000),
            alive=now - ms <= WORKER_SILENCE_MS,
        )
        for member, ms in sorted(seen, key=lambda item: -item[1])
    ]
    return HealthView(
        redis_ok=True,
        redis_ms=round(ping_ms, 1),
        workers=workers,
        pending_batches=stats.pending_batches,
        pending_messages=stats.pending_messages,
        oldest_pending_age_ms=stats.oldest_pending_age_ms,
        processed_batches=stats.processed_batches,
        failed_batches=stats.failed_batches,
        degraded=degraded,
    )
