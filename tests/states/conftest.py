"""The dialogue without Redis: the real YClients client and sandbox over HTTP, fills given
directly (handlers are functions of the conversation, the salon view and the fill).

The sandbox's clock is frozen on Wednesday 2025-07-23 15:00 Moscow time: tomorrow is
Thursday 2025-07-24 (Бари 10–21 with a break 14–15, Артём 10–20 busy 18–19).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.yclients import RateLimiter, RetryPolicy, YClientsBackend, build_backend
from adapters.yclients.sandbox import RunningSandbox, SandboxSalon, running_sandbox
from adapters.yclients.sandbox.fixture import DEMO_FAQ
from engine.settings import read_salon_faq
from states.conversation import Conversation
from states.dialogue import play
from states.faq import SalonFaq
from states.handlers_reminder import ReminderAsk, take_reminder
from states.machine import machine_state
from states.salon_view import SalonView
from states.slot_fill import Intent, MasterChoice, SlotFill
from states.turn_context import Turn

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 7, 23, 15, 0, tzinfo=MOSCOW)
TOMORROW = "2025-07-24"
HAIRCUT = "Мужская стрижка"
NEWCOMER = "79990001122"
PAVEL = "79035556677"  # a visit with Артём in two days at 19:00
BOOK_435 = {
    "endpoint": "book_record",
    "status": 422,
    "json": {"errors": {"code": 435, "id": 1, "message": "Не указано имя"}},
}


def fill(intent: Intent, **values: Any) -> SlotFill:
    return SlotFill(intent=intent, **values)


def haircut(**values: Any) -> SlotFill:
    return fill(Intent.BOOK, services=[HAIRCUT], service_phrases=["стрижку"], **values)


BARI = {"master_choice": MasterChoice.NAMED, "master": "Бари"}


@dataclasses.dataclass
class World:
    sandbox: RunningSandbox
    backend: YClientsBackend
    faq: SalonFaq
    now: datetime = NOW
    _batches: itertools.count[int] = dataclasses.field(default_factory=itertools.count)

    @property
    def salon(self) -> SandboxSalon:
        return self.sandbox.salon

    async def turn(self, c: Conversation) -> Turn:
        view = await SalonView.load(self.backend, self.faq)
        return Turn(c, view, self.backend, self.now, f"b{next(self._batches)}", 1)

    async def play(self, c: Conversation, f: SlotFill) -> Turn:
        """One turn with this fill; the turn (replies, guards) is returned."""
        turn = await self.turn(c)
        await play(turn, f)
        return turn

    def newcomer(self, phone: str = NEWCOMER, name: str | None = "Ира") -> Conversation:
        return Conversation(phone=phone, chat=f"{phone}@c.us", client_name=name, client_phone=phone)

    async def reach(self, row: str) -> Conversation:
        """A conversation resting in `row` (a `machine.RESTING` state), reached by turns."""
        c = self.newcomer(PAVEL if row in ("cancelling_yes_no", "rescheduling_date") else NEWCOMER)
        if row in ("confirming_name",):
            c.client_name = None
        if row in ("confirming_phone", "collecting_phone"):
            c.client_phone = None
        for step in ROUTES[row]:
            if step == "fault_435":
                self.sandbox.control.add_fault(BOOK_435)
                continue
            if step == "reminder":  # a visit reminder asked to confirm the booking
                assert c.booking is not None
                take_reminder(c, ReminderAsk(c.booking.record_id, c.booking, self.now))
                continue
            assert isinstance(step, SlotFill)
            await self.play(c, step)
        assert machine_state(c) == row, (row, c.state, c.awaiting)
        return c


SUMMARY: list[SlotFill | str] = [haircut(date=TOMORROW, time="18:00", **BARI)]
ROUTES: dict[str, list[SlotFill | str]] = {
    "idle": [],
    "collecting_service": [fill(Intent.GREETING)],
    "collecting_master": [haircut()],
    "collecting_date": [haircut(**BARI)],
    "collecting_change": [*SUMMARY, fill(Intent.DENY)],
    "collecting_name": [*SUMMARY, "fault_435", fill(Intent.CONFIRM)],
    "collecting_phone": [haircut(master_choice=MasterChoice.SAME_AS_LAST)],
    "suggesting_option": [haircut(date=TOMORROW, **BARI)],
    "confirming_yes_no": SUMMARY,
    "confirming_name": [*SUMMARY, fill(Intent.CONFIRM)],
    "confirming_phone": [*SUMMARY, fill(Intent.CONFIRM)],
    "booked": [*SUMMARY, fill(Intent.CONFIRM)],
    "booked_reminder": [*SUMMARY, fill(Intent.CONFIRM), "reminder"],
    "cancelling_yes_no": [fill(Intent.CANCEL)],
    "rescheduling_date": [fill(Intent.RESCHEDULE)],
}


@pytest.fixture
async def world() -> AsyncIterator[World]:
    salon = SandboxSalon(clock=lambda: NOW)
    async with running_sandbox(salon) as sandbox:
        backend = build_backend(
            sandbox.base_url,
            sandbox.partner_token,
            sandbox.company_id,
            sandbox.user_token,
            retry=RetryPolicy(attempts=2, backoff_s=0.01, max_backoff_s=0.02),
            limiter=RateLimiter(per_second=10_000, per_minute=600_000, margin_s=0),
            today=lambda: NOW.date(),
        )
        try:
            yield World(sandbox, backend, read_salon_faq(DEMO_FAQ))
        finally:
            await backend.client.close()
