"""The policy table is complete: every (resting state, intent) cell has a deliberate
handler, and every cell, played for real against the sandbox, answers, rests in a state,
books nothing it should not, and keeps a visit being arranged when the client only asks
or chats (issue 14)."""

from __future__ import annotations

import ast
import importlib.util
import inspect
from pathlib import Path

import pytest

from states import policy
from states.machine import RESTING, machine_state
from states.slot_fill import QUESTION_INTENTS, FaqTopic, Intent, SlotFill
from tests.states.conftest import HAIRCUT, TOMORROW, World, fill

STATES_DIR = Path(__file__).resolve().parents[2] / "states"
MAX_HANDLER_LINES = 40

# One representative fill per intent: what a filler reports for a typical message.
SAMPLE: dict[Intent, SlotFill] = {
    Intent.BOOK: fill(Intent.BOOK, services=[HAIRCUT], service_phrases=["стрижку"]),
    Intent.CHOOSE_OPTION: fill(Intent.CHOOSE_OPTION, option=1),
    Intent.CHANGE: fill(Intent.CHANGE, time="19:00", time_phrase="в 19"),
    Intent.ASK_PRICE: fill(Intent.ASK_PRICE, services=[HAIRCUT], service_phrases=["стрижка"]),
    Intent.ASK_WHO_WORKS: fill(Intent.ASK_WHO_WORKS, date=TOMORROW),
    Intent.ASK_FREE_SLOTS: fill(Intent.ASK_FREE_SLOTS, date=TOMORROW),
    Intent.ASK_FAQ: fill(Intent.ASK_FAQ, faq_topics=[FaqTopic.PAYMENT]),
}
# Intents that only ask or chat: a visit being arranged must survive them unchanged.
KEEPS_THE_VISIT = (QUESTION_INTENTS - {Intent.ASK_FREE_SLOTS}) | {
    Intent.LATE_NOTICE,
    Intent.COMPLAINT,
    Intent.ASK_HUMAN,
    Intent.SMALL_TALK,
    Intent.UNKNOWN,
}
NOTHING_ARRANGED = ("idle", "booked", "cancelling_yes_no")


def test_every_cell_names_a_handler() -> None:
    missing = [
        (state, intent.value)
        for state in RESTING
        for intent in Intent
        if policy.CELLS.get((state, intent)) not in policy.HANDLERS
    ]
    assert missing == []
    assert len(policy.CELLS) == len(RESTING) * len(Intent)


def test_every_handler_is_used_and_short() -> None:
    used = set(policy.CELLS.values())
    assert used == set(policy.HANDLERS), set(policy.HANDLERS) - used
    for code, handler in policy.HANDLERS.items():
        lines = len(inspect.getsource(handler).splitlines())
        assert lines <= MAX_HANDLER_LINES, f"{code}: {handler.__name__} has {lines} lines"


def test_no_function_of_the_dialogue_is_longer_than_a_handler() -> None:
    long = []
    for path in STATES_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_HANDLER_LINES:
                    long.append(f"{path.name}:{node.name} ({length})")
    assert long == []


def test_the_ordered_chains_are_gone() -> None:
    assert importlib.util.find_spec("states.planner") is None
    source = (STATES_DIR / "dialogue.py").read_text(encoding="utf-8")
    assert "_dispatch" not in source and "expecting =" not in source


@pytest.mark.parametrize(
    "bad",
    [
        policy.TABLE.replace("book            new", "book            nope2", 1),
        policy.TABLE.replace(" req\n", "\n", 1),
        policy.TABLE.replace("idle svc", "idle xyz", 1),
    ],
)
def test_a_malformed_table_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        policy.parse(bad)


@pytest.mark.parametrize("intent", list(Intent), ids=[i.value for i in Intent])
@pytest.mark.parametrize("row", RESTING)
async def test_every_cell_answers_and_rests(world: World, row: str, intent: Intent) -> None:
    c = await world.reach(row)
    before = (machine_state(c), c.slots.as_dict(), c.chosen, c.booking)
    records_before = {r.id for r in world.salon.records.values() if not r.deleted}
    turn = await world.play(c, SAMPLE.get(intent, fill(intent)))
    text = "\n".join(turn.replies)
    assert turn.replies, "every message gets an answer"
    assert machine_state(c) in RESTING, "a turn never ends in `booking`"
    assert "{" not in text and "None" not in text
    assert "Хорошо. Что изменить" not in text
    booked_now = {r.id for r in world.salon.records.values() if not r.deleted} - records_before
    assert ("записаны" in text) == bool(booked_now), "said booked exactly when YClients booked"
    if intent in KEEPS_THE_VISIT and row not in NOTHING_ARRANGED:
        assert (machine_state(c), c.slots.as_dict(), c.chosen, c.booking) == before
