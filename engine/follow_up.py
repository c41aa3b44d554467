"""The parts of issue 16 put together: visit reminders and following the salon's own
changes in YClients. The composition root builds `RecordEvents` and `ReminderStore` for
every role (the webhook route keeps events, inspection shows reminders) and, for a worker,
`open_follow_up`: the reminder sender and the record follower, which run beside the batch
worker, and the tracker through which the dialogue's own writes reach them.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Protocol

from engine.clock import Clock
from engine.conversations import ConversationStore
from engine.keys import Keys
from engine.metrics import Metrics
from engine.outbox import OutboxSender
from engine.record_sync import NoticePolicy, RecordLog, RecordSync
from engine.record_sync.events import RecordEvents
from engine.record_sync.follower import RecordFollower
from engine.redis_conn import AsyncRedis
from engine.reminders.delivery import (
    CloudDelivery,
    LastInbound,
    ReminderDelivery,
    TemplateMessenger,
    TextDelivery,
)
from engine.reminders.events import ReminderEvents
from engine.reminders.sender import ReminderSender
from engine.reminders.store import ReminderStore
from engine.reminders.text import SalonInfo, TemplateSpec
from engine.reminders.timing import ReminderPolicy
from engine.salon_notice import SalonNotifier
from engine.visit_tracking import VisitTracker
from states.ports import Messenger
from states.record_change import RecordReader
from states.salon import SalonBackend
from states.salon_errors import SalonError

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Europe/Moscow"


@dataclasses.dataclass(frozen=True)
class FollowUpConfig:
    """What the settings say (REMINDER_*, WHATSAPP_REMINDER_TEMPLATE, ADMIN_CHAT,
    SALON_CHANGE_NOTICES); the salon's zone is SALON_TIMEZONE, else YClients'."""

    offsets: str = "24h,2h"
    quiet: str = "22:00-09:00"
    answer_wait: str = "3h"
    template: TemplateSpec | None = None
    admin_chat: str | None = None
    notices: NoticePolicy = dataclasses.field(default_factory=NoticePolicy)
    timezone: str | None = None


class SalonReader(SalonBackend, RecordReader, Protocol):
    """The YClients backend: the dialogue's calls, and reading one record."""


class CompanySalon:
    """The salon's name, address and zone from YClients (`GET /company`, cached by the
    client); the last ones known when YClients does not answer."""

    def __init__(self, backend: SalonBackend, timezone: str | None) -> None:
        self.backend = backend
        self.timezone = timezone
        self._known = SalonInfo("", "", timezone or DEFAULT_TIMEZONE)

    async def info(self) -> SalonInfo:
        try:
            company = await self.backend.company()
        except SalonError as error:
            log.warning("salon details unavailable for a reminder: %s", error)
            return self._known
        zone = self.timezone or company.timezone or DEFAULT_TIMEZONE
        self._known = SalonInfo(company.title, company.address, zone)
        return self._known


@dataclasses.dataclass(frozen=True)
class FollowUp:
    reminders: ReminderStore
    events: RecordEvents
    tracker: VisitTracker
    sender: ReminderSender
    follower: RecordFollower
    policy: ReminderPolicy


async def open_follow_up(
    config: FollowUpConfig,
    redis: AsyncRedis,
    keys: Keys,
    clock: Clock,
    store: ConversationStore,
    backend: SalonReader,
    messenger: Messenger,
    last_inbound_ms: LastInbound,
    metrics: Metrics | None = None,
) -> FollowUp:
    """The worker's side. The salon's zone is read once here (quiet hours are local)."""
    salon = CompanySalon(backend, config.timezone)
    zone = (await salon.info()).timezone
    policy = ReminderPolicy.parse(config.offsets, config.quiet, config.answer_wait, zone)
    reminders = ReminderStore(redis, keys, clock)
    events = RecordEvents(redis, keys, clock)
    record_log = RecordLog(redis, keys, clock)
    tracker = VisitTracker(record_log, reminders, policy, clock, reader=backend)
    delivery: ReminderDelivery = TextDelivery(messenger, salon, clock)
    if isinstance(messenger, TemplateMessenger):  # the Cloud API: the 24-hour window
        delivery = CloudDelivery(messenger, salon, clock, last_inbound_ms, config.template)
    notifier = SalonNotifier(messenger, config.admin_chat)
    sender = ReminderSender(
        reminders, delivery, policy, clock, on_event=ReminderEvents(notifier, salon, clock, metrics)
    )
    follower = RecordFollower(
        events,
        RecordSync(record_log, zone, clock, config.notices),
        reminders,
        policy,
        store,
        OutboxSender(store, messenger, metrics),
        salon,
        clock,
        reader=backend,
        on_effect=metrics.record_event if metrics else None,
    )
    return FollowUp(reminders, events, tracker, sender, follower, policy)
