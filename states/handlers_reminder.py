"""Answers to a visit reminder (issue 16): the conversation rests in `booked_reminder` while
the reminder's question ("да" or "не смогу") is the last thing the bot asked.

- "да", "+", 👍 -> the visit is marked confirmed in YClients (attendance 2) and thanked for;
- "нет", "не смогу" -> the answer is "declined" and the visit is offered to be moved or
  cancelled, through the existing reschedule and cancel flows;
- a wish to move it ("перенесите на завтра", "можно пораньше?") is a "declined" too, then
  handled as for any booked visit.
Questions asked in reply are answered as anywhere; the reminder's question follows.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Literal

from states import prompts
from states.conversation import Booking, Conversation
from states.handlers_visits import ask_to_reschedule
from states.machine import BOOKED, fire, leaf, machine_state
from states.salon_errors import SalonAuthError, SalonNotFound
from states.slot_fill import SlotFill
from states.turn_context import Turn
from states.visit_changes import moving_to

AWAITING_ANSWER = leaf(BOOKED, "reminder")


@dataclasses.dataclass(frozen=True)
class ReminderAsk:
    """The latest reminder that asked this client to confirm a visit and has no answer yet
    (or took one during this very batch, when a turn is retried)."""

    record_id: int
    booking: Booking  # the visit as the reminder named it
    sent_at: datetime  # aware


def take_reminder(c: Conversation, ask: ReminderAsk | None) -> None:
    """Before a turn: rest in `booked_reminder` when the reminder is the last question the
    client got (sent after the conversation's last turn), or still is; else leave it."""
    resting = machine_state(c) == AWAITING_ANSWER
    if ask is not None and resting and c.booking and c.booking.record_id == ask.record_id:
        return
    last = datetime.fromisoformat(c.updated_at) if c.updated_at else None
    if ask is not None and (last is None or ask.sent_at > last):
        c.clear_request()
        c.booking = ask.booking
        fire(c, "remind")
    elif resting:
        fire(c, "reminder_answered")  # answered elsewhere, or its wait is over


async def _answer(turn: Turn, outcome: Literal["confirmed", "declined"]) -> None:
    c = turn.conversation
    assert c.booking is not None
    if turn.answers is not None:
        await turn.answers.answer(c.phone, c.booking.record_id, outcome)
    turn.guard("reminder_answered", True, outcome)
    fire(c, "reminder_answered")


async def confirm_visit(turn: Turn, fill: SlotFill) -> None:
    """ "Да" to the reminder: attendance 2 in YClients, then thanks. A YClients error other
    than a missing record or user token is said as such, and the question stays open."""
    c = turn.conversation
    b = c.booking
    assert b is not None
    try:
        await turn.backend.confirm_visit(b.record_id)
        turn.guard("yclients_confirmed", True, str(b.record_id))
    except SalonNotFound:
        turn.guard("yclients_confirmed", False, "record not found")
        c.booking = None
        fire(c, "reset")
        turn.say("visit_gone")
        return
    except SalonAuthError:
        # No user token: YClients cannot be told; the client did confirm, the salon sees
        # it in the reminder's status.
        turn.guard("yclients_confirmed", False, "no user token")
    await _answer(turn, "confirmed")
    master = turn.view.master_name(b.staff_id)
    turn.say("visit_confirmed", date=turn.day(b.date), time=b.time, master=master)


async def decline(turn: Turn, fill: SlotFill) -> None:
    """ "Нет" / "не смогу": offer to move the visit (its day is asked) or to cancel it."""
    c = turn.conversation
    b = c.booking
    assert b is not None
    await _answer(turn, "declined")
    moving_to(turn, b)
    fire(c, "ask_reschedule")
    prompts.ask(turn, turn.render("reminder_declined"))


async def reschedule_instead(turn: Turn, fill: SlotFill) -> None:
    """ "Перенесите на завтра в 19" in reply to the reminder: declined, then moved."""
    await record_declined(turn)
    await ask_to_reschedule(turn, fill)


async def record_declined(turn: Turn) -> None:
    """The client will not come at the reminded time (they want it moved or cancelled)."""
    await _answer(turn, "declined")
