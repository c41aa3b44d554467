"""A person takes a chat over (issue 17): hand-offs, takeovers, pauses that end, and what
the bot does with the messages a client writes meanwhile — on the whole engine (real
Redis, the sandbox, the real worker) and a virtual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.fillers import OfflineFiller
from engine.harness import Harness, engine_harness
from engine.inspection import Inspector
from engine.keys import Keys
from engine.metrics import Metrics
from engine.pauses import PauseStore, Reason
from engine.redis_conn import AsyncRedis
from states.ports import DeliveryError

PHONE = "79990001122"
CHAT = f"{PHONE}@c.us"
START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # Wednesday, 15:00 in Moscow
HOUR = 3600


@pytest.fixture
async def h(redis: AsyncRedis, keys: Keys) -> AsyncIterator[Harness]:
    async with engine_harness(redis, keys, OfflineFiller(), START) as harness:
        yield harness


@pytest.mark.parametrize(
    ("words", "reason", "why"),
    [
        ("Позовите администратора, пожалуйста", "ask_human", "клиент просит администратора"),
        ("Мастер испортил стрижку, это ужасно, буду жаловаться", "complaint", "жалоба клиента"),
    ],
)
async def test_a_hand_off_pauses_the_bot_and_tells_the_salon(
    h: Harness, words: str, reason: str, why: str
) -> None:
    await h.turn(PHONE, "Стрижка к Бари", pushname="Ира")
    replies = await h.turn(PHONE, words)
    # The client is told a person will answer, and when (the salon's hours).
    assert len(replies) == 1 and "администратор" in replies[0]
    assert "в часы работы салона" in replies[0]
    until = await h.takeover.paused_until(PHONE)
    assert until == h.clock.now() + timedelta(hours=12)  # HANDOFF_PAUSE from the hand-off
    [notice] = h.notices()
    assert f"Нужен администратор: {why}." in notice
    assert "Ира, +79990001122" in notice and "👤 Стрижка к Бари" in notice
    assert f"👤 {words}" in notice and "🤖 " in notice
    assert "Бот: собирает запись." in notice
    waiting = await h.takeover.pauses.waiting()
    assert [(w.phone, w.reason) for w in waiting] == [(PHONE, reason)]


async def test_while_paused_messages_are_kept_not_answered_and_the_dialogue_goes_on_after(
    h: Harness,
) -> None:
    await h.turn(PHONE, "Стрижка к Бари завтра", pushname="Ира")
    suggested = await h.conversation(PHONE)
    assert suggested.state == "suggesting"
    await h.turn(PHONE, "Позовите человека")
    assert await h.turn(PHONE, "1") == []  # stored, not answered
    assert await h.turn(PHONE, "алло?") == []
    view = await Inspector(h.store, h.batcher, h.takeover.pauses).view(PHONE)
    assert view is not None and view["paused_until"] is not None
    assert view["takeover"] == {
        "reason": "ask_human",
        "since": view["takeover"]["since"],  # type: ignore[index]
        "waiting_for_person": True,
    }
    held = [turn["batch"] for turn in view["turns"]][-2:]  # type: ignore[attr-defined]
    assert held == [["1"], ["алло?"]]
    assert view["state"] == "suggesting"  # the dialogue did not move
    # The pause ends by itself: the held "1" and "алло?" are not answered one by one; the
    # client's next message is answered from where the dialogue stood.
    h.clock.advance(12 * HOUR)
    replies = await h.turn(PHONE, "2")
    assert len(replies) == 1 and "10:30" in replies[0]
    after = await h.conversation(PHONE)
    assert after.state == "confirming" and after.handoff is None
    assert await h.takeover.pauses.waiting() == []


async def test_the_salon_answering_itself_pauses_the_bot_but_the_bots_echo_does_not(
    h: Harness,
) -> None:
    [reply] = await h.turn(PHONE, "Стрижка к Бари", pushname="Ира")
    # venom reports the bot's own reply back as fromMe: it is not a person answering.
    assert await h.takeover.salon_wrote(PHONE, reply + "\n") is None
    assert await h.takeover.paused_until(PHONE) is None
    until = await h.takeover.salon_wrote(PHONE, "Ира, здравствуйте! Это Мария из салона.")
    assert until == h.clock.now() + timedelta(hours=12)
    assert await h.turn(PHONE, "завтра в 18:00") == []
    # The same words as the bot's reply, typed by a person later, still count: an echo
    # takes its note away.
    await h.takeover.resume(PHONE)
    assert await h.takeover.salon_wrote(PHONE, reply) is not None


async def test_a_reply_written_before_a_person_took_over_is_not_sent(h: Harness) -> None:
    class TakesOverWhileSending:
        """The salon's person writes while the bot's first reply is on its way."""

        def __init__(self, harness: Harness) -> None:
            self.h = harness

        async def send(self, chat: str, text: str, menu: object = None) -> None:
            await self.h.takeover.salon_wrote(PHONE, "Это Мария, я отвечу сама")
            self.h.messenger.sent.append((chat, text))

        async def mark_read(self, chat: str, message_id: str) -> None:
            return None

    h.worker.handler.outbox.messenger = TakesOverWhileSending(h)  # type: ignore[attr-defined]
    await h.send(PHONE, "Здравствуйте", pushname="Ира")
    await h.send(PHONE, "Сколько стоит стрижка и где вы?")
    await h.settle()
    written = (await h.conversation(PHONE)).turns[-1]["replies"]
    assert len(written) >= 2
    assert h.messenger.to(CHAT) == written[:1]  # the first went out; the rest were the person's
    assert await h.store.pending_replies(PHONE) == []


async def test_operator_pause_resume_and_a_pause_that_ends(h: Harness) -> None:
    until = await h.takeover.pause(PHONE, 2 * HOUR)
    assert until == START + timedelta(hours=2)
    assert await h.turn(PHONE, "Стрижка к Бари", pushname="Ира") == []
    await h.takeover.resume(PHONE)
    assert await h.takeover.paused_until(PHONE) is None
    assert len(await h.turn(PHONE, "Стрижка к Бари")) == 1
    await h.takeover.pause(PHONE, 60)
    h.clock.advance(61)  # the pause has ended by itself
    assert await h.takeover.paused_until(PHONE) is None
    assert len(await h.turn(PHONE, "завтра")) == 1
    with pytest.raises(ValueError, match="a pause lasts"):
        await h.takeover.pause(PHONE, 0)


async def test_a_notice_that_fails_is_retried_with_the_batch_and_sent_once(
    redis: AsyncRedis, keys: Keys
) -> None:
    async with engine_harness(redis, keys, OfflineFiller(), START) as h:
        notifier = h.worker.handler.handoffs.notifier  # type: ignore[attr-defined]
        real = notifier.messenger
        failures = iter([DeliveryError("gateway down")] * 3)

        class Flaky:
            async def send(self, chat: str, text: str, menu: object = None) -> None:
                error = next(failures, None)
                if error is not None:
                    raise error
                await real.send(chat, text)

            async def mark_read(self, chat: str, message_id: str) -> None:
                return None

        notifier.messenger = Flaky()
        await h.send(PHONE, "Позовите администратора", pushname="Ира")
        # The turn tells the client, pauses the chat, fails to tell the salon three times
        # (the notifier's own tries); the worker retries the batch, which only notifies.
        assert await h.settle() == 2
        assert len(h.notices()) == 1
        assert len(h.messenger.to(CHAT)) == 1  # the client was told once
        assert await h.takeover.paused_until(PHONE) is not None
        state = await h.takeover.pauses.state(PHONE)
        assert state.notified == {"chat", "hook"}  # no webhook configured: nothing to send


async def test_the_pause_store_counts_queues_oldest_first_and_logs_every_pause(
    h: Harness,
) -> None:
    pauses: PauseStore = h.takeover.pauses
    await pauses.hand_off("79990000001", Reason.COMPLAINT, "b1")
    h.clock.advance(30)
    await pauses.hand_off("79990000002", Reason.ASK_HUMAN, "b2")
    again = await pauses.hand_off("79990000001", Reason.COMPLAINT, "b1")  # a retried turn
    assert not again.applied and not again.started
    await pauses.person_answered("79990000003", Reason.SALON_REPLY)
    assert [w.phone for w in await pauses.waiting()] == ["79990000001", "79990000002"]
    await pauses.person_answered("79990000001", Reason.SALON_REPLY)  # a person answers
    assert [w.phone for w in await pauses.waiting()] == ["79990000002"]
    assert await pauses.paused_count() == 3
    started = await pauses.started_since(0)
    assert sorted(reason for _, _, reason in started) == ["ask_human", "complaint", "salon_reply"]
    _, counters = await h.batcher.stats_and_counters()
    assert counters["handoffs:complaint"] == 1 and counters["handoffs:salon_reply"] == 1
    h.clock.advance(12 * HOUR + 60)
    assert await pauses.paused_count() == 0 and await pauses.waiting() == []


async def test_metrics_count_hand_offs_by_reason_and_paused_conversations(h: Harness) -> None:
    metrics = Metrics(h.batcher, pauses=h.takeover.pauses)
    await h.turn(PHONE, "Позовите администратора", pushname="Ира")
    await h.takeover.salon_wrote("79990000005", "Добрый день, это салон")
    await h.takeover.pause("79990000006", 600)
    text = (await metrics.render())[0].decode()
    assert 'ai_admin_handoffs{reason="ask_human"} 1.0' in text
    assert 'ai_admin_handoffs{reason="salon_reply"} 1.0' in text
    assert 'ai_admin_handoffs{reason="operator"} 1.0' in text
    assert 'ai_admin_handoffs{reason="complaint"} 0.0' in text
    assert "ai_admin_paused_conversations 3.0" in text
    h.clock.advance(601)
    assert "ai_admin_paused_conversations 2.0" in (await metrics.render())[0].decode()
