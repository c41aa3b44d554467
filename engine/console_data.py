"""The operator console's data (`states.console.ConsoleData`) over what Redis holds today.

Lists read every bucket with one pipeline per kind of key (a Cluster client splits it per
node, as `Batcher.stats` does). Operations the takeover (issue 17) brings raise
`NotAvailableYet` until they exist.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from engine.batcher import Batcher
from engine.console_views import (
    handoff_reason,
    iso,
    moment,
    shown_in,
    timeline_of,
    turn_failed,
)
from engine.conversations import ConversationStore
from engine.dead_letters import DeadLetters, shown_message
from engine.health import WORKER_SILENCE_MS, WORKERS_KEPT_MS, RedisHealth
from engine.redis_conn import REDIS_ERRORS, storage
from engine.reminders import ReminderStore
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
    WorkerSeen,
)
from states.ports import StorageUnavailable

SCAN = 500  # conversations read to build one list page (the newest first)


class EngineConsoleData:
    def __init__(
        self,
        store: ConversationStore,
        batcher: Batcher,
        timezone: str,
        letters: DeadLetters | None = None,
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
            rows = await self._rows(recent, booked, failed)
        today = moment(self._day_start_ms())
        rows = [row for row in rows if shown_in(view, row, today)]
        rows.sort(key=lambda row: row.last_activity, reverse=True)
        return rows[:limit]

    async def _rows(
        self, recent: dict[str, int], booked: dict[str, int], failed: dict[str, int]
    ) -> list[ConversationRow]:
        phones = list(recent)
        pipe = self.redis.pipeline(transaction=False)
        for phone in phones:
            k = self.keys.phone_keys(phone)
            pipe.hget(k.state, "doc")
            pipe.llen(k.pending)
        raw: list[Any] = await pipe.execute()
        rows = []
        for i, phone in enumerate(phones):
            if raw[2 * i] is None and phone not in failed:
                continue  # expired with its retention
            document: dict[str, Any] = (
                json.loads(raw[2 * i]) if raw[2 * i] else self.store.fresh(phone).to_dict()
            )
            rows.append(
                self._row(phone, document, recent[phone], int(raw[2 * i + 1]), booked, failed)
            )
        return rows

    def _row(
        self,
        phone: str,
        document: dict[str, Any],
        active_ms: int,
        pending: int,
        booked: dict[str, int],
        failed: dict[str, int],
    ) -> ConversationRow:
        paused_until = iso(document.get("paused_until"))
        if paused_until is not None and paused_until <= self.clock.now():
            paused_until = None
        state = document.get("state", "idle")
        if self.store.idle_too_long(document.get("updated_at")):
            state = "idle"  # what the next turn will see (the store's expiry)
        return ConversationRow(
            phone=phone,
            client_name=document.get("client_name"),
            state=state,
            awaiting=document.get("awaiting") or document.get("expecting"),
            last_activity=moment(active_ms),
            pending_messages=pending,
            paused_until=paused_until,
            handoff_reason=handoff_reason(document),
            failed_batches=failed.get(phone, 0),
            turn_failed=turn_failed(document.get("turns") or []),
            booking=document.get("booking"),
            booked_at=moment(booked[phone]) if phone in booked else None,
        )

    async def conversation(self, phone: str) -> ConversationDetail | None:
        with storage():
            document = await self.store.document(phone)
            k = self.keys.phone_keys(phone)
            pipe = self.redis.pipeline(transaction=False)
            pipe.lrange(k.inflight, 0, -1)
            pipe.lrange(k.pending, 0, -1)
            inflight, pending = await pipe.execute()
            if document is None and not (inflight or pending):
                return None
            document = document or self.store.fresh(phone).to_dict()
            turns, actions = await self.activity.history(phone)
            active = await self.redis.zscore(self.keys.activity(k.bucket), phone)
            failed = sum(1 for letter in await self.letters.list(SCAN) if letter.phone == phone)
            booked = dict(await self.activity.booked_since(self._day_start_ms(30)))
        updated = iso(document.get("updated_at"))
        active_ms = active or (updated.timestamp() * 1000 if updated else self.clock.now_ms())
        row = self._row(
            phone, document, int(active_ms), len(pending), booked, {phone: failed} if failed else {}
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
        raise NotAvailableYet("pause", 17)

    async def resume(self, phone: str) -> None:
        raise NotAvailableYet("resume", 17)

    async def send_as_salon(self, phone: str, text: str) -> None:
        raise NotAvailableYet("send", 17)

    async def handoffs(self) -> list[HandoffItem]:
        raise NotAvailableYet("handoffs", 17)

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
        started = time.perf_counter()
        try:
            await self.redis.ping()
            ping_ms = (time.perf_counter() - started) * 1000
            now = self.clock.now_ms()
            seen = cast(
                list[tuple[bytes, float]],
                await self.redis.zrangebyscore(
                    self.keys.workers, now - WORKERS_KEPT_MS, "+inf", withscores=True
                ),
            )
            stats = await self.batcher.stats()
            degraded = await self.probe.degraded()
        except (*REDIS_ERRORS, StorageUnavailable) as error:
            return HealthView(False, None, [], 0, 0, 0, 0, 0, [f"redis: {error}"])
        workers = [
            WorkerSeen(
                id=member.decode(),
                seconds_ago=max(0.0, (now - ms) / 1000),
                alive=now - ms <= WORKER_SILENCE_MS,
            )
            for member, ms in sorted(seen, key=lambda item: -item[1])
        ]
        return HealthView(
            redis_ok=True,
            redis_ms=round(ping_ms, 1),
            workers=workers,
            pending_batches=stats.pending_batches,
            pending_messages=stats.pending_messages,
            oldest_pending_age_ms=stats.oldest_pending_age_ms,
            processed_batches=stats.processed_batches,
            failed_batches=stats.failed_batches,
            degraded=degraded,
        )

    async def daily_counts(self, days: int) -> list[DayCount]:
        with storage():
            booked = await self.activity.booked_since(self._day_start_ms(days - 1))
        first = self.clock.now().astimezone(self.zone).date() - timedelta(days=days - 1)
        counts = dict.fromkeys((first + timedelta(days=n) for n in range(days)), 0)
        for _, ms in booked:
            day = moment(ms).astimezone(self.zone).date()
            if day in counts:
                counts[day] += 1
        return [DayCount(day, n, None) for day, n in counts.items()]
