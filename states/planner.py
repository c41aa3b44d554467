"""After the slots moved: ask for the one thing missing, or check the slot and confirm.

One question at a time, in the order service → master → date → time. Nothing reaches
`confirming` without YClients having reported the exact slot free (machine guards).
"""

from __future__ import annotations

from datetime import date

from states.availability import alternatives, find_exact, times_on
from states.conversation import Option
from states.machine import fire, guard_report
from states.salon import Master
from states.slot_merge import resolve_last_master
from states.turn_context import Turn
from states.wording import human_list


def _masters_line(turn: Turn, masters: tuple[Master, ...]) -> str:
    return human_list([m.name for m in masters], turn.lang)


async def plan(turn: Turn) -> None:
    c = turn.conversation
    slots = c.slots
    if not turn.guard("service_known", bool(slots.service_ids)):
        c.expecting = "service"
        turn.say("ask_service", examples=turn.view.service_examples())
        fire(c, "collect")
        return
    service_ids = slots.service_ids or []
    closed = [s.title for i in service_ids if (s := turn.view.service(i)) and not s.bookable]
    if not turn.guard("service_bookable", not closed, ", ".join(closed)):
        # Shown in the catalogue but not bookable online: book_times has no times for it,
        # and "no free time, try another day" would send the client round in circles.
        c.expecting = "service"
        turn.say(
            "service_not_online",
            service=human_list(closed, turn.lang),
            phone=turn.salon_phone,
            examples=turn.view.service_examples(),
        )
        slots.service_ids = None
        c.slot_sources.pop("service_ids", None)
        fire(c, "collect")
        return
    able = turn.view.masters_for(service_ids)
    if not turn.guard("one_master_does_all", bool(able), ",".join(map(str, service_ids))):
        # "Окрашивание бороды" read as colouring + beard: nobody does both in one visit.
        # Asking "which master?" from an empty list would loop; ask for one service.
        c.expecting = "service"
        turn.say(
            "no_master_for_all",
            services=turn.view.services_title(service_ids, turn.lang),
            examples=turn.view.service_examples(),
        )
        slots.service_ids = None
        c.slot_sources.pop("service_ids", None)
        fire(c, "collect")
        return
    lookup_pending = c.master_choice == "same_as_last" and slots.staff_id is None
    if lookup_pending and not await resolve_last_master(turn):
        fire(c, "collect")
        return
    if slots.staff_id is None and c.master_choice != "any":
        c.expecting = "master"
        turn.say("ask_master", masters=_masters_line(turn, able))
        fire(c, "collect")
        return
    wanted = (
        turn.view.master(slots.staff_id) if slots.staff_id and c.master_choice != "any" else None
    )
    if wanted is not None and not turn.guard("master_does_service", wanted in able, wanted.name):
        c.expecting = "master"
        _drop_staff(turn)
        turn.say(
            "master_no_service",
            master=wanted.name,
            service=turn.view.services_title(service_ids, turn.lang),
            masters=_masters_line(turn, able),
        )
        fire(c, "collect")
        return
    if not turn.guard("date_known", slots.date is not None):
        c.expecting = "date"
        turn.say("ask_date")
        fire(c, "collect")
        return
    assert slots.date is not None
    day = date.fromisoformat(slots.date)
    if not turn.guard("date_not_past", day >= turn.today, slots.date):
        turn.say("past_date", date=turn.day(slots.date))
        slots.date = None
        c.expecting = "date"
        fire(c, "collect")
        return
    candidates = (wanted,) if wanted else able
    if slots.time is None:
        await _offer_times(turn, wanted, candidates, day, service_ids)
        return
    if day == turn.today and not turn.guard(
        "time_not_past", slots.time > turn.now.strftime("%H:%M"), slots.time
    ):
        turn.say("past_time", time=slots.time)
        slots.time = None
        await _offer_times(turn, wanted, candidates, day, service_ids)
        return
    option = await find_exact(turn, candidates, day, slots.time, service_ids)
    if turn.guard("slot_free", option is not None, f"{slots.date} {slots.time}"):
        assert option is not None
        await propose(turn, option)
        return
    # A reschedule moves the visit in time only (the record keeps its master), so other
    # masters are no alternative there: picking one could not be carried out.
    others = () if c.mode == "reschedule" else able
    options = await alternatives(turn, wanted, others, day, slots.time, service_ids)
    c.offered = options
    master_name = wanted.name if wanted else turn.view.services_title(service_ids, turn.lang)
    if options and fire(c, "suggest"):
        day_is_closed = wanted is not None and not any(
            o.date == slots.date and o.staff_id == wanted.id for o in options
        )
        turn.say(
            "closed_day" if day_is_closed else "slot_taken",
            date=turn.day(slots.date),
            time=slots.time,
            master=master_name,
            options=turn.option_lines(options),
        )
        c.expecting = "option"
        return
    turn.say("no_slots", master=master_name, date=turn.day(slots.date), phone=turn.salon_phone)
    fire(c, "collect")


async def _offer_times(
    turn: Turn,
    wanted: Master | None,
    candidates: tuple[Master, ...],
    day: date,
    service_ids: list[int],
) -> None:
    c = turn.conversation
    options = await times_on(turn, candidates, day, service_ids, c.time_window)
    iso = day.isoformat()
    name = wanted.name if wanted else human_list([m.name for m in candidates], turn.lang)
    c.offered = options
    if options and fire(c, "suggest"):
        c.expecting = "option"
        turn.say("pick_time", date=turn.day(iso), master=name, options=turn.option_lines(options))
        return
    # Nothing that day: the wanted master's next free days, or anyone's.
    target = (c.time_window or ["12:00"])[0]
    options = await alternatives(turn, wanted, candidates, day, target, service_ids)
    c.offered = options
    if options and fire(c, "suggest"):
        c.expecting = "option"
        turn.say("closed_day", date=turn.day(iso), master=name, options=turn.option_lines(options))
        return
    turn.say("no_slots", master=name, date=turn.day(iso), phone=turn.salon_phone)
    c.expecting = "date"
    fire(c, "collect")


def _drop_staff(turn: Turn) -> None:
    c = turn.conversation
    c.slots.staff_id = None
    c.slot_sources.pop("staff_id", None)
    c.master_choice = None


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
    c.chosen = option
    c.offered = []
    if not fire(c, "propose"):
        turn.guard("propose", False, ",".join(guard_report(c, "propose")))
        turn.say("not_understood")
        return
    c.expecting = "confirmation"
    if c.mode == "reschedule":
        turn.say(
            "reschedule_confirm", date=turn.day(option.date), time=option.time, master=option.master
        )
        return
    service_ids = c.slots.service_ids or []
    turn.say(
        "confirm",
        service=turn.view.services_title(service_ids, turn.lang),
        master=option.master,
        date=turn.day(option.date),
        time=option.time,
        price=turn.view.price(service_ids, turn.lang),
    )
