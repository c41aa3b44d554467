"""The engine on a real three-node Redis Cluster (the batching and worker suites run there
too, through the `any_redis` fixture): the client is chosen by asking the server, phones
spread over the nodes, and a whole booking conversation works across them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.exceptions
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from adapters.fillers import OfflineFiller
from engine.harness import engine_harness
from engine.keys import BUCKETS, Keys
from engine.redis_conn import AsyncRedis, cluster_client_for, connect, is_cluster
from tests.reliability.conftest import START, bookings_made
from tests.support.redis_servers import free_port


@pytest.fixture
async def cluster(cluster_redis_url: str, keys: Keys) -> AsyncIterator[AsyncRedis]:
    client = cluster_client_for(cluster_redis_url)
    yield client
    async for key in client.scan_iter(match=f"{keys.prefix}:*", count=500):
        await client.delete(key)
    await client.aclose()


async def test_connect_picks_the_client_the_server_needs(
    cluster_redis_url: str, redis_url: str
) -> None:
    on_cluster = await connect(cluster_redis_url)
    on_single = await connect(redis_url)
    try:
        assert is_cluster(on_cluster) and not is_cluster(on_single)
        assert await on_cluster.ping() and await on_single.ping()
    finally:
        await on_cluster.aclose()
        await on_single.aclose()


async def test_connect_starts_even_when_redis_is_down() -> None:
    # Down at start: a single-server client (the webhook answers 503 until Redis is up).
    client = await connect(f"redis://127.0.0.1:{free_port()}/0")
    try:
        assert not is_cluster(client)
        with pytest.raises(redis.exceptions.ConnectionError):
            await client.ping()
    finally:
        await client.aclose()


async def test_phone_buckets_spread_over_every_node(cluster: AsyncRedis, keys: Keys) -> None:
    await cluster.ping()  # learn the slot map
    assert isinstance(cluster, RedisCluster)
    nodes = {
        cluster.nodes_manager.get_node_from_slot(key_slot(keys.due(b).encode())).name
        for b in range(BUCKETS)
    }
    assert len(nodes) == 3  # every node holds some buckets: load is shared


async def test_a_booking_conversation_on_the_cluster(cluster: AsyncRedis, keys: Keys) -> None:
    async with engine_harness(cluster, keys, OfflineFiller(), START) as h:
        replies = await h.turn("79990001122", "Стрижка к Бари завтра в 18:00", pushname="Ира")
        assert "Записываю?" in replies[-1]
        replies = await h.turn("79990001122", "да")
        assert "записаны" in replies[-1]
        assert len(bookings_made(h.sandbox)) == 1
        conversation = await h.conversation("79990001122")
        assert conversation.state == "booked" and conversation.version == 2
        assert await cluster.hlen(keys.phone_keys("79990001122").outbox) == 0
        # The record log (its own slot) and the reminders: the save wrote them, and the
        # follower of the record webhook again (idempotent).
        assert conversation.booking is not None
        tracker = h.follow_up.tracker
        assert await tracker.log.load(conversation.booking.record_id) is not None
        assert await tracker.reminders.reminders_of("79990001122")
        # A cancellation: its fences ride with the record log's read and announcement.
        pavel = "79035556677"  # the demo salon's client with a visit in two days
        await h.turn(pavel, "Отмените мою запись пожалуйста")
        cancelled = (await h.conversation(pavel)).booking
        assert cancelled is not None
        assert "отменена" in (await h.turn(pavel, "да"))[-1]
        assert h.sandbox.salon.records[cancelled.record_id].deleted
