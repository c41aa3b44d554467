"""A recording webhook receiver on 127.0.0.1: what the sandbox's record webhooks posted.

Answers 200 and keeps the JSON bodies in arrival order (or answers `fail_status` while set).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from tests.support.loopback import loopback


class WebhookSink:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.fail_status: int | None = None
        self.url = ""

    def statuses(self, record_id: int | None = None) -> list[str]:
        return [
            b["status"] for b in self.bodies if record_id is None or b["resource_id"] == record_id
        ]

    async def _receive(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        if self.fail_status is not None:
            return web.json_response({"error": "down"}, status=self.fail_status)
        return web.json_response({"ok": True})

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[WebhookSink]:
        app = web.Application()
        app.router.add_post("/hook", self._receive)
        async with loopback(app) as base_url:
            self.url = f"{base_url}/hook"
            yield self
