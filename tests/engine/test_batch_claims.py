"""Batched claims (issue 15): one script claims many phones of a bucket, buckets go
together; on the embedded, the real and a three-node Cluster Redis, on a virtual clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from engine.batcher import Batch, Batcher, BatchPolicy
from engine.clock import VirtualClock
from engine.conversations import ConversationStore
from engine.keys import BUCKETS, Keys, bucket_of
from engine.pauses import PauseStore
from engine.redis_conn import AsyncRedis
from engine.worker import Worker
from states.messages import InboundMessage

START = datetime(2025, 7, 23, 12, 38, 0, tzinfo=UTC)
LEASE_MS = 30_000


def phones_of(bucket: int, count: int) -> list[str]:
    """`count` phone numbers that fall into `bucket`."""
    found: list[str] = []
    n = 0
    while len(found) < count:
        phone = f"7916{n:07d}"
        if bucket_of(phone) == bucket:
            found.append(phone)
        n += 1
    return found


def message(phone: str, n: int = 0) -> InboundMessage:
    return InboundMessage(
        id=f"{phone}-{n}", chat=f"{phone}@c.us", type="chat", body=f"hi {n}", timestamp_s=1.0
    )


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


def make_batcher(redis: AsyncRedis, keys: Keys, clock: VirtualClock) -> Batcher:
    policy = BatchPolicy(quiet_ms=1000, max_size=10, max_wait_ms=5000, lease_ms=LEASE_MS)
    return Batcher(redis, keys, policy, clock)


@pytest.fixture
def batcher(any_redis: AsyncRedis, keys: Keys, clock: VirtualClock) -> Batcher:
    return make_batcher(any_redis, keys, clock)


async def test_one_call_claims_every_due_phone_of_a_bucket(
    batcher: Batcher, clock: VirtualClock
) -> None:
    due, later = phones_of(3, 5), phones_of(3, 6)[5]
    for phone in due:
        await batcher.append(phone, message(phone))
    clock.advance(1.0)
    await batcher.append(later, message(later))  # due a second after the others
    batches = await batcher.claim_many([(3, [*due, later])])
    assert sorted(b.phone for b in batches) == sorted(due)
    assert all(b.attempt == 1 and [m.body for m in b.messages] == ["hi 0"] for b in batches)
    assert len({b.token for b in batches}) == len(due)  # a lease of its own each
    # Claimed batches are under lease: asking again takes nothing.
    assert await batcher.claim_many([(3, due)]) == []
    clock.advance(1.0)
    assert [b.phone for b in await batcher.claim_many([(3, [*due, later])])] == [later]


async def test_every_bucket_in_one_go_and_the_survey_sees_them(
    batcher: Batcher, clock: VirtualClock
) -> None:
    picks = [(bucket, phones_of(bucket, 2)) for bucket in range(BUCKETS)]
    for _, phones in picks:
        for phone in phones:
            await batcher.append(phone, message(phone))
    clock.advance(1.0)
    survey = await batcher.survey(clock.now_ms(), 10)
    assert {b: sorted(m) for b, _, m in survey} == {b: sorted(p) for b, p in picks}
    batches = await batcher.claim_many(picks)
    assert len(batches) == 2 * BUCKETS
    survey = await batcher.survey(clock.now_ms(), 10)
    # Under lease: nothing is due now, each bucket's head is the end of its leases.
    assert all(not members and head == clock.now_ms() + LEASE_MS for _, head, members in survey)


class Parked:
    """A handler that holds every turn until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started: list[str] = []

    async def handle(self, batch: Batch) -> None:
        self.started.append(batch.phone)
        await self.release.wait()


async def test_a_pass_never_claims_more_than_the_free_slots(
    batcher: Batcher, clock: VirtualClock
) -> None:
    phones = [p for bucket in (1, 2, 5) for p in phones_of(bucket, 4)]
    for phone in phones:
        await batcher.append(phone, message(phone))
    clock.advance(1.0)
    handler = Parked()
    worker = Worker(batcher, handler, clock, concurrency=5)
    try:
        assert await worker.claim_due(share=4) == clock.now_ms()  # more is due: ask again
        await asyncio.sleep(0)
        assert len(worker._running) == 5  # the free slots, shared out over the buckets
        assert {bucket_of(p) for p in handler.started} == {1, 2, 5}
        await worker.claim_due(share=4)
        assert len(worker._running) == 5  # full: nothing more is claimed
        survey = await batcher.survey(clock.now_ms(), 100)
        assert sum(len(members) for _, _, members in survey) == len(phones) - 5
    finally:
        handler.release.set()
        await asyncio.wait_for(asyncio.gather(*worker._running), timeout=10)


async def test_racing_claimers_never_take_the_same_batch(
    any_redis: AsyncRedis, keys: Keys, clock: VirtualClock
) -> None:
    first, second = make_batcher(any_redis, keys, clock), make_batcher(any_redis, keys, clock)
    picks = [(bucket, phones_of(bucket, 6)) for bucket in (0, 7, 9)]
    for _, phones in picks:
        for phone in phones:
            await first.append(phone, message(phone))
    clock.advance(1.0)
    a, b = await asyncio.gather(first.claim_many(picks), second.claim_many(picks))
    claimed = [x.phone for x in a] + [x.phone for x in b]
    assert sorted(claimed) == sorted(p for _, phones in picks for p in phones)  # each once


