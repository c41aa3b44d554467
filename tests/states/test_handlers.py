"""Handlers and the loop breaker on their own, without Redis: fills given directly."""

from __future__ import annotations

import itertools

import pytest

from states.machine import RESTING, machine_state
from states.slot_fill import FaqTopic, Intent
from tests.states.conftest import BARI, TOMORROW, World, fill, haircut

ARRANGING = [r for r in RESTING if r not in ("idle", "booked")]


@pytest.mark.parametrize("row", ARRANGING)
async def test_the_same_question_is_never_sent_twice_in_a_row(world: World, row: str) -> None:
    c = await world.reach(row)
    sent = [c.prompt.text if c.prompt else ""]
    for _ in range(4):
        turn = await world.play(c, fill(Intent.UNKNOWN))
        assert len(turn.replies) == 1
        sent.append(turn.replies[0])
    assert all(a != b for a, b in itertools.pairwise(sent)), sent
    assert machine_state(c) == row, "not understanding never moves the dialogue"
    assert c.handoff is not None and c.handoff["reason"] == "ladder"
    assert "администратор" in sent[2], "the third time, a person is offered"


@pytest.mark.parametrize(
    ("row", "question"),
    [
        ("collecting_date", "На какой день"),
        ("suggesting_option", "Ответьте номером"),
        ("confirming_yes_no", "(да/нет)"),
    ],
)
async def test_a_time_that_does_not_exist_is_said_so(world: World, row: str, question: str) -> None:
    c = await world.reach(row)
    slots = c.slots.as_dict()
    turn = await world.play(c, fill(Intent.CHANGE, invalid_time="25:00"))
    text = "\n".join(turn.replies)
    assert "Времени «25:00» не бывает" in text and question in text
    assert c.slots.as_dict() == slots and machine_state(c) == row
    assert not [r for r in world.salon.records.values() if r.api_id], "nothing is booked"


async def test_an_invalid_date_with_a_request_keeps_the_rest(world: World) -> None:
    c = world.newcomer()
    turn = await world.play(c, haircut(invalid_date="31 февраля"))
    text = "\n".join(turn.replies)
    assert "Даты «31 февраля» нет в календаре" in text and "К какому мастеру" in text
    assert c.slots.service_ids == [18356010] and c.slots.date is None


async def test_questions_are_answered_before_the_request_asks_its_own(world: World) -> None:
    c = world.newcomer()
    f = haircut(date=TOMORROW, questions=[Intent.ASK_ADDRESS, Intent.ASK_FAQ])
    turn = await world.play(c, f.model_copy(update={"faq_topics": [FaqTopic.PAYMENT]}))
    assert [("Пятницкая" in r, "картой" in r, "К какому мастеру" in r) for r in turn.replies] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]


async def test_booked_lasts_until_the_client_writes_again(world: World) -> None:
    c = await world.reach("booked")
    before = (c.state, c.slots.time)
    await world.play(c, fill(Intent.SMALL_TALK))
    assert before == ("booked", "18:00")
    assert (c.state, c.slots.time) == ("idle", None)


async def test_a_hand_off_is_recorded_for_a_person(world: World) -> None:
    c = await world.reach("collecting_date")
    turn = await world.play(c, fill(Intent.COMPLAINT))
    # `batch` names the turn, so the engine carries the hand-off out once (issue 17).
    assert c.handoff == {"reason": "complaint", "at": world.now.isoformat(), "batch": turn.batch_id}
    assert {"guard": "handoff", "ok": True, "detail": "complaint"} in turn.guards
    assert machine_state(c) == "collecting_date" and c.slots.staff_id == 3413963


async def test_abort_at_the_summary_books_nothing_and_says_so(world: World) -> None:
    c = await world.reach("confirming_yes_no")
    turn = await world.play(c, fill(Intent.ABORT))
    assert c.state == "idle" and c.chosen is None and c.slots.service_ids is None
    assert "не создана" in turn.replies[0]
    assert not [r for r in world.salon.records.values() if r.api_id]


async def test_da_to_one_option_picks_it_and_to_several_does_not(world: World) -> None:
    c = await world.reach("suggesting_option")
    assert len(c.offered) > 1
    await world.play(c, fill(Intent.CONFIRM))
    assert machine_state(c) == "suggesting_option"
    c.offered = c.offered[:1]
    await world.play(c, fill(Intent.CONFIRM))
    assert machine_state(c) == "confirming_yes_no" and c.chosen is not None


async def test_numbered_masters_are_picked_by_number(world: World) -> None:
    c = await world.reach("collecting_master")
    turn = await world.play(c, fill(Intent.UNKNOWN))
    assert "2. Артём" in turn.replies[0] and [ch.label for ch in c.choices][:2] == ["Бари", "Артём"]
    await world.play(c, fill(Intent.CHOOSE_OPTION, option=2))
    assert (c.slots.staff_id, c.master_choice, c.awaiting) == (3413964, "named", "date")


async def test_a_move_keeps_the_visits_service_and_master(world: World) -> None:
    c = await world.reach("rescheduling_date")
    await world.play(c, haircut(date=TOMORROW, time="12:00", **BARI))
    assert c.mode == "reschedule" and c.slots.staff_id == 3413964  # Артём's visit stays his
    assert c.slots.service_ids == [18356010] and c.slots.date == TOMORROW
