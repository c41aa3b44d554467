"""Who has a client's chat: the bot, or a person until some moment (issue 17).

A pause lives beside the conversation, not inside it: a person pausing from the console
or the salon's own WhatsApp must never race a turn's compare-and-set save. Per phone a
hash holds the pause and the hand-off it came from; per bucket three sorted sets serve
the fleet-wide views: who is paused (the `ai_admin_paused_conversations` gauge, the
console's flags), who waits for a person (the hand-off queue, oldest first) and a log of
every pause that began (hand-offs per day). Every change is one Lua script over one
bucket's keys, so one Redis Cluster slot.

A pause ends by itself: `until_ms` passes and the next turn runs as usual.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime
from typing import Any

from engine.console_views import moment
from engine.keys import BUCKETS
from engine.redis_store import RedisStore
from states.ports import MAX_PAUSE_S

LOG_KEEP_MS = 35 * 24 * 3600 * 1000  # as long as the bookings journal: a month of days
HASH_KEEP_MS = 7 * 24 * 3600 * 1000  # the last pause's facts outlive it this long
DEFAULT_PAUSE_S = 12 * 3600  # HANDOFF_PAUSE


class Reason(enum.StrEnum):
    """Why a person has the chat: the dialogue's three hand-offs, or a person who took it."""

    ASK_HUMAN = "ask_human"
    COMPLAINT = "complaint"
    LADDER = "ladder"  # the re-prompt ladder's last step
    SALON_REPLY = "salon_reply"  # the salon answered from its own WhatsApp
    OPERATOR = "operator"  # paused, or written to, from the console, the API or the CLI


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclasses.dataclass(frozen=True)
class PauseState:
    until_ms: int  # 0: never paused, or resumed
    since_ms: int | None
    reason: str | None
    waiting: str | None  # the chat waits for a person, for this reason
    handoff_id: str | None  # the hand-off whose notices `notified` tracks
    notified: frozenset[str]  # "chat", "hook": the notices already delivered

    def paused(self, now_ms: int) -> bool:
        return self.until_ms > now_ms

    def until(self, now_ms: int) -> datetime | None:
        return moment(self.until_ms) if self.paused(now_ms) else None


@dataclasses.dataclass(frozen=True)
class Applied:
    started: bool  # no pause was in force before
    until_ms: int
    applied: bool  # False: this hand-off was applied before (a retried turn)


@dataclasses.dataclass(frozen=True)
class Waiting:
    phone: str
    since_ms: int
    reason: str


