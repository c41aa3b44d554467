"""The bot's own changes to visits, told to the record log and the reminders (issue 16).

Around each YClients write of a turn (`engine.recording_backend`):
- before a move, a cancellation or a confirmation, `RecordLog.expect` the record as it
  will be, so its webhooks (they may come before YClients answers us) are the bot's own,
  never told to the client as the salon's;
- after it, `RecordLog.remember` the record as it is, and the reminders follow: scheduled
  for a new booking (in the conversation's language) or a moved one, dropped for a
  cancelled one.
A record the log never saw is read from YClients first, so the expectation is exact.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine.clock import Clock
from engine.record_sync.effects import merge
from engine.record_sync.log import RecordLog
from engine.reminders.store import ReminderStore
from engine.reminders.timing import PolicySource
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
            await self.tracker.log.remember(visit)
            await self.tracker.reminders.schedule_visit(visit, await self.tracker.policy.current())

    async def changing(self, record_id: int, **change: Any) -> Visit | None:
        """The record is about to change (`start`, `deleted`, `attendance`): expect it.
        None when the record cannot be known (then its webhook is read as the salon's)."""
        known = await self._known(record_id)
        if known is None:
            return None
        target = dataclasses.replace(known, language=self.language(), **change)
        await self.tracker.log.expect(target)
        return target

    async def changed(self, target: Visit | None, **landed: Any) -> None:
        """YClients did it: the log and the reminders follow."""
        if target is None:
            return
        visit = dataclasses.replace(target, **landed)
        await self.tracker.log.remember(visit)
        if visit.deleted:
            await self.tracker.reminders.drop_visit(visit.phone, visit.record_id)
        elif "start" in landed:
            await self.tracker.reminders.schedule_visit(visit, await self.tracker.policy.current())

    async def _known(self, record_id: int) -> Visit | None:
        known = await self.tracker.log.load(record_id)
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
