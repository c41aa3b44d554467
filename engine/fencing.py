"""Fencing: a turn that outlived its lease writes nothing more (issue 11).

A worker's claim on a batch has a lease, kept alive by a heartbeat. A worker stalled past
it (a paused process, an event loop held by a long computation) finds another worker
holding the batch when it wakes up. From then on it must not act: the state save checks
the claim's token in the same script as the version (`engine/lua/save_state.lua`), and
each YClients write and each reply is preceded by a check that the claim is still ours.
A fenced-out turn raises `ClaimLost`, sends nothing, and leaves the batch to its new owner.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from engine.redis_conn import AsyncRedis, Command
from states.errors import AiAdminError
from states.masking import mask_phone


class ClaimLost(AiAdminError):
    """Another worker holds this batch now; the turn stops without effects."""


@dataclasses.dataclass(frozen=True)
class Fence:
    """The claim one turn holds: `check()` raises ClaimLost once it is someone else's."""

    redis: AsyncRedis
    claim_key: str
    # Kept out of any log line that prints the fence.
    token: str = dataclasses.field(repr=False)
    phone: str = dataclasses.field(repr=False)

    async def check(self) -> None:
        self.verify(await self.redis.hget(self.claim_key, "token"))

    def command(self) -> Command:
        """The check as a command, to send in one round trip with others (`eval_calls`);
        `verify` its answer."""
        return Command(("HGET", self.claim_key, "token"))

    def verify(self, held: Any) -> None:
        """ClaimLost unless `held` (the claim's token as read) is this turn's."""
        if held is None or (held.decode() if isinstance(held, bytes) else str(held)) != self.token:
            raise ClaimLost(f"the batch of {mask_phone(self.phone)} was claimed by another worker")
