"""Reminders in Redis (embedded, real, Cluster): schedule, claim with a lease, finish, answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.clock import VirtualClock
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.reminders.store import ClaimedReminder, ReminderStore
from engine.reminders.timing import ReminderPolicy
from engine.visit import Visit

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 7, 23, 9, 0, tzinfo=MOSCOW)
VISIT_AT = datetime(2025, 7, 24, 18, 0, tzinfo=MOSCOW)  # reminders 23rd 18:00, 24th 16:00
PHONE = "79161234567"
POLICY = ReminderPolicy.parse(timezone="Europe/Moscow")


def visit(record_id: int = 600000001, start: datetime = VISIT_AT, phone: str = PHONE) -> Visit:
    return Visit(
        record_id=record_id, phone=phone, start=start, staff_id=3413963, master="Бари",
        service_ids=(18356010,), services=("Мужская стрижка",), client_name="Ира",
    )  # fmt: skip


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(NOW)


@pytest.fixture
def store(any_redis: AsyncRedis, keys: Keys, clock: VirtualClock) -> ReminderStore:
    return ReminderStore(any_redis, keys, clock, lease_ms=30_000, max_attempts=3)


async def due_now(store: ReminderStore) -> list[str]:
    now = store.clock.now_ms()
    found: list[str] = []
    for bucket, earliest in await store.next_due():
        if earliest is not None and earliest <= now:
            found += await store.due_members(bucket, now, 100)
    return found


async def claim_one(store: ReminderStore) -> ClaimedReminder:
    [member] = await due_now(store)
    claim = await store.claim(member)
    assert claim is not None
    return claim


def statuses(found: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(r.kind, r.shown_status) for r in found]


async def test_schedule_lists_and_is_idempotent(store: ReminderStore) -> None:
    first = await store.schedule_visit(visit(), POLICY)
    assert (first.added, first.kept, first.removed) == (2, 0, 0)
    found = await store.reminders_of(PHONE)
    assert statuses(found) == [("24h", "scheduled"), ("2h", "scheduled")]
    views = [r.view("Europe/Moscow") for r in found]
    assert [v["at"] for v in views] == ["2025-07-23T18:00:00+03:00", "2025-07-24T16:00:00+03:00"]
    assert views[0]["visit_at"] == "2025-07-24T18:00:00+03:00"
    again = await store.schedule_visit(visit(), POLICY)
    assert (again.added, again.kept, again.removed) == (0, 2, 0)
    assert await store.visit_of(PHONE, 600000001) == visit()


async def test_nothing_is_due_before_its_time(store: ReminderStore, clock: VirtualClock) -> None:
    await store.schedule_visit(visit(), POLICY)
    assert await due_now(store) == []
    clock.set(datetime(2025, 7, 23, 18, 0, tzinfo=MOSCOW))
    claim = await claim_one(store)
    assert (claim.job, claim.reminder.kind, claim.visit) == ("send", "24h", visit())
    assert await due_now(store) == []  # claimed: the due set holds its lease now


async def test_sent_then_confirmed(store: ReminderStore, clock: VirtualClock) -> None:
    await store.schedule_visit(visit(), POLICY)
    clock.set(datetime(2025, 7, 23, 18, 0, tzinfo=MOSCOW))
    claim = await claim_one(store)
    deadline = clock.now() + timedelta(hours=3)
    assert await store.finish(claim, "sent", deadline)
    waiting = await store.awaiting_answer(PHONE)
    assert waiting is not None and (waiting.kind, waiting.deadline_ms) == (
        "24h", int(deadline.timestamp() * 1000))  # fmt: skip
    assert await store.answer(PHONE, 600000001, "confirmed") == 1
    assert statuses(await store.reminders_of(PHONE)) == [("24h", "confirmed"), ("2h", "scheduled")]
    assert await store.awaiting_answer(PHONE) is None
    clock.set(datetime(2025, 7, 24, 16, 0, tzinfo=MOSCOW))
    later = await claim_one(store)  # the deadline's job left with the answer: only the 2 h one
    assert (later.reminder.kind, later.visit_confirmed) == ("2h", True)


async def test_no_answer_becomes_unanswered(store: ReminderStore, clock: VirtualClock) -> None:
    await store.schedule_visit(visit(), POLICY)
    clock.set(datetime(2025, 7, 23, 18, 0, tzinfo=MOSCOW))
    await store.finish(await claim_one(store), "sent", clock.now() + timedelta(hours=3))
    clock.advance(3 * 3600 - 1)
    assert await due_now(store) == []
    clock.advance(1)
    expiring = await claim_one(store)
    assert expiring.job == "expire"
    assert statuses(await store.reminders_of(PHONE))[0] == ("24h", "sent")  # while claimed
    assert await store.finish(expiring, "unanswered")
    assert statuses(await store.reminders_of(PHONE))[0] == ("24h", "unanswered")
    assert await due_now(store) == []
    # The salon was told; a "да" hours later still confirms the visit (the dialogue offers
    # it while the visit is ahead: `awaiting_answer(late=True)`).
    late = await store.awaiting_answer(PHONE, late=True)
    assert late is not None and late.kind == "24h"
    assert await store.awaiting_answer(PHONE) is None
    assert await store.answer(PHONE, 600000001, "confirmed") == 1
    assert statuses(await store.reminders_of(PHONE))[0] == ("24h", "confirmed")
    assert await due_now(store) == []


async def test_a_dead_senders_claim_runs_out_and_is_claimed_again(
    store: ReminderStore, clock: VirtualClock
) -> None:
    await store.schedule_visit(visit(), POLICY)
    clock.set(datetime(2025, 7, 23, 18, 0, tzinfo=MOSCOW))
    lost = await claim_one(store)  # its sender dies here
    clock.advance(29)
    assert await due_now(store) == []
    clock.advance(1)
    again = await claim_one(store)
    assert (again.reminder.kind, again.reminder.attempts) == ("24h", 2)
    assert not await store.finish(lost, "sent")  # the dead sender's claim is void
    assert await store.finish(again, "sent")
    assert statuses(await store.reminders_of(PHONE))[0] == ("24h", "sent")


async def test_too_many_claims_give_up(store: ReminderStore, clock: VirtualClock) -> None:
    await store.schedule_visit(visit(), POLICY)
    clock.set(datetime(2025, 7, 23, 18, 0, tzinfo=MOSCOW))
    for attempt in (1, 2, 3):
        claim = await claim_one(store)
        assert (claim.job, claim.reminder.attempts) == ("send", attempt)
        clock.advance(30)
    gave_up = await claim_one(store)
    assert gave_up.job == "gave_up"
    assert statuses(await store.reminders_of(PHONE))[0] == ("24h", "failed")
    assert await due_now(store) == []


async def test_retry_puts_it_back(store: ReminderStore, clock: VirtualClock) -> None:
    await store.schedule_visit(visit(), POLICY)
    clock.set(datetime(2025, 7, 23, 18, 0, tzinfo=MOSCOW))
    assert await store.finish(await claim_one(store), "retry", clock.now() + timedelta(minutes=1))
    assert await due_now(store) == []
    clock.advance(60)
    assert (await claim_one(store)).reminder.kind == "24h"


async def test_a_moved_visit_gets_new_reminders(store: ReminderStore, clock: VirtualClock) -> None:
    await store.schedule_visit(visit(), POLICY)
    clock.set(datetime(2025, 7, 23, 18, 0, tzinfo=MOSCOW))
    await store.finish(await claim_one(store), "sent", clock.now() + timedelta(hours=3))
    moved = visit(start=datetime(2025, 7, 26, 12, 0, tzinfo=MOSCOW))
    result = await store.schedule_visit(moved, POLICY)
    assert (result.added, result.kept, result.removed) == (2, 0, 2)
    found = await store.reminders_of(PHONE)
    assert statuses(found) == [("24h", "scheduled"), ("2h", "scheduled")]
    assert [r.view("Europe/Moscow")["at"] for r in found] == [
        "2025-07-25T12:00:00+03:00", "2025-07-26T10:00:00+03:00"]  # fmt: skip
    assert await store.visit_of(PHONE, 600000001) == moved
    clock.set(datetime(2025, 7, 23, 21, 0, tzinfo=MOSCOW))  # the old deadline: nothing due
    assert await due_now(store) == []


async def test_rescheduling_the_same_time_keeps_what_was_sent(
    store: ReminderStore, clock: VirtualClock
) -> None:
    await store.schedule_visit(visit(), POLICY)
    clock.set(datetime(2025, 7, 23, 18, 0, tzinfo=MOSCOW))
    await store.finish(await claim_one(store), "sent", clock.now() + timedelta(hours=3))
    clock.advance(600)  # a duplicate webhook, or our own booking seen again: the 24 h is past
    result = await store.schedule_visit(visit(), POLICY)
    assert (result.added, result.kept, result.removed) == (0, 2, 0)
    assert statuses(await store.reminders_of(PHONE)) == [("24h", "sent"), ("2h", "scheduled")]


async def test_drop_and_deleted_visits(store: ReminderStore, keys: Keys) -> None:
    await store.schedule_visit(visit(), POLICY)
    await store.schedule_visit(visit(600000002, VISIT_AT + timedelta(days=3)), POLICY)
    assert await store.drop_visit(PHONE, 600000001) == 2
    assert {r.record_id for r in await store.reminders_of(PHONE)} == {600000002}
    deleted = Visit(**{**visit(600000002).__dict__, "deleted": True})
    result = await store.schedule_visit(deleted, POLICY)
    assert result.removed == 2
    assert await store.reminders_of(PHONE) == []
    assert await store.visit_of(PHONE, 600000002) is None
    due = keys.phone_keys(PHONE).reminders_due
    assert await store.redis.zcard(due) == 0


async def test_long_past_visits_are_pruned_and_the_hash_expires(
    store: ReminderStore, clock: VirtualClock, keys: Keys
) -> None:
    await store.schedule_visit(visit(), POLICY)
    reminders = keys.phone_keys(PHONE).reminders
    ttl_ms = await store.redis.pttl(reminders)
    assert ttl_ms >= (VISIT_AT - NOW).total_seconds() * 1000 + store.keep_after_visit_ms - 1000
    clock.set(VISIT_AT + timedelta(days=8))
    await store.schedule_visit(visit(600000009, VISIT_AT + timedelta(days=10)), POLICY)
    assert {r.record_id for r in await store.reminders_of(PHONE)} == {600000009}
    assert await store.visit_of(PHONE, 600000001) is None


async def test_phones_in_other_buckets_do_not_mix(
    store: ReminderStore, clock: VirtualClock
) -> None:
    phones = [f"7916000{n:04d}" for n in range(12)]
    for n, phone in enumerate(phones):
        await store.schedule_visit(visit(600000100 + n, phone=phone), POLICY)
    clock.set(datetime(2025, 7, 23, 18, 0, tzinfo=MOSCOW))
    members = await due_now(store)
    assert sorted(m.split("|")[0] for m in members) == sorted(phones)
    claims = [await store.claim(m) for m in members]
    assert {c.reminder.phone for c in claims if c} == set(phones)
