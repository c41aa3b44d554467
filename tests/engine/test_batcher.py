"""Batching semantics on a virtual clock, against the embedded and the real Redis."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.batcher import MAX_ATTEMPTS, Batcher, BatchPolicy
from engine.clock import VirtualClock
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from states.messages import InboundMessage

PHONE = "79161234567"
OTHER = "79035556677"
START = datetime(2025, 7, 23, 12, 38, 0, tzinfo=UTC)


def message(msg_id: str, body: str, ts: float, chat: str = PHONE) -> InboundMessage:
    return InboundMessage(id=msg_id, chat=f"{chat}@c.us", type="chat", body=body, timestamp_s=ts)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def batcher(any_redis: AsyncRedis, keys: Keys, clock: VirtualClock) -> Batcher:
    policy = BatchPolicy(quiet_ms=10_000, max_size=10, max_wait_ms=30_000, lease_ms=30_000)
    return Batcher(any_redis, keys, policy, clock)


async def due_now(batcher: Batcher) -> list[str]:
    now = batcher.clock.now_ms()
    phones: list[str] = []
    for bucket, due in await batcher.next_due():
        if due is not None and due <= now:
            phones += await batcher.due_phones(bucket, now, 100)
    return sorted(phones)


async def test_four_pieces_become_one_batch_in_order(batcher: Batcher, clock: VirtualClock) -> None:
    pieces = ["Запишите на стрижку меня", "На завтра", "В 18:00", "К Бари"]
    t0 = clock.now().timestamp()
    for i, (gap, body) in enumerate(zip([0, 3, 4, 5], pieces, strict=True)):
        clock.advance(gap)
        result = await batcher.append(PHONE, message(f"m{i}", body, t0 + clock.now_ms() / 1000))
        assert result.queued and result.pending == i + 1
        assert await due_now(batcher) == []
    # Last piece at +12 s: the quiet window ends at +22 s, not before.
    clock.advance(9.999)
    assert await due_now(batcher) == []
    assert await batcher.claim(PHONE) is None
    clock.advance(0.001)
    assert await due_now(batcher) == [PHONE]
    batch = await batcher.claim(PHONE)
    assert batch is not None
    assert [m.body for m in batch.messages] == pieces
    assert batch.attempt == 1
    assert await batcher.finish(batch)
    assert await due_now(batcher) == []
    stats = await batcher.stats()
    assert (stats.pending_batches, stats.processed_batches, stats.processed_messages) == (0, 1, 4)


async def test_duplicate_id_is_queued_once(batcher: Batcher, clock: VirtualClock) -> None:
    first = await batcher.append(PHONE, message("dup", "Привет", 1.0))
    again = await batcher.append(PHONE, message("dup", "Привет", 1.0))
    assert first.queued and not again.queued
    assert again.pending == 1
    clock.advance(10)
    batch = await batcher.claim(PHONE)
    assert batch is not None and len(batch.messages) == 1
    await batcher.finish(batch)
    # Still a duplicate after the batch was processed (dedupe is kept at least 24 h).
    clock.advance(23 * 3600)
    assert not (await batcher.append(PHONE, message("dup", "Привет", 1.0))).queued


async def test_size_cap_flushes_at_once(batcher: Batcher) -> None:
    for i in range(9):
        await batcher.append(PHONE, message(f"m{i}", str(i), float(i)))
    assert await due_now(batcher) == []
    result = await batcher.append(PHONE, message("m9", "9", 9.0))
    assert result.due_ms == batcher.clock.now_ms()
    assert await due_now(batcher) == [PHONE]
    batch = await batcher.claim(PHONE)
    assert batch is not None and len(batch.messages) == 10


async def test_max_wait_caps_a_client_who_never_pauses(
    batcher: Batcher, clock: VirtualClock
) -> None:
    for i in range(7):  # one message every 5 s, never a 10 s pause
        if i:
            clock.advance(5)
        result = await batcher.append(PHONE, message(f"m{i}", str(i), float(i)))
    # The first message came at +0; max wait 30 s caps the batch at +30 s although the
    # quiet window after the last message (+30 s) would end at +40 s.
    assert result.due_ms == START.timestamp() * 1000 + 30_000
    assert await due_now(batcher) == [PHONE]
    batch = await batcher.claim(PHONE)
    assert batch is not None and len(batch.messages) == 7


async def test_two_phones_interleaved_never_mix(batcher: Batcher, clock: VirtualClock) -> None:
    for i in range(4):
        await batcher.append(PHONE, message(f"a{i}", f"a{i}", float(i), PHONE))
        await batcher.append(OTHER, message(f"b{i}", f"b{i}", float(i), OTHER))
        clock.advance(1)
    clock.advance(10)
    assert await due_now(batcher) == sorted([PHONE, OTHER])
    a = await batcher.claim(PHONE)
    b = await batcher.claim(OTHER)
    assert a is not None and b is not None
    assert [m.body for m in a.messages] == ["a0", "a1", "a2", "a3"]
    assert [m.body for m in b.messages] == ["b0", "b1", "b2", "b3"]


async def test_delete_drops_only_that_phones_pending(batcher: Batcher, clock: VirtualClock) -> None:
    await batcher.append(PHONE, message("a", "a", 1.0, PHONE))
    await batcher.append(PHONE, message("b", "b", 2.0, PHONE))
    await batcher.append(OTHER, message("c", "c", 1.0, OTHER))
    assert await batcher.drop_pending(PHONE) == 2
    assert await batcher.drop_pending(PHONE) == 0
    stats = await batcher.stats()
    assert (stats.pending_batches, stats.pending_messages) == (1, 1)
    clock.advance(10)
    assert await due_now(batcher) == [OTHER]


async def test_order_is_timestamp_then_arrival(batcher: Batcher, clock: VirtualClock) -> None:
    await batcher.append(PHONE, message("late", "second", 200.0))
    await batcher.append(PHONE, message("early", "first", 100.0))
    await batcher.append(PHONE, message("tie", "third", 200.0))
    clock.advance(10)
    batch = await batcher.claim(PHONE)
    assert batch is not None
    assert [m.body for m in batch.messages] == ["first", "second", "third"]


async def test_message_during_a_turn_forms_the_next_batch(
    batcher: Batcher, clock: VirtualClock
) -> None:
    await batcher.append(PHONE, message("a", "Запишите", 1.0))
    clock.advance(10)
    turn = await batcher.claim(PHONE)
    assert turn is not None
    clock.advance(1)
    result = await batcher.append(PHONE, message("b", "и на маникюр", 2.0))
    assert result.queued and result.pending == 1
    # The new message is not merged into the running turn, and not claimable before it ends.
    clock.advance(20)
    assert await batcher.claim(PHONE) is None
    stats = await batcher.stats()
    assert (stats.pending_batches, stats.pending_messages) == (1, 2)
    assert await batcher.finish(turn)
    # Its own quiet window (arrival +10 s) has passed: due at once after the turn.
    nxt = await batcher.claim(PHONE)
    assert nxt is not None and [m.body for m in nxt.messages] == ["и на маникюр"]


async def test_expired_lease_is_claimed_again_once(batcher: Batcher, clock: VirtualClock) -> None:
    await batcher.append(PHONE, message("a", "a", 1.0))
    clock.advance(10)
    first = await batcher.claim(PHONE)
    assert first is not None
    clock.advance(29)
    assert await batcher.claim(PHONE) is None  # lease still held
    clock.advance(1)
    second = await batcher.claim(PHONE)
    assert second is not None and second.attempt == 2
    assert [m.id for m in second.messages] == ["a"]
    assert second.id == first.id  # effects keyed on it stay idempotent across retries
    assert not await batcher.finish(first)  # the dead worker's token no longer counts
    assert not await batcher.extend(first)
    assert await batcher.finish(second)
    assert (await batcher.stats()).processed_batches == 1


async def test_heartbeat_keeps_the_lease(batcher: Batcher, clock: VirtualClock) -> None:
    await batcher.append(PHONE, message("a", "a", 1.0))
    clock.advance(10)
    batch = await batcher.claim(PHONE)
    assert batch is not None
    for _ in range(5):
        clock.advance(20)
        assert await batcher.extend(batch)
        assert await batcher.claim(PHONE) is None


async def test_failing_batch_goes_to_dead_list(batcher: Batcher, clock: VirtualClock) -> None:
    await batcher.append(PHONE, message("poison", "x", 1.0))
    clock.advance(10)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        batch = await batcher.claim(PHONE)
        assert batch is not None and batch.attempt == attempt
        assert await batcher.finish(batch, retry_after_ms=1000)
        clock.advance(1)
    assert await batcher.claim(PHONE) is None
    stats = await batcher.stats()
    assert stats.failed_batches == 1
    assert (stats.pending_batches, stats.pending_messages) == (0, 0)
    dead = await batcher.redis.lrange(
        batcher.keys.dead(batcher.keys.phone_keys(PHONE).bucket), 0, -1
    )
    assert len(dead) == 1 and b"poison" in dead[0]


async def test_stats_report_pending_and_oldest_age(batcher: Batcher, clock: VirtualClock) -> None:
    empty = await batcher.stats()
    assert (empty.pending_batches, empty.pending_messages, empty.oldest_pending_age_ms) == (0, 0, 0)
    await batcher.append(PHONE, message("a", "a", 1.0))
    clock.advance(4)
    await batcher.append(OTHER, message("b", "b", 1.0, OTHER))
    clock.advance(1)
    stats = await batcher.stats()
    assert (stats.pending_batches, stats.pending_messages) == (2, 2)
    assert stats.oldest_pending_age_ms == 5000
    pending, due = await batcher.pending_of(PHONE)
    assert pending == 1 and due == START.timestamp() * 1000 + 10_000
