"""What a YClients record webhook means for the phone's booking and reminders. Pure.

One change in YClients arrives as several identical events, sent once, in no guaranteed
order, and `data` may hold only the changed fields (reference, "YClients → your server
webhooks"). So an event is merged into what we knew of the record, and its effect is the
difference between the two, on the fields we use (`fingerprint`): a repeat of a change
already applied has none. An event older than what we know (`last_change_date`) has none.
`last_change_date` has whole seconds: a webhook of the same second as what we know, that
says something else, may be older or newer, so the record is read instead ("unordered").

- created: a visit we did not know (the administrator booked it, or it is our own);
- moved: its time, master or services changed;
- cancelled: it was deleted;
- confirmed: attendance became 2 (the client confirmed by phone, or our own "да");
- attendance: another attendance (1 arrived, -1 no-show, 0);
- none: nothing we use changed; stale: older than what we know; incomplete: a partial
  event about a record we never saw, without a phone or time; unordered: it differs from
  what we know and its date cannot say which came first (for both: read the record, then
  handle it again).

The bot's own changes (the records it booked: our `api_id` on a record we never saw; the
changes it announced with `RecordLog.expect`) still update state, and never tell the
client. Moves and cancellations by the salon do, when the visit is still ahead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from engine.visit import Visit
from states.record_change import RecordChange

Kind = Literal[
    "created",
    "moved",
    "cancelled",
    "confirmed",
    "attendance",
    "none",
    "stale",
    "incomplete",
    "unordered",
]

# `states.effects.api_id_for`: "wa-" and 24 hex digits of a hash of the batch id.
_BOT_API_ID = re.compile(r"^wa-[0-9a-f]{24}$")


def is_bot_api_id(api_id: str | None) -> bool:
    return bool(api_id) and bool(_BOT_API_ID.match(api_id or ""))


@dataclasses.dataclass(frozen=True)
class NoticePolicy:
    """Which changes by the salon the client is told of (the visit must still be ahead)."""

    moved: bool = True
    cancelled: bool = True
    created: bool = False  # the administrator booked it: the client asked them to


@dataclasses.dataclass(frozen=True)
class Known:
    """What we last knew of a record (`RecordLog`)."""

    visit: Visit
    fingerprint: str
    last_change: str | None = None


@dataclasses.dataclass(frozen=True)
class RecordEffect:
    kind: Kind
    record_id: int
    visit: Visit | None  # the record now (None: incomplete)
    previous: Visit | None  # what we knew before (None: never seen)
    own: bool = False  # the bot made this change itself
    notify: Literal["moved", "cancelled", "created"] | None = None  # what to tell the client
    duplicate: bool = False  # a repeat of a change already applied

    @property
    def phone(self) -> str | None:
        visit = self.visit or self.previous
        return visit.phone if visit else None


def fingerprint(visit: Visit) -> str:
    """A hash of the fields we use: time, master, services, client, attendance, deleted."""
    used = [
        visit.start.astimezone(ZoneInfo("UTC")).isoformat(),
        visit.staff_id,
        sorted(visit.service_ids),
        visit.phone,
        visit.attendance,
        visit.deleted,
    ]
    return hashlib.sha256(json.dumps(used).encode()).hexdigest()[:32]


def parse_moment(text: str | None, zone: ZoneInfo) -> datetime | None:
    """[A.4] ISO with an offset (with or without a colon), or local "YYYY-MM-DD HH:MM:SS"."""
    if not text:
        return None
    cleaned = text.strip().replace(" ", "T", 1)
    if re.search(r"[+-]\d{4}$", cleaned):
        cleaned = cleaned[:-2] + ":" + cleaned[-2:]
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def merge(change: RecordChange, known: Visit | None, zone: ZoneInfo) -> Visit | None:
    """The record after `change`, filled in from `known`; None without a phone or a time."""
    start = parse_moment(change.start, zone) or (known.start if known else None)
    phone = change.phone or (known.phone if known else None)
    if start is None or not phone:
        return None
    base = known or Visit(record_id=change.record_id, phone=phone, start=start)
    given: dict[str, Any] = {
        "staff_id": change.staff_id,
        "master": change.master,
        "service_ids": change.service_ids,
        "services": change.services,
        "client_name": change.client_name,
        "length_s": change.length_s,
        "attendance": change.attendance,
        "deleted": True if change.status == "delete" else change.deleted,
        "api_id": change.api_id,
    }
    updates = {name: value for name, value in given.items() if value is not None}
    return dataclasses.replace(base, phone=phone, start=start, **updates)


def _moment_of_change(text: str | None) -> datetime | None:
    return parse_moment(text, ZoneInfo("UTC"))


def is_stale(change: RecordChange, known: Known | None) -> bool:
    """Older than what we know, or about a record deleted since (without a newer date)."""
    if known is None:
        return False
    new, old = _moment_of_change(change.last_change), _moment_of_change(known.last_change)
    if new is not None and old is not None:
        return new < old
    return known.visit.deleted and change.status != "delete"


def is_unordered(change: RecordChange, known: Known | None) -> bool:
    """A webhook dated the same second as what we know (the dates have whole seconds): it
    may be older or newer. A record read from YClients is the record now."""
    if change.read or known is None:
        return False
    old = _moment_of_change(known.last_change)
    return old is not None and _moment_of_change(change.last_change) == old


def _kind(visit: Visit, previous: Visit | None) -> Kind:
    if visit.deleted:
        return "none" if previous is not None and previous.deleted else "cancelled"
    if previous is None:
        return "created"
    if (visit.start, visit.staff_id, sorted(visit.service_ids)) != (
        previous.start, previous.staff_id, sorted(previous.service_ids)
    ):  # fmt: skip
        return "moved"
    if visit.attendance != previous.attendance:
        return "confirmed" if visit.attendance == 2 else "attendance"
    return "none"


def decide(
    change: RecordChange,
    known: Known | None,
    zone: ZoneInfo,
    now: datetime,
    *,
    own_change: bool = False,
    notices: NoticePolicy = NoticePolicy(),
) -> RecordEffect:
    """The effect of one event; `own_change`: the log recognised a change the bot announced."""
    previous = known.visit if known else None
    rid = change.record_id
    if is_stale(change, known):
        return RecordEffect("stale", rid, previous, previous)
    visit = merge(change, previous, zone)
    if visit is None:
        return RecordEffect("incomplete", rid, None, previous)
    if known is not None and fingerprint(visit) == known.fingerprint:
        return RecordEffect("none", rid, visit, previous, duplicate=True)
    if is_unordered(change, known):
        return RecordEffect("unordered", rid, None, previous)
    kind = _kind(visit, previous)
    own = own_change or (previous is None and is_bot_api_id(visit.api_id))
    ahead = (previous or visit).start > now if kind == "cancelled" else visit.start > now
    told: dict[Kind, Literal["moved", "cancelled", "created"] | None] = {
        "moved": "moved" if notices.moved else None,
        "cancelled": "cancelled" if notices.cancelled else None,
        "created": "created" if notices.created else None,
    }
    notify = told.get(kind) if not own and ahead else None
    return RecordEffect(kind, rid, visit, previous, own=own, notify=notify)
