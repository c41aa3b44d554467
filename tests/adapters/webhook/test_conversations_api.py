"""`GET` / `DELETE /conversations/{phone}` over HTTP, behind ADMIN_TOKEN."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.fillers import OfflineFiller
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.settings import Settings

PHONE = "79990001122"
ADMIN = {"Authorization": "Bearer adm"}


@pytest.fixture
async def api(redis: AsyncRedis, keys: Keys) -> AsyncIterator[tuple[TestClient[Any, Any], Harness]]:
    start = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)
    settings = Settings.from_mapping({"ADMIN_TOKEN": "adm"})
    async with (
        engine_harness(redis, keys, OfflineFiller(), start, settings=settings) as h,
        TestClient(TestServer(h.runtime.webhook_app())) as client,
    ):
        yield client, h


async def test_inspection_shows_state_slots_sources_and_the_last_turn(
    api: tuple[TestClient[Any, Any], Harness],
) -> None:
    client, h = api
    assert (await client.get(f"/conversations/{PHONE}", headers=ADMIN)).status == 404
    await h.turn(PHONE, "Стрижка к Бари", "завтра в 18:00", pushname="Ира")
    await h.send(PHONE, "да")  # waiting in the next batch
    response = await client.get(f"/conversations/{PHONE}", headers=ADMIN)
    view = await response.json()
    assert view["phone"] == PHONE and view["state"] == "confirming" and view["version"] == 1
    assert view["awaiting"] == "yes_no" and view["handoff"] is None  # issue 14
    assert view["prompt"]["text"].endswith("Записываю? (да/нет)")
    assert view["slots"] == {
        "service_ids": [18356010],
        "staff_id": 3413963,
        "date": "2025-07-24",
        "time": "18:00",
    }
    assert view["slot_sources"]["staff_id"] == "user"
    assert view["pending_batch"]["messages"] == 1
    assert view["pending_batch"]["flush_at_ms"] == h.clock.now_ms() + 10_000
    turn = view["last_turn"]
    assert turn["batch"] == ["Стрижка к Бари", "завтра в 18:00"]
    assert turn["llm_fill"]["master"] == "Бари"
    assert any(g["guard"] == "slot_free" and g["ok"] for g in turn["guards"])
    assert any(c["call"] == "book_times" and c["ok"] for c in turn["yclients"])
    assert "Записываю?" in turn["replies"][0]
    assert view["updated_at"].startswith("2025-07-23T")


async def test_reset_brings_the_dialogue_back_to_idle(
    api: tuple[TestClient[Any, Any], Harness],
) -> None:
    client, h = api
    await h.turn(PHONE, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    response = await client.delete(f"/conversations/{PHONE}", headers=ADMIN)
    assert await response.json() == {"reset": True}
    view = await (await client.get(f"/conversations/{PHONE}", headers=ADMIN)).json()
    assert view["state"] == "idle" and view["slots"]["service_ids"] is None


async def test_admin_token_and_phone_format(api: tuple[TestClient[Any, Any], Harness]) -> None:
    client, _ = api
    assert (await client.get(f"/conversations/{PHONE}")).status == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (await client.delete(f"/conversations/{PHONE}", headers=wrong)).status == 401
    assert (await client.get("/conversations/abc", headers=ADMIN)).status == 400


async def test_inspection_shows_the_booking_and_its_reminders(
    api: tuple[TestClient[Any, Any], Harness],
) -> None:
    """Issue 16: `booking` (with `datetime`) and `reminders` (`at`, `kind`, `status`), in
    the salon's zone; a reminder's question shows as awaiting `reminder`; the answer counts."""
    client, h = api
    await h.turn(PHONE, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    await h.turn(PHONE, "да")
    view = await (await client.get(f"/conversations/{PHONE}", headers=ADMIN)).json()
    booking = view["booking"]
    assert (booking["staff_id"], booking["service_ids"]) == (3413963, [18356010])
    assert booking["datetime"] == "2025-07-24T18:00:00+03:00" and booking["record_id"]
    assert [(r["kind"], r["at"], r["status"]) for r in view["reminders"]] == [
        ("24h", "2025-07-23T18:00:00+03:00", "scheduled"),
        ("2h", "2025-07-24T16:00:00+03:00", "scheduled"),
    ]
    await h.run_until(datetime(2025, 7, 23, 15, 0, tzinfo=UTC))  # 18:00 in Moscow
    [reminder] = h.messenger.to(f"{PHONE}@c.us")[-1:]
    assert "Напоминаем" in reminder
    view = await (await client.get(f"/conversations/{PHONE}", headers=ADMIN)).json()
    assert view["reminders"][0]["status"] == "sent" and view["reminders"][0]["answer_until"]
    assert await h.turn(PHONE, "где вы находитесь?")
    view = await (await client.get(f"/conversations/{PHONE}", headers=ADMIN)).json()
    assert (view["state"], view["awaiting"]) == ("booked", "reminder")
    await h.turn(PHONE, "да")
    view = await (await client.get(f"/conversations/{PHONE}", headers=ADMIN)).json()
    assert view["reminders"][0]["status"] == "confirmed" and view["awaiting"] is None
    scraped = (await (await client.get("/metrics")).read()).decode()
    assert 'ai_admin_reminders_total{event="sent"} 1.0' in scraped
    assert 'ai_admin_reminders_total{event="confirmed"} 1.0' in scraped
