"""The operator console's index of conversations, written where a conversation is saved.

Every save puts the phone in its bucket's activity set (the console lists the newest
first) and, for a turn not recorded yet, appends the turn's trace to the phone's timeline:
the five turns kept inside the conversation are too few for an operator reading back a
day's chat. A turn that booked a visit (the visit's `api_id` is the one derived from the
turn's batch) goes into the bucket's bookings journal, which answers "booked today" and
the bookings per day. One call touches one bucket's keys: one Lua script, one Cluster slot.
"""

from __future__ import annotations

import dataclasses
import heapq
import json
import logging
from typing import Any

from engine.keys import BUCKETS
from engine.redis_conn import REDIS_ERRORS, as_text
from engine.redis_store import RedisStore
from states.conversation import Conversation
from states.effects import api_id_for
from states.masking import mask_phone

log = logging.getLogger(__name__)

TIMELINE_CAP = 100  # turns kept per phone (a turn record is 1–3 KB)
ACTIONS_CAP = 50  # operator actions kept per phone
BOOKINGS_KEEP_MS = 35 * 24 * 3600 * 1000  # the journal answers a few weeks of daily counts


@dataclasses.dataclass
class ConversationActivity(RedisStore):
    retention_s: int

    async def saved(self, conversation: Conversation) -> None:
        """Index a conversation just saved. Never fails the save: the index is a view."""
        try:
            await self._index(conversation)
        except REDIS_ERRORS as error:
            phone = mask_phone(conversation.phone)
            log.warning("console index of %s not updated: %s", phone, error)

    async def _index(self, conversation: Conversation) -> None:
        keys, args = self.index_call(conversation)
        await self.script("note_activity")(keys=keys, args=args)

    def index_call(self, conversation: Conversation) -> tuple[list[str], list[Any]]:
        """The keys and arguments of note_activity.lua for a conversation just saved (the
        state save runs it in its own script: engine/lua/save_state.lua)."""
        k = self.keys.phone_keys(conversation.phone)
        turn = conversation.turns[-1] if conversation.turns else None
        turn_id, record, booked = "", "", ""
        if turn is not None and turn.get("batch_id"):
            turn_id = str(turn["batch_id"])
            record = json.dumps(
                {"id": turn_id, **turn, "state": conversation.state}, ensure_ascii=False
            )
            booking = conversation.booking
            if booking is not None and booking.api_id == api_id_for(turn_id):
                booked = f"{conversation.phone}|{booking.record_id}"
        return (
            [self.keys.activity(k.bucket), k.timeline, self.keys.bookings(k.bucket)],
            [
                conversation.phone,
                self.clock.now_ms(),
                self.retention_s * 1000,
                self.retention_s,
                TIMELINE_CAP,
                turn_id,
                record,
                booked,
                BOOKINGS_KEEP_MS,
            ],
        )

    async def note_action(self, phone: str, action: str, detail: str | None = None) -> None:
        """Record what an operator did, for the timeline."""
        k = self.keys.phone_keys(phone)
        entry = {"at_ms": self.clock.now_ms(), "action": action, "detail": detail}
        pipe = self.redis.pipeline(transaction=False)
        pipe.rpush(k.actions, json.dumps(entry, ensure_ascii=False))
        pipe.ltrim(k.actions, -ACTIONS_CAP, -1)
        pipe.expire(k.actions, self.retention_s)
        await pipe.execute()

    async def recent(self, limit: int) -> list[tuple[str, int]]:
        """(phone, last save ms) of the `limit` most recently saved conversations."""
        pipe = self.redis.pipeline(transaction=False)
        for bucket in range(BUCKETS):
            pipe.zrevrange(self.keys.activity(bucket), 0, limit - 1, withscores=True)
        rows: list[list[tuple[bytes, float]]] = await pipe.execute()
        merged = heapq.merge(*rows, key=lambda item: -item[1])
        return [(as_text(phone), int(ms)) for phone, ms in list(merged)[:limit]]

    async def booked_since(self, since_ms: int) -> list[tuple[str, int]]:
        """(phone, when) of every visit the bot booked since `since_ms`."""
        pipe = self.redis.pipeline(transaction=False)
        for bucket in range(BUCKETS):
            pipe.zrangebyscore(self.keys.bookings(bucket), since_ms, "+inf", withscores=True)
        rows: list[list[tuple[bytes, float]]] = await pipe.execute()
        return [(as_text(member).split("|")[0], int(ms)) for row in rows for member, ms in row]

    async def history(self, phone: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(turn records, operator actions) of one phone, each oldest first."""
        k = self.keys.phone_keys(phone)
        pipe = self.redis.pipeline(transaction=False)
        pipe.lrange(k.timeline, 0, -1)
        pipe.lrange(k.actions, 0, -1)
        turns, actions = await pipe.execute()
        return [json.loads(t) for t in turns], [json.loads(a) for a in actions]
