"""Real parts for the reliability suite: the sandbox salon, a recording venom gateway, child
worker processes; every one stopped at the end of its test."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from adapters.yclients.sandbox import RunningSandbox, SandboxSalon, running_sandbox
from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from states.messages import InboundMessage
from tests.support.gateway import RecordingGateway
from tests.support.processes import ChildProcesses

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # the dialogue's frozen "now" (15:00 Moscow)
# The policy of `tests.support.engine_worker`: a short quiet window and a one-second lease.
POLICY = BatchPolicy(quiet_ms=100, max_size=10, max_wait_ms=1000, lease_ms=1000)


def client_message(
    phone: str, msg_id: str, body: str, pushname: str | None = "Ира"
) -> InboundMessage:
    return InboundMessage(
        id=msg_id, chat=f"{phone}@c.us", type="chat", body=body, timestamp_s=time.time(),
        pushname=pushname,
    )  # fmt: skip


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    async with running_sandbox(SandboxSalon(clock=lambda: START)) as running:
        yield running


@pytest.fixture
async def gateway() -> AsyncIterator[RecordingGateway]:
    async with RecordingGateway().running() as running:
        yield running


@pytest.fixture
async def children() -> AsyncIterator[ChildProcesses]:
    processes = ChildProcesses()
    try:
        yield processes
    finally:
        await processes.close()


@pytest.fixture
def batcher(redis: AsyncRedis, keys: Keys) -> Batcher:
    """The webhook's side of the queue, on the system clock like the worker processes."""
    return Batcher(redis, keys, POLICY, SystemClock())


def bookings_made(sandbox: RunningSandbox) -> list[str]:
    """api_ids of the live records our bot created in the sandbox (one per booking)."""
    return [r.api_id for r in sandbox.salon.records.values() if r.api_id and not r.deleted]
