"""SIGKILL a reminder sender around the send; a clean sender then finishes the job.

Real processes (`tests.support.reminder_worker`), real Redis, the venom messenger over real
HTTP to a recording gateway. Whatever the kill point, the reminder ends "sent" and its
answer is awaited; it reaches the client once, except when the gateway took it just before
the sender died and before it was marked sent: then twice, the one duplicate allowed (as
for replies, tests/reliability/test_sigkill_turn.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.clock import SystemClock
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.reminders.store import ReminderStore
from engine.visit import Visit
from tests.support.gateway import RecordingGateway
from tests.support.processes import ChildProcesses
from tests.support.reminder_worker import POLICY
from tests.support.waiting import eventually

PHONE = "79990003344"
CHAT = f"{PHONE}@c.us"
WORKER = "tests.support.reminder_worker"

CASES = [("before_send", 0, 1), ("after_send", 1, 2), ("after_mark", 1, 1)]


@pytest.mark.parametrize(
    ("point", "before_restart", "in_the_end"), CASES, ids=[c[0] for c in CASES]
)
async def test_sigkill_around_the_send_sends_it_once(
    point: str,
    before_restart: int,
    in_the_end: int,
    redis_url: str,
    redis: AsyncRedis,
    keys: Keys,
    gateway: RecordingGateway,
    children: ChildProcesses,
) -> None:
    store = ReminderStore(redis, keys, SystemClock())
    start = datetime.now(UTC) + timedelta(hours=2, seconds=1.5)  # its 2 h reminder: in 1.5 s
    visit = Visit(record_id=600000042, phone=PHONE, start=start, master="Бари",
                  services=("Мужская стрижка",))  # fmt: skip
    assert (await store.schedule_visit(visit, POLICY)).added == 1

    args = [redis_url, keys.prefix, gateway.url]
    doomed = await children.start(WORKER, *args, "--kill-at", point)
    assert await children.ended(doomed, timeout_s=20) == -9  # it died by SIGKILL, where told
    assert len(gateway.to(CHAT)) == before_restart

    await children.start(WORKER, *args)

    async def sent() -> bool:
        [reminder] = await store.reminders_of(PHONE)
        return reminder.status == "sent"

    await eventually(sent, 20, "the reminder marked sent")
    [reminder] = await store.reminders_of(PHONE)
    assert reminder.asked and reminder.deadline_ms > reminder.sent_ms
    assert reminder.attempts == (1 if point == "after_mark" else 2)
    assert len(gateway.to(CHAT)) == in_the_end
    assert all("Бари" in text for text in gateway.to(CHAT))
    # Only the answer's deadline is left to do.
    due = keys.phone_keys(PHONE).reminders_due
    assert await redis.zrange(due, 0, -1, withscores=True) == [
        (reminder.member.encode(), float(reminder.deadline_ms))
    ]
