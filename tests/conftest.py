"""Shared fixtures: a real Redis (REDIS_URL) and the embedded one, each test under its own prefix.

Tests use `REDIS_URL` when set, else the embedded server; suites that must hold on both
(batching) take the `any_redis` fixture, parametrised over every backend available.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from engine.embedded_redis import EmbeddedRedis
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, client_for

REAL_REDIS_URL = os.environ.get("REDIS_URL")
BACKENDS = ["embedded", "real"] if REAL_REDIS_URL else ["embedded"]


@pytest.fixture(scope="session")
def embedded_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("embedded-redis"))
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(scope="session")
def redis_url(embedded_redis_url: str) -> str:
    """The Redis the tests talk to: REDIS_URL when set, else the embedded server."""
    return REAL_REDIS_URL or embedded_redis_url


@pytest.fixture(params=BACKENDS)
def any_redis_url(request: pytest.FixtureRequest, embedded_redis_url: str) -> str:
    if request.param == "real":
        assert REAL_REDIS_URL is not None
        return REAL_REDIS_URL
    return embedded_redis_url


@pytest.fixture
def keys() -> Keys:
    """A fresh key prefix per test: tests share one Redis without seeing each other."""
    return Keys(prefix=f"t{uuid.uuid4().hex[:12]}")


async def _client_cleaned_after(url: str, keys: Keys) -> AsyncIterator[AsyncRedis]:
    client = client_for(url)
    yield client
    async for key in client.scan_iter(match=f"{keys.prefix}:*", count=500):
        await client.delete(key)
    await client.aclose()


@pytest.fixture
async def redis(redis_url: str, keys: Keys) -> AsyncIterator[AsyncRedis]:
    async for client in _client_cleaned_after(redis_url, keys):
        yield client


@pytest.fixture
async def any_redis(any_redis_url: str, keys: Keys) -> AsyncIterator[AsyncRedis]:
    async for client in _client_cleaned_after(any_redis_url, keys):
        yield client


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
