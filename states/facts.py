"""Schedule facts read from YClients, never invented: who works on a day, from when to
when one can book them, and why a wanted time is not free.

YClients' public booking API has no shift table: a master's working days come from
`book_dates` (`working_dates`) and the hours one can book from `book_times` (the free
starts of the shortest slot). So replies say "свободное время с 10:00 до 21:00", which is
what these facts show, and a time after the last bookable minute is "принимает до 21:00".
Everything read is cached for the turn.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta

from states.availability import minutes
from states.salon import FreeSlot, Master
from states.turn_context import Turn

LOOKAHEAD_DAYS = 14


def hhmm(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


@dataclasses.dataclass(frozen=True)
class MasterDay:
    master: Master
    day: date
    works: bool
    free: tuple[FreeSlot, ...]  # bookable starts that are still ahead

    def spans(self) -> list[tuple[int, int]]:
        """Free time as (start, end) minutes: consecutive starts merged."""
        found: list[tuple[int, int]] = []
        for slot in self.free:
            start, end = minutes(slot.time), minutes(slot.time) + slot.duration_s // 60
            if found and start <= found[-1][1]:
                found[-1] = (found[-1][0], max(found[-1][1], end))
            else:
                found.append((start, end))
        return found

    @property
    def bounds(self) -> tuple[int, int] | None:
        spans = self.spans()
        return (spans[0][0], spans[-1][1]) if spans else None


def ranges_text(spans: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{hhmm(a)}–{hhmm(b)}" for a, b in spans)


async def working_days(turn: Turn, master: Master, start: date, end: date) -> frozenset[date]:
    key = ("working", master.id, start, end)
    if key not in turn.cache:
        found = await turn.backend.working_dates(master.id, start, end)
        turn.cache[key] = frozenset(found)
    days: frozenset[date] = turn.cache[key]
    return days


async def master_day(
    turn: Turn, master: Master, day: date, service_ids: Sequence[int] = ()
) -> MasterDay:
    key = ("day", master.id, day, tuple(service_ids))
    if key not in turn.cache:
        works = day in await working_days(turn, master, day, day)
        free: tuple[FreeSlot, ...] = ()
        if works and day >= turn.today:
            slots = await turn.backend.free_slots(master.id, day, service_ids)
            now = minutes(turn.now.strftime("%H:%M")) if day == turn.today else -1
            free = tuple(s for s in slots if minutes(s.time) > now)
        turn.cache[key] = MasterDay(master, day, works, free)
    result: MasterDay = turn.cache[key]
    return result


async def salon_day(turn: Turn, day: date) -> list[MasterDay]:
    """Every bookable master's day, in the catalogue's order."""
    return [await master_day(turn, m, day) for m in turn.view.masters if m.bookable]


def union_bounds(days: Sequence[MasterDay]) -> tuple[int, int] | None:
    bounds = [b for d in days if (b := d.bounds)]
    return (min(b[0] for b in bounds), max(b[1] for b in bounds)) if bounds else None


async def refusal_reason(turn: Turn, wanted: Master | None, day: date, time: str) -> str:
    """Why `time` on `day` cannot be booked, as it really is: the master is off that day,
    the visit would not fit before closing or starts before opening, or it is taken."""
    c = turn.conversation
    iso, at = turn.day(day.isoformat()), minutes(time)
    length = sum(
        (s.duration_s or 0) for i in c.slots.service_ids or [] if (s := turn.view.service(i))
    )
    if wanted is not None:
        md = await master_day(turn, wanted, day)
        if not md.works:
            return turn.render("master_off", date=iso, master=wanted.name)
        return _by_bounds(turn, md.bounds, at, length // 60, iso, time, wanted.name)
    days = [d for d in await salon_day(turn, day) if d.works]
    if not days:
        return turn.render("salon_off", date=iso)
    return _by_bounds(turn, union_bounds(days), at, length // 60, iso, time, None)


def _by_bounds(
    turn: Turn,
    bounds: tuple[int, int] | None,
    at: int,
    length: int,
    iso: str,
    time: str,
    master: str | None,
) -> str:
    if bounds is not None and at + max(length, 1) > bounds[1]:
        return turn.render(_key("closes", master), date=iso, master=master, end=hhmm(bounds[1]))
    if bounds is not None and at < bounds[0]:
        return turn.render(_key("opens", master), date=iso, master=master, start=hhmm(bounds[0]))
    return turn.render(_key("taken", master), date=iso, time=time, master=master)


def _key(reason: str, master: str | None) -> str:
    return f"{reason}_master" if master else f"{reason}_any"


async def next_working_days(turn: Turn, start: date, count: int) -> list[date]:
    """The next days with free time for the visit being arranged (its service and master)."""
    c = turn.conversation
    ids = c.slots.service_ids or []
    staff = c.slots.staff_id if c.master_choice != "any" and c.slots.staff_id else 0
    days = await turn.backend.bookable_dates(
        ids, staff, start, start + timedelta(days=LOOKAHEAD_DAYS)
    )
    return sorted(d for d in days if d >= turn.today)[:count]


async def when_a_person_answers(turn: Turn) -> str:
    """When the salon's people are there: in the salon's own words for its hours when it
    gave them (the front desk keeps them, busy masters or not); else from the masters'
    schedule — today until closing, or the next working day from opening."""
    hours = turn.view.hours_text(turn.lang)
    if hours:
        return turn.render("when_hours", hours=hours)
    for offset in range(0, 8):
        day = turn.today + timedelta(days=offset)
        bounds = union_bounds([d for d in await salon_day(turn, day) if d.works])
        if bounds is None:
            continue
        if offset == 0:
            return turn.render("when_today", end=hhmm(bounds[1]))
        return turn.render("when_day", date=turn.day(day.isoformat()), start=hhmm(bounds[0]))
    return turn.render("when_unknown")
