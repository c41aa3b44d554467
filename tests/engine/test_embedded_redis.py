"""The embedded Redis keeps batches across a restart and is shared by processes."""

from __future__ import annotations

from pathlib import Path

from engine.batcher import Batcher, BatchPolicy
from engine.clock import SystemClock
from engine.embedded_redis import EmbeddedRedis, embedded_pid
from engine.keys import Keys
from engine.redis_conn import client_for
from states.messages import InboundMessage


async def test_pending_batch_survives_a_restart(tmp_path: Path) -> None:
    keys = Keys("restart")
    msg = InboundMessage(id="m1", chat="79161234567@c.us", type="chat", body="x", timestamp_s=1)
    server = EmbeddedRedis(tmp_path)
    client = client_for(server.start())
    assert server.started_here and embedded_pid(tmp_path) is not None
    await Batcher(client, keys, BatchPolicy(), SystemClock()).append("79161234567", msg)
    # A second process pointed at the same folder joins the running server.
    joiner = EmbeddedRedis(tmp_path)
    joiner.start()
    assert not joiner.started_here
    await client.aclose()
    server.stop()
    assert embedded_pid(tmp_path) is None

    again = EmbeddedRedis(tmp_path)
    client = client_for(again.start())
    try:
        stats = await Batcher(client, keys, BatchPolicy(), SystemClock()).stats()
        assert (stats.pending_batches, stats.pending_messages) == (1, 1)
    finally:
        await client.aclose()
        again.stop()


def test_long_data_dir_gets_a_short_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 120)
    socket = EmbeddedRedis(deep).socket
    assert len(str(socket)) <= 100
