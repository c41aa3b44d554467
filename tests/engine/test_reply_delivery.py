"""Replies leave through the outbox: retried with backoff, never sent twice, never lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from adapters.fillers import OfflineFiller
from adapters.messengers.venom import VenomMessenger
from engine.batcher import Batch, Batcher, BatchPolicy
from engine.clock import VirtualClock
from engine.conversations import ConversationStore
from engine.dialogue_runner import DialogueRunner
from engine.keys import Keys
from engine.metrics import Metrics
from engine.outbox import RepliesNotDelivered
from engine.redis_conn import AsyncRedis
from engine.settings import Settings
from engine.wiring import salon_backend
from states.messages import InboundMessage
from tests.support.graph_stub import HttpStub, Reply

PHONE = "79990001122"
START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)


class Rig:
    def __init__(
        self,
        batcher: Batcher,
        runner: DialogueRunner,
        store: ConversationStore,
        gateway: HttpStub,
        metrics: Metrics,
    ) -> None:
        self.batcher, self.runner, self.store = batcher, runner, store
        self.gateway, self.metrics = gateway, metrics

    async def batch(self) -> Batch:
        # A voice message: its polite answer needs no salon call, only delivery.
        message = InboundMessage(id="v1", chat=f"{PHONE}@c.us", type="ptt", body="", timestamp_s=1)
        await self.batcher.append(PHONE, message)
        self.batcher.clock.advance(10)  # type: ignore[attr-defined]
        batch = await self.batcher.claim(PHONE)
        assert batch is not None
        return batch

    def attempts(self) -> list[str]:
        """Every text the gateway was asked to send, failed attempts included."""
        return [r.json["text"] for r in self.gateway.requests]

    def replies(self, outcome: str) -> float:
        assert self.metrics.registry is not None
        value = self.metrics.registry.get_sample_value(
            "ai_admin_replies_total", {"outcome": outcome}
        )
        return value or 0.0


@pytest.fixture
async def rig(redis: AsyncRedis, keys: Keys) -> AsyncIterator[Rig]:
    clock = VirtualClock(START)
    batcher = Batcher(redis, keys, BatchPolicy(), clock)
    store = ConversationStore(redis, keys, clock, idle_ttl_s=3600)
    metrics = Metrics(batcher)
    async with (
        salon_backend(Settings.from_mapping({}), clock, user_token=False) as (backend, _),
        HttpStub() as gateway,
        aiohttp.ClientSession() as session,
    ):
        messenger = VenomMessenger(session, f"{gateway.url}/send", timeout_s=2)
        runner = DialogueRunner(
            store, backend, OfflineFiller(), messenger, clock, None, metrics, send_backoff_s=0.01
        )
        yield Rig(batcher, runner, store, gateway, metrics)


async def test_a_failed_send_is_retried_and_sent_once(rig: Rig) -> None:
    rig.gateway.script(Reply(500, {"error": "busy"}))
    await rig.runner.handle(await rig.batch())
    assert len(rig.attempts()) == 2 and "текстов" in rig.attempts()[1]
    assert rig.replies("failed") == 1 and rig.replies("sent") == 1
    assert await rig.store.pending_replies(PHONE) == []


async def test_gateway_down_keeps_the_reply_for_the_batch_retry(rig: Rig) -> None:
    rig.gateway.script(*[Reply(503, {})] * 3)
    batch = await rig.batch()
    with pytest.raises(RepliesNotDelivered):
        await rig.runner.handle(batch)
    assert len(rig.attempts()) == 3 and rig.replies("sent") == 0
    assert len(await rig.store.pending_replies(PHONE)) == 1
    version = (await rig.store.load(PHONE)).version
    # The worker gives the batch back and claims it again later: only the send is redone.
    assert await rig.batcher.finish(batch, retry_after_ms=1000)
    rig.batcher.clock.advance(1)  # type: ignore[attr-defined]
    again = await rig.batcher.claim(PHONE)
    assert again is not None and again.attempt == 2
    await rig.runner.handle(again)
    assert len(rig.attempts()) == 4 and rig.replies("sent") == 1
    assert (await rig.store.load(PHONE)).version == version  # the turn did not run twice
    assert await rig.store.pending_replies(PHONE) == []
    await rig.runner.handle(again)  # a third run (e.g. ack lost) sends nothing more
    assert len(rig.attempts()) == 4


async def test_a_refused_reply_does_not_block_the_outbox(rig: Rig) -> None:
    rig.gateway.script(Reply(404, {"error": "no such chat"}))
    await rig.runner.handle(await rig.batch())
    assert rig.replies("rejected") == 1
    assert await rig.store.pending_replies(PHONE) == []
