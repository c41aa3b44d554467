"""Redis round trips of one batch, end to end (issue 15: at most 6 for a turn's own work),
counted by the benchmarks' counting client on the whole engine (`engine_harness`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from adapters.fillers import OfflineFiller
from benchmarks.counting_redis import COUNTS, Counts, counting_client
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.runtime import YClientsLimits

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # Wednesday 15:00 in Moscow
PHONE = "79161234567"
CHAT = f"{PHONE}@c.us"


@pytest.fixture
async def harness(redis_url: str, keys: Keys) -> AsyncIterator[Harness]:
    redis = counting_client(redis_url)
    try:
        async with engine_harness(
            redis, keys, OfflineFiller(), START, yclients=YClientsLimits.lifted()
        ) as h:
            yield h
    finally:
        async for key in redis.scan_iter(match=f"{keys.prefix}:*", count=500):
            await redis.delete(key)
        await redis.aclose()


async def asked_to_confirm(h: Harness) -> None:
    """The request in pieces, run once: the scripts are loaded, the connection is open."""
    for n, piece in enumerate(["Запишите на стрижку", "25 июля в 13:00", "к Артёму"]):
        h.clock.advance(2 * bool(n))
        await h.send(PHONE, piece, pushname="Ира")
    h.clock.advance(10.001)  # the quiet window of the default policy
    await h.worker.run_once()
    assert (await h.conversation(PHONE)).state == "confirming"


async def counted_turn(h: Harness, text: str, phone: str = PHONE) -> Counts:
    """The worker's round trips for one more message's turn (its append not counted)."""
    await h.send(phone, text, pushname="Ира")
    h.clock.advance(10.001)
    before = COUNTS.snapshot()
    assert await h.worker.run_once() == 1
    return COUNTS.since(before)


async def test_a_turn_that_does_not_book_costs_five_round_trips(harness: Harness) -> None:
    h = harness
    await asked_to_confirm(h)
    spent = await counted_turn(h, "а можно к Бари?")
    assert len(h.messenger.to(CHAT)) == 2  # one reply per turn, both sent
    # The pass's survey, the claim (with state, pause and reminders), the save (with the
    # console's index, the outbox, and the reply cleared to go), marked sent, the ack.
    assert spent.round_trips == 5


async def test_a_turn_that_books_costs_six_round_trips(harness: Harness) -> None:
    h = harness
    await asked_to_confirm(h)
    # The sandbox's record webhook goes to the webhook route, another process in
    # production: not the worker's (benchmark 3 counts it apart).
    h.sandbox.webhooks.configure(url=None)
    spent = await counted_turn(h, "да")
    conversation = await h.conversation(PHONE)
    assert conversation.state == "booked" and conversation.booking is not None
    assert "записаны" in h.messenger.to(CHAT)[-1]
    # What follows the booking was written, not left out: the record log and the reminders.
    tracker = h.follow_up.tracker
    record_id = conversation.booking.record_id
    known = await tracker.log.load(record_id)
    assert known is not None and known.visit.phone == PHONE
    reminders = await tracker.reminders.reminders_of(PHONE)
    assert {r.record_id for r in reminders} == {record_id} and reminders[0].status == "scheduled"
    # The survey, the claim, the fence right before book_record, the save (with the
    # reminders, the console's index, the outbox and the reply's check) pipelined with the
    # record log's write, the reply marked sent, the ack.
    assert spent.round_trips == 6


async def test_a_turn_that_cancels_costs_eight_round_trips(harness: Harness) -> None:
    h = harness
    pavel = "79035556677"  # the demo salon's client with a visit in two days
    h.sandbox.webhooks.configure(url=None)  # as above: the webhook route's, not the worker's
    await h.turn(pavel, "Отмените мою запись пожалуйста")
    booking = (await h.conversation(pavel)).booking
    assert booking is not None
    spent = await counted_turn(h, "да", pavel)
    assert h.sandbox.salon.records[booking.record_id].deleted
    assert "отменена" in h.messenger.to(f"{pavel}@c.us")[-1]
    # The survey, the claim, the fence with the record log's read, the record as YClients
    # had it (the log never saw it), the announcement with the fence right before
    # delete_record, the save with the record log's write, the reply marked sent, the ack.
    assert spent.round_trips == 8
