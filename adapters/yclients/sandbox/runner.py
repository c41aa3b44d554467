"""Run the sandbox in-process on 127.0.0.1 with an ephemeral port (tests, demo mode)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from adapters.yclients.sandbox.app import build_sandbox_app
from adapters.yclients.sandbox.control import SandboxControl
from adapters.yclients.sandbox.salon import SandboxSalon
from adapters.yclients.sandbox.webhooks import RecordWebhooks, WebhookConfig


@dataclasses.dataclass(frozen=True)
class RunningSandbox:
    base_url: str  # e.g. "http://127.0.0.1:43121"; the API lives under /api/v1
    salon: SandboxSalon
    control: SandboxControl
    webhooks: RecordWebhooks

    @property
    def company_id(self) -> int:
        return self.salon.company_id

    @property
    def partner_token(self) -> str:
        return self.salon.partner_token

    @property
    def user_token(self) -> str:
        return self.salon.user_token

    def banner(self) -> str:
        """The first stdout line of `ai-admin sandbox` (interface.md)."""
        return (
            f"sandbox: base_url={self.base_url} company_id={self.company_id} "
            f"partner_token={self.partner_token} user_token={self.user_token}"
        )


@asynccontextmanager
async def running_sandbox(
    salon: SandboxSalon | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    control: SandboxControl | None = None,
    webhooks: WebhookConfig | None = None,
) -> AsyncIterator[RunningSandbox]:
    """Serve the sandbox until the block ends; port 0 picks a free one. `webhooks` sets
    where (and how) record webhooks are posted; they are off by default."""
    salon = salon or SandboxSalon()
    control = control or SandboxControl()
    hooks = RecordWebhooks(salon, webhooks)
    # handler_cancellation stays off (the aiohttp default): a client that gives up
    # waiting does not stop the work, just as a real server keeps a booking it made.
    runner = web.AppRunner(build_sandbox_app(salon, control, hooks), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        bound_port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        # A wildcard address is not somewhere to send requests: show loopback instead.
        shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(host, host)
        yield RunningSandbox(f"http://{shown}:{bound_port}", salon, control, hooks)
    finally:
        await runner.cleanup()
