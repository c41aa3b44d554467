"""The turns that write to YClients: book, cancel, reschedule — and honest answers when
YClients says no or does not answer. Nobody is told "вы записаны" without a 201.
"""

from __future__ import annotations

import hashlib
from datetime import date

from states import prompts
from states.availability import alternatives
from states.conversation import Booking
from states.machine import fire
from states.salon import Appointment, BookingConfirmation, BookingRequest
from states.salon_errors import (
    BadPhone,
    BookingOutcomeUnknown,
    NameMissing,
    NoFreeMaster,
    PhoneBlacklisted,
    SalonAuthError,
    SalonError,
    ScheduleUnavailable,
    ServiceNotBookable,
    SlotTaken,
)
from states.turn_context import Turn

BOOKING_COMMENT = "Запись через WhatsApp-бот ai-admin"


def api_id_for(batch_id: str) -> str:
    """Derived from the batch, so a retried turn finds its booking instead of making another;
    hashed, because batch ids carry the client's phone number."""
    return "wa-" + hashlib.sha256(batch_id.encode()).hexdigest()[:24]


async def book(turn: Turn) -> None:
    """The client said yes in `confirming`."""
    c = turn.conversation
    if not c.client_name or not c.client_phone:
        fire(c, "ask_name" if not c.client_name else "ask_phone")
        prompts.ask(turn)
        return
    if not fire(c, "book"):  # guards: verified slot, name, phone
        turn.guard("book", False)
        turn.say("not_understood")
        return
    assert c.chosen is not None and c.slots.service_ids
    appointment = Appointment(
        staff_id=c.chosen.staff_id,
        service_ids=tuple(c.slots.service_ids),
        datetime_iso=c.chosen.datetime_iso,
    )
    request = BookingRequest(
        phone=c.client_phone,
        fullname=c.client_name,
        appointments=(appointment,),
        api_id=api_id_for(turn.batch_id),
        comment=BOOKING_COMMENT,
    )
    try:
        confirmation = await turn.backend.find_booking(request) if turn.attempt > 1 else None
        if confirmation is None:
            await turn.backend.check_booking(request.appointments)
            confirmation = await turn.backend.book(request)
    except SalonError as error:
        await _booking_refused(turn, error)
        return
    _booked(turn, confirmation)


def _booked(turn: Turn, confirmation: BookingConfirmation) -> None:
    c = turn.conversation
    assert c.chosen is not None
    c.booking = Booking(
        record_id=confirmation.record_id,
        record_hash=confirmation.record_hash,
        staff_id=c.chosen.staff_id,
        service_ids=list(c.slots.service_ids or []),
        date=c.chosen.date,
        time=c.chosen.time,
        datetime_iso=c.chosen.datetime_iso,
        api_id=confirmation.api_id,
    )
    turn.guard("yclients_created", fire(c, "booked"), str(confirmation.record_id))
    turn.say(
        "booked",
        service=turn.view.services_title(c.booking.service_ids, turn.lang),
        date=turn.day(c.chosen.date),
        time=c.chosen.time,
        master=turn.view.master_name(c.chosen.staff_id),
        address=turn.view.company.address,
    )


async def _booking_refused(turn: Turn, error: SalonError) -> None:
    turn.guard("yclients_accepted", False, f"{type(error).__name__} {error.status} {error.code}")
    if isinstance(error, SlotTaken | NoFreeMaster) and turn.conversation.chosen is not None:
        await _slot_gone(turn)
        return
    fire(turn.conversation, "booking_failed")
    if isinstance(error, BookingOutcomeUnknown):
        turn.say("outcome_unknown", phone=turn.salon_phone)
    elif isinstance(error, ScheduleUnavailable):
        turn.say("schedule_down", phone=turn.salon_phone)
    elif isinstance(error, NameMissing | BadPhone):
        _contact_refused(turn, "name" if isinstance(error, NameMissing) else "phone")
    elif isinstance(error, ServiceNotBookable):
        c = turn.conversation
        c.slots.service_ids, c.chosen = None, None
        c.slot_sources.pop("service_ids", None)
        fire(c, "ask_service")
        prompts.ask(turn, turn.render("rejected", reason=turn.render("reason_service")))
    elif isinstance(error, PhoneBlacklisted):
        reason = turn.render("reason_blacklisted", phone=turn.salon_phone)
        turn.say("rejected", reason=reason)
    else:
        _say_rejected(turn, error)


