"""Every transition of the dialogue machine and every guard, on its own."""

from __future__ import annotations

import pytest

from states.conversation import Booking, Conversation, Option
from states.machine import STATES, TRANSITIONS, fire, guard_report


def conversation(state: str = "idle") -> Conversation:
    return Conversation(phone="79161234567", chat="79161234567@c.us", state=state)


def verified(c: Conversation, staff_id: int = 3413963) -> Conversation:
    c.slots.service_ids = [18356010]
    c.slots.staff_id = staff_id
    c.slots.date, c.slots.time = "2025-07-24", "18:00"
    c.chosen = Option("2025-07-24", "18:00", staff_id, "Бари", "2025-07-24T18:00:00+03:00")
    return c


def booking() -> Booking:
    return Booking(1, "h", 3413963, [18356010], "2025-07-24", "18:00", "…", "wa-1")


def test_every_trigger_and_state_is_known() -> None:
    for t in TRANSITIONS:
        sources = [t["source"]] if isinstance(t["source"], str) else t["source"]
        assert all(s == "*" or s in STATES for s in sources)
        assert t["dest"] in STATES
    assert set(STATES) >= {
        "idle",
        "collecting",
        "suggesting",
        "confirming",
        "booking",
        "booked",
        "cancelling",
    }


@pytest.mark.parametrize("state", STATES)
def test_collect_and_reset_work_from_anywhere(state: str) -> None:
    c = conversation(state)
    assert fire(c, "collect") and c.state == "collecting"
    assert fire(c, "reset") and c.state == "idle"


def test_suggest_needs_options() -> None:
    c = conversation("collecting")
    assert not fire(c, "suggest") and c.state == "collecting"
    assert guard_report(c, "suggest") == ["has_options"]
    c.offered = [Option("2025-07-24", "19:00", 3413963, "Бари", "…")]
    assert fire(c, "suggest") and c.state == "suggesting"


def test_propose_needs_services_an_int_master_and_a_verified_slot() -> None:
    c = conversation("collecting")
    assert guard_report(c, "propose") == ["has_services", "has_int_staff", "has_verified_slot"]
    verified(c)
    assert fire(c, "propose") and c.state == "confirming"


@pytest.mark.parametrize("bad_staff", ["last", 0, True, None, 3.0])
def test_a_master_that_is_not_a_positive_int_never_reaches_confirming(bad_staff: object) -> None:
    c = verified(conversation("collecting"))
    c.slots.staff_id = bad_staff  # type: ignore[assignment]  # what an LLM once produced
    assert not fire(c, "propose") and c.state == "collecting"
    assert "has_int_staff" in guard_report(c, "propose")


def test_a_slot_not_reported_free_never_reaches_confirming() -> None:
    c = verified(conversation("collecting"))
    c.slots.time = "19:00"  # the client changed the time after the check
    assert not fire(c, "propose")
    assert guard_report(c, "propose") == ["has_verified_slot"]


def test_book_needs_confirming_a_name_and_a_phone() -> None:
    c = verified(conversation("collecting"))
    assert not fire(c, "book")  # only from confirming
    fire(c, "propose")
    assert guard_report(c, "book") == ["has_name", "has_phone"]
    c.client_name, c.client_phone = "Николай", "79161234567"
    assert fire(c, "book") and c.state == "booking"


def test_booked_needs_a_record_from_yclients() -> None:
    c = verified(conversation("confirming"))
    c.client_name, c.client_phone = "Николай", "79161234567"
    fire(c, "book")
    assert not fire(c, "booked") and c.state == "booking"
    c.booking = booking()
    assert fire(c, "booked") and c.state == "booked"


def test_failed_booking_goes_back_never_to_booked() -> None:
    c = verified(conversation("booking"))
    assert fire(c, "booking_failed") and c.state == "collecting"
    c = verified(conversation("booking"))
    assert not fire(c, "booking_taken")  # alternatives are needed to suggest
    c.offered = [Option("2025-07-24", "19:00", 3413963, "Бари", "…")]
    assert fire(c, "booking_taken") and c.state == "suggesting"


def test_cancel_and_reschedule_need_a_booking() -> None:
    for trigger, dest in (("ask_cancel", "cancelling"), ("ask_reschedule", "rescheduling")):
        c = conversation("idle")
        assert not fire(c, trigger) and guard_report(c, trigger) == ["has_booking"]
        c.booking = booking()
        assert fire(c, trigger) and c.state == dest


def test_rescheduled_needs_a_booking_and_a_verified_slot() -> None:
    c = conversation("confirming")
    c.booking = booking()
    assert not fire(c, "rescheduled")
    verified(c)
    assert fire(c, "rescheduled") and c.state == "booked"


def test_unknown_trigger_from_a_wrong_state_changes_nothing() -> None:
    c = conversation("idle")
    assert not fire(c, "booked") and c.state == "idle"


def test_conversation_round_trips_through_json() -> None:
    c = verified(conversation("confirming"))
    c.booking = booking()
    c.add_turn({"batch": ["x"]})
    again = Conversation.from_dict(c.to_dict())
    assert again == c
    assert c.to_dict()["last_turn"] == {"batch": ["x"]}


def test_reset_keeps_the_client_and_the_booking() -> None:
    c = verified(conversation("confirming"))
    c.client_name, c.booking, c.language = "Ира", booking(), "en"
    c.reset()
    assert c.state == "idle" and c.slots.service_ids is None and c.chosen is None
    assert (c.client_name, c.language, c.booking) == ("Ира", "en", booking())
