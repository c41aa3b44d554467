"""Answers to questions, from salon facts only: prices and durations, the address, the
hours (the salon's, a master's on a day), who works on a day, free time, and the FAQ.

A question never changes the visit being arranged; its pending question follows the
answer (`prompts.finish`). Where the salon has not told us something, the answer says so
and gives the salon's phone — it is never guessed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from states.facts import (
    MasterDay,
    hhmm,
    master_day,
    ranges_text,
    salon_day,
    union_bounds,
    working_days,
)
from states.form import offer_nearest, plan
from states.salon import Master, Service
from states.slot_fill import Intent, SlotFill
from states.slot_merge import merge
from states.turn_context import Turn
from states.wording import human_list

MAX_DAYS = 7  # "на этой неделе" at most; longer periods are cut

Answer = Callable[[Turn, SlotFill], Awaitable[None]]


def _services(turn: Turn, fill: SlotFill) -> list[Service]:
    named = [s for n in fill.services if (s := turn.view.service_named(n))]
    return named or [
        s for i in turn.conversation.slots.service_ids or [] if (s := turn.view.service(i))
    ]


def _master(turn: Turn, fill: SlotFill) -> Master | None:
    return turn.view.master_named(fill.master) if fill.master else None


async def prices(turn: Turn, fill: SlotFill) -> None:
    """One service's price (a range when it varies) and duration, or the price list."""
    wanted = _services(turn, fill) if fill.services or not fill.service_phrases else []
    shown = wanted or [s for s in turn.view.services if s.bookable]
    lines = [
        turn.render("price_line", service=s.title, price=turn.view.price([s.id], turn.lang))
        + (
            turn.render("duration_part", duration=d)
            if (d := turn.view.duration(s, turn.lang))
            else ""
        )
        for s in shown
    ]
    lead = ""
    if fill.service_phrases and not fill.services:
        lead = turn.render("no_such_service", phrase=fill.service_phrases[0]) + " "
    turn.answer("prices", lead=lead, lines="\n".join(lines))


async def address(turn: Turn, fill: SlotFill) -> None:
    where = turn.view.company.address
    if not where:
        turn.answer("address_unknown", phone=turn.salon_phone)
        return
    directions = turn.view.faq.text("directions", turn.lang)
    turn.answer("address", address=where, directions=f"\n{directions}" if directions else "")


async def hours(turn: Turn, fill: SlotFill) -> None:
    """The salon's hours, a day's, a master's week, or a master's day."""
    master = _master(turn, fill)
    day = date.fromisoformat(fill.date) if fill.date else None
    if master is not None and day is not None:
        await _master_on(turn, await master_day(turn, master, day))
    elif master is not None:
        await _master_week(turn, master)
    elif day is not None:
        await _salon_on(turn, day)
    else:
        await _salon_hours(turn)


async def _master_on(turn: Turn, md: MasterDay) -> None:
    iso = turn.day(md.day.isoformat())
    if not md.works:
        ahead = await working_days(turn, md.master, md.day, md.day + timedelta(days=14))
        following = [d for d in sorted(ahead) if d > md.day][:1]
        nxt = (
            turn.render("next_working_day", date=turn.day(following[0].isoformat()))
            if following
            else ""
        )
        turn.answer("master_off_answer", master=md.master.name, date=iso, next=nxt)
    elif md.spans():
        turn.answer(
            "master_free_on", master=md.master.name, date=iso, ranges=ranges_text(md.spans())
        )
    else:
        turn.answer("master_busy_on", master=md.master.name, date=iso)


async def _master_week(turn: Turn, master: Master) -> None:
    days = sorted(await working_days(turn, master, turn.today, turn.today + timedelta(days=6)))
    if not days:
        turn.answer("master_not_this_week", master=master.name, phone=turn.salon_phone)
        return
    listed = human_list([turn.day(d.isoformat()) for d in days], turn.lang)
    turn.answer("master_days", master=master.name, days=listed)


async def _salon_on(turn: Turn, day: date) -> None:
    working = [d for d in await salon_day(turn, day) if d.works]
    iso = turn.day(day.isoformat())
    if not working:
        turn.answer("salon_closed_on", date=iso)
        return
    bounds = union_bounds(working)
    names = human_list([d.master.name for d in working], turn.lang)
    if bounds is None:
        turn.answer("salon_on_full", date=iso, masters=names)
        return
    turn.answer("salon_on", date=iso, masters=names, start=hhmm(bounds[0]), end=hhmm(bounds[1]))


async def _salon_hours(turn: Turn) -> None:
    own = turn.view.hours_text(turn.lang)
    bounds = union_bounds([d for d in await salon_day(turn, turn.today) if d.works])
    today = turn.render("today_until", end=hhmm(bounds[1])) if bounds else ""
    if own:
        turn.answer("salon_hours", hours=own, today=f" {today}" if today else "")
    elif today:
        turn.answer("salon_hours_today", today=today)
    else:
        await _salon_on(turn, turn.today + timedelta(days=1))