async def test_a_crashed_claimers_batches_come_back_and_it_is_fenced_out(
    any_redis: AsyncRedis, keys: Keys, clock: VirtualClock
) -> None:
    crashed, survivor = make_batcher(any_redis, keys, clock), make_batcher(any_redis, keys, clock)
    phones = phones_of(4, 3)
    for phone in phones:
        await crashed.append(phone, message(phone))
    clock.advance(1.0)
    lost = await crashed.claim_many([(4, phones)])
    assert len(lost) == 3
    clock.advance(LEASE_MS / 1000 - 0.001)
    assert await survivor.claim_many([(4, phones)]) == []  # the leases still hold
    clock.advance(0.001)
    again = await survivor.claim_many([(4, phones)])
    assert sorted(b.phone for b in again) == sorted(phones)
    assert all(b.attempt == 2 and len(b.messages) == 1 for b in again)
    # The crashed worker, back, holds nothing: no heartbeat, no ack.
    assert not await crashed.extend(lost[0])
    assert not await crashed.finish(lost[0])
    assert all([await survivor.finish(b) for b in again])
    assert (await survivor.stats()).processed_batches == 3


async def test_the_claim_answers_with_what_the_turn_reads_first(
    any_redis: AsyncRedis, keys: Keys, clock: VirtualClock, batcher: Batcher
) -> None:
    saved, paused, fresh = phones_of(6, 3)
    store = ConversationStore(any_redis, keys, clock, idle_ttl_s=3600)
    conversation = store.fresh(saved)
    conversation.client_name = "Ира"
    assert await store.save(conversation, [])
    await PauseStore(any_redis, keys, clock, 600).pause(paused, 600)
    for phone in (saved, paused, fresh):
        await batcher.append(phone, message(phone))
    clock.advance(1.0)
    starts = {}
    for batch in await batcher.claim_many([(6, [saved, paused, fresh])]):
        assert batch.start is not None
        starts[batch.phone] = batch.start
    assert starts[saved].state_version == 1
    document = store.parse_document(starts[saved].state_version, starts[saved].state_doc)
    assert store.conversation_of(saved, document).client_name == "Ира"
    assert starts[paused].paused_until_ms == clock.now_ms() + 599_000
    assert (starts[fresh].state_doc, starts[fresh].paused_until_ms) == (None, 0)


class SlowFirst:
    """Holds the turn of one phone until released; every other turn ends at once."""

    def __init__(self, slow: str) -> None:
        self.slow = slow
        self.release = asyncio.Event()
        self.started: list[str] = []
        self.ended: list[str] = []

    async def handle(self, batch: Batch) -> None:
        self.started.append(batch.phone)
        if batch.phone == self.slow:
            await self.release.wait()
        self.ended.append(batch.phone)


async def test_a_slot_serves_the_next_claim_before_a_slow_peer_turn_ends(
    batcher: Batcher, clock: VirtualClock
) -> None:
    slow, quick, waiting = phones_of(2, 3)
    for phone in (slow, quick):
        await batcher.append(phone, message(phone))
    clock.advance(1.0)
    await batcher.append(waiting, message(waiting))
    handler = SlowFirst(slow)
    worker = Worker(batcher, handler, clock, concurrency=2)
    try:
        await worker.claim_due(share=1)
        assert worker.free_slots == 0
        await asyncio.wait_for(worker.wait_for_slot(10), timeout=10)
        # The quick turn's slot is free once its handler ended (its ack may be on the way).
        assert handler.ended == [quick] and worker.free_slots == 1
        clock.advance(1.0)
        await worker.claim_due(share=1)
        await asyncio.sleep(0)
        assert handler.started == [slow, quick, waiting]
        assert slow not in handler.ended  # the slow peer still runs
    finally:
        handler.release.set()
        await asyncio.wait_for(asyncio.gather(*worker._running), timeout=10)
    assert (await batcher.stats()).processed_batches == 3


class Counting:
    """Counts the turns running at once, and how often each phone ran."""

    def __init__(self, expected: int) -> None:
        self.running = 0
        self.most = 0
        self.runs: dict[str, int] = {}
        self.expected = expected
        self.all_done = asyncio.Event()

    async def handle(self, batch: Batch) -> None:
        self.running += 1
        self.most = max(self.most, self.running)
        self.runs[batch.phone] = self.runs.get(batch.phone, 0) + 1
        for _ in range(3):  # a turn spans a few loop iterations, as a real one does
            await asyncio.sleep(0)
        self.running -= 1
        if sum(self.runs.values()) >= self.expected:
            self.all_done.set()


async def test_a_serving_worker_never_runs_more_turns_than_its_concurrency_nor_one_twice(
    batcher: Batcher, clock: VirtualClock
) -> None:
    phones = [p for bucket in range(BUCKETS) for p in phones_of(bucket, 5)]
    for phone in phones:
        await batcher.append(phone, message(phone))
    clock.advance(1.0)
    handler = Counting(len(phones))
    worker = Worker(batcher, handler, clock, concurrency=7, max_idle_s=0.05)
    stop = asyncio.Event()
    serving = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.wait_for(handler.all_done.wait(), timeout=30)
    finally:
        stop.set()
        await asyncio.wait_for(serving, timeout=10)
    assert handler.runs == {phone: 1 for phone in phones}  # each batch once
    assert 1 < handler.most <= 7
    stats = await batcher.stats()
    assert (stats.processed_batches, stats.pending_batches) == (len(phones), 0)
