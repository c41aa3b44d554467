"""Conversations persisted in Redis: versioned, saved with compare-and-set, with an outbox.

A turn loads the conversation only after its worker holds the phone's claim (aiogram
#1317 loaded state before taking the lock), and saves with a version check, so a stale
writer loses instead of overwriting (LangGraph #8796 forked histories this way).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from redis.commands.core import AsyncScript

from engine.activity import ConversationActivity
from engine.fencing import ClaimLost, Fence
from engine.redis_conn import ScriptCall, eval_calls, lua_with_functions
from engine.redis_store import RedisStore
from states.conversation import Conversation
from states.masking import mask_phone
from states.messages import ChatId

log = logging.getLogger(__name__)

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


@dataclasses.dataclass(frozen=True)
class TurnWrites:
    """What a turn's save carries besides the conversation and its outbox, so that a turn
    costs one round trip there however much it did (issue 15)."""

    # outbox_ready.lua's ARGV for the turn's first reply (`OutboxSender.ready_args`).
    ready: Sequence[str | int] | None = None
    # Reminder calls of the visits the turn's YClients writes changed: [name, *ARGV], name
    # "schedule" or "drop" (`ReminderStore.follow_call`); run by the save's script.
    reminders: Sequence[Sequence[Any]] = ()
    # Calls on keys of other slots (the record log's, `RecordLog.remember_call`), sent in
    # the save's round trip.
    alongside: Sequence[ScriptCall] = ()


@dataclasses.dataclass(frozen=True)
class SavedTurn:
    entries: list[OutboxEntry]  # the outbox after the save: the replies to send, in order
    ready: int | None  # outbox_ready.lua's answer for the first reply (None: not asked)


@dataclasses.dataclass
class ConversationStore(RedisStore):
    idle_ttl_s: int
    activity: ConversationActivity = dataclasses.field(init=False)  # the console's index
    _save: AsyncScript = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.activity = ConversationActivity(self.redis, self.keys, self.clock, RETENTION_S)
        # The console's index, a turn's reminders and its first reply's check are written
        # by the save itself: their scripts as local functions of save_state.lua (one
        # script, one round trip; each keeps one text).
        functions = {
            "note": "note_activity.lua",
            "schedule": "reminder_schedule.lua",
            "drop": "reminder_drop.lua",
            "ready_check": "outbox_ready.lua",
        }
        self._save = self.redis.register_script(lua_with_functions("save_state.lua", functions))

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
        self,
        conversation: Conversation,
        outbox: list[OutboxEntry],
        fence: Fence | None = None,
        writes: TurnWrites | None = None,
    ) -> SavedTurn | None:
        """`save` with the turn's other `writes`, answering with what the outbox holds after
        it, or None when another writer saved first."""
        token = fence.token if fence else ""
        outcome, saved = await self._write(conversation, outbox, token, writes or TurnWrites())
        if outcome == -1:
            assert fence is not None
            raise ClaimLost(f"state save of {mask_phone(conversation.phone)} fenced out")
        return saved if outcome == 1 else None

    async def save_between_turns(
        self, conversation: Conversation, outbox: list[OutboxEntry]
    ) -> Literal["saved", "conflict", "turn_under_way"]:
        """A save from outside a turn (the salon changed a visit, issue 16): compare-and-set,
        and only while no turn of the phone is under way — a turn's own save must never
        lose to it; the caller tries again after the turn."""
        outcome, _ = await self._write(conversation, outbox, "*", TurnWrites())
        if outcome == 1:
            return "saved"
        return "turn_under_way" if outcome == -2 else "conflict"

    async def _write(
        self, conversation: Conversation, outbox: list[OutboxEntry], token: str, w: TurnWrites
    ) -> tuple[int, SavedTurn]:
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
            _json_strings(w.reminders) if w.reminders else "",
            json.dumps([str(a) for a in w.ready]) if w.ready is not None else "",
        ]
        for entry in outbox:
            args += [entry.id, entry.to_json()]
        k = self.keys.phone_keys(conversation.phone)
        keys = [k.state, k.outbox, k.claim, *index_keys, k.takeover, k.sent]
        keys += [k.reminders, k.reminders_due]
        # The save first, then the calls on other slots (the record log): one pipeline on
        # one server, concurrent requests on a Cluster. Both orders are safe; those calls
        # are idempotent and do not depend on the save's outcome (see `TurnWrites`).
        answers = await eval_calls(
            self.redis, [(self._save, keys, args), *w.alongside], return_exceptions=True
        )
        out = answers[0]
        if isinstance(out, BaseException):
            raise out
        for answer in answers[1:]:
            if isinstance(answer, BaseException):  # the record's webhook teaches the log too
                log.warning("a turn's record log write failed: %s", answer)
        if int(out[3]):
            phone = mask_phone(conversation.phone)
            log.warning("%d reminder update(s) of %s failed", int(out[3]), phone)
        outcome = int(out[0])
        if outcome != 1:
            conversation.version = expected
        ready = int(out[2]) if outcome == 1 and out[2] not in ("", b"") else None
        return outcome, SavedTurn(self._entries(out[1][1::2]), ready)

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


def _json_strings(calls: Sequence[Sequence[Any]]) -> str:
    """Script calls as one JSON argument, every value a string as Redis passes ARGV."""
    return json.dumps([[str(a) for a in call] for call in calls], ensure_ascii=False)
