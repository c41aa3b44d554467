"""The real client talking to the real sandbox over HTTP on an ephemeral loopback port.

The sandbox's clock is frozen on Wednesday 2025-07-23 15:00 Moscow time, so "tomorrow"
is Thursday 2025-07-24 (the day of the interface.md example).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.yclients import RateLimiter, RetryPolicy, Transport, YClientsBackend, YClientsClient
from adapters.yclients.sandbox import RunningSandbox, SandboxSalon, WebhookConfig, running_sandbox
from tests.support.webhook_sink import WebhookSink

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 7, 23, 15, 0, tzinfo=MOSCOW)  # a Wednesday
TODAY = NOW.date()
TOMORROW = date(2025, 7, 24)  # Thursday: Бари 10–21 (busy 14:00–15:00), Артём 10–20
COMPANY_ID = 1088406
BARI, ARTYOM, SNEZHANA, IGOR = 3413963, 3413964, 3413965, 3413966
HAIRCUT, BEARD, COLOURING, BEARD_TINT = 18356010, 18356020, 18356040, 18356099
NIKOLAI = 4240880

ClientFactory = Callable[..., Awaitable[YClientsClient]]


@pytest.fixture
def salon() -> SandboxSalon:
    return SandboxSalon(clock=lambda: NOW)


@pytest.fixture
async def sandbox(salon: SandboxSalon) -> AsyncIterator[RunningSandbox]:
    async with running_sandbox(salon) as running:
        yield running


@pytest.fixture
async def sink() -> AsyncIterator[WebhookSink]:
    """Receives the record webhooks of `hooked_sandbox`."""
    async with WebhookSink().running() as running:
        yield running


@pytest.fixture
async def hooked_sandbox(salon: SandboxSalon, sink: WebhookSink) -> AsyncIterator[RunningSandbox]:
    """The sandbox posting its record webhooks to `sink` (small random delays: in no fixed
    order, as YClients sends them). Test modules use it as their `sandbox`."""
    config = WebhookConfig(url=sink.url, max_delay_s=0.05, seed=7)
    async with running_sandbox(salon, webhooks=config) as running:
        yield running


def fast_limiter() -> RateLimiter:
    """Most tests are not about the limit: keep them quick."""
    return RateLimiter(per_second=1000, per_minute=100_000, margin_s=0)


@pytest.fixture
async def make_client(sandbox: RunningSandbox) -> AsyncIterator[ClientFactory]:
    made: list[YClientsClient] = []

    async def make(
        *,
        partner_token: str | None = None,
        user_token: str | None = "default",
        company_id: int = COMPANY_ID,
        timeout_s: float = 2.0,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        catalogue_ttl_s: float = 60.0,
        clock: Callable[[], float] | None = None,
    ) -> YClientsClient:
        transport = Transport(
            sandbox.base_url,
            sandbox.partner_token if partner_token is None else partner_token,
            sandbox.user_token if user_token == "default" else user_token,
            timeout_s=timeout_s,
            retry=retry or RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=0.05),
            limiter=limiter or fast_limiter(),
        )
        client = YClientsClient(
            transport, company_id, catalogue_ttl_s=catalogue_ttl_s, clock=clock or time.monotonic
        )
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()


@pytest.fixture
async def client(make_client: ClientFactory) -> YClientsClient:
    return await make_client()


@pytest.fixture
def backend(client: YClientsClient) -> YClientsBackend:
    return YClientsBackend(client, today=lambda: TODAY)