async def who_works(turn: Turn, fill: SlotFill) -> None:
    day = date.fromisoformat(fill.date) if fill.date else turn.today
    working = [d for d in await salon_day(turn, day) if d.works]
    iso = turn.day(day.isoformat())
    if not working:
        turn.answer("salon_off_answer", date=iso)
        return
    lines = [
        turn.render("master_line_free", master=d.master.name, ranges=ranges_text(d.spans()))
        if d.spans()
        else turn.render("master_line_busy", master=d.master.name)
        for d in working
    ]
    turn.answer("who_works", date=iso, lines="\n".join(lines))


def _period(turn: Turn, fill: SlotFill) -> list[date]:
    first = max(date.fromisoformat(fill.date) if fill.date else turn.today, turn.today)
    last = date.fromisoformat(fill.date_until) if fill.date_until else first
    return [first + timedelta(days=n) for n in range(min((last - first).days + 1, MAX_DAYS))]


async def free_time(turn: Turn, fill: SlotFill) -> None:
    """Free time on a day or over a period, for one master or the salon: one line per
    master for a day, one line per day (every master together) for a period."""
    ids = [s.id for s in _services(turn, fill)]
    master = _master(turn, fill)
    masters = [master] if master else [m for m in turn.view.masters_for(ids) if m.bookable]
    days = _period(turn, fill)
    lines = []
    for day in days:
        found = [await master_day(turn, m, day, ids) for m in masters]
        if len(days) == 1 and master is None:
            lines += [_line(turn, d.master.name, d.spans()) for d in found if d.spans()]
            continue
        spans = _merged(sorted(s for d in found for s in d.spans()))
        if spans:
            lines.append(_line(turn, turn.day(day.isoformat()), spans))
    if not lines:
        who = turn.render("master_part", master=master.name) if master else ""
        turn.answer("no_free_time", master=who, phone=turn.salon_phone)
    elif master is not None:
        turn.answer("free_time", master=master.name, lines="\n".join(lines))
    elif len(days) == 1:
        turn.answer("free_time_day", date=turn.day(days[0].isoformat()), lines="\n".join(lines))
    else:
        turn.answer("free_time_salon", lines="\n".join(lines))


def _line(turn: Turn, who: str, spans: list[tuple[int, int]]) -> str:
    return turn.render("free_day_line", date=who, ranges=ranges_text(spans))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


async def faq(turn: Turn, fill: SlotFill) -> None:
    """Payment, parking…: the salon's own answer, or honestly the salon's phone."""
    if not fill.faq_topics:
        turn.answer("faq_unknown", phone=turn.salon_phone)
    for topic in fill.faq_topics:
        text = turn.view.faq.text(topic.value, turn.lang)
        if text:
            turn.answer("faq_answer", text=text)
        else:
            turn.answer(
                "faq_unknown_topic",
                topic=turn.render(f"topic_{topic.value}"),
                phone=turn.salon_phone,
            )


ANSWERS: dict[Intent, Answer] = {
    Intent.ASK_PRICE: prices,
    Intent.ASK_ADDRESS: address,
    Intent.ASK_HOURS: hours,
    Intent.ASK_WHO_WORKS: who_works,
    Intent.ASK_FREE_SLOTS: free_time,
    Intent.ASK_FAQ: faq,
}


async def answer(turn: Turn, fill: SlotFill) -> None:
    """A question from the salon's facts (the cell says which intents are questions)."""
    await ANSWERS[fill.intent](turn, fill)
    remember_topic(turn, fill)


def remember_topic(turn: Turn, fill: SlotFill) -> None:
    """The master and day a question was about, for the request that may follow."""
    master = _master(turn, fill)
    topic = {"staff_id": master.id if master else None, "date": fill.date}
    turn.conversation.topic = {k: v for k, v in topic.items() if v is not None} or None


async def free_or_offer(turn: Turn, fill: SlotFill) -> None:
    """ "Какие есть окна завтра?": with a service known it is a step of the booking (that
    day's free times as numbered options, or with no day the nearest free time); without
    one, or over a period, the free time is listed."""
    c = turn.conversation
    if not (fill.services or c.slots.service_ids) or fill.date_until:
        await free_time(turn, fill.model_copy(update={"intent": Intent.ASK_FREE_SLOTS}))
        remember_topic(turn, fill)
        return
    if fill.time is None:
        c.slots.time, c.chosen = None, None
        c.slot_sources.pop("time", None)
    if await merge(turn, fill):
        await (plan(turn) if c.slots.date else offer_nearest(turn))
