"""Every transition of the dialogue machine and every guard, on its own."""

from __future__ import annotations

import pytest

from states.conversation import Booking, Choice, Conversation, Option, Prompt
from states.machine import (
    CHILDREN,
    RESTING,
    STATES,
    TRANSITIONS,
    Awaiting,
    fire,
    guard_report,
    leaf,
    machine_state,
)


def conversation(state: str = "idle", awaiting: str | None = None) -> Conversation:
    c = Conversation(phone="79161234567", chat="79161234567@c.us", state=state)
    c.awaiting = awaiting
    return c


def verified(c: Conversation, staff_id: int = 3413963) -> Conversation:
    c.slots.service_ids = [18356010]
    c.slots.staff_id = staff_id
    c.slots.date, c.slots.time = "2025-07-24", "18:00"
    c.chosen = Option("2025-07-24", "18:00", staff_id, "Бари", "2025-07-24T18:00:00+03:00")
    return c


def booking() -> Booking:
    return Booking(1, "h", 3413963, [18356010], "2025-07-24", "18:00", "…", "wa-1")


def test_every_trigger_names_known_states() -> None:
    leaves = {leaf(s, str(a)) for s, kids in CHILDREN.items() for a in kids} | set(STATES)
    for t in TRANSITIONS:
        sources = [t["source"]] if isinstance(t["source"], str) else t["source"]
        assert all(s == "*" or s in leaves for s in sources), t
        assert t["dest"] in leaves, t
    assert set(STATES) >= {
        "idle",
        "collecting",
        "suggesting",
        "confirming",
        "booking",
        "booked",
        "cancelling",
    }


def test_resting_states_are_the_leaves_except_booking() -> None:
    assert "booking" not in RESTING
    assert "idle" in RESTING and "booked" in RESTING
    assert "confirming_yes_no" in RESTING and "collecting_master" in RESTING
    assert all(r.split("_", 1)[0] in STATES for r in RESTING)


@pytest.mark.parametrize(
    ("trigger", "awaiting"),
    [
        ("ask_service", Awaiting.SERVICE),
        ("ask_master", Awaiting.MASTER),
        ("ask_date", Awaiting.DATE),
        ("ask_change", Awaiting.CHANGE),
    ],
)
@pytest.mark.parametrize("state", ["idle", "collecting", "suggesting", "confirming", "booked"])
def test_what_the_bot_awaits_is_a_sub_state(state: str, trigger: str, awaiting: str) -> None:
    c = conversation(state, CHILDREN.get(state, [None])[0])
    assert fire(c, trigger)
    assert (c.state, c.awaiting) == ("collecting", awaiting)


def test_a_new_date_for_a_move_is_awaited_in_rescheduling() -> None:
    c = conversation("collecting", "master")
    c.mode, c.booking = "reschedule", booking()
    assert fire(c, "ask_date") and (c.state, c.awaiting) == ("rescheduling", "date")
    c.mode = "book"
    assert fire(c, "ask_date") and (c.state, c.awaiting) == ("collecting", "date")


@pytest.mark.parametrize("trigger", sorted({str(t["trigger"]) for t in TRANSITIONS}))
def test_a_trigger_logs_nothing(trigger: str, caplog: pytest.LogCaptureFixture) -> None:
    """A guard named like one of pytransitions' `is_<state>` checks made it warn on every
    turn of every phone; the engineer on call reads these logs."""
    c = verified(conversation("collecting", "master"))
    c.mode, c.booking = "reschedule", booking()
    with caplog.at_level("WARNING", logger="transitions"):
        fire(c, trigger)
    assert [r.getMessage() for r in caplog.records] == []


def test_name_and_phone_are_awaited_in_confirming_after_yes_else_in_collecting() -> None:
    c = verified(conversation("confirming", "yes_no"))
    assert fire(c, "ask_name") and (c.state, c.awaiting) == ("confirming", "name")
    assert fire(c, "ask_phone") and (c.state, c.awaiting) == ("confirming", "phone")
    c = conversation("idle")
    assert fire(c, "ask_phone") and (c.state, c.awaiting) == ("collecting", "phone")


