"""Applying the salon's own changes to visits (issue 16), in a worker: a record webhook
event stored by the route (`engine/record_sync/events.py`) is claimed with a lease and
applied, and only then dropped.

Applying an event:
1. `RecordSync.handle` decides its effect once (duplicates of one change have none); a
   partial event about a record never seen, or one whose date cannot say whether it is
   older than what we know, is replaced by the record as YClients has it now;
2. the visit's reminders follow (scheduled anew when it moved, dropped when it is gone);
3. the phone's conversation follows (its `booking`), and the client's notice, when the
   salon moved or cancelled the visit, goes into the phone's outbox in the same save —
   a save that waits while a turn of the phone is under way, so it never undoes a turn;
4. the notice is sent, then the event dropped.
Every step is idempotent, so a follower killed anywhere leaves the event to be claimed
again and applied the same way: the one duplicate possible is a notice the gateway took
just before the follower died, as for replies.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from engine.clock import Clock
from engine.conversations import ConversationStore, OutboxEntry
from engine.leased_queue import QueueWork
from engine.outbox import OutboxSender, RepliesNotDelivered
from engine.record_sync.effects import RecordEffect
from engine.record_sync.events import RecordEvent, RecordEvents
from engine.record_sync.notices import visit_notice
from engine.record_sync.sync import RecordSync, RecordSyncConflict
from engine.redis_conn import REDIS_ERRORS
from engine.reminders.store import ReminderStore
from engine.reminders.text import SalonSource
from engine.reminders.timing import PolicySource
from engine.visit import Visit
from states.masking import mask_phone
from states.record_change import RecordChange, RecordReader
from states.record_follow import follow_visit, note_followed
from states.salon_errors import SalonError

log = logging.getLogger(__name__)

TURN_WAIT_MS = 2000  # a turn of the phone is under way: try again this soon
SAVE_TRIES = 5
EffectHook = Callable[[str, str], None]  # (webhook status, what it did)


class TurnUnderWay(Exception):
    """The phone's conversation is in a turn; the event waits for the turn to end."""


def _in(visit: Visit | None, language: str) -> Visit | None:
    return None if visit is None else dataclasses.replace(visit, language=language)


def effect_label(effect: RecordEffect) -> str:
    """What an event did, for the metric: duplicates are counted apart."""
    if effect.duplicate:
        return "duplicate"
    return f"{effect.kind}_own" if effect.own and effect.kind != "none" else effect.kind


