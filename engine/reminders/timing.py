"""When a visit's reminders go: offsets before the visit, moved earlier out of quiet hours.

Pure functions of the visit's start, the clock and the salon's settings
(`REMINDER_OFFSETS`, `REMINDER_QUIET`, `REMINDER_ANSWER_WAIT`, the salon's zone). The rules:

- A reminder is due `offset` before the visit. If that moment falls in the quiet hours
  (in the salon's zone) it moves EARLIER, to `BEFORE_QUIET` before the quiet hours begin,
  so the client still has a moment to answer before the night. It never moves later.
- A reminder whose moment has already passed when the visit is scheduled is skipped: the
  client has just booked (or just been told by the salon), a reminder then is noise. This
  is what keeps a visit booked at 23:00 for the next morning free of reminders: the 2 h one
  moves to the evening before, which is already past, and nothing goes at night.
- Of reminders that land less than `MIN_GAP` apart, only the first is kept.
- At send time a reminder claimed late (the service was down) still goes once, unless the
  visit has begun; claimed during quiet hours it waits for their end, or is dropped when
  that is after the visit starts.
- The answer is awaited `REMINDER_ANSWER_WAIT`; a deadline in the quiet hours moves to
  their end (nobody is expected to answer at night), and never past the visit's start.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, time, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

BEFORE_QUIET = timedelta(minutes=30)
MIN_GAP = timedelta(hours=1)
MAX_OFFSET = timedelta(days=30)
MAX_QUIET = timedelta(hours=20)  # so that BEFORE_QUIET never lands inside the quiet hours

_DURATION = re.compile(r"^\s*(\d{1,5})\s*(m|min|h|d)\s*$", re.IGNORECASE)
_UNIT_S = {"m": 60, "min": 60, "h": 3600, "d": 86400}
_CLOCK = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*$")
_OFF = frozenset({"", "off", "none", "no"})


def parse_duration(text: str, what: str = "duration") -> tuple[str, timedelta]:
    """ "24h" -> ("24h", 24 h); units m, min, h, d. The label is the normalised text."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"{what}: {text.strip()!r} is not a duration like 24h, 90m or 1d")
    amount, unit = int(match.group(1)), match.group(2).lower()
    if amount <= 0:
        raise ValueError(f"{what}: {text.strip()!r} must be more than zero")
    unit = "m" if unit == "min" else unit
    return f"{amount}{unit}", timedelta(seconds=amount * _UNIT_S[unit])


@dataclasses.dataclass(frozen=True)
class Offset:
    kind: str  # the label shown in inspection, e.g. "24h"
    before: timedelta


def parse_offsets(text: str) -> tuple[Offset, ...]:
    """`REMINDER_OFFSETS`: "24h,2h" -> the offsets, longest first; "" or "off" -> none."""
    if text.strip().lower() in _OFF:
        return ()
    found: dict[timedelta, Offset] = {}
    for piece in text.split(","):
        kind, before = parse_duration(piece, "REMINDER_OFFSETS")
        if before > MAX_OFFSET:
            raise ValueError(f"REMINDER_OFFSETS: {kind} is more than {MAX_OFFSET.days} days")
        if before in found:
            raise ValueError(f"REMINDER_OFFSETS: {kind} is the same as {found[before].kind}")
        found[before] = Offset(kind, before)
    return tuple(sorted(found.values(), key=lambda o: o.before, reverse=True))


def _clock(text: str) -> time:
    match = _CLOCK.match(text)
    if match is None:
        raise ValueError(f"REMINDER_QUIET: {text.strip()!r} is not a time like 22:00")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"REMINDER_QUIET: {text.strip()!r} is not a time of day")
    return time(hour, minute)


@dataclasses.dataclass(frozen=True)
class QuietHours:
    """Local hours [start, end) with no reminders; may wrap midnight (22:00-09:00)."""

    start: time
    end: time

    @property
    def length(self) -> timedelta:
        day = datetime(2000, 1, 1)
        span = datetime.combine(day, self.end) - datetime.combine(day, self.start)
        return span if span > timedelta(0) else span + timedelta(days=1)

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def began(self, local: datetime) -> datetime:
        """When the quiet period holding `local` began (local, aware)."""
        day = local.date()
        if self.start > self.end and local.time() < self.end:
            day -= timedelta(days=1)
        return datetime.combine(day, self.start, tzinfo=local.tzinfo)

    def ends(self, local: datetime) -> datetime:
        """When the quiet period holding `local` ends (local, aware)."""
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=local.tzinfo)


