"""A client's answer to a visit reminder (issue 16), played against the sandbox: "да"
confirms the visit in YClients (attendance 2), "не смогу" offers to move or cancel it,
questions are answered and the reminder's question follows."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from states.conversation import Conversation
from states.dialogue import play
from states.handlers_reminder import ReminderAsk, take_reminder
from states.machine import machine_state
from states.slot_fill import Intent
from tests.states.conftest import World, fill


@dataclasses.dataclass
class Answers:
    """The port the dialogue records answers through, keeping what it was told."""

    given: list[tuple[str, int, str]] = dataclasses.field(default_factory=list)

    async def answer(self, phone: str, record_id: int, outcome: str) -> int:
        self.given.append((phone, record_id, outcome))
        return 1


async def reminded(world: World) -> Conversation:
    c = await world.reach("booked_reminder")
    assert c.booking is not None
    return c


async def answer(world: World, c: Conversation, intent: Intent, answers: Answers) -> list[str]:
    turn = await world.turn(c)
    turn.answers = answers
    await play(turn, fill(intent))
    return turn.replies


async def test_da_marks_the_visit_confirmed_in_yclients(world: World) -> None:
    c = await reminded(world)
    assert c.booking is not None
    record = world.salon.live_record(c.booking.record_id)
    assert record.attendance == 0
    answers = Answers()
    replies = await answer(world, c, Intent.CONFIRM, answers)
    assert record.attendance == 2, "attendance 2: confirmed"
    assert answers.given == [(c.phone, record.id, "confirmed")]
    assert machine_state(c) == "booked"
    assert len(replies) == 1 and "подтверждён" in replies[0] and "18:00" in replies[0]


@pytest.mark.parametrize("intent", [Intent.DENY, Intent.CANCEL, Intent.ABORT])
async def test_ne_smogu_offers_to_move_or_cancel(world: World, intent: Intent) -> None:
    c = await reminded(world)
    assert c.booking is not None
    answers = Answers()
    replies = await answer(world, c, intent, answers)
    text = "\n".join(replies)
    assert answers.given == [(c.phone, c.booking.record_id, "declined")]
    assert machine_state(c) == "rescheduling_date" and c.mode == "reschedule"
    assert "перенести" in text and "отменить" in text
    assert not world.salon.live_record(c.booking.record_id).deleted, "nothing cancelled yet"


@pytest.mark.parametrize("intent", [Intent.ASK_ADDRESS, Intent.SMALL_TALK, Intent.UNKNOWN])
async def test_a_question_keeps_the_reminder_open(world: World, intent: Intent) -> None:
    c = await reminded(world)
    answers = Answers()
    replies = await answer(world, c, intent, answers)
    assert answers.given == []
    assert machine_state(c) == "booked_reminder"
    assert "да" in replies[-1] and "18:00" in replies[-1], "the reminder's question follows"


async def test_a_moved_wish_is_declined_then_handled_as_for_a_booked_visit(world: World) -> None:
    c = await reminded(world)
    answers = Answers()
    await answer(world, c, Intent.EARLIER, answers)
    assert [o for _, _, o in answers.given] == ["declined"]
    assert c.mode == "reschedule" and machine_state(c) in ("suggesting_option", "collecting_date")


async def test_a_visit_deleted_meanwhile_is_said_so(world: World) -> None:
    c = await reminded(world)
    assert c.booking is not None
    world.salon.live_record(c.booking.record_id).deleted = True
    answers = Answers()
    replies = await answer(world, c, Intent.CONFIRM, answers)
    assert "отменили" in replies[0] and c.booking is None and machine_state(c) == "idle"
    assert answers.given == []


async def test_the_reminder_is_taken_only_when_it_is_the_last_question(world: World) -> None:
    c = await world.reach("booked")
    assert c.booking is not None
    ask = ReminderAsk(c.booking.record_id, c.booking, world.now)
    c.updated_at = (world.now + timedelta(minutes=1)).isoformat()
    take_reminder(c, ask)
    assert machine_state(c) == "booked", "the client wrote after the reminder"
    c.updated_at = (world.now - timedelta(minutes=1)).isoformat()
    take_reminder(c, ask)
    assert machine_state(c) == "booked_reminder"
    c.updated_at = (world.now + timedelta(minutes=5)).isoformat()
    take_reminder(c, ask)
    assert machine_state(c) == "booked_reminder", "still awaited: the state stays"
    take_reminder(c, None)
    assert machine_state(c) == "booked", "answered elsewhere or its wait is over"
