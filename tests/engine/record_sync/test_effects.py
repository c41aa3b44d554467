"""What a record event means, decided without I/O: merging, duplicates, order, own changes."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine.record_sync import Known, NoticePolicy, decide, fingerprint, is_bot_api_id, merge
from engine.visit import Visit
from states.effects import api_id_for
from states.record_change import RecordChange

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 7, 23, 15, 0, tzinfo=MOSCOW)
FULL = RecordChange(
    status="create", record_id=7, start="2025-07-25T12:00:00+03:00", staff_id=11,
    master="Бари", service_ids=(21,), services=("Стрижка",), phone="79990005566",
    client_name="Олег", attendance=0, deleted=False, api_id=None,
    last_change="2025-07-23T14:00:00+0300",
)  # fmt: skip


def known_after(change: RecordChange) -> Known:
    visit = merge(change, None, MOSCOW)
    assert visit is not None
    return Known(visit, fingerprint(visit), change.last_change)


def later(**fields: object) -> RecordChange:
    values = {"status": "update", "last_change": "2025-07-23T14:05:00+0300", **fields}
    return dataclasses.replace(FULL, **values)  # type: ignore[arg-type]


def test_a_visit_the_administrator_created() -> None:
    effect = decide(FULL, None, MOSCOW, NOW)
    assert (effect.kind, effect.own, effect.notify, effect.phone) == (
        "created",
        False,
        None,
        "79990005566",
    )
    told = decide(FULL, None, MOSCOW, NOW, notices=NoticePolicy(created=True))
    assert told.notify == "created"


def test_our_own_booking_is_recognised_by_its_api_id() -> None:
    ours = api_id_for("batch-1")
    assert is_bot_api_id(ours) and not is_bot_api_id("wa-x") and not is_bot_api_id(None)
    effect = decide(dataclasses.replace(FULL, api_id=ours), None, MOSCOW, NOW)
    assert (effect.kind, effect.own, effect.notify) == ("created", True, None)


def test_the_same_event_again_has_no_effect() -> None:
    effect = decide(later(), known_after(FULL), MOSCOW, NOW)
    assert (effect.kind, effect.duplicate, effect.notify) == ("none", True, None)


@pytest.mark.parametrize(
    ("fields", "kind", "notify"),
    [
        ({"start": "2025-07-25T15:30:00+03:00"}, "moved", "moved"),
        ({"start": "2025-07-25 15:30:00"}, "moved", "moved"),  # local, no zone [A.4]
        ({"staff_id": 12, "master": "Артём"}, "moved", "moved"),
        ({"service_ids": (21, 22)}, "moved", "moved"),
        ({"status": "delete"}, "cancelled", "cancelled"),
        ({"deleted": True}, "cancelled", "cancelled"),
        ({"attendance": 2}, "confirmed", None),
        ({"attendance": 1}, "attendance", None),
        ({"attendance": -1}, "attendance", None),
        ({"master": "Бари Б."}, "none", None),  # a field we do not use
    ],
)
def test_changes_by_the_salon(fields: dict[str, object], kind: str, notify: str | None) -> None:
    effect = decide(later(**fields), known_after(FULL), MOSCOW, NOW)
    assert (effect.kind, effect.notify, effect.own) == (kind, notify, False)


def test_a_partial_event_fills_in_from_what_we_knew() -> None:
    partial = RecordChange(status="update", record_id=7, start="2025-07-26T10:00:00+03:00")
    effect = decide(partial, known_after(FULL), MOSCOW, NOW)
    assert effect.kind == "moved" and effect.visit is not None
    assert (effect.visit.phone, effect.visit.master, effect.visit.service_ids) == (
        "79990005566", "Бари", (21,))  # fmt: skip
    unknown = decide(partial, None, MOSCOW, NOW)
    assert (unknown.kind, unknown.visit) == ("incomplete", None)


def test_an_older_event_is_stale() -> None:
    newer = known_after(later(start="2025-07-25T15:30:00+03:00"))
    old = dataclasses.replace(FULL, status="update", start="2025-07-25T13:00:00+03:00")
    assert decide(old, newer, MOSCOW, NOW).kind == "stale"


def test_an_update_after_the_delete_without_a_date_is_stale() -> None:
    gone = known_after(dataclasses.replace(FULL, status="delete", last_change=None))
    update = dataclasses.replace(FULL, status="update", last_change=None)
    assert decide(update, gone, MOSCOW, NOW).kind == "stale"


def test_past_visits_are_not_announced() -> None:
    past = dataclasses.replace(FULL, start="2025-07-22T12:00:00+03:00")
    moved = later(start="2025-07-22T13:00:00+03:00")
    effect = decide(moved, known_after(past), MOSCOW, NOW)
    assert (effect.kind, effect.notify) == ("moved", None)


def test_a_move_into_the_past_of_a_future_visit_is_not_announced_as_ahead() -> None:
    effect = decide(
        later(status="delete"), known_after(FULL), MOSCOW, datetime(2025, 7, 26, tzinfo=MOSCOW)
    )
    assert (effect.kind, effect.notify) == ("cancelled", None)


def test_notices_can_be_turned_off() -> None:
    quiet = NoticePolicy(moved=False, cancelled=False)
    moved = decide(
        later(start="2025-07-25T15:30:00+03:00"), known_after(FULL), MOSCOW, NOW, notices=quiet
    )
    assert (moved.kind, moved.notify) == ("moved", None)


def test_fingerprint_ignores_names_and_order_of_services() -> None:
    a = Visit(record_id=1, phone="7", start=NOW, service_ids=(1, 2), master="A")
    b = dataclasses.replace(
        a, service_ids=(2, 1), master="B", start=NOW.astimezone(ZoneInfo("UTC"))
    )
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(dataclasses.replace(a, attendance=2))


@pytest.mark.parametrize("same_second", ["2025-07-23T14:00:00+0300", "2025-07-23T11:00:00+0000"])
def test_a_different_event_of_the_same_second_is_unordered_until_read(same_second: str) -> None:
    """`last_change_date` has whole seconds: of two changes in one second the date cannot
    say which is the newer, so the record is read; the read record is then taken as it is."""
    moved = dataclasses.replace(FULL, status="update", start="2025-07-25T18:00:00+03:00",
                                last_change=same_second)  # fmt: skip
    unordered = decide(moved, known_after(FULL), MOSCOW, NOW)
    assert (unordered.kind, unordered.visit, unordered.notify) == ("unordered", None, None)
    read = decide(dataclasses.replace(moved, read=True), known_after(FULL), MOSCOW, NOW)
    assert (read.kind, read.notify) == ("moved", "moved")
    repeat = dataclasses.replace(FULL, status="update", last_change=same_second)
    assert decide(repeat, known_after(FULL), MOSCOW, NOW).duplicate, "the same record: a repeat"
    assert decide(later(start="2025-07-25T18:00:00+03:00"), known_after(FULL), MOSCOW,
                  NOW).kind == "moved", "a later second is ordered"  # fmt: skip
