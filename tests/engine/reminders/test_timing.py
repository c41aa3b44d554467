"""The timing rules of reminders: offsets, quiet hours, late claims, answer deadlines."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.reminders.timing import (
    BEFORE_QUIET,
    MIN_GAP,
    QuietHours,
    ReminderPolicy,
    answer_deadline,
    parse_offsets,
    parse_quiet,
    plan_reminders,
    send_decision,
)

MOSCOW = ZoneInfo("Europe/Moscow")
# No DST: Moscow, Yekaterinburg, Tokyo, Dubai. With DST: Berlin, New York.
ZONES = ["Europe/Moscow", "Asia/Yekaterinburg", "Asia/Tokyo", "Asia/Dubai",
         "Europe/Berlin", "America/New_York"]  # fmt: skip


def at(zone: ZoneInfo, day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2025, 7, day, hh, mm, tzinfo=zone)


def policy(
    zone: str = "Europe/Moscow", offsets: str = "24h,2h", quiet: str = "22:00-09:00"
) -> ReminderPolicy:
    return ReminderPolicy.parse(offsets=offsets, quiet=quiet, answer_wait="3h", timezone=zone)


# ---- parsing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("24h,2h", ["24h", "2h"]),
        ("2h, 24h", ["24h", "2h"]),
        ("1d,90m", ["1d", "90m"]),
        ("30min", ["30m"]),
        (" 3H ", ["3h"]),
        ("", []),
        ("off", []),
    ],
)
def test_offsets_are_parsed_longest_first(text: str, kinds: list[str]) -> None:
    assert [o.kind for o in parse_offsets(text)] == kinds


@pytest.mark.parametrize("text", ["abc", "0h", "-2h", "24h,1d", "31d", "2 hours", "24h,"])
def test_bad_offsets_name_the_variable(text: str) -> None:
    with pytest.raises(ValueError, match="REMINDER_OFFSETS"):
        parse_offsets(text)


def test_quiet_hours_parse_and_wrap_midnight() -> None:
    quiet = parse_quiet("22:00-09:00")
    assert quiet == QuietHours(time(22), time(9))
    assert quiet.contains(time(23, 30)) and quiet.contains(time(3)) and quiet.contains(time(22))
    assert not quiet.contains(time(9)) and not quiet.contains(time(21, 59))
    assert parse_quiet("23-7") == QuietHours(time(23), time(7))
    day = parse_quiet("13:00-14:00")
    assert day is not None and day.contains(time(13, 30)) and not day.contains(time(14))
    assert parse_quiet("off") is None and parse_quiet("") is None


@pytest.mark.parametrize("text", ["22:00-22:00", "25:00-09:00", "22:00", "00:00-23:00", "x-y"])
def test_bad_quiet_hours_name_the_variable(text: str) -> None:
    with pytest.raises(ValueError, match="REMINDER_QUIET"):
        parse_quiet(text)


# ---- planning ---------------------------------------------------------------------


def test_day_before_and_two_hours_before() -> None:
    visit = at(MOSCOW, 24, 18)
    planned, skipped = plan_reminders(visit, at(MOSCOW, 23, 9), policy())
    assert [(r.kind, r.at) for r in planned] == [
        ("24h", at(MOSCOW, 23, 18)),
        ("2h", at(MOSCOW, 24, 16)),
    ]
    assert skipped == ()


def test_a_reminder_in_the_night_moves_to_the_evening_before() -> None:
    visit = at(MOSCOW, 24, 10)  # 2 h before is 08:00, inside 22:00-09:00
    planned, _ = plan_reminders(visit, at(MOSCOW, 23, 8), policy())
    assert [(r.kind, r.at) for r in planned] == [
        ("24h", at(MOSCOW, 23, 10)),
        ("2h", at(MOSCOW, 23, 21, 30)),
    ]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("visit_hour", [9, 10, 11])
def test_booked_at_23_for_the_next_morning_no_reminder_at_night(zone: str, visit_hour: int) -> None:
    tz = ZoneInfo(zone)
    booked = datetime(2025, 3, 9, 23, 0, tzinfo=tz)  # the day New York moves its clocks
    visit = datetime(2025, 3, 10, visit_hour, 0, tzinfo=tz)
    p = policy(zone)
    planned, skipped = plan_reminders(visit, booked, p)
    assert all(not p.in_quiet(r.at) and r.at > booked for r in planned)  # never at night
    if visit_hour < 11:  # 2 h before is in the night: moved to the evening, already past
        assert planned == () and [(s.kind, s.reason) for s in skipped] == [
            ("24h", "past"),
            ("2h", "past"),
        ]
    else:  # 2 h before is 09:00, the end of the quiet hours
        assert [(r.kind, r.at) for r in planned] == [("2h", visit - timedelta(hours=2))]


def test_reminders_landing_together_keep_only_the_first() -> None:
    visit = at(MOSCOW, 24, 10)  # 12 h before (22:00) and 2 h before (08:00) both move to 21:30
    planned, skipped = plan_reminders(visit, at(MOSCOW, 23, 8), policy(offsets="12h,2h"))
    assert [(r.kind, r.at) for r in planned] == [("12h", at(MOSCOW, 23, 21, 30))]
    assert [(s.kind, s.reason) for s in skipped] == [("2h", "too_close")]


def test_without_quiet_hours_the_offset_is_exact() -> None:
    visit = at(MOSCOW, 24, 8)
    planned, _ = plan_reminders(visit, at(MOSCOW, 23, 7), policy(quiet="off"))
    assert [r.at for r in planned] == [at(MOSCOW, 23, 8), at(MOSCOW, 24, 6)]


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    visit=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31)),
    lead=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
    offsets=st.sets(st.integers(min_value=1, max_value=72), min_size=1, max_size=4),
    quiet=st.tuples(st.integers(0, 23), st.integers(0, 23)).filter(lambda q: q[0] != q[1]),
)
def test_invariants_over_zones_offsets_and_quiet_hours(
    zone: str, visit: datetime, lead: timedelta, offsets: set[int], quiet: tuple[int, int]
) -> None:
    if QuietHours(time(quiet[0]), time(quiet[1])).length > timedelta(hours=20):
        return  # refused by parse_quiet (tested above)
    p = ReminderPolicy.parse(
        offsets=",".join(f"{h}h" for h in offsets),
        quiet=f"{quiet[0]}:00-{quiet[1]}:00",
        timezone=zone,
    )
    start = visit.replace(tzinfo=ZoneInfo(zone))
    now = start - lead
    planned, skipped = plan_reminders(start, now, p)
    assert len(planned) + len(skipped) == len(offsets)
    by_kind = {o.kind: o.before for o in p.offsets}
    for r in planned:
        assert now < r.at <= start - by_kind[r.kind]  # only ever earlier, never past
        assert not p.in_quiet(r.at)  # never during the quiet hours
    for a, b in itertools.pairwise(planned):
        assert b.at - a.at >= MIN_GAP


# ---- sending late, answers --------------------------------------------------------


def test_send_decision() -> None:
    p = policy()
    visit = at(MOSCOW, 24, 12)
    assert send_decision(at(MOSCOW, 24, 10), visit, p).action == "send"
    assert send_decision(at(MOSCOW, 24, 12), visit, p).action == "expire"
    waiting = send_decision(at(MOSCOW, 24, 2), visit, p)  # the service was down at 21:30
    assert (waiting.action, waiting.until) == ("wait", at(MOSCOW, 24, 9))
    early = at(MOSCOW, 24, 8, 30)  # quiet hours end after the visit begins
    assert send_decision(at(MOSCOW, 24, 2), early, p).action == "expire"


def test_answer_deadline_skips_the_night_and_the_visit() -> None:
    p = policy()
    assert answer_deadline(at(MOSCOW, 23, 21, 30), at(MOSCOW, 24, 12), p) == at(MOSCOW, 24, 9)
    assert answer_deadline(at(MOSCOW, 23, 12), at(MOSCOW, 24, 12), p) == at(MOSCOW, 23, 15)
    assert answer_deadline(at(MOSCOW, 24, 12), at(MOSCOW, 24, 14), p) == at(MOSCOW, 24, 14)


def test_before_quiet_margin_is_what_the_docs_say() -> None:
    assert timedelta(minutes=30) == BEFORE_QUIET
    utc_visit = datetime(2025, 7, 24, 5, 0, tzinfo=UTC)  # 08:00 in Moscow
    planned, _ = plan_reminders(
        utc_visit, datetime(2025, 7, 23, 0, 0, tzinfo=UTC), policy(offsets="2h")
    )
    assert planned[0].at.astimezone(MOSCOW) == at(MOSCOW, 23, 21, 30)
