"""What a turn reads of its batch: each message and the batch capped, flood notices found."""

from __future__ import annotations

from engine.turn_reading import NAME_MAX_CHARS, ReadCaps, read_batch
from states.messages import InboundMessage

CAPS = ReadCaps(message_chars=10, batch_chars=25)


def message(
    body: str, type_: str = "chat", flood: bool = False, name: str | None = None
) -> InboundMessage:
    return InboundMessage(
        id=body[:8], chat="79161234567@c.us", type=type_, body=body, timestamp_s=1.0,
        pushname=name, flood=flood,
    )  # fmt: skip


def test_each_message_and_the_batch_are_read_up_to_their_caps_earliest_first() -> None:
    reading = read_batch(
        [message("a" * 4), message("b" * 30), message("c" * 10), message("d" * 10)], CAPS
    )
    # 4 + 10 (cut from 30) + 10 = 24 of 25; the fourth gets the 1 character left.
    assert reading.texts == ("aaaa", "b" * 10, "c" * 10, "d")
    assert reading.cut == {"message": 1, "batch": 1}
    assert reading.trace[1] == "b" * 10 + "… [20 characters not read]"
    assert reading.trace[3] == "d… [9 characters not read]"


def test_nothing_is_read_once_the_batch_budget_is_spent() -> None:
    reading = read_batch(
        [message("a" * 10), message("b" * 10), message("c" * 10), message("e")], CAPS
    )
    assert reading.texts == ("a" * 10, "b" * 10, "c" * 5)
    assert reading.cut == {"message": 0, "batch": 2}
    assert reading.trace[-1] == "… [1 characters not read]"


def test_the_flood_message_is_not_read_but_asks_for_the_notice() -> None:
    reading = read_batch(
        [message("привет"), message("спам", flood=True), message("", "ptt", True)], CAPS
    )
    assert reading.texts == ("привет",) and reading.flood_notice and reading.non_text == 0
    assert reading.trace[1] == "<past the flood limit> спам"


def test_the_name_is_the_latest_one_given_and_cut_to_a_name_length() -> None:
    reading = read_batch(
        [message("x", name="Ира"), message("y", name="Н" * 500), message("z")], CAPS
    )
    assert reading.pushname == "Н" * NAME_MAX_CHARS
    assert read_batch([message("x", name="  ")], CAPS).pushname is None
