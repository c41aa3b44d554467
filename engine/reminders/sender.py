"""The reminder sender: a small loop a worker process runs beside the batch worker.

It claims due reminder jobs bucket by bucket (`ReminderStore.claim`), sends the reminder
or closes its wait for an answer, and marks the outcome. A job's lease (60 s) outlives
one delivery (the messengers' timeouts are 10 s), so there is no heartbeat; a sender that
dies leaves the lease to run out and another claims the job again.

Sent once: the reminder is marked sent only after the gateway took it, so the one
duplicate possible is a reminder the gateway took just before its sender died.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Literal, Protocol

from engine.clock import Clock
from engine.due_scan import scan_due
from engine.redis_conn import REDIS_ERRORS
from engine.reminders.store import ClaimedReminder, ReminderStore
from engine.reminders.text import SalonInfo, reminder_text
from engine.reminders.timing import ReminderPolicy, answer_deadline, send_decision
from engine.visit import Visit
from states.masking import mask_phone
from states.ports import DeliveryError, Messenger

log = logging.getLogger(__name__)

Event = Literal["sent", "retry", "failed", "expired", "unanswered"]
EventHook = Callable[[Event, ClaimedReminder], Awaitable[None]]


class ReminderDelivery(Protocol):
    """Hands one reminder to WhatsApp; raises `DeliveryError` when it was not taken."""

    async def deliver(self, visit: Visit, ask: bool) -> None: ...


class TextDelivery:
    """The reminder as a text message through the messenger (venom, or the Cloud API
    inside the 24-hour window; outside it the integration sends the template instead)."""

    def __init__(self, messenger: Messenger, salon: SalonInfo, clock: Clock) -> None:
        self.messenger = messenger
        self.salon = salon
        self.clock = clock

    async def deliver(self, visit: Visit, ask: bool) -> None:
        text = reminder_text(visit, self.salon, self.clock.now(), lang=visit.language, ask=ask)
        await self.messenger.send(visit.chat, text)


class ReminderSender:
    def __init__(
        self,
        store: ReminderStore,
        delivery: ReminderDelivery,
        policy: ReminderPolicy,
        clock: Clock,
        *,
        on_event: EventHook | None = None,
        concurrency: int = 16,
        max_idle_s: float = 1.0,
        retry_after: timedelta = timedelta(minutes=1),
    ) -> None:
        self.store = store
        self.delivery = delivery
        self.policy = policy
        self.clock = clock
        self.on_event = on_event
        self.concurrency = concurrency
        self.max_idle_s = max_idle_s
        self.retry_after = retry_after
        self._running: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event, drain_timeout_s: float = 10.0) -> None:
        """Serve until `stop` is set; Redis going away is waited out, not fatal."""
        while not stop.is_set():
            try:
                next_due = await self._claim_due()
            except REDIS_ERRORS as exc:
                log.warning("reminder sender lost redis, retrying: %s", exc)
                next_due = None
            wait_s = self.max_idle_s
            if next_due is not None:
                wait_s = max(0.0, min(wait_s, (next_due - self.clock.now_ms()) / 1000))
            if len(self._running) >= self.concurrency:
                await asyncio.wait(
                    self._running, timeout=self.max_idle_s, return_when=asyncio.FIRST_COMPLETED
                )
            elif wait_s > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait_s)
        if self._running:
            await asyncio.wait(self._running, timeout=drain_timeout_s)

    async def run_once(self) -> int:
        """Claim every job due now and run them all (tests on a virtual clock)."""
        before = set(self._running)
        await self._claim_due()
        started = self._running - before
        if started:
            await asyncio.gather(*started)
        return len(started)

    async def _claim_due(self) -> float | None:
        """Claim due jobs up to capacity; when the next pass should run (None: idle)."""
        now = self.clock.now_ms()

        async def take(bucket: int, room: int) -> None:
            for member in await self.store.due_members(bucket, now, room):
                claim = await self.store.claim(member)
                if claim is not None:
                    task = asyncio.create_task(self._process(claim))
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)

        def free() -> int:
            return self.concurrency - len(self._running)

        return await scan_due(await self.store.next_due(), now, free, take)

    async def _process(self, claim: ClaimedReminder) -> None:
        try:
            await self._run_job(claim)
        except REDIS_ERRORS as exc:
            log.warning("reminder job not finished (redis): %s; its lease will run out", exc)
        except Exception:
            # A bug must not stop the loop; the lease runs out and the job is retried,
            # bounded by the store's max_attempts.
            log.exception("reminder job failed for %s", mask_phone(claim.reminder.phone))

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
        decision = send_decision(now, visit.start, self.policy)
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
        deadline = answer_deadline(now, visit.start, self.policy) if ask else None
        if not await self.store.finish(claim, "sent", deadline):
            log.warning("reminder sent after its claim was lost; another sender may repeat it")
        await self._event("sent", claim)

    async def _event(self, event: Event, claim: ClaimedReminder) -> None:
        if self.on_event is not None:
            await self.on_event(event, claim)
