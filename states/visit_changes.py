"""Changing a visit already booked: find it, then ask to cancel it or for its new time.

The visit is our own last booking if still ahead, else the client's next visit in
YClients (found by phone, so an @lid sender is asked for one first).
"""

from __future__ import annotations

from datetime import datetime

from states import prompts
from states.conversation import Booking
from states.form import plan
from states.machine import fire
from states.salon_errors import SalonAuthError
from states.slot_fill import Intent, SlotFill
from states.slot_merge import merge
from states.turn_context import Turn

# What a move reads from the client: the day and time only.
ONLY_WHEN: dict[str, object] = {
    "services": [],
    "service_phrases": [],
    "master_choice": None,
    "master": None,
}


async def upcoming(turn: Turn) -> Booking | None:
    """Our own last booking if still ahead, else the client's next visit in YClients."""
    c = turn.conversation
    if c.booking is not None and datetime.fromisoformat(c.booking.datetime_iso) > turn.now:
        return c.booking
    if not c.client_phone:
        return None
    client = await turn.backend.find_client(c.client_phone)
    if client is None:
        return None
    ahead = [
        r
        for r in await turn.backend.client_records(client.id)
        if not r.deleted and r.datetime > turn.now and r.attendance != -1
    ]
    if not ahead:
        return None
    r = min(ahead, key=lambda record: record.datetime)
    return Booking.of_record(
        r.id, r.staff_id, r.service_ids, r.datetime, r.api_id or "", turn.now.tzinfo
    )


async def take_upcoming(turn: Turn, trigger: str, purpose: str) -> Booking | None:
    """Find the visit to cancel or move and fire `trigger`; None when there is none
    (the client has been told why)."""
    c = turn.conversation
    if not c.client_phone:
        c.after_contact = purpose
        fire(c, "ask_phone")
        prompts.ask(turn)
        return None
    try:
        c.booking = await upcoming(turn)
    except SalonAuthError:
        # No YCLIENTS_USER_TOKEN: visits can be neither found nor changed by the bot.
        turn.guard("visits_readable", False, "no user token")
        _nothing_to_change(turn, "changes_by_phone")
        return None
    if c.booking is None or not fire(c, trigger):
        _nothing_to_change(turn, "nothing_booked")
        return None
    return c.booking


def _nothing_to_change(turn: Turn, key: str) -> None:
    """Say why; a visit being arranged is kept (its question follows), else back to idle."""
    c = turn.conversation
    turn.answer(key, phone=turn.salon_phone)
    if c.state in ("idle", "booked", "cancelling", "rescheduling") or c.mode == "reschedule":
        c.clear_request()
        fire(c, "reset")


async def start_cancel(turn: Turn) -> None:
    c = turn.conversation
    if await take_upcoming(turn, "ask_cancel", "cancel") is not None:
        c.clear_request()
        prompts.ask(turn)


async def start_reschedule(turn: Turn, fill: SlotFill) -> None:
    c = turn.conversation
    b = await take_upcoming(turn, "ask_reschedule", "reschedule")
    if b is None:
        return
    moving_to(turn, b)
    if fill.intent is Intent.SAME_TIME:  # "на пятницу в то же время": only the day moves
        c.slots.time, c.slot_sources["time"] = b.time, "booking"
    if fill.date or fill.time or fill.time_from:
        if await merge(turn, fill.model_copy(update=ONLY_WHEN)):
            await plan(turn)
        return
    c.chosen = None
    prompts.ask(turn)


def moving_to(turn: Turn, b: Booking) -> None:
    """The request now describes the new time of booking `b`: its services, its master."""
    c = turn.conversation
    c.clear_request()
    c.mode = "reschedule"
    c.slots.service_ids, c.slots.staff_id = list(b.service_ids), b.staff_id
    c.slot_sources = {"service_ids": "booking", "staff_id": "booking"}
    c.master_choice = "named"
