"""A real BatchHandler for tests: it records each processed batch in Redis.

Not a mock of our code: the worker, batcher and Redis under it are the real ones; this is
simply the smallest handler that lets a test see what was processed, in which order.
"""

from __future__ import annotations

import asyncio
import json
import os

from engine.batcher import Batch
from engine.redis_conn import AsyncRedis


def record_key(prefix: str) -> str:
    return f"{prefix}:test:processed"


class RecordingHandler:
    def __init__(self, redis: AsyncRedis, prefix: str, hang_phone: str | None = None) -> None:
        self.redis = redis
        self.prefix = prefix
        self.hang_phone = hang_phone

    async def handle(self, batch: Batch) -> None:
        if batch.phone == self.hang_phone:
            # Tell the test we hold the claim, then never finish (the test SIGKILLs us).
            await self.redis.rpush(f"{self.prefix}:test:claimed", batch.phone)
            await asyncio.sleep(3600)
        entry = {
            "phone": batch.phone,
            "ids": [m.id for m in batch.messages],
            "attempt": batch.attempt,
            "pid": os.getpid(),
        }
        await self.redis.rpush(record_key(self.prefix), json.dumps(entry))
