"""Jobs kept in Redis, due in per-bucket due sets and claimed with a lease: visit reminders
(`engine/reminders/store.py`) and the salon's record events (`engine/record_sync/events.py`).

`LeasedQueue` is what their stores share: the lease and the attempts a job gets, the due
sets' reads, and the claim (a token, and a script that starts with
`engine/lua/due_claim.lua`). `QueueWork` runs one queue's jobs in a worker process
(`engine.due_scan.DueWork`): its subclasses only say how to process a job.
"""

from __future__ import annotations

import abc
import dataclasses
import secrets
from typing import Any, Generic, TypeVar

from engine.clock import Clock
from engine.due_scan import DueWork, bucket_heads, due_in
from engine.redis_store import RedisStore

J = TypeVar("J")

LEASE_MS = 60_000  # outlives one job (the messengers' and YClients' timeouts are 10 s)


@dataclasses.dataclass
class LeasedQueue(RedisStore, abc.ABC, Generic[J]):
    _: dataclasses.KW_ONLY
    lease_ms: int = LEASE_MS
    max_attempts: int = 5  # claims before a job is given up (its claimer kept dying)

    @abc.abstractmethod
    def due_set(self, bucket: int) -> str:
        """The bucket's due set: member -> when its job is due (ms), or its lease ends."""

    @abc.abstractmethod
    async def claim(self, member: str) -> J | None:
        """Take the member's due job (or one whose lease ran out); None when it is not
        due, someone else has it, or nothing is left to do."""

    async def lease(self, name: str, keys: list[str], *head: Any) -> tuple[Any, str]:
        """Run the claim script `name` with ARGV `head`, then now_ms, lease_ms, a new token
        and max_attempts; its reply and the token."""
        token = secrets.token_hex(8)
        args = [*head, self.clock.now_ms(), self.lease_ms, token, self.max_attempts]
        reply = await self.script(name, prelude="due_claim")(keys=keys, args=args)
        return reply, token

    async def next_due(self) -> list[tuple[int, float | None]]:
        """(bucket, earliest due ms or None) for every bucket, in one round trip."""
        return await bucket_heads(self.redis, self.due_set)

    async def due_members(self, bucket: int, now_ms: int, limit: int) -> list[str]:
        return await due_in(self.redis, self.due_set(bucket), now_ms, limit)


class QueueWork(DueWork[J]):
    """Finds and claims the jobs of one `LeasedQueue`; a subclass processes them."""

    def __init__(
        self, queue: LeasedQueue[J], clock: Clock, concurrency: int, max_idle_s: float
    ) -> None:
        super().__init__(clock, concurrency, max_idle_s)
        self.queue = queue

    async def claim(self, member: str) -> J | None:
        return await self.queue.claim(member)

    async def next_due(self) -> list[tuple[int, float | None]]:
        return await self.queue.next_due()

    async def due_members(self, bucket: int, now_ms: int, limit: int) -> list[str]:
        return await self.queue.due_members(bucket, now_ms, limit)
