"""Takeover over HTTP (issue 17): venom `fromMe` messages, and `POST /conversations/{phone}/
pause` / `resume` behind ADMIN_TOKEN, with what inspection shows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.fillers import OfflineFiller
from adapters.webhook.app import build_webhook_app
from adapters.webhook.context import WebhookConfig
from engine.harness import Harness, engine_harness
from engine.health import RedisHealth
from engine.inspection import Inspector
from engine.keys import Keys
from engine.redis_conn import AsyncRedis

PHONE = "79990001122"
SALON = "74951234567@c.us"
ADMIN = {"Authorization": "Bearer adm"}
START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)

Api = tuple[TestClient[Any, Any], Harness]


@pytest.fixture
async def api(redis: AsyncRedis, keys: Keys) -> AsyncIterator[Api]:
    async with engine_harness(redis, keys, OfflineFiller(), START) as h:
        app = build_webhook_app(
            h.batcher,
            RedisHealth(redis),
            WebhookConfig(admin_token="adm"),
            Inspector(h.store, h.batcher, h.takeover.pauses),
            takeover=h.takeover,
        )
        async with TestClient(TestServer(app)) as client:
            yield client, h


def from_salon(body: str, n: int, to: str = f"{PHONE}@c.us", **extra: Any) -> dict[str, Any]:
    """What venom posts for a message the salon's own WhatsApp sent."""
    return {
        "id": f"true_{to}_3EB0SALON{n}",
        "from": SALON,
        "to": to,
        "chatId": to,
        "body": body,
        "type": "chat",
        "fromMe": True,
        **extra,
    }


async def test_a_person_answering_from_the_salons_whatsapp_pauses_the_bot(api: Api) -> None:
    client, h = api
    [reply] = await h.turn(PHONE, "Стрижка к Бари", pushname="Ира")
    echo = await client.post("/webhook/whatsapp/batched", json=from_salon(reply, 1))
    assert await echo.json() == {"status": "ignored", "reason": "own reply (echo)"}
    assert await h.takeover.paused_until(PHONE) is None
    person = await client.post("/webhook/whatsapp/batched", json=from_salon("Ира, я вас запишу", 2))
    body = await person.json()
    assert body["status"] == "paused"
    until = datetime.fromisoformat(body["paused_until"])
    assert until == h.clock.now() + timedelta(hours=12)
    assert await h.turn(PHONE, "на завтра") == []  # kept, not answered
    view = await (await client.get(f"/conversations/{PHONE}", headers=ADMIN)).json()
    assert view["paused_until"] == body["paused_until"]
    assert view["takeover"]["reason"] == "salon_reply"
    assert view["last_turn"]["batch"] == ["на завтра"] and view["last_turn"]["replies"] == []


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ({"to": "120363012345678901@g.us", "chatId": "120363012345678901@g.us"}, "group message"),
        ({"to": None, "chatId": None}, "own message"),
        ({"to": "status@broadcast", "chatId": "status@broadcast"}, "own message"),
    ],
)
async def test_the_salons_messages_outside_a_clients_chat_change_nothing(
    api: Api, message: dict[str, Any], reason: str
) -> None:
    client, h = api
    payload = {**from_salon("Всем привет", 3), **message}
    payload = {k: v for k, v in payload.items() if v is not None}
    response = await client.post("/webhook/whatsapp/batched", json=payload)
    assert await response.json() == {"status": "ignored", "reason": reason}
    assert await h.takeover.pauses.paused_count() == 0


async def test_pause_and_resume_through_the_admin_api(api: Api) -> None:
    client, h = api
    await h.turn(PHONE, "Стрижка к Бари", pushname="Ира")
    url = f"/conversations/{PHONE}"
    assert (await client.post(f"{url}/pause")).status == 401
    assert (await client.post(f"{url}/resume")).status == 401
    paused = await client.post(f"{url}/pause", headers=ADMIN)
    default = datetime.fromisoformat((await paused.json())["paused_until"])
    assert default == h.clock.now() + timedelta(hours=12)  # HANDOFF_PAUSE
    paused = await client.post(f"{url}/pause", headers=ADMIN, json={"for_s": 7200})
    body = await paused.json()
    assert datetime.fromisoformat(body["paused_until"]) == h.clock.now() + timedelta(hours=2)
    view = await (await client.get(url, headers=ADMIN)).json()
    assert view["paused_until"] == body["paused_until"] and view["state"] == "collecting"
    assert await h.turn(PHONE, "завтра") == []
    resumed = await client.post(f"{url}/resume", headers=ADMIN)
    assert resumed.status == 200 and await resumed.json() == {"paused_until": None}
    assert (await (await client.get(url, headers=ADMIN)).json())["paused_until"] is None
    # The dialogue goes on from its saved state: it still awaits the day.
    replies = await h.turn(PHONE, "завтра в 18:00")
    assert len(replies) == 1 and "18:00" in replies[0]


async def test_a_pause_through_the_api_ends_by_itself(api: Api) -> None:
    client, h = api
    response = await client.post(f"/conversations/{PHONE}/pause", headers=ADMIN, json={"for_s": 60})
    view = await (await client.get(f"/conversations/{PHONE}", headers=ADMIN)).json()
    assert view["paused_until"] == (await response.json())["paused_until"]  # shown unseen
    h.clock.advance(61)
    assert (await client.get(f"/conversations/{PHONE}", headers=ADMIN)).status == 404
    assert len(await h.turn(PHONE, "Стрижка к Бари")) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'{"for_s": "2h"}',
        b'{"for_s": 0}',
        b'{"for_s": true}',
        b'{"for_s": 99999999}',
        b'{"for": 60}',
        b"not json",
    ],
)
async def test_a_bad_pause_body_gets_400_and_pauses_nothing(api: Api, body: bytes) -> None:
    client, h = api
    response = await client.post(f"/conversations/{PHONE}/pause", headers=ADMIN, data=body)
    assert response.status == 400 and "error" in await response.json()
    assert await h.takeover.paused_until(PHONE) is None
    bad_phone = await client.post("/conversations/79x/pause", headers=ADMIN)
    assert bad_phone.status == 400
