"""The bot's own changes to visits, told to the record log and the reminders (issue 16).

Around each YClients write of a turn (`engine.recording_backend`):
- before a move, a cancellation or a confirmation, `RecordLog.expect` the record as it
  will be, so its webhooks (they may come before YClients answers us) are the bot's own,
  never told to the client as the salon's;
- after it, `RecordLog.remember` the record as it is, and the reminders follow: scheduled
  for a new booking (in the conversation's language) or a moved one, dropped for a
  cancelled one.
A record the log never saw is read from YClients first, so the expectation is exact.

What follows a write is sent with the turn's state save (`writes`; issue 15: no round trips
of their own): the reminders inside the save's script, the record log (another slot) in the
same pipeline; both are idempotent. A turn that errs in Redis or loses its claim before
its save writes them alone first (`write_alone`): its retry finds a booking again by its
api_id (`find_booking`), but cannot cancel or move a record twice. A process that dies
between a write and its save leaves those to the record's own webhook (the bot's change,
known by `expect`: its reminders follow it there). A webhook of the record that comes
before them is handled as when it comes before YClients answered: the bot's booking is
known by its api_id, its other changes by `expect`, written before.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine.clock import Clock
from engine.conversations import TurnWrites
from engine.fencing import Fence
from engine.record_sync.effects import merge
from engine.record_sync.log import RecordLog
from engine.redis_conn import REDIS_ERRORS, ScriptCall, eval_calls
from engine.reminders.store import ReminderStore
from engine.reminders.timing import PolicySource, ReminderPolicy
from engine.visit import Visit
from states.record_change import RecordReader
from states.salon import BookingConfirmation, BookingRequest, SalonBackend
from states.salon_errors import SalonError

log = logging.getLogger(__name__)


@dataclasses.dataclass
class VisitTracker:
    """Long-lived: the record log, the reminders and what they need."""

    log: RecordLog
    reminders: ReminderStore
    policy: PolicySource
    clock: Clock
    reader: RecordReader | None = None

    def for_turn(self, backend: SalonBackend, language: Callable[[], str]) -> TurnVisits:
        return TurnVisits(self, backend, language)


class TurnVisits:
    """One turn's view: the salon's names for the reminder text, the client's language."""

    def __init__(
        self, tracker: VisitTracker, backend: SalonBackend, language: Callable[[], str]
    ) -> None:
        self.tracker = tracker
        self.backend = backend
        self.language = language
        # What the writes left for the turn's save: the record log's latest of each record
        # (one call per record: on a Cluster the calls go concurrently, in no order), and
        # the reminders' calls (run in order by the save's script).
        self._remembered: dict[int, Visit] = {}
        self._reminders: list[list[Any]] = []

    def writes(self, phone: str, ready: list[str | int] | None) -> TurnWrites:
        """The turn's save (of `phone`'s conversation) carries these, with the check of its
        first reply (`ready`). Its script holds only that phone's keys: the reminders of a
        visit booked under another number go beside it, on their own phone's keys."""
        log = self.tracker.log
        calls: list[ScriptCall] = [log.remember_call(v) for v in self._remembered.values()]
        own = [call for call in self._reminders if call[1] == phone]
        calls += [
            self.tracker.reminders.follow_script_call(call)
            for call in self._reminders
            if call[1] != phone
        ]
        return TurnWrites(ready=ready, reminders=own, alongside=calls)

    async def write_alone(self) -> None:
        """What the writes left, written without the save: for a turn that ends before it
        (Redis trouble, its claim lost). Best effort; the calls are idempotent, and a turn
        retried later finds only a booking again by its api_id, not a cancellation or a move
        (deleting a record twice fails), so their reminders must follow them now."""
        calls = self.writes("", None).alongside  # no save's phone: every call on its own keys
        if not calls:
            return
        try:
            answers = await eval_calls(self.tracker.log.redis, calls, return_exceptions=True)
        except REDIS_ERRORS as error:  # the turn's own error is the one to raise
            answers = [error]
        failed = [a for a in answers if isinstance(a, BaseException)]
        if failed:
            log.warning(
                "%d of a failed turn's visit writes not written: %s", len(failed), failed[0]
            )

    def _follow(self, visit: Visit, policy: ReminderPolicy | None, reminders: bool) -> None:
        """A write landed: the log learns `visit`; with `reminders`, they follow it too
        (scheduled under `policy`, or dropped when None or the visit is gone)."""
        self._remembered[visit.record_id] = visit
        if reminders:
            self._reminders.append(self.tracker.reminders.follow_call(visit, policy))

    async def booked(self, request: BookingRequest, confirmation: BookingConfirmation) -> None:
        """A booking YClients made (or found again by its api_id)."""
        try:  # cached catalogue reads; the names only word the reminder
            services = {s.id: s.title for s in await self.backend.services()}
            masters = {m.id: m.name for m in await self.backend.masters()}
        except SalonError as error:
            log.warning("catalogue unreadable for a reminder's words: %s", error)
            services, masters = {}, {}
        for booked, appointment in zip(confirmation.records, request.appointments, strict=False):
            visit = Visit(
                record_id=booked.record_id,
                phone=request.phone,
                start=datetime.fromisoformat(appointment.datetime_iso),
                staff_id=appointment.staff_id,
                master=masters.get(appointment.staff_id, ""),
                service_ids=appointment.service_ids,
                services=tuple(services.get(i, "") for i in appointment.service_ids),
                client_name=request.fullname,
                api_id=confirmation.api_id,
                language=self.language(),
            )
            self._follow(visit, await self.tracker.policy.current(), reminders=True)

    async def changing(
        self, record_id: int, *, fence: Fence | None = None, **change: Any
    ) -> Visit | None:
        """The record is about to change (`start`, `deleted`, `attendance`): expect it.
        None when the record cannot be known (then its webhook is read as the salon's).

        With the turn's `fence` (issue 15: each check rides in a round trip made anyway):
        it is checked with the log's read, before anything is announced (a fenced-out turn
        announces nothing), and again in the round trip that announces the change; a
        target returned means that check was the last Redis call before the caller's
        YClients write, as the fence must be. The announcement and the second check go
        together and both run: a turn fenced out in between leaves its expectation
        behind, as it did when the check followed the announcement."""
        known = await self._known(record_id, fence)
        if known is None:
            return None
        target = dataclasses.replace(known, language=self.language(), **change)
        if fence is None:
            await self.tracker.log.expect(target)
        else:
            announce = self.tracker.log.expect_call(target)
            _, held = await eval_calls(self.tracker.log.redis, [announce, fence.command()])
            fence.verify(held)
        return target

    async def changed(self, target: Visit | None, **landed: Any) -> None:
        """YClients did it: the log and the reminders follow."""
        if target is None:
            return
        visit = dataclasses.replace(target, **landed)
        if visit.deleted:
            self._follow(visit, None, reminders=True)
        elif "start" in landed:
            self._follow(visit, await self.tracker.policy.current(), reminders=True)
        else:
            self._follow(visit, None, reminders=False)

    async def _known(self, record_id: int, fence: Fence | None) -> Visit | None:
        """The record as the log knows it, read with the turn's fence checked (ClaimLost)."""
        record_log = self.tracker.log
        if record_id in self._remembered:  # changed earlier in this turn, not saved yet
            if fence is not None:
                await fence.check()
            return self._remembered[record_id]
        if fence is None:
            known = await record_log.load(record_id)
        else:
            held, read = await eval_calls(
                record_log.redis, [fence.command(), record_log.load_command(record_id)]
            )
            fence.verify(held)
            known = record_log.known_in(read)
        if known is not None:
            return known.visit
        if self.tracker.reader is None:
            return None
        try:
            change = await self.tracker.reader.record_change(record_id)
        except SalonError as error:  # the change itself is what the client asked for
            log.warning("record %d could not be read before changing it: %s", record_id, error)
            return None
        if change is None:
            return None
        zone = ZoneInfo((await self.backend.company()).timezone)
        visit = merge(change, None, zone)
        if visit is not None:
            await self.tracker.log.remember(visit)
        return visit
