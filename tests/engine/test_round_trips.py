"""Redis round trips of one batch, end to end (issue 15: at most 6 for a turn's own work),
counted by the benchmarks' counting client on the whole engine (`engine_harness`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from adapters.fillers import OfflineFiller
from benchmarks.counting_redis import COUNTS, counting_client
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.runtime import YClientsLimits

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # Wednesday 15:00 in Moscow
PHONE = "79161234567"


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


async def test_a_turn_costs_six_round_trips_from_its_survey_to_its_ack(harness: Harness) -> None:
    h = harness
    for n, piece in enumerate(["Запишите на стрижку", "25 июля в 13:00", "к Артёму"]):
        h.clock.advance(2 * bool(n))
        await h.send(PHONE, piece, pushname="Ира")
    h.clock.advance(10.001)  # the quiet window of the default policy
    await h.worker.run_once()  # warm: the scripts are loaded, the connection is open
    await h.send(PHONE, "а можно к Бари?", pushname="Ира")
    h.clock.advance(10.001)
    before = COUNTS.snapshot()
    assert await h.worker.run_once() == 1
    spent = COUNTS.since(before)
    assert len(h.messenger.to(f"{PHONE}@c.us")) == 2  # one reply per turn, both sent
    # The pass's survey, the claim (with state, pause and reminders), the save (with the
    # console's index and the outbox), the reply cleared to go, marked sent, the ack.
    assert spent.round_trips == 6
