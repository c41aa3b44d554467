"""One way to get a Redis client: `REDIS_URL` when set, else the embedded server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import redis.asyncio as aioredis

from engine.embedded_redis import EmbeddedRedis

AsyncRedis = aioredis.Redis


def client_for(url: str) -> AsyncRedis:
    """An asyncio client with bounded timeouts: a Redis that goes away is an error, not a hang."""
    return aioredis.from_url(
        url,
        socket_timeout=5,
        socket_connect_timeout=3,
        health_check_interval=15,
        retry_on_timeout=False,
    )


@contextlib.asynccontextmanager
async def open_redis(redis_url: str | None, data_dir: Path) -> AsyncIterator[AsyncRedis]:
    """Yield a client; an embedded server started here is stopped (and saved) on exit."""
    embedded: EmbeddedRedis | None = None
    if redis_url is None:
        embedded = EmbeddedRedis(data_dir)
        redis_url = embedded.start()
    client = client_for(redis_url)
    try:
        yield client
    finally:
        await client.aclose()
        if embedded is not None:
            embedded.stop()
