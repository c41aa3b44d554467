"""The operator console's data (`states.console.ConsoleData`) over what Redis holds today.

Lists read every bucket with one pipeline per kind of key (a Cluster client splits it per
node, as `Batcher.stats` does). Who has a chat — the bot, or a person until when, and who
waits for one — comes from the pause store (`engine.pauses`, issue 17); pausing, handing
back and writing as the salon go through the takeover (`engine.takeover`), like the admin
API's and the CLI's.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.batcher import Batcher
from engine.console_health import read_health
from engine.console_rows import Hands, conversation_row, read_rows
from engine.console_views import iso, moment, per_day, shown_in, timeline_of
from engine.conversations import ConversationStore
from engine.dead_letters import DeadLetters, shown_message
from engine.echoes import SentTexts
from engine.health import RedisHealth
from engine.pauses import DEFAULT_PAUSE_S, PauseStore
from engine.redis_conn import storage
from engine.reminders import ReminderStore
from engine.takeover import Takeovers
from states.console import (
    ConversationDetail,
    ConversationRow,
    DayCount,
    DeadLetter,
    HandoffItem,
    HealthView,
    ListView,
    NotAvailableYet,
    ReminderView,
)

SCAN = 500  # conversations read to build one list page (the newest first)


class EngineConsoleData:
    def __init__(
        self,
        store: ConversationStore,
        batcher: Batcher,
        timezone: str,
        letters: DeadLetters | None = None,
        takeover: Takeovers | None = None,
    ) -> None:
        self.store = store
        self.batcher = batcher
        self.redis, self.keys, self.clock = batcher.redis, batcher.keys, batcher.clock
        self.activity = store.activity
        self.letters = letters or DeadLetters(self.redis, self.keys, self.clock)
        self.probe = RedisHealth(self.redis, batcher)
        self.reminder_store = ReminderStore(self.redis, self.keys, self.clock)
        self._timezone = timezone
        self.zone = ZoneInfo(timezone)
        # Without the product's takeover (tests of other parts): pauses with the default
        # length, and nothing to write to a client with.
        self.takeover = takeover or Takeovers(
            PauseStore(self.redis, self.keys, self.clock, DEFAULT_PAUSE_S),
            SentTexts(self.redis, self.keys),
            self.activity,
        )
        self.pauses = self.takeover.pauses

    async def _hands(self) -> Hands:
        paused = await self.pauses.paused_phones()
        waiting = {w.phone: w.reason for w in await self.pauses.waiting()}
        return Hands(paused, waiting)

    @property
    def timezone(self) -> str:
        return self._timezone

    def _day_start_ms(self, days_ago: int = 0) -> int:
        today = self.clock.now().astimezone(self.zone).date() - timedelta(days=days_ago)
        midnight = datetime(today.year, today.month, today.day, tzinfo=self.zone)
        return int(midnight.timestamp()) * 1000

    async def conversations(self, view: ListView, limit: int) -> list[ConversationRow]:
        with storage():
            recent = dict(await self.activity.recent(SCAN))
            booked: dict[str, int] = {}
            for phone, ms in await self.activity.booked_since(self._day_start_ms(30)):
                booked[phone] = max(ms, booked.get(phone, 0))
                recent.setdefault(phone, ms)
            failed: dict[str, int] = {}
            for letter in await self.letters.list(SCAN):
                failed[letter.phone] = failed.get(letter.phone, 0) + 1
                # A phone whose first batch failed has no saved conversation, but is listed.
                recent.setdefault(letter.phone, int(letter.failed_at.timestamp() * 1000))
            hands = await self._hands()
            for phone in hands.waiting:  # a chat waiting for a person is always listed
                recent.setdefault(phone, self.clock.now_ms())
            rows = await read_rows(self.store, recent, booked, failed, hands)
        today = moment(self._day_start_ms())
        rows = [row for row in rows if shown_in(view, row, today)]
        rows.sort(key=lambda row: row.last_activity, reverse=True)
        return rows[:limit]

    async def conversation(self, phone: str) -> ConversationDetail | None:
        with storage():
            document = await self.store.document(phone)
            k = self.keys.phone_keys(phone)
            pipe = self.redis.pipeline(transaction=False)
            pipe.lrange(k.inflight, 0, -1)
            pipe.lrange(k.pending, 0, -1)
            inflight, pending = await pipe.execute()
            known = document is not None or bool(inflight or pending)
            document = document or self.store.fresh(phone).to_dict()
            turns, actions = await self.activity.history(phone)
            active = await self.redis.zscore(self.keys.activity(k.bucket), phone)
            failed = sum(1 for letter in await self.letters.list(SCAN) if letter.phone == phone)
            booked = dict(await self.activity.booked_since(self._day_start_ms(30)))
            pause = await self.pauses.state(phone)
        now = self.clock.now_ms()
        hands = Hands(
            {phone: pause.until_ms} if pause.paused(now) else {},
            {phone: pause.waiting} if pause.paused(now) and pause.waiting else {},
        )
        if not known and not hands.paused:
            return None  # never seen (a chat paused before its first message is shown)
        updated = iso(document.get("updated_at"))
        active_ms = active or (updated.timestamp() * 1000 if updated else self.clock.now_ms())
        failing = {phone: failed} if failed else {}
        row = conversation_row(
            self.store, phone, document, int(active_ms), len(pending), booked, failing, hands
        )
        # Conversations saved before the timeline existed still show their last turns.
        timeline = timeline_of(turns or document.get("turns") or [], actions)
        return ConversationDetail(
            row=row,
            slots=document.get("slots") or {},
            slot_sources=document.get("slot_sources") or {},
            offered=document.get("offered") or [],
            chosen=document.get("chosen"),
            language=document.get("language", "ru"),
            timeline=timeline,
            waiting=[shown_message(m) for m in [*inflight, *pending]],
        )

    async def reset(self, phone: str) -> None:
        with storage():
            await self.store.reset(phone)
            await self.activity.note_action(phone, "reset")

    async def pause(self, phone: str, for_s: int | None) -> datetime:
        with storage():
            return await self.takeover.pause(phone, for_s)

    async def resume(self, phone: str) -> None:
        with storage():
            await self.takeover.resume(phone)

    async def send_as_salon(self, phone: str, text: str) -> None:
        """DeliveryError when the messenger did not take it (the console says so)."""
        if self.takeover.messenger is None:
            raise NotAvailableYet("send", 17)
        with storage():
            document = await self.store.document(phone)
            chat = str(document["chat"]) if document and document.get("chat") else None
            await self.takeover.send_as_salon(phone, chat, text)

    async def handoffs(self) -> list[HandoffItem]:
        with storage():
            waiting = await self.pauses.waiting()
            pipe = self.redis.pipeline(transaction=False)
            for item in waiting:
                pipe.hget(self.keys.phone_keys(item.phone).state, "doc")
            docs = await pipe.execute()
        return [
            HandoffItem(
                phone=item.phone,
                client_name=json.loads(doc).get("client_name") if doc else None,
                reason=item.reason,
                since=moment(item.since_ms),
            )
            for item, doc in zip(waiting, docs, strict=True)
        ]

    async def reminders(self, phone: str) -> list[ReminderView]:
        with storage():
            stored = await self.reminder_store.reminders_of(phone)
        return [ReminderView(moment(r.at_ms), r.kind, r.shown_status) for r in stored]

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        with storage():
            return await self.letters.list(limit)

    async def requeue(self, letter_id: str) -> bool:
        with storage():
            phone = await self.letters.requeue(letter_id)
            if phone is not None:
                await self.activity.note_action(phone, "requeue", letter_id)
        return phone is not None

    async def health(self) -> HealthView:
        return await read_health(self.batcher, self.probe)

    async def daily_counts(self, days: int) -> list[DayCount]:
        """Visits the bot booked, and chats a person took (every pause that began: the
        dialogue's hand-offs, the salon answering itself, an operator's pause)."""
        since = self._day_start_ms(days - 1)
        with storage():
            booked = await self.activity.booked_since(since)
            taken = await self.pauses.started_since(since)
        first = self.clock.now().astimezone(self.zone).date() - timedelta(days=days - 1)
        bookings = per_day(self.zone, first, days, (ms for _, ms in booked))
        handoffs = per_day(self.zone, first, days, (ms for _, ms, _ in taken))
        return [DayCount(day, n, handoffs[day]) for day, n in bookings.items()]
