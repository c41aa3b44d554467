"""A turn that outlives its lease does not run to the end twice (issue 11: with two workers
the lease ran out and both worked on the same batch).

The real dialogue against the sandbox salon on a virtual clock. Worker A claims the
booking turn ("да") and stalls past its lease; worker B re-claims the batch. Whatever A
does afterwards is fenced on the claim: its booking (checked right before `book_record`),
its state save (checked in the save script) and its replies. B's turn is the one that
counts: one booking, one confirmation.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import cast

import pytest

from adapters.fillers import OfflineFiller
from adapters.yclients import YClientsBackend
from engine.batcher import Batch
from engine.dialogue_runner import DialogueRunner
from engine.fencing import ClaimLost
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, as_text
from engine.settings import Settings
from states.salon import BookingConfirmation, BookingRequest
from tests.reliability.conftest import bookings_made

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)
PHONE = "79990001122"
CHAT = f"{PHONE}@c.us"
LEASE_MS = 1000


@pytest.fixture
async def h(redis: AsyncRedis, keys: Keys) -> AsyncIterator[Harness]:
    settings = Settings.from_mapping(
        {"BATCH_TIMEOUT_MS": "1000", "BATCH_MAX_WAIT_MS": "5000", "BATCH_LEASE_MS": str(LEASE_MS)}
    )
    async with engine_harness(redis, keys, OfflineFiller(), START, settings=settings) as harness:
        yield harness


def runner_of(h: Harness) -> DialogueRunner:
    return cast(DialogueRunner, h.worker.handler)


async def stale_and_fresh_claims(h: Harness) -> tuple[Batch, Batch]:
    """The "да" batch claimed by A, then — A's lease run out — by B."""
    await h.turn(PHONE, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    assert (await h.store.load(PHONE)).state == "confirming"
    await h.send(PHONE, "да")
    h.clock.advance(1)
    stale = await h.batcher.claim(PHONE)
    assert stale is not None
    return stale, await take_over(h)


async def take_over(h: Harness, phone: str = PHONE) -> Batch:
    h.clock.advance(LEASE_MS / 1000 + 1)  # A stalls past its lease (a paused process)
    fresh = await h.batcher.claim(phone)
    assert fresh is not None and fresh.attempt == 2
    return fresh


def confirmations(h: Harness) -> int:
    return sum("записаны" in text for text in h.messenger.to(CHAT))


async def test_a_fenced_out_turn_books_nothing_saves_nothing_and_says_nothing(h: Harness) -> None:
    stale, fresh = await stale_and_fresh_claims(h)
    before = await h.store.load(PHONE)
    replies = len(h.messenger.to(CHAT))

    with pytest.raises(ClaimLost):
        await runner_of(h).handle(stale)  # A wakes up and goes on with its turn
    assert bookings_made(h.sandbox) == []  # stopped right before `book_record`
    after = await h.store.load(PHONE)
    assert (after.state, after.version) == ("confirming", before.version)
    assert len(h.messenger.to(CHAT)) == replies
    assert not await h.batcher.finish(stale)  # nor can A ack B's batch

    await runner_of(h).handle(fresh)
    assert await h.batcher.finish(fresh)
    assert len(bookings_made(h.sandbox)) == 1 and confirmations(h) == 1
    assert (await h.store.load(PHONE)).state == "booked"


class TakeoverAfterBooking(YClientsBackend):
    """The real YClients backend; once `book_record` answered, worker B takes the batch."""

    def __init__(self, h: Harness) -> None:
        inner = cast(YClientsBackend, runner_of(h).backend)
        super().__init__(inner.client, default_timezone="Europe/Moscow")
        self.h = h
        self.fresh: Batch | None = None

    async def book(self, request: BookingRequest) -> BookingConfirmation:
        confirmation = await super().book(request)
        self.fresh = await take_over(self.h)
        return confirmation


async def test_a_turn_fenced_out_after_booking_does_not_save_and_the_new_owner_confirms_once(
    h: Harness,
) -> None:
    await h.turn(PHONE, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    await h.send(PHONE, "да")
    h.clock.advance(1)
    stale = await h.batcher.claim(PHONE)
    assert stale is not None
    backend = TakeoverAfterBooking(h)
    a = copy.copy(runner_of(h))  # worker A: the same dialogue, over a backend that stalls
    a.backend = backend
    replies = len(h.messenger.to(CHAT))

    with pytest.raises(ClaimLost):
        await a.handle(stale)
    assert len(bookings_made(h.sandbox)) == 1  # A's booking went through before it lost
    assert (await h.store.load(PHONE)).state == "confirming"  # but its save was refused
    assert len(h.messenger.to(CHAT)) == replies  # and it told the client nothing

    assert backend.fresh is not None
    await runner_of(h).handle(backend.fresh)  # B finds the booking by its api_id
    assert len(bookings_made(h.sandbox)) == 1 and confirmations(h) == 1
    assert (await h.store.load(PHONE)).state == "booked"


async def test_a_fenced_out_cancellation_cancels_nothing_and_announces_nothing(
    h: Harness, redis: AsyncRedis, keys: Keys
) -> None:
    """The fence rides with the record log's read (before the change is announced) and
    with the announcement (right before `delete_record`): A, fenced out, does neither."""
    pavel, chat = "79035556677", "79035556677@c.us"  # the demo salon's client with a visit
    await h.turn(pavel, "Отмените мою запись пожалуйста")
    conversation = await h.store.load(pavel)
    assert conversation.state == "cancelling" and conversation.booking is not None
    record_id = conversation.booking.record_id
    await h.send(pavel, "да")
    h.clock.advance(1)
    stale = await h.batcher.claim(pavel)
    assert stale is not None
    fresh = await take_over(h, pavel)

    with pytest.raises(ClaimLost):
        await runner_of(h).handle(stale)
    assert not h.sandbox.salon.records[record_id].deleted
    fields = [as_text(f) for f in await redis.hkeys(keys.visit_record(record_id))]
    assert not [f for f in fields if f.startswith("expect|")]  # nothing announced
    assert not any("отменена" in text for text in h.messenger.to(chat))

    await runner_of(h).handle(fresh)
    assert h.sandbox.salon.records[record_id].deleted
    assert sum("отменена" in text for text in h.messenger.to(chat)) == 1
