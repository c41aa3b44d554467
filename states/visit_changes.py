"""Changing a visit already booked: find it, then ask to cancel it or for its new time.

The visit is our own last booking if still ahead, else the client's next visit in
YClients (found by phone, so an @lid sender is asked for one first).
"""

from __future__ import annotations

from datetime import datetime

from states.conversation import Booking
from states.machine import fire
from states.planner import plan
from states.salon_errors import SalonAuthError
from states.slot_fill import SlotFill
from states.slot_merge import merge
from states.turn_context import Turn


async def _upcoming(turn: Turn) -> Booking | None:
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
    local = r.datetime.astimezone(turn.now.tzinfo)
    return Booking(
        record_id=r.id,
        record_hash=None,
        staff_id=r.staff_id,
        service_ids=list(r.service_ids),
        date=local.date().isoformat(),
        time=local.strftime("%H:%M"),
        datetime_iso=r.datetime.isoformat(),
        api_id=r.api_id or "",
    )


async def _take_upcoming(turn: Turn, trigger: str) -> Booking | None:
    """Find the visit to cancel or move and fire `trigger`; None when there is none
    (the client has been told why)."""
    c = turn.conversation
    if not c.client_phone:
        c.expecting = "phone"
        turn.say("ask_phone")
        return None
    try:
        c.booking = await _upcoming(turn)
    except SalonAuthError:
        # No YCLIENTS_USER_TOKEN: visits can be neither found nor changed by the bot.
        turn.guard("visits_readable", False, "no user token")
        fire(c, "reset")
        turn.say("changes_by_phone", phone=turn.salon_phone)
        return None
    if c.booking is None or not fire(c, trigger):
        fire(c, "reset")
        turn.say("nothing_booked")
        return None
    return c.booking


async def start_cancel(turn: Turn) -> None:
    b = await _take_upcoming(turn, "ask_cancel")
    if b is None:
        return
    turn.conversation.expecting = "confirmation"
    turn.say(
        "cancel_confirm",
        service=turn.view.services_title(b.service_ids, turn.lang),
        date=turn.day(b.date),
        time=b.time,
        master=turn.view.master_name(b.staff_id),
    )


async def start_reschedule(turn: Turn, fill: SlotFill) -> None:
    c = turn.conversation
    b = await _take_upcoming(turn, "ask_reschedule")
    if b is None:
        return None
    c.clear_request()
    c.mode = "reschedule"
    c.slots.service_ids, c.slots.staff_id = list(b.service_ids), b.staff_id
    c.slot_sources = {"service_ids": "booking", "staff_id": "booking"}
    c.master_choice = "named"
    if fill.date or fill.time or fill.time_from:
        only_when = fill.model_copy(
            update={
                "services": [],
                "service_phrases": [],
                "master_choice": None,
                "master": None,
            }
        )
        if await merge(turn, only_when):
            return await plan(turn)
        return None
    c.expecting = "date"
    turn.say("reschedule_ask", date=turn.day(b.date), time=b.time)
