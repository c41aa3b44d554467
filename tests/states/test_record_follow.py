"""The conversation follows the salon's own changes to a visit (issue 16), pure."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from states.conversation import Booking, Conversation
from states.machine import machine_state
from states.record_follow import follow_visit

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 7, 23, 15, 0, tzinfo=MOSCOW)


def booking(record_id: int = 1, days: float = 1, staff_id: int = 3413963) -> Booking:
    return Booking.of_record(record_id, staff_id, [18356010], NOW + timedelta(days=days), "wa-1")


def booked(state: str = "booked", awaiting: str | None = None) -> Conversation:
    c = Conversation(phone="79990001122", chat="79990001122@c.us", state=state)
    c.awaiting, c.booking = awaiting, booking()
    c.booking.record_hash = "hash"
    return c


def test_a_move_is_taken_keeping_what_only_we_know() -> None:
    c = booked()
    moved = Booking.of_record(1, 3413964, [18356010], NOW + timedelta(days=2), "")
    assert follow_visit(c, 1, moved, NOW, created=False)
    assert c.booking is not None and (c.booking.staff_id, c.booking.date) == (3413964, "2025-07-25")
    assert (c.booking.record_hash, c.booking.api_id) == ("hash", "wa-1")
    assert not follow_visit(c, 1, moved, NOW, created=False), "the same change twice: nothing"


@pytest.mark.parametrize(
    ("state", "awaiting", "rests"),
    [
        ("booked", None, "booked"),
        ("booked", "reminder", "idle"),
        ("cancelling", "yes_no", "idle"),
        ("rescheduling", "date", "idle"),
        ("collecting", "service", "collecting_service"),  # another visit being arranged
    ],
)
def test_a_deleted_visit_is_forgotten_and_questions_about_it_dropped(
    state: str, awaiting: str | None, rests: str
) -> None:
    c = booked(state, awaiting)
    assert follow_visit(c, 1, None, NOW, created=False)
    assert c.booking is None and machine_state(c) == rests


def test_another_visit_is_not_this_conversations_booking() -> None:
    c = booked()
    assert not follow_visit(c, 2, None, NOW, created=False)
    assert not follow_visit(c, 2, booking(2, days=3), NOW, created=True), "one ahead already"
    assert c.booking is not None and c.booking.record_id == 1


def test_a_visit_the_salon_booked_becomes_the_booking_when_none_is_ahead() -> None:
    c = Conversation(phone="79990001122", chat="79990001122@c.us")
    assert not follow_visit(c, 5, booking(5, days=-1), NOW, created=True), "a past visit"
    assert follow_visit(c, 5, booking(5), NOW, created=True)
    assert c.booking is not None and c.booking.record_id == 5 and c.state == "idle"
