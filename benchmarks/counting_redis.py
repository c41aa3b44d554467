"""A Redis client that counts what it sends: round trips and commands.

A round trip is one `send_packed_command` (a pipeline of 16 commands is one); a command is
one `pack_command` (pipelines pack each of their commands through it). Counts are
process-wide, which is what a benchmark running one turn at a time needs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.connection import Connection, UnixDomainSocketConnection

from engine.redis_conn import AsyncRedis


@dataclasses.dataclass
class Counts:
    round_trips: int = 0
    commands: int = 0

    def snapshot(self) -> Counts:
        return dataclasses.replace(self)

    def since(self, before: Counts) -> Counts:
        return Counts(self.round_trips - before.round_trips, self.commands - before.commands)


COUNTS = Counts()


class Counting:
    """Counts what a connection sends (mixed into a TCP or a unix socket connection)."""

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        COUNTS.round_trips += 1
        await super().send_packed_command(command, check_health)  # type: ignore[misc]

    def pack_command(self, *args: Any) -> list[bytes]:
        COUNTS.commands += 1
        packed: list[bytes] = super().pack_command(*args)  # type: ignore[misc]
        return packed


class CountingConnection(Counting, Connection):
    pass


class CountingUnixConnection(Counting, UnixDomainSocketConnection):
    """The same over a unix socket (the embedded server)."""


def counting_client(url: str) -> AsyncRedis:
    """A client (redis://host:port/db or unix://path) whose connections count what they
    send."""
    if url.startswith("unix://"):
        pool = aioredis.ConnectionPool(
            connection_class=CountingUnixConnection, path=url.removeprefix("unix://")
        )
    else:
        pool = aioredis.ConnectionPool.from_url(url, connection_class=CountingConnection)
    return aioredis.Redis(connection_pool=pool)
