"""Serving a webhook app to a test over real HTTP, closed when the test ends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

ServeApp = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def serve_app() -> AsyncIterator[ServeApp]:
    clients: list[TestClient[Any, Any]] = []

    async def serve(app: web.Application) -> TestClient[Any, Any]:
        client: TestClient[Any, Any] = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return client

    yield serve
    for client in clients:
        await client.close()