async def _slot_gone(turn: Turn) -> None:
    """433 / 436: taken meanwhile. The nearest other times, or another day."""
    c = turn.conversation
    assert c.chosen is not None
    wanted = turn.view.master(c.chosen.staff_id) if c.master_choice != "any" else None
    able = turn.view.masters_for(c.slots.service_ids or [])
    day, time = date.fromisoformat(c.chosen.date), c.chosen.time
    c.offered = await alternatives(turn, wanted, able, day, time, c.slots.service_ids or [])
    c.chosen = None
    lead = turn.render(
        "taken_master" if wanted else "taken_any",
        date=turn.day(day.isoformat()),
        time=time,
        master=wanted.name if wanted else "",
    )
    if c.offered and fire(c, "booking_taken"):
        prompts.ask(turn, lead)
        return
    fire(c, "booking_failed")
    c.slots.time = None
    fire(c, "ask_date")
    turn.ask("no_slots_nearby", lead=lead, phone=turn.salon_phone)


def _contact_refused(turn: Turn, part: str) -> None:
    """435 / 431: the name or phone was refused; ask for it again, then book."""
    c = turn.conversation
    if part == "name":
        c.client_name = None
    else:
        c.client_phone = None
    c.after_contact = "book"
    fire(c, f"ask_{part}")
    prompts.ask(turn, turn.render("rejected", reason=turn.render(f"reason_{part}")))


async def cancel(turn: Turn) -> None:
    """The client confirmed the cancellation."""
    c = turn.conversation
    assert c.booking is not None
    try:
        await turn.backend.cancel(c.booking.record_id)
    except SalonError as error:
        turn.guard("yclients_cancelled", False, f"{type(error).__name__} {error.status}")
        fire(c, "reset")
        key = "changes_by_phone" if isinstance(error, SalonAuthError) else "cancel_failed"
        turn.say(key, phone=turn.salon_phone)
        return
    turn.guard("yclients_cancelled", True, str(c.booking.record_id))
    c.booking = None
    c.clear_request()
    fire(c, "reset")
    turn.say("cancelled")


async def reschedule(turn: Turn) -> None:
    """The client confirmed the new time of their booking."""
    c = turn.conversation
    assert c.booking is not None and c.chosen is not None
    try:
        await turn.backend.reschedule(c.booking.record_id, c.chosen.datetime_iso)
    except SalonError as error:
        await _booking_refused_reschedule(turn, error)
        return
    c.booking.date, c.booking.time = c.chosen.date, c.chosen.time
    c.booking.datetime_iso = c.chosen.datetime_iso
    turn.guard("yclients_rescheduled", fire(c, "rescheduled"), str(c.booking.record_id))
    turn.say(
        "rescheduled",
        date=turn.day(c.chosen.date),
        time=c.chosen.time,
        master=turn.view.master_name(c.chosen.staff_id),
    )


async def _booking_refused_reschedule(turn: Turn, error: SalonError) -> None:
    c = turn.conversation
    turn.guard("yclients_rescheduled", False, f"{type(error).__name__} {error.status} {error.code}")
    c.chosen = None
    if isinstance(error, SalonAuthError):
        fire(c, "reset")
        turn.say("changes_by_phone", phone=turn.salon_phone)
        return
    fire(c, "ask_reschedule")
    if isinstance(error, ScheduleUnavailable):
        turn.say("schedule_down", phone=turn.salon_phone)
    else:
        _say_rejected(turn, error)


def _say_rejected(turn: Turn, error: SalonError) -> None:
    """YClients said no for a reason of its own: pass its words on; the question of the
    state it leaves follows on its own (never glued to "Хорошо. Что изменить…")."""
    detail = error.message.rstrip(".") or str(error.status)
    prompts.ask(turn, turn.render("rejected", reason=turn.render("reason_other", detail=detail)))
