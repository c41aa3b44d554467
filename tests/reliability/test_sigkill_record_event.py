"""SIGKILL a record follower while it applies the salon's move of a visit; a clean follower
then finishes it. YClients sends a webhook once, so a received event must never be lost.

Real processes (`tests.support.record_worker`), real Redis, the venom messenger over real
HTTP to a recording gateway. Whatever the kill point, in the end the event is applied once:
the conversation's booking moved (one save), the reminders at the new time, the event gone
from Redis — and the client told once, except when the gateway took the notice just before
the follower died and before it left the outbox: then twice, the one duplicate allowed (as
for replies and reminders).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.clock import SystemClock
from engine.conversations import ConversationStore
from engine.keys import Keys
from engine.record_sync import RecordLog
from engine.record_sync.events import RecordEvents
from engine.redis_conn import AsyncRedis
from engine.reminders.store import ReminderStore
from engine.visit import Visit
from states.record_change import RecordChange
from tests.support.gateway import RecordingGateway
from tests.support.processes import ChildProcesses
from tests.support.record_worker import POLICY
from tests.support.waiting import eventually

PHONE = "79990005566"
CHAT = f"{PHONE}@c.us"
RECORD = 600000077
WORKER = "tests.support.record_worker"
MOSCOW = ZoneInfo("Europe/Moscow")

CASES = [("after_log", 0, 1), ("after_save", 0, 1), ("after_send", 1, 2), ("before_done", 1, 1)]


@pytest.mark.parametrize(
    ("point", "before_restart", "in_the_end"), CASES, ids=[c[0] for c in CASES]
)
async def test_sigkill_while_applying_a_move_applies_it_once(
    point: str,
    before_restart: int,
    in_the_end: int,
    redis_url: str,
    redis: AsyncRedis,
    keys: Keys,
    gateway: RecordingGateway,
    children: ChildProcesses,
) -> None:
    clock = SystemClock()
    day = (datetime.now(MOSCOW) + timedelta(days=3)).replace(hour=18, minute=0, second=0,
                                                              microsecond=0)  # fmt: skip
    visit = Visit(record_id=RECORD, phone=PHONE, start=day, staff_id=3413963, master="Бари",
                  service_ids=(18356010,), services=("Стрижка",), client_name="Ира")  # fmt: skip
    await RecordLog(redis, keys, clock).remember(visit)  # the visit as we knew it
    reminders = ReminderStore(redis, keys, clock)
    await reminders.schedule_visit(visit, POLICY)
    store = ConversationStore(redis, keys, clock, idle_ttl_s=7 * 24 * 3600)
    c = store.fresh(PHONE)
    c.state, c.booking = "booked", visit.as_booking(MOSCOW)
    assert await store.save(c, [])
    moved = day + timedelta(days=1, hours=-6)  # the administrator moved it: next day, 12:00
    await RecordEvents(redis, keys, clock).add(
        RecordChange(status="update", record_id=RECORD, start=moved.isoformat(),
                     staff_id=3413963, service_ids=(18356010,), phone=PHONE, attendance=0)
    )  # fmt: skip

    args = [redis_url, keys.prefix, gateway.url]
    doomed = await children.start(WORKER, *args, "--kill-at", point)
    assert await children.ended(doomed, timeout_s=20) == -9  # it died by SIGKILL, where told
    assert len(gateway.to(CHAT)) == before_restart
    await children.start(WORKER, *args)

    async def applied() -> bool:
        return await RecordEvents(redis, keys, clock).pending() == 0

    await eventually(applied, 20, "the event applied and dropped")
    assert len(gateway.to(CHAT)) == in_the_end
    assert all("перенёс" in text and "12:00" in text for text in gateway.to(CHAT))
    after = await store.load(PHONE)
    assert after.booking is not None and after.booking.datetime_iso == moved.isoformat()
    assert after.version == c.version + 1, "the conversation was saved once"
    assert len(after.followed) == 1 and after.turns[-1]["salon_change"]["kind"] == "moved"
    assert await store.pending_replies(PHONE) == []
    at = sorted(r.at_ms for r in await reminders.reminders_of(PHONE))
    assert at == [int((moved - timedelta(hours=h)).timestamp() * 1000) for h in (24, 2)]
    assert all(r.visit_ms == int(moved.astimezone(UTC).timestamp() * 1000)
               for r in await reminders.reminders_of(PHONE))  # fmt: skip
