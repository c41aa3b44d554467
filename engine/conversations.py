"""Conversations persisted in Redis: versioned, saved with compare-and-set, with an outbox.

A turn loads the conversation only after its worker holds the phone's claim (aiogram
#1317 loaded state before taking the lock), and saves with a version check, so a stale
writer loses instead of overwriting (LangGraph #8796 forked histories this way).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any, Literal

from redis.commands.core import AsyncScript

from engine.activity import ConversationActivity
from engine.fencing import ClaimLost, Fence
from engine.redis_conn import lua_script
from engine.redis_store import RedisStore
from states.conversation import Conversation
from states.masking import mask_phone
from states.messages import ChatId

# Redis keeps a conversation this long after its last turn; the dialogue itself goes
# back to `idle` much sooner (STATE_IDLE_TTL_S), keeping the client's name.
RETENTION_S = 180 * 24 * 3600


@dataclasses.dataclass(frozen=True)
class OutboxEntry:
    id: str  # "<batch id>:<n>": stable across retries of the batch
    chat: str
    text: str
    created_ms: int
    seq: int
    menu: dict[str, Any] | None = None  # the question's choices (`states.menus.Menu`)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)


@dataclasses.dataclass
class ConversationStore(RedisStore):
    idle_ttl_s: int
    activity: ConversationActivity = dataclasses.field(init=False)  # the console's index
    _save: AsyncScript = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.activity = ConversationActivity(self.redis, self.keys, self.clock, RETENTION_S)
        # The console's index is written by the save itself: note_activity.lua as a local
        # function of save_state.lua (one script, one round trip; the index has one text).
        note = lua_script("note_activity.lua")
        save = lua_script("save_state.lua")
        self._save = self.redis.register_script(
            f"local function note(KEYS, ARGV)\n{note}\nend\n{save}"
        )

    async def load(self, phone: str) -> Conversation:
        """The phone's conversation; a new one if never seen; `idle` again after idle TTL."""
        return self.conversation_of(phone, await self.document(phone))

    def conversation_of(self, phone: str, data: dict[str, Any] | None) -> Conversation:
        """The conversation of a stored document (`document`; None: never seen)."""
        if data is None:
            return self.fresh(phone)
        conversation = Conversation.from_dict(data)
        if self.idle_too_long(conversation.updated_at):
            conversation.reset()
        return conversation

    @staticmethod
    def fresh(phone: str) -> Conversation:
        """A phone never seen: `idle`, with the phone number when WhatsApp gave it."""
        chat = ChatId.from_key(phone)
        return Conversation(phone=phone, chat=chat.raw, client_phone=chat.phone)

    def idle_too_long(self, updated_at: str | None) -> bool:
        if not updated_at:
            return False
        age_s = self.clock.now().timestamp() - datetime.fromisoformat(updated_at).timestamp()
        return age_s > self.idle_ttl_s

    async def save(
        self, conversation: Conversation, outbox: list[OutboxEntry], fence: Fence | None = None
    ) -> bool:
        """Compare-and-set; False when another writer saved first (our turn is void).

        With the `fence` of a turn, the save also needs the turn's claim to be still held
        (checked in the same script): else ClaimLost, and nothing is written.
        """
        return await self.save_turn(conversation, outbox, fence) is not None

    async def save_turn(
        self, conversation: Conversation, outbox: list[OutboxEntry], fence: Fence | None = None
    ) -> list[OutboxEntry] | None:
        """`save`, answering with what the outbox holds after it (the replies to send, in
        order), or None when another writer saved first."""
        outcome, entries = await self._write(conversation, outbox, fence.token if fence else "")
        if outcome == -1:
            assert fence is not None
            raise ClaimLost(f"state save of {mask_phone(conversation.phone)} fenced out")
        return entries if outcome == 1 else None

    async def save_between_turns(
        self, conversation: Conversation, outbox: list[OutboxEntry]
    ) -> Literal["saved", "conflict", "turn_under_way"]:
        """A save from outside a turn (the salon changed a visit, issue 16): compare-and-set,
        and only while no turn of the phone is under way — a turn's own save must never
        lose to it; the caller tries again after the turn."""
        outcome, _ = await self._write(conversation, outbox, "*")
        if outcome == 1:
            return "saved"
        return "turn_under_way" if outcome == -2 else "conflict"

    async def _write(
        self, conversation: Conversation, outbox: list[OutboxEntry], token: str
    ) -> tuple[int, list[OutboxEntry]]:
        expected = conversation.version
        conversation.version = expected + 1
        index_keys, index_args = self.activity.index_call(conversation)
        args: list[Any] = [
            expected,
            conversation.version,
            json.dumps(conversation.to_dict(), ensure_ascii=False),
            RETENTION_S,
            token,
            len(index_args),
            *index_args,
        ]
        for entry in outbox:
            args += [entry.id, entry.to_json()]
        k = self.keys.phone_keys(conversation.phone)
        out = await self._save(keys=[k.state, k.outbox, k.claim, *index_keys], args=args)
        outcome = int(out[0])
        if outcome != 1:
            conversation.version = expected
        return outcome, self._entries(out[1][1::2])

    def fence(self, phone: str, token: str) -> Fence:
        """The fence of a turn holding `phone`'s claim with `token`."""
        return Fence(self.redis, self.keys.phone_keys(phone).claim, token, phone)

    async def document(self, phone: str) -> dict[str, Any] | None:
        """The stored JSON with its version, or None for a phone never seen."""
        version, doc = await self.redis.hmget(self.keys.phone_keys(phone).state, ["version", "doc"])
        return self.parse_document(version, doc)

    @staticmethod
    def parse_document(version: Any, doc: str | bytes | None) -> dict[str, Any] | None:
        """The document as stored in the state hash (the claim script reads it for a turn)."""
        if doc is None:
            return None
        data: dict[str, Any] = json.loads(doc)
        data["version"] = int(version or 0)
        return data

    async def reset(self, phone: str) -> None:
        """Back to `idle` (keeping the client's name), with a version bump like any save."""
        conversation = await self.load(phone)
        conversation.reset()
        conversation.updated_at = self.clock.now().isoformat()
        while not await self.save(conversation, []):
            conversation = await self.load(phone)
            conversation.reset()

    async def pending_replies(self, phone: str) -> list[OutboxEntry]:
        raw = await self.redis.hgetall(self.keys.phone_keys(phone).outbox)
        return self._entries(list(raw.values()))

    @staticmethod
    def _entries(values: list[Any]) -> list[OutboxEntry]:
        entries = [OutboxEntry(**json.loads(v)) for v in values]
        return sorted(entries, key=lambda e: (e.created_ms, e.seq))

    async def mark_sent(self, phone: str, entry: OutboxEntry) -> None:
        await self.redis.hdel(self.keys.phone_keys(phone).outbox, entry.id)
