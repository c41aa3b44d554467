"""The booking form: what a visit needs, in the order a client is asked for it.

Like Dialogflow CX's required form parameters: each requirement is a small check that
either holds (the next one is looked at) or asks for what is missing and stops the turn.
One question at a time — service, master, day, time — and nothing reaches `confirming`
without YClients having reported the exact slot free (machine guards).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from states import prompts
from states.availability import (
    NEXT_DAY_HORIZON,
    alternatives,
    find_exact,
    free_options,
    times_on,
)
from states.conversation import Option
from states.facts import master_day, refusal_reason
from states.machine import fire, guard_report
from states.salon import Master
from states.slot_fill import ANY_TIME
from states.slot_merge import resolve_last_master
from states.turn_context import Turn
from states.wording import human_list

Requirement = Callable[[Turn], Awaitable[bool]]


async def plan(turn: Turn) -> None:
    """Walk the requirements; the first one that does not hold asks for what it needs."""
    for requirement in REQUIREMENTS:
        if not await requirement(turn):
            return


def _drop(turn: Turn, slot: str) -> None:
    c = turn.conversation
    setattr(c.slots, slot, None)
    c.slot_sources.pop(slot, None)
    if slot == "staff_id":
        c.master_choice = None


def _services(turn: Turn) -> list[int]:
    return turn.conversation.slots.service_ids or []


def wanted_master(turn: Turn) -> Master | None:
    """The master the client asked for; None for "any master" or not said yet."""
    c = turn.conversation
    if c.slots.staff_id is None or c.master_choice == "any":
        return None
    return turn.view.master(c.slots.staff_id)


async def service_known(turn: Turn) -> bool:
    if turn.guard("service_known", bool(_services(turn))):
        return True
    fire(turn.conversation, "ask_service")
    prompts.ask(turn)
    return False


async def service_bookable(turn: Turn) -> bool:
    closed = [s.title for i in _services(turn) if (s := turn.view.service(i)) and not s.bookable]
    if turn.guard("service_bookable", not closed, ", ".join(closed)):
        return True
    # Shown in the catalogue but not bookable online: book_times has no times for it,
    # and "no free time, try another day" would send the client round in circles.
    _drop(turn, "service_ids")
    fire(turn.conversation, "ask_service")
    lead = turn.render(
        "service_not_online", service=human_list(closed, turn.lang), phone=turn.salon_phone
    )
    turn.ask("offer_services", lead=lead, examples=turn.view.service_examples())
    return False


async def one_master_does_all(turn: Turn) -> bool:
    ids = _services(turn)
    if turn.guard("one_master_does_all", bool(turn.view.masters_for(ids)), str(ids)):
        return True
    # "Окрашивание бороды" read as colouring + beard: nobody does both in one visit.
    # Asking "which master?" from an empty list would loop; ask for one service.
    lead = turn.render("no_master_for_all", services=turn.view.services_title(ids, turn.lang))
    _drop(turn, "service_ids")
    fire(turn.conversation, "ask_service")
    turn.ask("one_service", lead=lead, examples=turn.view.service_examples())
    return False


async def last_master_known(turn: Turn) -> bool:
    c = turn.conversation
    if c.master_choice != "same_as_last" or c.slots.staff_id is not None:
        return True
    return await resolve_last_master(turn)


async def master_known(turn: Turn) -> bool:
    c = turn.conversation
    if c.slots.staff_id is not None or c.master_choice == "any":
        return True
    fire(c, "ask_master")
    prompts.ask(turn)
    return False


async def master_does_service(turn: Turn) -> bool:
    wanted = wanted_master(turn)
    able = turn.view.masters_for(_services(turn))
    if wanted is None or turn.guard("master_does_service", wanted in able, wanted.name):
        return True
    _drop(turn, "staff_id")
    fire(turn.conversation, "ask_master")
    lead = turn.render(
        "master_no_service",
        master=wanted.name,
        service=turn.view.services_title(_services(turn), turn.lang),
    )
    prompts.ask(turn, lead)
    return False


async def date_known(turn: Turn) -> bool:
    c = turn.conversation
    if turn.guard("date_known", c.slots.date is not None):
        return True
    if c.time_window == list(ANY_TIME):
        # "Когда удобно" with no day: the client leaves the day to us too, so the nearest
        # free time is offered. The window is used up here, so that with nothing free
        # near (`offer_nearest` plans again) the day is asked for.
        c.time_window = None
        await offer_nearest(turn)
        return False
    fire(c, "ask_date")
    prompts.ask(turn)
    return False


async def date_not_past(turn: Turn) -> bool:
    c = turn.conversation
    assert c.slots.date is not None
    if turn.guard("date_not_past", date.fromisoformat(c.slots.date) >= turn.today, c.slots.date):
        return True
    lead = turn.render("past_date", date=turn.day(c.slots.date))
    _drop(turn, "date")
    fire(c, "ask_date")
    prompts.ask(turn, lead)
    return False


async def time_known(turn: Turn) -> bool:
    c = turn.conversation
    if c.slots.time is None:
        await offer_times(turn, "")
        return False
    assert c.slots.date is not None
    today = date.fromisoformat(c.slots.date) == turn.today
    if not today or turn.guard(
        "time_not_past", c.slots.time > turn.now.strftime("%H:%M"), c.slots.time
    ):
        return True
    turn.say("past_time", time=c.slots.time)  # its own message, before the times
    _drop(turn, "time")
    await offer_times(turn, "")
    return False


async def slot_free(turn: Turn) -> bool:
    c = turn.conversation
    assert c.slots.date is not None and c.slots.time is not None
    day, wanted = date.fromisoformat(c.slots.date), wanted_master(turn)
    candidates = (wanted,) if wanted else turn.view.masters_for(_services(turn))
    option = await find_exact(turn, candidates, day, c.slots.time, _services(turn))
    if turn.guard("slot_free", option is not None, f"{c.slots.date} {c.slots.time}"):
        assert option is not None
        await propose(turn, option)
        return False
    # A reschedule moves the visit in time only (the record keeps its master), so other
    # masters are no alternative there: picking one could not be carried out.
    others = () if c.mode == "reschedule" else turn.view.masters_for(_services(turn))
    c.offered = await alternatives(turn, wanted, others, day, c.slots.time, _services(turn))
    lead = await refusal_reason(turn, wanted, day, c.slots.time)
    await _suggest_or_no_slots(turn, lead, wanted)
    return False


REQUIREMENTS: tuple[Requirement, ...] = (
    service_known,
    service_bookable,
    one_master_does_all,
    last_master_known,
    master_known,
    master_does_service,
    date_known,
    date_not_past,
    time_known,
    slot_free,
)


async def offer_times(turn: Turn, lead: str) -> None:
    """The free times of the day asked for, or why there are none and what else there is."""
    c = turn.conversation
    assert c.slots.date is not None
    day, wanted = date.fromisoformat(c.slots.date), wanted_master(turn)
    candidates = (wanted,) if wanted else turn.view.masters_for(_services(turn))
    c.offered = await times_on(turn, candidates, day, _services(turn), c.time_window)
    if c.offered and fire(c, "suggest"):
        prompts.ask(turn, lead)
        return
    # Nothing that day: the wanted master's next free days, or anyone's.
    target = (c.time_window or ["12:00"])[0]
    c.offered = await alternatives(turn, wanted, candidates, day, target, _services(turn))
    reason = await _day_reason(turn, wanted, day)
    await _suggest_or_no_slots(turn, " ".join(x for x in (lead, reason) if x), wanted)


async def _day_reason(turn: Turn, wanted: Master | None, day: date) -> str:
    iso = turn.day(day.isoformat())
    if wanted is not None and not (await master_day(turn, wanted, day)).works:
        return turn.render("master_off", date=iso, master=wanted.name)
    if wanted is not None:
        return turn.render("master_full", date=iso, master=wanted.name)
    return turn.render("day_full", date=iso)


async def _suggest_or_no_slots(turn: Turn, lead: str, wanted: Master | None) -> None:
    c = turn.conversation
    if c.offered and fire(c, "suggest"):
        prompts.ask(turn, lead)
        return
    c.offered = []
    _drop(turn, "time")
    fire(c, "ask_date")
    turn.ask("no_slots_nearby", lead=lead, phone=turn.salon_phone)


async def offer_nearest(turn: Turn) -> None:
    """ "Когда ближайшее свободное время?": the one nearest free slot of the master asked
    for, or of anyone who does the service, as a one-option question ("да" books it)."""
    c, ids = turn.conversation, _services(turn)
    wanted = wanted_master(turn)
    masters = (wanted,) if wanted else turn.view.masters_for(ids)
    nearest: list[Option] = []
    for master in masters:
        days = await turn.backend.bookable_dates(
            ids, master.id, turn.today, turn.today + timedelta(days=NEXT_DAY_HORIZON)
        )
        for day in sorted(d for d in days if d >= turn.today)[:1]:
            nearest += (await free_options(turn, master, day, ids))[:1]
    if not nearest:
        await plan(turn)
        return
    c.offered = [min(nearest, key=lambda o: (o.date, o.time))]
    fire(c, "suggest")
    o = c.offered[0]
    turn.ask("nearest_option", date=turn.day(o.date), time=o.time, master=o.master)


async def propose(turn: Turn, option: Option) -> None:
    """A verified free slot: fill the slots from it and ask the client to confirm."""
    c = turn.conversation
    if c.slots.staff_id != option.staff_id:
        # "Any master" becomes the one free; otherwise the client picked an offered
        # option with another master ("3. завтра в 18:00, Бари") and that master stands.
        picked_other = c.master_choice != "any"
        c.slots.staff_id = option.staff_id
        c.slot_sources["staff_id"] = "user" if picked_other else "any:first_free"
        if picked_other:
            c.master_choice = "named"
    c.slots.date, c.slots.time = option.date, option.time
    c.chosen, c.offered, c.choices = option, [], []
    if not fire(c, "propose"):
        turn.guard("propose", False, ",".join(guard_report(c, "propose")))
        turn.say("not_understood")
        return
    prompts.ask(turn)
