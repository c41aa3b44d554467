"""Free time, asked of YClients (`book_times`) and ranked the way an administrator would."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from states.conversation import Option
from states.salon import FreeSlot, Master
from states.turn_context import Turn

MAX_ALTERNATIVES = 5  # issue 5: offer up to five ranked options
NEXT_DAY_HORIZON = 14  # how far ahead "the master's next free day" is looked for


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


async def free_options(
    turn: Turn, master: Master, day: date, service_ids: Sequence[int]
) -> list[Option]:
    """Free starts of `master` on `day` for the services, never in the past."""
    slots: tuple[FreeSlot, ...] = await turn.backend.free_slots(master.id, day, service_ids)
    now_minutes = turn.now.hour * 60 + turn.now.minute if day == turn.today else -1
    return [
        Option(day.isoformat(), s.time, master.id, master.name, s.datetime_iso)
        for s in slots
        if minutes(s.time) > now_minutes
    ]


async def find_exact(
    turn: Turn, masters: Sequence[Master], day: date, time: str, service_ids: Sequence[int]
) -> Option | None:
    """The first of `masters` (in the order given) free at exactly `time`."""
    for master in masters:
        for option in await free_options(turn, master, day, service_ids):
            if option.time == time:
                return option
    return None


async def times_on(
    turn: Turn,
    masters: Sequence[Master],
    day: date,
    service_ids: Sequence[int],
    window: Sequence[str] | None,
    limit: int = 6,
) -> list[Option]:
    """Free times that day (inside the window, if any), earliest first, one master per time."""
    by_time: dict[str, Option] = {}
    for master in masters:
        for option in await free_options(turn, master, day, service_ids):
            if window and not (minutes(window[0]) <= minutes(option.time) < minutes(window[1])):
                continue
            by_time.setdefault(option.time, option)
    return [by_time[t] for t in sorted(by_time, key=minutes)][:limit]


async def alternatives(
    turn: Turn,
    wanted: Master | None,
    others: Sequence[Master],
    day: date,
    time: str,
    service_ids: Sequence[int],
) -> list[Option]:
    """Up to five options: the same master's nearest times that day, other masters free at
    that time, then the master's next free day (issue 5 ranking)."""
    target = minutes(time)
    same_day: list[Option] = []
    if wanted is not None:
        same_day = await free_options(turn, wanted, day, service_ids)
        same_day.sort(key=lambda o: abs(minutes(o.time) - target))
    # Other masters who do the service, each at their time nearest the wanted one.
    other_masters: list[Option] = []
    for master in others:
        if wanted is not None and master.id == wanted.id:
            continue
        options = await free_options(turn, master, day, service_ids)
        if options:
            other_masters.append(min(options, key=lambda o: abs(minutes(o.time) - target)))
    other_masters.sort(key=lambda o: abs(minutes(o.time) - target))
    next_day = await _next_free_day(turn, wanted, day, time, service_ids) if wanted else None

    ranked = same_day[:2] + other_masters[:2] + ([next_day] if next_day else [])
    ranked += same_day[2:] + other_masters[2:]
    unique: list[Option] = []
    for option in ranked:
        if all(
            (o.date, o.time, o.staff_id) != (option.date, option.time, option.staff_id)
            for o in unique
        ):
            unique.append(option)
    return unique[:MAX_ALTERNATIVES]


async def _next_free_day(
    turn: Turn, master: Master, day: date, time: str, service_ids: Sequence[int]
) -> Option | None:
    start = max(day, turn.today) + timedelta(days=1)
    dates = await turn.backend.bookable_dates(
        service_ids, master.id, start, start + timedelta(days=NEXT_DAY_HORIZON)
    )
    target = minutes(time)
    for free_day in sorted(dates):
        options = await free_options(turn, master, free_day, service_ids)
        if options:
            return min(options, key=lambda o: abs(minutes(o.time) - target))
    return None