@dataclasses.dataclass
class PauseStore(RedisStore):
    default_s: int = DEFAULT_PAUSE_S  # HANDOFF_PAUSE

    async def _apply(
        self,
        phone: str,
        until_ms: int,
        mode: str,
        reason: Reason,
        waiting: str = "",
        handoff_id: str = "",
    ) -> Applied:
        k = self.keys.phone_keys(phone)
        out: list[Any] = await self.script("pause")(
            keys=[k.takeover, k.paused, k.waiting, k.handoff_log, k.stats],
            args=[
                phone,
                self.clock.now_ms(),
                until_ms,
                mode,
                reason.value,
                waiting,
                handoff_id,
                LOG_KEEP_MS,
                HASH_KEEP_MS,
            ],
        )
        return Applied(bool(int(out[0])), int(out[1]), bool(int(out[2])))

    async def pause(self, phone: str, for_s: int | None = None) -> Applied:
        """An operator's pause: exactly `for_s` from now (HANDOFF_PAUSE when None)."""
        seconds = self.default_s if for_s is None else for_s
        if not 1 <= seconds <= MAX_PAUSE_S:
            raise ValueError(f"a pause lasts 1 s to {MAX_PAUSE_S} s, not {seconds}")
        until = self.clock.now_ms() + seconds * 1000
        return await self._apply(phone, until, "set", Reason.OPERATOR, waiting="0")

    async def person_answered(self, phone: str, reason: Reason) -> Applied:
        """A person wrote to the client: the bot keeps quiet at least HANDOFF_PAUSE from
        now, and the chat no longer waits for anyone."""
        until = self.clock.now_ms() + self.default_s * 1000
        return await self._apply(phone, until, "extend", reason, waiting="0")

    async def hand_off(self, phone: str, reason: Reason, handoff_id: str) -> Applied:
        """The dialogue asked for a person: pause and queue the chat, once per hand-off."""
        until = self.clock.now_ms() + self.default_s * 1000
        return await self._apply(phone, until, "extend", reason, "1", handoff_id)

    async def resume(self, phone: str) -> bool:
        """The bot has the chat again; True when a pause was in force."""
        k = self.keys.phone_keys(phone)
        ended = await self.script("resume")(
            keys=[k.takeover, k.paused, k.waiting], args=[phone, self.clock.now_ms()]
        )
        return bool(int(ended))

    async def state(self, phone: str) -> PauseState:
        raw = await self.redis.hgetall(self.keys.phone_keys(phone).takeover)
        fields = {_text(k): _text(v) for k, v in raw.items()}
        return PauseState(
            until_ms=int(fields.get("until_ms", 0)),
            since_ms=int(fields["since_ms"]) if "since_ms" in fields else None,
            reason=fields.get("reason"),
            waiting=fields.get("waiting"),
            handoff_id=fields.get("handoff_id"),
            notified=frozenset(
                name.split(":", 1)[1] for name in fields if name.startswith("notified:")
            ),
        )

    async def paused_until(self, phone: str) -> datetime | None:
        until = await self.redis.hget(self.keys.phone_keys(phone).takeover, "until_ms")
        return self.until_of(int(until or 0))

    def until_of(self, until_ms: int) -> datetime | None:
        """The pause in force of a stored `until_ms` (the claim script reads it for a turn)."""
        return moment(until_ms) if until_ms > self.clock.now_ms() else None

    async def mark_notified(self, phone: str, channel: str) -> None:
        await self.redis.hset(self.keys.phone_keys(phone).takeover, f"notified:{channel}", 1)

    async def paused_phones(self) -> dict[str, int]:
        """Phone -> until (ms) of every pause in force."""
        now = self.clock.now_ms()
        pipe = self.redis.pipeline(transaction=False)
        for bucket in range(BUCKETS):
            pipe.zrangebyscore(self.keys.paused(bucket), now + 1, "+inf", withscores=True)
        rows: list[list[tuple[bytes, float]]] = await pipe.execute()
        return {_text(phone): int(ms) for row in rows for phone, ms in row}

    async def paused_count(self) -> int:
        now = self.clock.now_ms()
        pipe = self.redis.pipeline(transaction=False)
        for bucket in range(BUCKETS):
            pipe.zcount(self.keys.paused(bucket), now + 1, "+inf")
        return sum(int(n) for n in await pipe.execute())

    async def waiting(self) -> list[Waiting]:
        """Chats waiting for a person, oldest first: handed off, nobody has answered, and
        the pause is still in force (once it ends the bot has the chat again)."""
        pipe = self.redis.pipeline(transaction=False)
        for bucket in range(BUCKETS):
            pipe.zrange(self.keys.waiting(bucket), 0, -1, withscores=True)
        rows: list[list[tuple[bytes, float]]] = await pipe.execute()
        queued = [(_text(phone), int(ms)) for row in rows for phone, ms in row]
        if not queued:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for phone, _ in queued:
            pipe.hmget(self.keys.phone_keys(phone).takeover, ["until_ms", "waiting"])
        now = self.clock.now_ms()
        found = []
        for (phone, since), (until, reason) in zip(queued, await pipe.execute(), strict=True):
            if until is not None and int(until) > now and reason is not None:
                found.append(Waiting(phone, since, _text(reason)))
        return sorted(found, key=lambda w: w.since_ms)

    async def started_since(self, since_ms: int) -> list[tuple[str, int, str]]:
        """(phone, when, reason) of every pause that began since `since_ms`."""
        pipe = self.redis.pipeline(transaction=False)
        for bucket in range(BUCKETS):
            pipe.zrangebyscore(self.keys.handoff_log(bucket), since_ms, "+inf")
        rows: list[list[bytes]] = await pipe.execute()
        started = []
        for row in rows:
            for member in row:
                phone, ms, reason = _text(member).split("|", 2)
                started.append((phone, int(ms), reason))
        return started
