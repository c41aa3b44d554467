"""A recording venom gateway: real HTTP on 127.0.0.1, the test's view of what WhatsApp got.

Replies are POSTed by the product's `VenomMessenger` as `{"to": chat, "text": text}`; the
gateway answers 200 and keeps them in arrival order (or answers `fail_status` while set).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from tests.support.loopback import loopback


class RecordingGateway:
    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self.fail_status: int | None = None
        self.url = ""

    def to(self, chat: str) -> list[str]:
        return [text for to, text in self.received if to == chat]

    async def _send(self, request: web.Request) -> web.Response:
        if self.fail_status is not None:
            return web.json_response({"error": "gateway down"}, status=self.fail_status)
        body = await request.json()
        self.received.append((str(body["to"]), str(body["text"])))
        return web.json_response({"status": "sent"})

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[RecordingGateway]:
        app = web.Application()
        app.router.add_post("/send", self._send)
        async with loopback(app) as base_url:
            self.url = f"{base_url}/send"
            yield self
