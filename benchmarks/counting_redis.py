"""A Redis client that counts what it sends: round trips and commands.

A round trip is one `send_packed_command` (a pipeline of 16 commands is one); a command is
one `pack_command` (pipelines pack each of their commands through it). Counts are
process-wide, which is what a benchmark running one turn at a time needs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.connection import Connection

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


class CountingConnection(Connection):
    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        COUNTS.round_trips += 1
        await super().send_packed_command(command, check_health)

    def pack_command(self, *args: Any) -> list[bytes]:
        COUNTS.commands += 1
        return super().pack_command(*args)


def counting_client(url: str) -> AsyncRedis:
    """A TCP client (redis://host:port/db) whose connections count what they send."""
    pool = aioredis.ConnectionPool.from_url(url, connection_class=CountingConnection)
    return aioredis.Redis(connection_pool=pool)
