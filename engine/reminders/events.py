"""What a reminder's events lead to outside the store: the metric of each, and for one
nobody answered, a message to the salon's admin chat (`ADMIN_CHAT`, issue 16).

The admin chat is the salon's own: the message names the client with their phone number,
so the administrator can call (logs never show it in clear).
"""

from __future__ import annotations

import dataclasses
import logging

from engine.clock import Clock
from engine.metrics import Metrics
from engine.reminders.sender import Event
from engine.reminders.store import ClaimedReminder
from engine.reminders.text import SalonInfo, SalonSource, visit_words
from engine.salon_notice import SalonNotifier
from engine.visit import Visit
from states.masking import mask_phone

log = logging.getLogger(__name__)


def unanswered_notice(visit: Visit, salon: SalonInfo, clock: Clock) -> str:
    """For the administrator, in Russian (the salon's language)."""
    w = visit_words(visit, salon, clock.now(), "ru")
    who = f"{visit.client_name} (+{visit.phone})" if visit.client_name else f"+{visit.phone}"
    return (
        f"Клиент {who} не ответил на напоминание о визите {w.date} в {w.time} — "
        f"{w.services}, мастер: {w.master}. Возможно, стоит позвонить и уточнить, придёт ли он."
    )


@dataclasses.dataclass
class ReminderEvents:
    """The sender's `on_event` hook."""

    notifier: SalonNotifier
    salon: SalonSource
    clock: Clock
    metrics: Metrics | None = None

    async def __call__(self, event: Event, claim: ClaimedReminder) -> None:
        if self.metrics is not None:
            self.metrics.reminders.labels(event).inc()
        if event != "unanswered" or claim.visit is None:
            return
        salon = await self.salon.info()
        outcome = await self.notifier.notify(unanswered_notice(claim.visit, salon, self.clock))
        if self.metrics is not None:
            self.metrics.admin_notices.labels("reminder_unanswered", outcome.value).inc()
        if not outcome.done:
            log.warning(
                "the salon was not told of %s's unanswered reminder", mask_phone(claim.visit.phone)
            )