def test_a_state_saved_before_sub_states_rests_in_its_first_one() -> None:
    assert machine_state(conversation("collecting")) == "collecting_service"
    assert machine_state(conversation("confirming")) == "confirming_yes_no"
    assert machine_state(conversation("idle", "date")) == "idle"
    assert machine_state(conversation("nonsense")) == "idle"
    old = Conversation.from_dict(
        {"phone": "1", "chat": "1@c.us", "state": "confirming", "expecting": "confirmation"}
    )
    assert (old.state, old.awaiting) == ("confirming", "yes_no")


def test_suggest_needs_options() -> None:
    c = conversation("collecting", "date")
    assert not fire(c, "suggest") and c.state == "collecting"
    assert guard_report(c, "suggest") == ["has_options"]
    c.offered = [Option("2025-07-24", "19:00", 3413963, "Бари", "…")]
    assert fire(c, "suggest") and (c.state, c.awaiting) == ("suggesting", "option")


def test_propose_needs_services_an_int_master_and_a_verified_slot() -> None:
    c = conversation("collecting", "date")
    assert guard_report(c, "propose") == ["has_services", "has_int_staff", "has_verified_slot"]
    verified(c)
    assert fire(c, "propose") and (c.state, c.awaiting) == ("confirming", "yes_no")


@pytest.mark.parametrize("bad_staff", ["last", 0, True, None, 3.0])
def test_a_master_that_is_not_a_positive_int_never_reaches_confirming(bad_staff: object) -> None:
    c = verified(conversation("collecting", "date"))
    c.slots.staff_id = bad_staff  # type: ignore[assignment]  # what an LLM once produced
    assert not fire(c, "propose") and c.state == "collecting"
    assert "has_int_staff" in guard_report(c, "propose")


def test_a_slot_not_reported_free_never_reaches_confirming() -> None:
    c = verified(conversation("collecting", "date"))
    c.slots.time = "19:00"  # the client changed the time after the check
    assert not fire(c, "propose")
    assert guard_report(c, "propose") == ["has_verified_slot"]


def test_book_needs_confirming_a_name_and_a_phone() -> None:
    c = verified(conversation("collecting", "date"))
    assert not fire(c, "book")  # only from confirming
    fire(c, "propose")
    assert guard_report(c, "book") == ["has_name", "has_phone"]
    c.client_name, c.client_phone = "Николай", "79161234567"
    assert fire(c, "book") and (c.state, c.awaiting) == ("booking", None)


def test_booked_needs_a_record_from_yclients() -> None:
    c = verified(conversation("confirming", "yes_no"))
    c.client_name, c.client_phone = "Николай", "79161234567"
    fire(c, "book")
    assert not fire(c, "booked") and c.state == "booking"
    c.booking = booking()
    assert fire(c, "booked") and c.state == "booked"


def test_failed_booking_goes_back_never_to_booked() -> None:
    c = verified(conversation("booking"))
    assert fire(c, "booking_failed") and (c.state, c.awaiting) == ("collecting", "change")
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
    c = conversation("confirming", "yes_no")
    c.booking = booking()
    assert not fire(c, "rescheduled")
    verified(c)
    assert fire(c, "rescheduled") and (c.state, c.awaiting) == ("booked", None)


def test_unknown_trigger_from_a_wrong_state_changes_nothing() -> None:
    c = conversation("idle")
    assert not fire(c, "booked") and c.state == "idle"


def test_conversation_round_trips_through_json() -> None:
    c = verified(conversation("confirming", "yes_no"))
    c.booking = booking()
    c.choices = [Choice("master", "3413963", "Бари")]
    c.prompt = Prompt("Записываю? (да/нет)", 1)
    c.handoff = {"reason": "complaint", "at": "2025-07-23T15:00:00+03:00"}
    c.add_turn({"batch": ["x"]})
    again = Conversation.from_dict(c.to_dict())
    assert again == c
    assert c.to_dict()["last_turn"] == {"batch": ["x"]}


def test_reset_keeps_the_client_the_booking_and_a_hand_off() -> None:
    c = verified(conversation("confirming", "yes_no"))
    c.client_name, c.booking, c.language = "Ира", booking(), "en"
    c.handoff = {"reason": "ask_human", "at": "…"}
    c.reset()
    assert c.state == "idle" and c.awaiting is None
    assert c.slots.service_ids is None and c.chosen is None
    assert (c.client_name, c.language, c.booking) == ("Ира", "en", booking())
    assert c.handoff == {"reason": "ask_human", "at": "…"}
