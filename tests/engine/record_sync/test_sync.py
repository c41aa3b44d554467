"""Record webhooks from the sandbox, through the log in Redis, to bookings and reminders.

The sandbox posts its webhooks (several identical `update`s per edit, in no fixed order)
to a sink; each body goes through the product's parser and `RecordSync`; the effects move
or drop the visit's reminders in `ReminderStore`. Duplicates have one effect, the bot's
own changes tell nobody, the salon's moves and deletes are told to the client.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from adapters.yclients import YClientsBackend, build_backend
from adapters.yclients.record_webhook import change_from_record, parse_record_webhook
from adapters.yclients.sandbox import RunningSandbox, SandboxSalon, WebhookConfig, running_sandbox
from engine.clock import VirtualClock
from engine.keys import Keys
from engine.record_sync import RecordEffect, RecordLog, RecordSync, visit_notice
from engine.redis_conn import AsyncRedis
from engine.reminders import ReminderPolicy, ReminderStore, SalonInfo
from states.effects import api_id_for
from states.record_change import RecordChange
from states.salon import Appointment, BookingRequest
from tests.support.webhook_sink import WebhookSink

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # Wednesday 15:00 in Moscow
BARI, HAIRCUT = 3413963, 18356010
PHONE = "79990001122"
POLICY = ReminderPolicy.parse(timezone="Europe/Moscow")
SALON = SalonInfo("Борода и Ножницы", "Москва, ул. Пушкина, 10", "Europe/Moscow")


@dataclasses.dataclass
class World:
    sandbox: RunningSandbox
    sink: WebhookSink
    backend: YClientsBackend
    sync: RecordSync
    reminders: ReminderStore
    clock: VirtualClock

    async def effects(self) -> list[RecordEffect]:
        """Every webhook posted so far, handled concurrently (as a webhook server would)."""
        await self.sandbox.webhooks.drain()
        bodies, self.sink.bodies = self.sink.bodies, []
        changes = [parse_record_webhook(json.dumps(b)).change() for b in bodies]
        return list(await asyncio.gather(*(self.sync.handle(c) for c in changes if c)))

    async def apply(self, effects: list[RecordEffect]) -> list[str]:
        """What the integration will do: reminders follow the visit; notices are returned."""
        told = []
        for effect in effects:
            if effect.visit is not None and effect.kind in ("created", "moved"):
                await self.reminders.schedule_visit(effect.visit, POLICY)
            if effect.kind == "cancelled" and effect.phone:
                await self.reminders.drop_visit(effect.phone, effect.record_id)
            if text := visit_notice(effect, SALON, self.clock.now()):
                told.append(text)
        return told

    async def admin(self, method: str, path: str, body: Any = None) -> Any:
        # A second after what came before: of two changes in one second `last_change_date`
        # cannot tell the order, and only the follower reads the record then.
        self.clock.advance(1)
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                method, f"{self.sandbox.base_url}/_sandbox/admin/records{path}", json=body
            ) as response,
        ):
            assert response.status < 300, await response.text()
            return await response.json()


@pytest.fixture
async def world(any_redis: AsyncRedis, keys: Keys) -> AsyncIterator[World]:
    clock = VirtualClock(NOW)
    async with WebhookSink().running() as sink:
        config = WebhookConfig(url=sink.url, max_delay_s=0.05, seed=3)
        async with running_sandbox(SandboxSalon(clock=clock.now), webhooks=config) as sandbox:
            backend = build_backend(
                sandbox.base_url, sandbox.partner_token, sandbox.company_id, sandbox.user_token
            )
            sync = RecordSync(RecordLog(any_redis, keys, clock), "Europe/Moscow", clock)
            yield World(sandbox, sink, backend, sync, ReminderStore(any_redis, keys, clock), clock)
            await backend.client.close()


async def book(world: World) -> int:
    slot = "2025-07-24T18:00:00+03:00"
    request = BookingRequest(PHONE, "Ира", (Appointment(BARI, (HAIRCUT,), slot),), api_id_for("b1"))
    return (await world.backend.book(request)).record_id


def kinds(effects: list[RecordEffect]) -> list[str]:
    return sorted(e.kind for e in effects if not e.duplicate)


async def reminder_times(world: World) -> list[str]:
    return [str(r.view("Europe/Moscow")["at"]) for r in await world.reminders.reminders_of(PHONE)]


async def test_our_booking_then_the_salon_moves_and_deletes_it(world: World) -> None:
    record_id = await book(world)
    booked = await world.effects()
    assert [(e.kind, e.own, e.notify) for e in booked] == [("created", True, None)]
    assert await world.apply(booked) == []
    assert await reminder_times(world) == ["2025-07-23T18:00:00+03:00", "2025-07-24T16:00:00+03:00"]

    await world.admin("PUT", f"/{record_id}", {"datetime": "2025-07-25T12:00:00+03:00"})
    moved = await world.effects()
    assert len(moved) == 4 and kinds(moved) == ["moved"]  # four webhooks, one effect
    told = await world.apply(moved)
    assert len(told) == 1 and "перенёс" in told[0] and "25 июля" in told[0] and "12:00" in told[0]
    assert await reminder_times(world) == ["2025-07-24T12:00:00+03:00", "2025-07-25T10:00:00+03:00"]

    await world.admin("DELETE", f"/{record_id}")
    deleted = await world.effects()
    assert kinds(deleted) == ["cancelled"]
    told = await world.apply(deleted)
    assert len(told) == 1 and "отменена" in told[0] and "25 июля" in told[0]
    assert await world.reminders.reminders_of(PHONE) == []


async def test_a_visit_the_administrator_books_gets_reminders_quietly(world: World) -> None:
    visit = {"phone": PHONE, "name": "Ира", "staff_id": BARI, "service_ids": [HAIRCUT]}
    await world.admin("POST", "", {**visit, "datetime": "2025-07-26T10:00:00"})
    effects = await world.effects()
    assert [(e.kind, e.own, e.notify) for e in effects] == [("created", False, None)]
    assert await world.apply(effects) == []
    assert await reminder_times(world) == ["2025-07-25T10:00:00+03:00", "2025-07-25T21:30:00+03:00"]


async def test_our_own_confirmation_is_recognised(world: World) -> None:
    record_id = await book(world)
    await world.apply(await world.effects())
    known = await world.sync.log.load(record_id)
    assert known is not None
    await world.sync.log.expect(dataclasses.replace(known.visit, attendance=2))
    world.clock.advance(1)
    await world.backend.confirm_visit(record_id)
    effects = await world.effects()
    assert [(e.kind, e.own, e.notify) for e in effects if not e.duplicate] == [
        ("confirmed", True, None)
    ]


async def test_the_bot_remembering_its_change_makes_the_webhooks_duplicates(world: World) -> None:
    record_id = await book(world)
    await world.apply(await world.effects())
    known = await world.sync.log.load(record_id)
    assert known is not None
    await world.backend.reschedule(record_id, "2025-07-24T19:00:00+03:00")
    moved = dataclasses.replace(known.visit, start=datetime(2025, 7, 24, 19, 0, tzinfo=MOSCOW))
    await world.sync.log.remember(moved)
    effects = await world.effects()
    assert len(effects) == 4 and all(e.duplicate and e.notify is None for e in effects)


async def test_a_partial_event_is_completed_by_reading_the_record(world: World) -> None:
    record_id = await book(world)
    world.sink.bodies.clear()
    partial = RecordChange(status="update", record_id=record_id, start="2025-07-24T19:00:00+03:00")
    first = await world.sync.handle(partial)  # we never saw it: no phone to act on
    assert first.kind == "incomplete"
    record = await world.backend.client.record(record_id)
    effect = await world.sync.handle(change_from_record(record))
    assert (effect.kind, effect.own, effect.phone) == ("created", True, PHONE)
