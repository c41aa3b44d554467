"""The console's data over real Redis (embedded, a real server, a Cluster): the list across
buckets, the timeline, the bookings journal, dead letters and their requeue, health."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

import pytest

from engine.activity import TIMELINE_CAP
from engine.batcher import Batcher, BatchPolicy
from engine.clock import VirtualClock
from engine.console_data import EngineConsoleData
from engine.conversations import ConversationStore
from engine.keys import Keys, bucket_of
from engine.redis_conn import AsyncRedis, client_for
from engine.reminders import ReminderPolicy
from engine.visit import Visit
from states.console import ConversationRow, ListView, NotAvailableYet
from states.conversation import Conversation
from states.ports import StorageUnavailable
from tests.support.console import TIMEZONE, console_of, harness, make_dead_letter
from tests.support.waiting import eventually

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)
PHONES = [f"7999000{n:04d}" for n in range(1, 7)]


async def test_the_list_shows_every_conversation_newest_first_across_buckets(
    any_redis: AsyncRedis, keys: Keys
) -> None:
    assert len({bucket_of(p) for p in PHONES}) > 1  # the list must read several buckets
    async with harness(any_redis, keys, START) as h:
        for n, phone in enumerate(PHONES):
            h.clock.advance(60)
            await h.turn(phone, "Запишите на стрижку", pushname=f"Клиент {n}")
        rows = await console_of(h).conversations(ListView.ALL, 100)
        assert [r.phone for r in rows] == PHONES[::-1]
        first = await h.conversation(PHONES[0])
        row = rows[-1]
        assert row.client_name == "Клиент 0" and row.state == first.state != "idle"
        assert row.awaiting == first.awaiting is not None
        assert row.last_activity < rows[0].last_activity
        assert not (row.paused or row.needs_person or row.has_errors or row.booking)
        assert [r.phone for r in await console_of(h).conversations(ListView.ALL, 2)] == [
            PHONES[-1],
            PHONES[-2],
        ]


async def test_the_timeline_keeps_every_turn_once_with_operator_actions(
    redis: AsyncRedis, keys: Keys
) -> None:
    phone = PHONES[0]
    pieces = ["Здравствуйте", "Запишите на стрижку", "к Бари", "завтра", "в 18:00", "нет", "ок"]
    async with harness(redis, keys, START) as h:
        for piece in pieces:
            h.clock.advance(60)
            await h.turn(phone, piece, pushname="Ира")
        console = console_of(h)
        await console.reset(phone)
        detail = await console.conversation(phone)
        assert detail is not None
        turns = [e.turn for e in detail.timeline if e.turn is not None]
        assert len(turns) == len(pieces) > 5  # longer than the trace inside the state
        assert [t.messages for t in turns] == [[p] for p in pieces]
        assert all(t.replies for t in turns) and turns[0].at < turns[-1].at
        assert any(c["call"] == "book_times" for t in turns for c in t.calls)
        assert detail.timeline[-1].action is not None
        assert detail.timeline[-1].action.action == "reset"
        assert detail.row.state == "idle" and detail.row.client_name == "Ира"
        assert await console.conversation("79990009999") is None


async def test_the_timeline_is_capped(redis: AsyncRedis, keys: Keys) -> None:
    clock = VirtualClock(START)
    store = ConversationStore(redis, keys, clock, idle_ttl_s=3600)
    conversation = Conversation(phone=PHONES[0], chat=f"{PHONES[0]}@c.us")
    for n in range(TIMELINE_CAP + 5):
        clock.advance(1)
        trace = {"at": clock.now().isoformat(), "batch_id": f"b{n}", "batch": [f"m{n}"]}
        conversation.add_turn(trace)
        await store.activity.saved(conversation)
    await store.activity.saved(conversation)  # the same turn again: not recorded twice
    turns, _ = await store.activity.history(PHONES[0])
    assert len(turns) == TIMELINE_CAP
    assert turns[0]["id"] == "b5" and turns[-1]["id"] == f"b{TIMELINE_CAP + 4}"


async def test_a_booking_counts_once_on_the_salon_day(redis: AsyncRedis, keys: Keys) -> None:
    # 01:30 in Moscow on the 24th is still the 23rd in UTC: the salon's day counts.
    late = datetime(2025, 7, 23, 22, 30, tzinfo=UTC)
    booked, other = PHONES[0], PHONES[1]
    async with harness(redis, keys, late) as h:
        await h.turn(booked, "Стрижка к Бари послезавтра в 18:00", pushname="Ира")
        await h.turn(booked, "да")
        assert (await h.conversation(booked)).state == "booked"
        await h.turn(other, "Запишите на стрижку", pushname="Олег")
        console = console_of(h)
        await console.reset(booked)  # a save without a new turn: counted once still
        days = await console.daily_counts(3)
        assert [d.day for d in days] == [date(2025, 7, 22), date(2025, 7, 23), date(2025, 7, 24)]
        assert [d.bookings for d in days] == [0, 0, 1]
        assert all(d.handoffs is None for d in days)
        today = await console.conversations(ListView.BOOKED_TODAY, 10)
        assert [r.phone for r in today] == [booked]
        assert today[0].booking is not None and today[0].booked_at is not None
        h.clock.advance(24 * 3600)  # the next salon day: booked yesterday, not today
        assert await console.conversations(ListView.BOOKED_TODAY, 10) == []
        assert [d.bookings for d in await console.daily_counts(2)] == [1, 0]


async def test_a_dead_letter_is_listed_flagged_and_requeued_with_its_ids(
    any_redis: AsyncRedis, keys: Keys
) -> None:
    phone = PHONES[2]
    async with harness(any_redis, keys, START) as h:
        message_id = await make_dead_letter(h.batcher, h.clock, phone, "Запишите на стрижку")
        console = console_of(h)
        letters = await console.dead_letters(10)
        assert [(letter.phone, letter.messages) for letter in letters] == [
            (phone, ["Запишите на стрижку"])
        ]
        for view in (ListView.NEEDS_PERSON, ListView.ERRORS, ListView.ALL):
            rows = await console.conversations(view, 10)
            assert [(r.phone, r.failed_batches) for r in rows] == [(phone, 1)]
        assert (await h.batcher.stats()).failed_batches == 1
        assert await console.requeue(letters[0].id)
        assert not await console.requeue(letters[0].id)  # gone: requeued once only
        assert not await console.requeue("99-nothing")
        assert await console.dead_letters(10) == []
        assert (await h.batcher.pending_of(phone))[0] == 1
        assert await h.settle() == 1
        conversation = await h.conversation(phone)
        assert conversation.last_batch_id == message_id  # the batch kept its id
        assert h.messenger.to(f"{phone}@c.us")  # and the client got an answer
        detail = await console.conversation(phone)
        assert detail is not None and detail.row.failed_batches == 0
        assert [e.action.action for e in detail.timeline if e.action] == ["requeue"]


async def test_health_shows_workers_the_queue_and_dead_letters(
    redis: AsyncRedis, keys: Keys
) -> None:
    async with harness(redis, keys, START) as h:
        await make_dead_letter(h.batcher, h.clock, PHONES[3], "привет")
        await h.send(PHONES[4], "Запишите на стрижку")  # waits for its quiet window
        console = console_of(h)
        before = await console.health()
        assert before.redis_ok and before.redis_ms is not None and before.workers == []
        assert (before.pending_batches, before.pending_messages) == (1, 1)
        assert before.failed_batches == 1
        stop = asyncio.Event()
        task = asyncio.create_task(h.worker.run(stop))
        try:
            await eventually(lambda: _has_workers(console), 10, "a worker reporting")
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
        seen = (await console.health()).workers
        assert [(w.id, w.alive) for w in seen] == [(h.worker.worker_id, True)]
        h.clock.advance(120)
        assert [w.alive for w in (await console.health()).workers] == [False]


async def _has_workers(console: EngineConsoleData) -> bool:
    return bool((await console.health()).workers)


async def test_a_conversation_shows_its_visit_reminders(redis: AsyncRedis, keys: Keys) -> None:
    async with harness(redis, keys, START) as h:
        await h.turn(PHONES[0], "Стрижка к Бари завтра в 18:00", pushname="Ира")
        console = console_of(h)
        assert await console.reminders(PHONES[0]) == []
        visit_at = datetime(2025, 7, 25, 15, 0, tzinfo=UTC)  # 18:00 in Moscow
        visit = Visit(record_id=77, phone=PHONES[0], start=visit_at, staff_id=3413963)
        await console.reminder_store.schedule_visit(visit, ReminderPolicy.parse())
        shown = await console.reminders(PHONES[0])
        assert [(r.kind, r.status) for r in shown] == [("24h", "scheduled"), ("2h", "scheduled")]
        assert shown[0].at == datetime(2025, 7, 24, 15, 0, tzinfo=UTC)
        assert shown[1].at == datetime(2025, 7, 25, 13, 0, tzinfo=UTC)


async def test_storage_down_is_a_clear_error_and_health_says_so(keys: Keys) -> None:
    down = client_for("redis://127.0.0.1:1/0")
    clock = VirtualClock(START)
    batcher = Batcher(down, keys, BatchPolicy(), clock)
    console = EngineConsoleData(ConversationStore(down, keys, clock, 3600), batcher, TIMEZONE)
    try:
        with pytest.raises(StorageUnavailable):
            await console.conversations(ListView.ALL, 10)
        with pytest.raises(StorageUnavailable):
            await console.conversation(PHONES[0])
        health = await console.health()
        assert not health.redis_ok and health.degraded
    finally:
        await down.aclose()


@pytest.mark.parametrize(
    ("call", "issue"),
    [
        (lambda c: c.pause(PHONES[0], 3600), 17),
        (lambda c: c.resume(PHONES[0]), 17),
        (lambda c: c.send_as_salon(PHONES[0], "Здравствуйте!"), 17),
        (lambda c: c.handoffs(), 17),
    ],
)
async def test_what_other_issues_bring_says_not_available_yet(
    redis: AsyncRedis,
    keys: Keys,
    call: Callable[[EngineConsoleData], Awaitable[object]],
    issue: int,
) -> None:
    async with harness(redis, keys, START) as h:
        with pytest.raises(NotAvailableYet) as raised:
            await call(console_of(h))
        assert raised.value.issue == issue and raised.value.operation


def test_rows_say_what_needs_a_person() -> None:
    row = dataclasses.replace(
        _row(), handoff_reason="ask_human", paused_until=START, failed_batches=0
    )
    assert row.needs_person and row.paused and not row.has_errors
    assert _row().needs_person is False
    assert dataclasses.replace(_row(), turn_failed=True).has_errors


def _row() -> ConversationRow:
    return ConversationRow(
        phone=PHONES[0],
        client_name=None,
        state="idle",
        awaiting=None,
        last_activity=START,
        pending_messages=0,
        paused_until=None,
        handoff_reason=None,
        failed_batches=0,
        turn_failed=False,
        booking=None,
        booked_at=None,
    )
