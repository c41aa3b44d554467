"""A scripted OpenAI-compatible server for tests: real HTTP on 127.0.0.1, ephemeral port.

    stub = OpenAIStub()
    stub.script([StubReply({"intent": "book", ...}), StubError(500), StubDelay(5.0)])
    async with stub as base_url:
        client = AsyncOpenAI(api_key="test", base_url=base_url, max_retries=0)
        ...
    assert stub.requests[0]["temperature"] == 0

Each `POST /v1/chat/completions` consumes the next scripted step; every request body is
recorded in `requests` (headers in `headers`, minus Authorization). An exhausted script
answers 500 so a test never hangs on a missing step.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

from aiohttp import web


@dataclasses.dataclass(frozen=True)
class StubReply:
    """A completion whose message content is `content` (a dict is sent as JSON text)."""

    content: str | dict[str, Any]
    finish_reason: str = "stop"


@dataclasses.dataclass(frozen=True)
class StubError:
    """An HTTP error with an OpenAI-shaped error body."""

    status: int = 500
    message: str = "stub: scripted server error"


@dataclasses.dataclass(frozen=True)
class StubDelay:
    """Wait `seconds` (cut short when the stub stops), then answer `then`."""

    seconds: float
    then: StubReply | StubError | None = None


StubStep = StubReply | StubError | StubDelay


def proposal(**fields: object) -> dict[str, object]:
    """A model answer in the shape of `LlmProposal`: every field unknown (null, empty, intent
    "unknown") unless given."""
    return {
        "intent": "unknown", "service_phrases": [], "master_choice": None, "master": None,
        "date_phrase": None, "time_phrase": None, "option": None, "client_name": None,
        "phone": None, "language": "ru", **fields,
    }  # fmt: skip


class OpenAIStub:
    def __init__(self, model: str = "stub-model") -> None:
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._steps: deque[StubStep] = deque()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    def script(self, steps: Iterable[StubStep | str | dict[str, Any]]) -> None:
        """Queue the next answers; a str or dict is shorthand for `StubReply`."""
        for step in steps:
            self._steps.append(step if isinstance(step, StubStep) else StubReply(step))

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("OpenAIStub is not running")
        return self._base_url

    async def __aenter__(self) -> str:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self._base_url = f"http://127.0.0.1:{port}/v1"
        return self._base_url

    async def __aexit__(self, *exc_info: object) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def _completions(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "stub: body is not JSON")
        self.requests.append(body)
        self.headers.append(
            {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        )
        step: StubStep | None = self._steps.popleft() if self._steps else None
        if isinstance(step, StubDelay):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), step.seconds)
            step = step.then
        if step is None:
            return _error(500, "stub: script exhausted")
        if isinstance(step, StubError):
            return _error(step.status, step.message)
        return web.json_response(self._completion(step, str(body.get("model", self.model))))

    def _completion(self, reply: StubReply, model: str) -> dict[str, Any]:
        content = reply.content
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        return {
            "id": f"chatcmpl-stub-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": reply.finish_reason,
                "logprobs": None,
            }],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }  # fmt: skip


def _error(status: int, message: str) -> web.Response:
    body = {"error": {"message": message, "type": "server_error", "code": None}}
    return web.json_response(body, status=status)
