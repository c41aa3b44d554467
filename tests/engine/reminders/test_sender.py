"""The reminder sender on a virtual clock: real Redis, the venom messenger over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from adapters.messengers.venom import VenomMessenger
from engine.clock import VirtualClock
from engine.keys import Keys
from engine.metrics import Metrics
from engine.redis_conn import AsyncRedis
from engine.reminders.delivery import TextDelivery
from engine.reminders.events import ReminderEvents
from engine.reminders.sender import Event, ReminderSender
from engine.reminders.store import ClaimedReminder, ReminderStore
from engine.reminders.text import SalonInfo
from engine.reminders.timing import ReminderPolicy
from engine.salon_notice import SalonNotifier
from engine.visit import Visit
from tests.support.gateway import RecordingGateway

MOSCOW = ZoneInfo("Europe/Moscow")
PHONE = "79161234567"
CHAT = f"{PHONE}@c.us"
VISIT = Visit(
    record_id=600000001, phone=PHONE, start=datetime(2025, 7, 24, 18, 0, tzinfo=MOSCOW),
    master="Бари", services=("Мужская стрижка",), client_name="Ира",
)  # fmt: skip
SALON = SalonInfo("Борода и Ножницы", "Москва, ул. Пушкина, 10", "Europe/Moscow")
POLICY = ReminderPolicy.parse(timezone="Europe/Moscow")


def moscow(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2025, 7, day, hh, mm, tzinfo=MOSCOW)


class Sending:
    """The sender wired to a recording gateway, with the events it reported."""

    def __init__(self, store: ReminderStore, gateway: RecordingGateway, clock: VirtualClock,
                 session: aiohttp.ClientSession) -> None:  # fmt: skip
        self.store = store
        self.gateway = gateway
        self.clock = clock
        self.events: list[tuple[Event, str]] = []
        delivery = TextDelivery(VenomMessenger(session, gateway.url), SALON, clock)
        self.sender = ReminderSender(store, delivery, POLICY, clock, on_event=self.record)

    async def record(self, event: Event, claim: ClaimedReminder) -> None:
        self.events.append((event, claim.reminder.kind))

    async def at(self, moment: datetime) -> int:
        self.clock.set(moment)
        return await self.sender.run_once()

    async def statuses(self) -> list[tuple[str, str]]:
        return [(r.kind, r.shown_status) for r in await self.store.reminders_of(PHONE)]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def sending(
    redis: AsyncRedis, keys: Keys, session: aiohttp.ClientSession
) -> AsyncIterator[Sending]:
    clock = VirtualClock(moscow(23, 9))
    store = ReminderStore(redis, keys, clock)
    await store.schedule_visit(VISIT, POLICY)
    async with RecordingGateway().running() as gateway:
        yield Sending(store, gateway, clock, session)


async def test_sent_at_its_time_once(sending: Sending) -> None:
    assert await sending.at(moscow(23, 17, 59)) == 0
    assert await sending.at(moscow(23, 18)) == 1
    [text] = sending.gateway.to(CHAT)
    assert "завтра, 24 июля (чт) в 18:00" in text and "Бари" in text and "«да»" in text
    assert await sending.at(moscow(23, 18, 1)) == 0  # not twice
    assert await sending.statuses() == [("24h", "sent"), ("2h", "scheduled")]
    assert sending.events == [("sent", "24h")]


async def test_no_answer_is_reported_once(sending: Sending) -> None:
    await sending.at(moscow(23, 18))
    assert await sending.at(moscow(23, 20, 59)) == 0
    assert await sending.at(moscow(23, 21)) == 1
    assert sending.events == [("sent", "24h"), ("unanswered", "24h")]
    assert await sending.statuses() == [("24h", "unanswered"), ("2h", "scheduled")]
    assert await sending.at(moscow(23, 22)) == 0


async def test_after_a_yes_the_next_reminder_only_reminds(sending: Sending) -> None:
    await sending.at(moscow(23, 18))
    await sending.store.answer(PHONE, VISIT.record_id, "confirmed")
    assert await sending.at(moscow(24, 16)) == 1
    first, second = sending.gateway.to(CHAT)
    assert "«да»" in first and "«да»" not in second and "18:00" in second
    assert await sending.statuses() == [("24h", "confirmed"), ("2h", "sent")]
    assert await sending.at(moscow(24, 23)) == 0  # nothing awaited: no "unanswered"


async def test_gateway_down_is_retried_and_a_refusal_ends_it(sending: Sending) -> None:
    sending.gateway.fail_status = 503
    assert await sending.at(moscow(23, 18)) == 1
    assert await sending.statuses() == [("24h", "scheduled"), ("2h", "scheduled")]
    assert await sending.at(moscow(23, 18, 0)) == 0
    sending.gateway.fail_status = None
    assert await sending.at(moscow(23, 18, 1)) == 1
    assert len(sending.gateway.to(CHAT)) == 1
    assert await sending.store.answer(PHONE, VISIT.record_id, "declined") == 1
    sending.gateway.fail_status = 400  # refused for good (e.g. a number not on WhatsApp)
    assert await sending.at(moscow(24, 16)) == 1
    assert await sending.statuses() == [("24h", "declined"), ("2h", "failed")]
    assert [e for e, _ in sending.events] == ["retry", "sent", "failed"]


async def test_late_after_an_outage(sending: Sending) -> None:
    # Down from before 18:00 until 02:00: the 24 h reminder waits for the end of the night.
    assert await sending.at(moscow(24, 2)) == 1
    assert sending.gateway.to(CHAT) == []
    assert await sending.at(moscow(24, 9)) == 1
    assert len(sending.gateway.to(CHAT)) == 1
    # Down again until after the visit began: the 2 h one is dropped, not sent.
    assert await sending.at(moscow(24, 18, 5)) >= 1
    assert len(sending.gateway.to(CHAT)) == 1
    assert ("expired", "2h") in sending.events
    assert ("2h", "expired") in await sending.statuses()


async def test_a_moved_visit_is_reminded_at_its_new_time(sending: Sending) -> None:
    moved = Visit(**{**VISIT.__dict__, "start": moscow(25, 12)})
    sending.clock.set(moscow(23, 10))
    await sending.store.schedule_visit(moved, POLICY)
    assert await sending.at(moscow(23, 18)) == 0  # the old time's reminder is gone
    assert await sending.at(moscow(24, 12)) == 1
    assert "25 июля" in sending.gateway.to(CHAT)[0] and "12:00" in sending.gateway.to(CHAT)[0]
    assert timedelta(0) < moved.start - sending.clock.now()


@pytest.mark.parametrize("admin_chat", ["79001112233@c.us", None])
async def test_no_answer_tells_the_salons_admin_chat(
    sending: Sending, session: aiohttp.ClientSession, admin_chat: str | None
) -> None:
    metrics = Metrics()
    notifier = SalonNotifier(VenomMessenger(session, sending.gateway.url), admin_chat)
    sending.sender.on_event = ReminderEvents(notifier, SALON, sending.clock, metrics)
    await sending.at(moscow(23, 18))
    await sending.at(moscow(23, 21))
    told = sending.gateway.to(admin_chat) if admin_chat else []
    if admin_chat is None:
        assert [chat for chat, _ in sending.gateway.received] == [CHAT]
    else:
        [text] = told
        assert "Ира (+79161234567)" in text and "не ответил" in text and "18:00" in text
    scraped = (await metrics.render())[0].decode()
    assert 'ai_admin_reminders_total{event="sent"} 1.0' in scraped
    assert 'ai_admin_reminders_total{event="unanswered"} 1.0' in scraped
    outcome = "sent" if admin_chat else "off"
    assert f'outcome="{outcome}",reason="reminder_unanswered"}} 1.0' in scraped
