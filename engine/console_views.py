"""Reading the stored conversation and its traces into what the console shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from states.console import (
    ConversationRow,
    ListView,
    OperatorAction,
    TimelineEntry,
    TurnRecord,
)


def moment(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def iso(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def turn_failed(turns: list[dict[str, Any]]) -> bool:
    guards = turns[-1].get("guards", []) if turns else []
    return any(g.get("guard") == "turn_completed" and not g.get("ok") for g in guards)


def turn_record(trace: dict[str, Any]) -> TurnRecord:
    return TurnRecord(
        at=datetime.fromisoformat(trace["at"]),
        batch_id=str(trace.get("batch_id", "")),
        attempt=int(trace.get("attempt", 1)),
        messages=[str(m) for m in trace.get("batch", [])],
        fill=trace.get("llm_fill") or {},
        guards=trace.get("guards") or [],
        calls=trace.get("yclients") or [],
        replies=[str(r) for r in trace.get("replies", [])],
        state=trace.get("state"),
    )


def shown_in(view: ListView, row: ConversationRow, today: datetime) -> bool:
    if view is ListView.NEEDS_PERSON:
        return row.needs_person
    if view is ListView.BOOKED_TODAY:
        return row.booked_at is not None and row.booked_at >= today
    if view is ListView.ERRORS:
        return row.has_errors
    return True


def timeline_of(traces: list[dict[str, Any]], actions: list[dict[str, Any]]) -> list[TimelineEntry]:
    """Turns and operator actions in the order they happened."""
    timeline = [TimelineEntry("turn", t.at, turn=t) for t in map(turn_record, traces)]
    for action in actions:
        at = moment(action["at_ms"])
        done = OperatorAction(at, action["action"], action.get("detail"))
        timeline.append(TimelineEntry("action", at, action=done))
    timeline.sort(key=lambda entry: entry.at)
    return timeline


def per_day(zone: ZoneInfo, first: date, days: int, moments: Iterable[int]) -> dict[date, int]:
    """How many of `moments` (ms) fall on each of `days` days from `first`, in `zone`."""
    counts = dict.fromkeys((first + timedelta(days=n) for n in range(days)), 0)
    for ms in moments:
        day = moment(ms).astimezone(zone).date()
        if day in counts:
            counts[day] += 1
    return counts