@dataclasses.dataclass
class RecordFollower(QueueWork[RecordEvent]):
    events: RecordEvents
    sync: RecordSync
    reminders: ReminderStore
    policy: PolicySource
    store: ConversationStore
    outbox: OutboxSender
    salon: SalonSource
    clock: Clock
    _: dataclasses.KW_ONLY
    reader: RecordReader | None = None
    on_effect: EffectHook | None = None
    concurrency: int = 8
    max_idle_s: float = 1.0

    def __post_init__(self) -> None:
        super().__init__(self.events, self.clock, self.concurrency, self.max_idle_s)

    async def process(self, job: RecordEvent) -> None:
        if job.job == "gave_up":
            log.error("record event %s given up after %d attempts", job.id, job.attempts - 1)
            self._count(job, "failed")
            return
        retry_ms = self.clock.now_ms() + min(60_000, 1000 * 2**job.attempts)
        try:
            await self.apply(job)
        except TurnUnderWay:
            await self.events.finish(job, "later", self.clock.now_ms() + TURN_WAIT_MS)
            return
        except REDIS_ERRORS as exc:
            log.warning("record event %s not applied (redis): %s; retried later", job.id, exc)
            return  # its lease runs out
        except (SalonError, RecordSyncConflict, RepliesNotDelivered) as exc:
            log.warning("record event %s not applied: %s; retried later", job.id, exc)
            await self.events.finish(job, "retry", retry_ms)
            return
        except Exception:
            log.exception("record event %s failed; retried later", job.id)
            await self.events.finish(job, "retry", retry_ms)
            return
        if not await self.events.finish(job, "done"):
            log.warning("record event %s applied after its claim was lost", job.id)

    async def apply(self, job: RecordEvent) -> None:
        """Apply one event (idempotent: run again after a crash, it does the same)."""
        effect = await self.sync.handle(job.change, job.id)
        if effect.kind in ("incomplete", "unordered"):
            read = await self._read(job)
            if read is None and effect.kind == "incomplete":  # never seen, and gone
                self._count(job, "gone")
                return
            # A record we know that YClients no longer has was deleted.
            gone = RecordChange(status="delete", record_id=job.change.record_id, read=True)
            effect = await self.sync.handle(read or gone, job.id)
        self._count(job, effect_label(effect))
        phone = effect.phone
        if phone is None or effect.kind in ("none", "stale", "incomplete", "unordered"):
            return
        document = await self.store.document(phone)
        language = str(document.get("language") or "ru") if document else "ru"
        # The client's language is the conversation's (a record first seen has none).
        effect = dataclasses.replace(
            effect,
            visit=_in(effect.visit, language),
            previous=_in(effect.previous, language),
        )
        await self._follow_reminders(effect, phone, effect.visit)
        await self._follow_conversation(job, effect, phone, known=document is not None)

    async def _read(self, job: RecordEvent) -> RecordChange | None:
        """The record as YClients has it now; without a reader, the event taken as it is
        (its order then trusted)."""
        if self.reader is None:
            return dataclasses.replace(job.change, read=True)
        return await self.reader.record_change(job.change.record_id)

    async def _follow_reminders(
        self, effect: RecordEffect, phone: str, visit: Visit | None
    ) -> None:
        if effect.kind == "cancelled" or visit is None or visit.deleted:
            await self.reminders.drop_visit(phone, effect.record_id)
            return
        if effect.kind in ("created", "moved"):
            await self.reminders.schedule_visit(visit, await self.policy.current())
        elif effect.kind == "confirmed" and not effect.own:
            # Confirmed by phone or at the desk: a question still open is answered.
            await self.reminders.answer(phone, effect.record_id, "confirmed")

    async def _follow_conversation(
        self, job: RecordEvent, effect: RecordEffect, phone: str, known: bool
    ) -> None:
        salon = await self.salon.info()
        visit = effect.visit
        notice = visit_notice(effect, salon, self.clock.now())
        if not known and notice is None:
            return  # a phone that never wrote: only its reminders follow
        zone = ZoneInfo(salon.timezone)
        booking = None if visit is None or visit.deleted else visit.as_booking(zone)
        for _ in range(SAVE_TRIES):
            c = await self.store.load(phone)
            if job.id in c.followed:
                break  # applied before a crash: what is left is sending the notice
            now = self.clock.now()
            changed = follow_visit(
                c, effect.record_id, booking, now, created=effect.kind == "created"
            )
            if not changed and notice is None:
                return
            note_followed(c, job.id)
            c.add_turn(self._trace(job, effect, notice))
            outbox = []
            if notice is not None:
                entry_id = f"rec:{job.id}:0"
                outbox.append(OutboxEntry(entry_id, c.chat, notice, self.clock.now_ms(), 0))
            saved = await self.store.save_between_turns(c, outbox)
            if saved == "turn_under_way":
                raise TurnUnderWay(mask_phone(phone))
            if saved == "saved":
                break
        else:
            raise RecordSyncConflict(f"conversation of {mask_phone(phone)} kept changing")
        await self.outbox.deliver(phone, only=f"rec:{job.id}:")

    def _trace(
        self, job: RecordEvent, effect: RecordEffect, notice: str | None
    ) -> dict[str, object]:
        """The change as a line of the conversation's timeline (console, inspection)."""
        visit = effect.visit or effect.previous
        return {
            "at": self.clock.now().isoformat(),
            "batch_id": f"rec:{job.id}",
            "attempt": job.attempts,
            "batch": [],
            "salon_change": {
                "kind": effect.kind,
                "record_id": effect.record_id,
                "datetime": visit.start.isoformat() if visit else None,
                "own": effect.own,
            },
            "llm_fill": {},
            "guards": [],
            "yclients": [],
            "replies": [notice] if notice else [],
        }

    def _count(self, job: RecordEvent, what: str) -> None:
        if self.on_effect is not None:
            self.on_effect(job.change.status, what)
