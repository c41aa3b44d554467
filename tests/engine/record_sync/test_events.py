"""Record webhook events kept in Redis until applied, on every Redis the engine runs on
(embedded, real, a three-node Cluster): kept at once, claimed with a lease, retried, given
up after too many attempts into the dead list, never lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from engine.clock import VirtualClock
from engine.keys import Keys, record_bucket
from engine.record_sync.events import RecordEvents
from engine.redis_conn import AsyncRedis
from states.record_change import RecordChange

CHANGE = RecordChange(
    status="update",
    record_id=600000123,
    start="2025-07-24T18:00:00+03:00",
    service_ids=(18356010,),
    services=("Стрижка",),
    phone="79990001122",
)


async def due(events: RecordEvents) -> list[str]:
    found: list[str] = []
    for bucket, at in await events.next_due():
        if at is not None:
            found += await events.due_members(bucket, events.clock.now_ms(), 100)
    return found


async def test_kept_claimed_retried_and_dropped(any_redis: AsyncRedis, keys: Keys) -> None:
    clock = VirtualClock(datetime(2025, 7, 23, 12, 0, tzinfo=UTC))
    events = RecordEvents(any_redis, keys, clock, lease_ms=60_000, max_attempts=3)
    event_id = await events.add(CHANGE)
    assert await due(events) == [event_id] and await events.pending() == 1
    first = await events.claim(event_id)
    assert first is not None and first.change == CHANGE and first.attempts == 1
    assert await events.claim(event_id) is None, "claimed: nobody else takes it"
    assert await due(events) == []
    clock.advance(61)  # its follower died: the lease runs out
    second = await events.claim(event_id)
    assert second is not None and second.attempts == 2
    assert not await events.finish(first, "done"), "the first claim is lost"
    assert await events.finish(second, "later", clock.now_ms() + 2000)  # a turn under way
    clock.advance(2)
    third = await events.claim(event_id)
    assert third is not None and third.attempts == 2, "waiting for a turn is no attempt"
    assert await events.finish(third, "done")
    assert await events.pending() == 0 and await due(events) == []


async def test_given_up_after_too_many_attempts_kept_for_the_engineer(
    any_redis: AsyncRedis, keys: Keys
) -> None:
    clock = VirtualClock(datetime(2025, 7, 23, 12, 0, tzinfo=UTC))
    events = RecordEvents(any_redis, keys, clock, max_attempts=2)
    event_id = await events.add(CHANGE)
    for _ in range(2):
        claimed = await events.claim(event_id)
        assert claimed is not None and claimed.job == "run"
        assert await events.finish(claimed, "retry", clock.now_ms())
    gave_up = await events.claim(event_id)
    assert gave_up is not None and gave_up.job == "gave_up"
    assert await events.pending() == 0
    [dead] = await any_redis.lrange(keys.record_events_dead(record_bucket(CHANGE.record_id)), 0, -1)
    assert json.loads(dead)["change"]["record_id"] == CHANGE.record_id
