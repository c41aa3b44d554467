"""What `/healthz` reports: Redis reachable, and whether batches are being processed."""

from __future__ import annotations

from engine.batcher import Batcher
from engine.redis_conn import AsyncRedis

WORKER_SILENCE_MS = 30_000  # a worker reports itself every 2 s; this long silent is a problem
WORKERS_KEPT_MS = 24 * 3600 * 1000  # a worker silent longer is dropped from the workers set


class RedisHealth:
    """Redis answers; with a batcher, also the age of the oldest batch and worker liveness."""

    def __init__(
        self,
        redis: AsyncRedis,
        batcher: Batcher | None = None,
        max_pending_age_ms: int = 90_000,
    ) -> None:
        self.redis = redis
        self.batcher = batcher
        self.max_pending_age_ms = max_pending_age_ms

    async def ping(self) -> None:
        await self.redis.ping()

    async def degraded(self) -> list[str]:
        if self.batcher is None:
            return []
        reasons: list[str] = []
        stats = await self.batcher.stats()
        if stats.oldest_pending_age_ms > self.max_pending_age_ms:
            reasons.append(f"oldest pending batch is {stats.oldest_pending_age_ms} ms old")
        if stats.pending_batches:
            now = self.batcher.clock.now_ms()
            seen = await self.redis.zrangebyscore(
                self.batcher.keys.workers, now - WORKER_SILENCE_MS, "+inf"
            )
            if not seen:
                reasons.append(f"no worker seen in {WORKER_SILENCE_MS // 1000} s")
        return reasons
