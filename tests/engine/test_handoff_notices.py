"""How the salon hears of a hand-off (issue 17): a signed JSON POST to
HANDOFF_WEBHOOK_URL, retried, and a WhatsApp message to ADMIN_CHAT through the venom
gateway — real HTTP to local receivers."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from adapters.fillers import OfflineFiller
from adapters.messengers.venom import VenomMessenger
from engine.handoff_webhook import SIGNATURE_HEADER, HandoffWebhook
from engine.harness import engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.salon_notice import Outcome, SalonNotifier
from engine.settings import Settings
from tests.support.graph_stub import HttpStub, Reply

PHONE = "79990001122"
SECRET = "handoff-secret-for-tests"
START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
async def receiver() -> AsyncIterator[HttpStub]:
    async with HttpStub() as stub:
        yield stub


def hook(session: aiohttp.ClientSession, receiver: HttpStub) -> HandoffWebhook:
    return HandoffWebhook(session, f"{receiver.url}/handoff", SECRET, timeout_s=2, backoff_s=0)


async def test_a_hand_off_is_posted_signed_with_the_phone_the_last_messages_and_the_state(
    redis: AsyncRedis, keys: Keys, receiver: HttpStub
) -> None:
    receiver.script(Reply(503, {"error": "busy"}))  # the first try fails: tried again
    settings = Settings.from_mapping(
        {
            "HANDOFF_WEBHOOK_URL": f"{receiver.url}/handoff",
            "HANDOFF_WEBHOOK_SECRET": SECRET,
        }
    )
    async with engine_harness(redis, keys, OfflineFiller(), START, settings=settings) as h:
        await h.turn(PHONE, "Стрижка к Бари завтра", pushname="Ира")
        await h.turn(PHONE, "Хочу поговорить с администратором")
        until = await h.takeover.paused_until(PHONE)
    assert len(receiver.requests) == 2
    request = receiver.requests[-1]
    expected = hmac.new(SECRET.encode(), request.raw, hashlib.sha256).hexdigest()
    assert request.headers[SIGNATURE_HEADER] == f"sha256={expected}"
    assert request.headers["Content-Type"] == "application/json"
    event = request.json
    assert event["event"] == "handoff" and event["reason"] == "ask_human"
    assert event["phone"] == PHONE and event["chat"] == f"{PHONE}@c.us"
    assert event["client_name"] == "Ира"
    assert until is not None and datetime.fromisoformat(event["paused_until"]) == until
    assert event["state"]["state"] == "suggesting" and event["state"]["offered"]
    assert event["state"]["slots"]["staff_id"] == 3413963
    said = [(m["from"], m["text"]) for m in event["last_messages"]]
    assert said[0] == ("client", "Стрижка к Бари завтра")
    assert said[-2] == ("client", "Хочу поговорить с администратором")
    assert said[-1][0] == "bot" and "администратор" in said[-1][1]
    assert event["id"] == f"{PHONE}:{event['id'].split(':', 1)[1]}"  # the receiver's dedupe key


@pytest.mark.parametrize(
    ("answers", "outcome", "tries"),
    [
        ([Reply(200)], Outcome.SENT, 1),
        ([Reply(500), Reply(429), Reply(204)], Outcome.SENT, 3),
        ([Reply(404)], Outcome.REFUSED, 1),  # a wrong URL: trying again cannot help
        ([Reply(502), Reply(503), Reply(504)], Outcome.FAILED, 3),
    ],
)
async def test_the_webhook_retries_what_may_pass_and_gives_up_on_what_cannot(
    receiver: HttpStub,
    session: aiohttp.ClientSession,
    answers: list[Reply],
    outcome: Outcome,
    tries: int,
) -> None:
    receiver.script(*answers)
    assert await hook(session, receiver).post({"event": "handoff", "id": "x"}) is outcome
    assert len(receiver.requests) == tries


async def test_admin_chat_goes_through_the_venom_gateway(
    receiver: HttpStub, session: aiohttp.ClientSession
) -> None:
    venom = VenomMessenger(session, f"{receiver.url}/send")
    notifier = SalonNotifier(venom, "79160000001@c.us", backoff_s=0)
    assert await notifier.notify("🙋 Нужен администратор") is Outcome.SENT
    assert receiver.requests[0].json == {"to": "79160000001@c.us", "text": "🙋 Нужен администратор"}
    receiver.script(Reply(400, "bad chat"))
    assert await notifier.notify("again") is Outcome.REFUSED
    assert await SalonNotifier(venom, None).notify("nobody to tell") is Outcome.OFF
