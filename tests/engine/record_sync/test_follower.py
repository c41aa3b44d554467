"""The record follower: YClients record events kept in Redis, applied by a worker — the
visit's reminders, the conversation's booking, and the client's notice through the outbox —
once per change, and again after a crash at any step, never lost.

Real parts: Redis, the sandbox over HTTP (its webhooks posted to a sink and read by the
product's parser), the venom messenger posting to a recording gateway.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from adapters.messengers.venom import VenomMessenger
from adapters.yclients import YClientsBackend, build_backend
from adapters.yclients.record_webhook import parse_record_webhook
from adapters.yclients.sandbox import RunningSandbox, SandboxSalon, WebhookConfig, running_sandbox
from engine.batcher import Batcher, BatchPolicy
from engine.clock import VirtualClock
from engine.conversations import ConversationStore
from engine.keys import Keys
from engine.metrics import Metrics
from engine.outbox import OutboxSender
from engine.record_sync import RecordLog, RecordSync
from engine.record_sync.events import RecordEvents
from engine.record_sync.follower import RecordFollower
from engine.redis_conn import AsyncRedis
from engine.reminders import ReminderPolicy, ReminderStore, SalonInfo
from engine.visit_tracking import VisitTracker
from states.conversation import Booking
from states.effects import api_id_for
from states.messages import InboundMessage
from states.record_change import RecordChange
from states.salon import Appointment, BookingRequest
from tests.support.gateway import RecordingGateway
from tests.support.webhook_sink import WebhookSink

NOW = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # Wednesday 15:00 in Moscow
BARI, HAIRCUT = 3413963, 18356010
PHONE = "79990001122"
CHAT = f"{PHONE}@c.us"
POLICY = ReminderPolicy.parse(timezone="Europe/Moscow")
SALON = SalonInfo("Борода и Ножницы", "Москва, ул. Пушкина, 10", "Europe/Moscow")


@dataclasses.dataclass
class World:
    sandbox: RunningSandbox
    sink: WebhookSink
    gateway: RecordingGateway
    backend: YClientsBackend
    events: RecordEvents
    follower: RecordFollower
    reminders: ReminderStore
    store: ConversationStore
    batcher: Batcher
    metrics: Metrics
    clock: VirtualClock

    async def received(self) -> int:
        """Keep every webhook the sandbox posted, as the route does; how many."""
        await self.sandbox.webhooks.drain()
        bodies, self.sink.bodies = self.sink.bodies, []
        for body in bodies:
            change = parse_record_webhook(json.dumps(body)).change()
            assert change is not None
            await self.events.add(change)
        return len(bodies)

    async def follow(self) -> int:
        return await self.follower.run_once()

    async def admin(self, method: str, path: str, body: Any = None) -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                method, f"{self.sandbox.base_url}/_sandbox/admin/records{path}", json=body
            ) as response,
        ):
            assert response.status < 300, await response.text()

    async def reminder_times(self) -> list[str]:
        return [
            str(r.view("Europe/Moscow")["at"]) for r in await self.reminders.reminders_of(PHONE)
        ]

    def effects(self) -> dict[str, float]:
        found: dict[str, float] = {}
        for metric in self.metrics.record_events.collect():
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    found[sample.labels["effect"]] = (
                        found.get(sample.labels["effect"], 0) + sample.value
                    )
        return found


@pytest.fixture
async def world(redis: AsyncRedis, keys: Keys) -> AsyncIterator[World]:
    clock = VirtualClock(NOW)
    async with (
        WebhookSink().running() as sink,
        RecordingGateway().running() as gateway,
        aiohttp.ClientSession() as session,
    ):
        config = WebhookConfig(url=sink.url, max_delay_s=0.02, seed=5)
        async with running_sandbox(SandboxSalon(clock=clock.now), webhooks=config) as sandbox:
            backend = build_backend(
                sandbox.base_url, sandbox.partner_token, sandbox.company_id, sandbox.user_token
            )
            store = ConversationStore(redis, keys, clock, idle_ttl_s=7 * 24 * 3600)
            reminders = ReminderStore(redis, keys, clock)
            events = RecordEvents(redis, keys, clock)
            metrics = Metrics()
            outbox = OutboxSender(store, VenomMessenger(session, gateway.url), metrics, 0.01)
            follower = RecordFollower(
                events,
                RecordSync(RecordLog(redis, keys, clock), "Europe/Moscow", clock),
                reminders,
                POLICY,
                store,
                outbox,
                SALON,
                clock,
                reader=backend,
                on_effect=metrics.record_event,
            )
            batcher = Batcher(redis, keys, BatchPolicy(), clock)
            yield World(sandbox, sink, gateway, backend, events, follower, reminders, store,
                        batcher, metrics, clock)  # fmt: skip
            await backend.client.close()


async def book(world: World, *, by_bot: bool = True) -> int:
    """A visit tomorrow at 18:00 with Бари: the bot's (its api_id) or the administrator's."""
    slot = "2025-07-24T18:00:00+03:00"
    if not by_bot:
        body = {"phone": PHONE, "name": "Ира", "staff_id": BARI, "service_ids": [HAIRCUT],
                "datetime": slot}  # fmt: skip
        await world.admin("POST", "", body)
        return max(world.sandbox.salon.records)
    request = BookingRequest(PHONE, "Ира", (Appointment(BARI, (HAIRCUT,), slot),), api_id_for("b1"))
    record_id = (await world.backend.book(request)).record_id
    c = world.store.fresh(PHONE)  # the conversation that booked it
    c.booking = Booking(record_id, "hash", BARI, [HAIRCUT], "2025-07-24", "18:00", slot,
                        api_id_for("b1"))  # fmt: skip
    c.state = "booked"
    assert await world.store.save(c, [])
    return record_id


async def test_the_salon_moves_then_deletes_the_visit(world: World) -> None:
    record_id = await book(world)
    assert await world.received() == 1
    assert await world.follow() == 1
    assert world.gateway.to(CHAT) == [], "the bot's own booking is told to nobody"
    assert await world.reminder_times() == [
        "2025-07-23T18:00:00+03:00",
        "2025-07-24T16:00:00+03:00",
    ]

    await world.admin("PUT", f"/{record_id}", {"datetime": "2025-07-25T12:00:00+03:00"})
    assert await world.received() == 4, "YClients sends one edit several times"
    assert await world.follow() == 4
    [moved] = world.gateway.to(CHAT)
    assert "перенёс" in moved and "25 июля" in moved and "12:00" in moved
    assert await world.reminder_times() == [
        "2025-07-24T12:00:00+03:00",
        "2025-07-25T10:00:00+03:00",
    ]
    c = await world.store.load(PHONE)
    assert c.booking is not None and (c.booking.date, c.booking.time) == ("2025-07-25", "12:00")
    assert c.booking.record_hash == "hash", "what only we know of our booking is kept"
    assert c.turns[-1]["salon_change"]["kind"] == "moved" and c.turns[-1]["replies"] == [moved]
    assert world.effects() == {"created_own": 1, "moved": 1, "duplicate": 3}

    await world.admin("DELETE", f"/{record_id}")
    await world.received()
    await world.follow()
    assert len(world.gateway.to(CHAT)) == 2 and "отменена" in world.gateway.to(CHAT)[1]
    assert await world.reminders.reminders_of(PHONE) == []
    c = await world.store.load(PHONE)
    assert c.booking is None
    assert await world.events.pending() == 0


async def test_two_moves_in_one_second_applied_out_of_order_leave_the_latest(
    world: World,
) -> None:
    """The salon moves the visit twice within one second (`last_change_date` has whole
    seconds) and the second move's webhooks are applied before the first's, as YClients
    may deliver them. The record is read: the visit stays where the salon left it, and
    the client hears of that move once, never of a move back."""
    record_id = await book(world)
    await world.received()
    await world.follow()
    world.clock.advance(1)
    moves = []
    for time in ("12:00", "13:00"):
        await world.admin("PUT", f"/{record_id}", {"datetime": f"2025-07-25T{time}:00+03:00"})
        await world.sandbox.webhooks.drain()
        moves.append(world.sink.bodies)
        world.sink.bodies = []
    for bodies in reversed(moves):
        world.sink.bodies = bodies
        assert await world.received() == 4
        assert await world.follow() == 4
    [moved] = world.gateway.to(CHAT)
    assert "перенёс" in moved and "13:00" in moved
    c = await world.store.load(PHONE)
    assert c.booking is not None and (c.booking.date, c.booking.time) == ("2025-07-25", "13:00")
    assert world.effects() == {"created_own": 1, "moved": 1, "duplicate": 7}
    assert await world.events.pending() == 0


async def test_an_administrators_visit_gets_reminders_and_the_booking(world: World) -> None:
    await book(world, by_bot=False)
    await world.received()
    await world.follow()
    assert world.gateway.to(CHAT) == [], "the client asked the administrator: nothing to tell"
    assert len(await world.reminder_times()) == 2
    assert await world.store.document(PHONE) is None, "a phone that never wrote gets no state"


async def test_a_partial_event_about_an_unknown_record_is_read_from_yclients(
    world: World,
) -> None:
    await book(world, by_bot=False)
    world.sink.bodies.clear()
    record_id = max(world.sandbox.salon.records)
    await world.events.add(RecordChange(status="update", record_id=record_id, attendance=0))
    await world.follow()
    assert world.effects() == {"created": 1}
    assert len(await world.reminder_times()) == 2


async def test_a_follower_killed_after_the_log_changed_still_tells_the_client(
    world: World,
) -> None:
    record_id = await book(world)
    await world.received()
    await world.follow()
    world.clock.advance(1)  # the salon moves it a second later: the event is in order
    await world.admin("PUT", f"/{record_id}", {"datetime": "2025-07-25T12:00:00+03:00"})
    await world.sandbox.webhooks.drain()
    body, world.sink.bodies = world.sink.bodies[0], []
    change = parse_record_webhook(json.dumps(body)).change()
    assert change is not None
    event_id = await world.events.add(change)
    # The first follower got as far as the log (then died): its claim's lease runs out.
    first = await world.events.claim(event_id)
    assert first is not None
    assert (await world.follower.sync.handle(change, event_id)).kind == "moved"
    world.clock.advance(61)
    assert await world.follow() == 1
    assert len(world.gateway.to(CHAT)) == 1 and "перенёс" in world.gateway.to(CHAT)[0]
    assert await world.reminder_times() == [
        "2025-07-24T12:00:00+03:00",
        "2025-07-25T10:00:00+03:00",
    ]


async def test_a_notice_the_gateway_refused_is_sent_once_later(world: World) -> None:
    record_id = await book(world)
    await world.received()
    await world.follow()
    await world.admin("DELETE", f"/{record_id}")
    await world.received()
    world.gateway.fail_status = 503
    await world.follow()
    assert world.gateway.to(CHAT) == [] and await world.events.pending() == 1
    c = await world.store.load(PHONE)
    assert c.booking is None, "the state followed; the notice waits in the outbox"
    world.gateway.fail_status = None
    world.clock.advance(5)
    await world.follow()
    assert len(world.gateway.to(CHAT)) == 1 and "отменена" in world.gateway.to(CHAT)[0]
    assert await world.events.pending() == 0
    assert (await world.store.load(PHONE)).version == c.version, "applied once"


async def test_a_turn_under_way_is_never_overwritten(world: World) -> None:
    record_id = await book(world)
    await world.received()
    await world.follow()
    message = InboundMessage(id="m1", chat=CHAT, type="chat", body="привет",
                             timestamp_s=world.clock.now_ms() / 1000)  # fmt: skip
    await world.batcher.append(PHONE, message)
    world.clock.advance(11)
    batch = await world.batcher.claim(PHONE)  # a worker's turn is under way
    assert batch is not None
    await world.admin("DELETE", f"/{record_id}")
    await world.received()
    before = await world.store.load(PHONE)
    await world.follow()
    after = await world.store.load(PHONE)
    assert after.version == before.version and after.booking is not None
    assert world.gateway.to(CHAT) == [] and await world.events.pending() == 1
    assert await world.batcher.finish(batch)
    world.clock.advance(3)
    await world.follow()
    assert (await world.store.load(PHONE)).booking is None
    assert len(world.gateway.to(CHAT)) == 1


@pytest.mark.parametrize(
    ("change", "write"),
    [
        ({"deleted": True}, "cancel"),
        ({"attendance": 2}, "confirm_visit"),
        ({"start": datetime(2025, 7, 24, 16, 0, tzinfo=UTC)}, "reschedule"),  # 19:00 Moscow
    ],
)
async def test_the_bots_own_change_is_never_told_as_the_salons(
    world: World, redis: AsyncRedis, keys: Keys, change: dict[str, Any], write: str
) -> None:
    """The webhook of the bot's own move, cancellation or confirmation may arrive before
    YClients answers the bot: what the bot announced beforehand (`RecordLog.expect`, by
    the tracker around each write) makes it the bot's own."""
    record_id = await book(world)
    await world.received()
    await world.follow()
    tracker = VisitTracker(
        RecordLog(redis, keys, world.clock), world.reminders, POLICY, world.clock, world.backend
    )
    turn = tracker.for_turn(world.backend, lambda: "ru")
    target = await turn.changing(record_id, **change)
    assert target is not None
    if write == "cancel":
        await world.backend.cancel(record_id)
    elif write == "confirm_visit":
        await world.backend.confirm_visit(record_id)
    else:
        await world.backend.reschedule(record_id, "2025-07-24T19:00:00+03:00")
    await world.received()
    await world.follow()  # before the bot's `changed`: the webhooks came first
    assert world.gateway.to(CHAT) == []
    assert [k for k in world.effects() if k.endswith("_own") and k != "created_own"]


async def test_a_turn_that_ends_before_its_save_still_writes_what_its_cancel_changed(
    world: World, redis: AsyncRedis, keys: Keys
) -> None:
    """A turn's visit writes ride in its save; a turn that ends before it (Redis trouble,
    its claim lost) writes them alone (`write_alone`): its retry cannot cancel the record
    again, so the cancelled visit's reminders are dropped now, and the log knows it."""
    record_id = await book(world)
    await world.received()
    await world.follow()
    assert await world.reminder_times()
    record_log = RecordLog(redis, keys, world.clock)
    tracker = VisitTracker(record_log, world.reminders, POLICY, world.clock, world.backend)
    turn = tracker.for_turn(world.backend, lambda: "ru")
    target = await turn.changing(record_id, deleted=True)
    await world.backend.cancel(record_id)
    await turn.changed(target)
    assert await world.reminder_times(), "nothing is written before the save"
    await turn.write_alone()
    assert await world.reminder_times() == []
    known = await record_log.load(record_id)
    assert known is not None and known.visit.deleted
