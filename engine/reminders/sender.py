"""The reminder sender: a small loop a worker process runs beside the batch worker.

It claims due reminder jobs bucket by bucket (`ReminderStore.claim`), sends the reminder
or closes its wait for an answer, and marks the outcome. A job's lease (60 s) outlives
one delivery (the messengers' timeouts are 10 s), so there is no heartbeat; a sender that
dies leaves the lease to run out and another claims the job again.

Sent once: the reminder is marked sent only after the gateway took it, so the one
duplicate possible is a reminder the gateway took just before its sender died.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Literal

from engine.clock import Clock
from engine.leased_queue import QueueWork
from engine.redis_conn import REDIS_ERRORS
from engine.reminders.delivery import ReminderDelivery
from engine.reminders.store import ClaimedReminder, ReminderStore
from engine.reminders.timing import PolicySource, answer_deadline, send_decision
from states.masking import mask_phone
from states.ports import DeliveryError

log = logging.getLogger(__name__)

Event = Literal["sent", "retry", "failed", "expired", "unanswered"]
EventHook = Callable[[Event, ClaimedReminder], Awaitable[None]]


@dataclasses.dataclass
class ReminderSender(QueueWork[ClaimedReminder]):
    """Runs in a worker process: `run(stop)` (engine.due_scan) until stopped."""

    store: ReminderStore
    delivery: ReminderDelivery
    policy: PolicySource
    clock: Clock
    _: dataclasses.KW_ONLY
    on_event: EventHook | None = None
    concurrency: int = 16
    max_idle_s: float = 1.0
    retry_after: timedelta = timedelta(minutes=1)

    def __post_init__(self) -> None:
        super().__init__(self.store, self.clock, self.concurrency, self.max_idle_s)

    async def process(self, job: ClaimedReminder) -> None:
        try:
            await self._run_job(job)
        except REDIS_ERRORS as exc:
            log.warning("reminder job not finished (redis): %s; its lease will run out", exc)
        except Exception:
            # A bug must not stop the loop; the lease runs out and the job is retried,
            # bounded by the store's max_attempts.
            log.exception("reminder job failed for %s", mask_phone(job.reminder.phone))

    async def _run_job(self, claim: ClaimedReminder) -> None:
        visit = claim.visit
        if claim.job == "gave_up" or visit is None:
            if claim.job != "gave_up":
                await self.store.finish(claim, "failed")
            await self._event("failed", claim)
            return
        if claim.job == "expire":
            # Told first, marked after: a sender dying in between tells the admin twice
            # rather than never.
            await self._event("unanswered", claim)
            await self.store.finish(claim, "unanswered")
            return
        now = self.clock.now()
        policy = await self.policy.current()
        decision = send_decision(now, visit.start, policy)
        if decision.action == "expire":
            await self.store.finish(claim, "expired")
            await self._event("expired", claim)
            return
        if decision.action == "wait":
            await self.store.finish(claim, "retry", decision.until)
            return
        ask = not claim.visit_confirmed
        try:
            await self.delivery.deliver(visit, ask)
        except DeliveryError as error:
            log.warning("reminder to %s failed: %s", mask_phone(visit.phone), error)
            if error.retryable:
                await self.store.finish(claim, "retry", now + self.retry_after)
                await self._event("retry", claim)
            else:
                await self.store.finish(claim, "failed")
                await self._event("failed", claim)
            return
        deadline = answer_deadline(now, visit.start, policy) if ask else None
        if not await self.store.finish(claim, "sent", deadline):
            log.warning("reminder sent after its claim was lost; another sender may repeat it")
        await self._event("sent", claim)

    async def _event(self, event: Event, claim: ClaimedReminder) -> None:
        if self.on_event is not None:
            await self.on_event(event, claim)
