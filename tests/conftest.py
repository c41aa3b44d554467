"""Shared fixtures: a real Redis (REDIS_URL) and the embedded one, each test under its own prefix.

Tests use `REDIS_URL` when set, else the embedded server; suites that must hold on every
backend (batching, the worker) take the `any_redis` fixture, parametrised over the embedded
server, the real one and a local three-node Redis Cluster. The Cluster is started once per
session from the `redis-server` and `redis-cli` on PATH; without them those tests fail
loudly instead of skipping, because CI runs on a machine that has them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from engine.embedded_redis import EmbeddedRedis
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, client_for, cluster_client_for
from tests.support.redis_servers import LocalCluster

REAL_REDIS_URL = os.environ.get("REDIS_URL")
BACKENDS = ["embedded", "real", "cluster"] if REAL_REDIS_URL else ["embedded", "cluster"]


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


@pytest.fixture(scope="session")
def cluster_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Any node of a three-node Redis Cluster on loopback, for the whole session."""
    cluster = LocalCluster(tmp_path_factory.mktemp("redis-cluster"))
    try:
        cluster.start()
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(params=BACKENDS)
def any_redis_url(request: pytest.FixtureRequest, embedded_redis_url: str) -> str:
    if request.param == "real":
        assert REAL_REDIS_URL is not None
        return REAL_REDIS_URL
    if request.param == "cluster":
        url: str = request.getfixturevalue("cluster_redis_url")
        return url
    return embedded_redis_url


@pytest.fixture
def keys() -> Keys:
    """A fresh key prefix per test: tests share one Redis without seeing each other."""
    return Keys(prefix=f"t{uuid.uuid4().hex[:12]}")


async def _client_cleaned_after(
    url: str, keys: Keys, cluster: bool = False
) -> AsyncIterator[AsyncRedis]:
    client = cluster_client_for(url) if cluster else client_for(url)
    yield client
    async for key in client.scan_iter(match=f"{keys.prefix}:*", count=500):
        await client.delete(key)
    await client.aclose()


@pytest.fixture
async def redis(redis_url: str, keys: Keys) -> AsyncIterator[AsyncRedis]:
    async for client in _client_cleaned_after(redis_url, keys):
        yield client


@pytest.fixture
async def any_redis(
    request: pytest.FixtureRequest, any_redis_url: str, keys: Keys
) -> AsyncIterator[AsyncRedis]:
    cluster = request.node.callspec.params.get("any_redis_url") == "cluster"
    async for client in _client_cleaned_after(any_redis_url, keys, cluster):
        yield client


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client session for tests that talk to local servers."""
    async with aiohttp.ClientSession() as client:
        yield client