def parse_quiet(text: str) -> QuietHours | None:
    """`REMINDER_QUIET`: "22:00-09:00" (local); "" or "off" -> no quiet hours."""
    if text.strip().lower() in _OFF:
        return None
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"REMINDER_QUIET: {text.strip()!r} is not a range like 22:00-09:00")
    quiet = QuietHours(_clock(start), _clock(end))
    if quiet.start == quiet.end:
        raise ValueError("REMINDER_QUIET: the start and the end are the same")
    if quiet.length > MAX_QUIET:
        raise ValueError(f"REMINDER_QUIET: longer than {MAX_QUIET.seconds // 3600} hours")
    return quiet


@dataclasses.dataclass(frozen=True)
class ReminderPolicy:
    offsets: tuple[Offset, ...]
    quiet: QuietHours | None
    zone: ZoneInfo
    answer_wait: timedelta = timedelta(hours=3)

    @classmethod
    def parse(
        cls,
        offsets: str = "24h,2h",
        quiet: str = "22:00-09:00",
        answer_wait: str = "3h",
        timezone: str = "Europe/Moscow",
    ) -> ReminderPolicy:
        """From the settings' text values; raises ValueError with the variable's name."""
        return cls(
            parse_offsets(offsets),
            parse_quiet(quiet),
            ZoneInfo(timezone),
            parse_duration(answer_wait, "REMINDER_ANSWER_WAIT")[1],
        )

    async def current(self) -> ReminderPolicy:
        """A `PolicySource` that never changes (the zone known from the settings, tests)."""
        return self

    def in_quiet(self, moment: datetime) -> bool:
        return self.quiet is not None and self.quiet.contains(self._local(moment).time())

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def out_of_quiet(self, moment: datetime) -> datetime:
        """`moment`, or BEFORE_QUIET before the quiet hours holding it began."""
        if self.quiet is None or not self.in_quiet(moment):
            return moment
        return self.quiet.began(self._local(moment)) - BEFORE_QUIET

    def quiet_end(self, moment: datetime) -> datetime:
        """The end of the quiet hours holding `moment` (`moment` itself when not quiet)."""
        if self.quiet is None or not self.in_quiet(moment):
            return moment
        return self.quiet.ends(self._local(moment))


class PolicySource(Protocol):
    """The policy in the salon's zone, which may only be known once YClients answered."""

    async def current(self) -> ReminderPolicy: ...


@dataclasses.dataclass(frozen=True)
class PlannedReminder:
    kind: str
    at: datetime  # aware


@dataclasses.dataclass(frozen=True)
class SkippedReminder:
    kind: str
    reason: Literal["past", "too_close"]


def plan_reminders(
    visit_start: datetime, now: datetime, policy: ReminderPolicy
) -> tuple[tuple[PlannedReminder, ...], tuple[SkippedReminder, ...]]:
    """The reminders of a visit starting at `visit_start`, as of `now` (see the rules)."""
    if visit_start.tzinfo is None or now.tzinfo is None:
        raise ValueError("plan_reminders needs aware datetimes")
    candidates = sorted(
        (PlannedReminder(o.kind, policy.out_of_quiet(visit_start - o.before))
         for o in policy.offsets),
        key=lambda r: r.at,
    )  # fmt: skip
    planned: list[PlannedReminder] = []
    skipped: list[SkippedReminder] = []
    for reminder in candidates:
        if reminder.at <= now:
            skipped.append(SkippedReminder(reminder.kind, "past"))
        elif planned and reminder.at - planned[-1].at < MIN_GAP:
            skipped.append(SkippedReminder(reminder.kind, "too_close"))
        else:
            planned.append(reminder)
    return tuple(planned), tuple(skipped)


@dataclasses.dataclass(frozen=True)
class SendDecision:
    action: Literal["send", "wait", "expire"]
    until: datetime | None = None  # for "wait"


def send_decision(now: datetime, visit_start: datetime, policy: ReminderPolicy) -> SendDecision:
    """What to do with a reminder claimed at `now` (normally at its time; late after an
    outage): send it, wait for the quiet hours to end, or drop it (the visit has begun)."""
    if now >= visit_start:
        return SendDecision("expire")
    if policy.in_quiet(now):
        until = policy.quiet_end(now)
        return SendDecision("expire") if until >= visit_start else SendDecision("wait", until)
    return SendDecision("send")


def answer_deadline(sent_at: datetime, visit_start: datetime, policy: ReminderPolicy) -> datetime:
    """When a reminder sent at `sent_at` counts as unanswered."""
    deadline = policy.quiet_end(sent_at + policy.answer_wait)
    return min(deadline, visit_start)
