"""The parts of issue 16 put together: visit reminders and following the salon's own
changes in YClients. The composition root builds `RecordEvents` and `ReminderStore` for
every role (the webhook route keeps events, inspection shows reminders) and, for a worker,
`open_follow_up`: the reminder sender and the record follower, which run beside the batch
worker, and the tracker through which the dialogue's own writes reach them.
"""

from __future__ import annotations

import dataclasses
import logging

from engine.clock import Clock
from engine.conversations import ConversationStore
from engine.follow_up_config import FollowUpConfig
from engine.keys import Keys
from engine.metrics import Metrics
from engine.outbox import OutboxSender
from engine.record_sync import RecordLog, RecordSync
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
from engine.reminders.text import SalonInfo
from engine.reminders.timing import ReminderPolicy
from engine.salon_notice import SalonNotifier
from engine.visit_tracking import VisitTracker
from states.ports import Messenger
from states.record_change import RecordReader
from states.salon import SalonBackend
from states.salon_errors import SalonError

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Europe/Moscow"


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
    backend: SalonBackend,
    reader: RecordReader | None,
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
    if config.template is None and isinstance(messenger, TemplateMessenger):
        log.warning(
            "WHATSAPP_REMINDER_TEMPLATE is unset: reminders to clients who have not written "
            "for 24 hours cannot be sent through the Cloud API"
        )
    record_log = RecordLog(redis, keys, clock)
    tracker = VisitTracker(record_log, reminders, policy, clock, reader=reader)
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
        reader=reader,
        on_effect=metrics.record_event if metrics else None,
    )
    return FollowUp(reminders, events, tracker, sender, follower, policy)
