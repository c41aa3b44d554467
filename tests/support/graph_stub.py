"""A local HTTP stand-in for the Graph API (and any JSON gateway): records, answers as scripted.

A real aiohttp server on 127.0.0.1 with an ephemeral port. Every request is recorded
(method, path, headers, parsed JSON); each answer comes from the script queue when one is
pending (`script(Reply(...))`, first in first out, with an optional delay), else from the
default answerer — for the Graph API, Meta's send response with a fresh wamid, after
checking the bearer token as Meta does (401 with an OAuthException otherwise).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web


@dataclasses.dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = dataclasses.field(default_factory=dict)
    delay_s: float = 0.0


@dataclasses.dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)


Answerer = Callable[[Recorded], Reply]


def meta_error(status: int, message: str, code: int, kind: str = "OAuthException") -> Reply:
    """An error in Meta's shape: `{"error": {"message", "type", "code", "fbtrace_id"}}`."""
    body = {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf"}}
    return Reply(status, body)


class HttpStub:
    def __init__(self, answer: Answerer | None = None) -> None:
        self.requests: list[Recorded] = []
        self._scripted: deque[Reply] = deque()
        self._answer = answer or (lambda _: Reply(200, {"ok": True}))
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Delayed handlers must not hold the test's teardown for long.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *replies: Reply) -> None:
        """Answer the next calls with these, in order; then fall back to the default."""
        self._scripted.extend(replies)

    async def start(self) -> HttpStub:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        await self._runner.cleanup()

    async def __aenter__(self) -> HttpStub:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _handle(self, request: web.Request) -> web.Response:
        recorded = Recorded(
            method=request.method,
            path=request.path,
            headers=dict(request.headers),
            raw=await request.read(),
        )
        self.requests.append(recorded)
        reply = self._scripted.popleft() if self._scripted else self._answer(recorded)
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        if isinstance(reply.body, str):
            return web.Response(status=reply.status, text=reply.body)
        return web.json_response(reply.body, status=reply.status)


def graph_answerer(token: str) -> Answerer:
    """Meta's answers to `POST /{phone_number_id}/messages` [Meta C.5]."""
    wamids = itertools.count(1)

    def answer(request: Recorded) -> Reply:
        if request.headers.get("Authorization") != f"Bearer {token}":
            return meta_error(401, "Invalid OAuth access token - Cannot parse access token", 190)
        to = request.json["to"]
        return Reply(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": f"wamid.STUB{next(wamids):04d}"}],
            },
        )

    return answer


def graph_stub(token: str) -> HttpStub:
    return HttpStub(graph_answerer(token))
