"""Handlers that move in time or between masters: cancel or reschedule a booked visit,
"пораньше" / "попозже", "к другому мастеру", "в то же время".
"""

from __future__ import annotations

from datetime import date

from states import effects, prompts
from states.availability import alternatives, free_options, minutes
from states.form import plan, wanted_master
from states.handlers_request import take_request
from states.machine import fire
from states.slot_fill import Intent, SlotFill
from states.turn_context import Turn
from states.visit_changes import moving_to, start_cancel, start_reschedule, take_upcoming

SHIFT_OPTIONS = 3


async def ask_to_cancel(turn: Turn, fill: SlotFill) -> None:
    await start_cancel(turn)


async def cancel_visit(turn: Turn, fill: SlotFill) -> None:
    """Yes to "Отменить вашу запись?"."""
    await effects.cancel(turn)


async def ask_to_reschedule(turn: Turn, fill: SlotFill) -> None:
    await start_reschedule(turn, fill)


async def _reference(turn: Turn) -> tuple[date, str] | None:
    """The day and time "earlier" / "later" / "another master" are measured from: the
    slot being confirmed or asked for, else the client's booked visit (then moved)."""
    c = turn.conversation
    if c.chosen is not None:
        return date.fromisoformat(c.chosen.date), c.chosen.time
    if c.slots.date and c.slots.time:
        return date.fromisoformat(c.slots.date), c.slots.time
    if c.slots.date and c.offered:
        return date.fromisoformat(c.slots.date), c.offered[0].time
    if c.slots.service_ids or (c.mode == "book" and c.state != "idle" and c.state != "booked"):
        return None  # a new visit is being arranged: its time comes once it can be searched
    b = await take_upcoming(turn, "ask_reschedule", "reschedule")
    if b is None:
        return None
    moving_to(turn, b)
    return date.fromisoformat(b.date), b.time


async def shift(turn: Turn, fill: SlotFill) -> None:
    """ "Пораньше" / "попозже": the master's nearest free times before / after the one
    asked for, that day; said honestly when there are none."""
    c = turn.conversation
    ref = await _reference(turn)
    if ref is None:
        if turn.question is None and not turn.replies:
            await take_request(turn, fill)
        return
    day, time = ref
    earlier = fill.intent is Intent.EARLIER
    wanted = wanted_master(turn)
    masters = (wanted,) if wanted else turn.view.masters_for(c.slots.service_ids or [])
    found = [
        o for m in masters for o in await free_options(turn, m, day, c.slots.service_ids or [])
    ]
    found = [o for o in found if (minutes(o.time) < minutes(time)) == earlier and o.time != time]
    found.sort(key=lambda o: abs(minutes(o.time) - minutes(time)))
    c.offered, c.chosen = sorted(found[:SHIFT_OPTIONS], key=lambda o: minutes(o.time)), None
    c.slots.date, c.slots.time = day.isoformat(), time
    if c.offered and fire(c, "suggest"):
        prompts.ask(turn)
        return
    key = "none_earlier" if earlier else "none_later"
    name = wanted.name if wanted else ""
    lead = turn.render(key, date=turn.day(day.isoformat()), time=time, master=name)
    c.slots.time = None
    fire(c, "ask_date")
    prompts.ask(turn, lead)


async def other_master(turn: Turn, fill: SlotFill) -> None:
    """ "К другому мастеру": the other masters free at that time (or nearest to it)."""
    c = turn.conversation
    if c.mode == "reschedule":
        # A move keeps the record's master (PUT book_record changes the time only).
        turn.answer("same_master_on_move", master=turn.view.master_name(c.slots.staff_id))
        return
    current = c.slots.staff_id
    ref = await _reference(turn) if c.slots.service_ids else None
    if ref is None:
        c.slots.staff_id, c.master_choice, c.chosen = None, None, None
        await plan(turn)
        return
    day, time = ref
    others = tuple(m for m in turn.view.masters_for(c.slots.service_ids or []) if m.id != current)
    c.offered = await alternatives(turn, None, others, day, time, c.slots.service_ids or [])
    c.chosen = None
    if c.offered and fire(c, "suggest"):
        prompts.ask(turn)
        return
    lead = turn.render("no_other_master", date=turn.day(day.isoformat()), time=time)
    c.slots.staff_id, c.master_choice = None, None
    fire(c, "ask_master")
    prompts.ask(turn, lead)


async def same_time(turn: Turn, fill: SlotFill) -> None:
    """ "В то же время" while moving a visit: its time stays, only the day changes."""
    c = turn.conversation
    if c.mode != "reschedule" or c.booking is None:
        await take_request(turn, fill)
        return
    c.slots.time, c.slot_sources["time"] = c.booking.time, "booking"
    c.chosen, c.offered = None, []
    if fill.date is not None:
        c.slots.date, c.slot_sources["date"] = fill.date, "user"
    await plan(turn)
