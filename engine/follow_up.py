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
    client), read when a text is made; the last ones known when YClients does not answer."""

    def __init__(self, backend: SalonBackend, timezone: str | None) -> None:
        self.backend = backend
        self.timezone = timezone
        self._known = SalonInfo("", "", timezone or DEFAULT_TIMEZONE)
        self.read = False  # YClients answered at least once

    async def info(self) -> SalonInfo:
        try:
            company = await self.backend.company()
        except SalonError as error:
            log.warning("salon details unavailable for a reminder: %s", error)
            return self._known
        zone = self.timezone or company.timezone or DEFAULT_TIMEZONE
        self._known = SalonInfo(company.title, company.address, zone)
        self.read = True
        return self._known


class SalonPolicy:
    """The reminder policy in the salon's zone: SALON_TIMEZONE, else YClients' company zone,
    read on first use (not at start: YClients may be down then) and kept once known."""

    def __init__(self, config: FollowUpConfig, salon: CompanySalon) -> None:
        self.config = config
        self.salon = salon
        self._policy: ReminderPolicy | None = None

    def _parse(self, zone: str) -> ReminderPolicy:
        c = self.config
        return ReminderPolicy.parse(c.offsets, c.quiet, c.answer_wait, zone)

    async def current(self) -> ReminderPolicy:
        if self._policy is not None:
            return self._policy
        if self.config.timezone is not None:
            self._policy = self._parse(self.config.timezone)
            return self._policy
        zone = (await self.salon.info()).timezone
        if not self.salon.read:
            return self._parse(zone)  # for now; asked again next time
        self._policy = self._parse(zone)
        return self._policy

    async def zone(self) -> str:
        """The salon's zone (YClients sends local times without an offset at times)."""
        return (await self.current()).zone.key


@dataclasses.dataclass(frozen=True)
class FollowUp:
    reminders: ReminderStore
    events: RecordEvents
    tracker: VisitTracker
    sender: ReminderSender
    follower: RecordFollower
    policy: SalonPolicy


async def open_follow_up(
    config: FollowUpConfig,
    redis: AsyncRedis,
    keys: Keys,
    clock: Clock,
    store: ConversationStore,
    backend: SalonBackend,
    reader: RecordReader | None,
    messenger: Messenger,
    notifier: SalonNotifier,
    last_inbound_ms: LastInbound,
    metrics: Metrics | None = None,
) -> FollowUp:
    """The worker's side. Nothing is read from YClients here: the salon's details and zone
    are read when first needed."""
    salon = CompanySalon(backend, config.timezone)
    policy = SalonPolicy(config, salon)
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
    sender = ReminderSender(
        reminders, delivery, policy, clock, on_event=ReminderEvents(notifier, salon, clock, metrics)
    )
    follower = RecordFollower(
        events,
        RecordSync(record_log, DEFAULT_TIMEZONE, clock, config.notices, zone=policy.zone),
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
