"""A message's stored JSON is the compact encoder's text, whichever way it is framed (the
webhook's messages are framed by hand), and reads back as the same message."""

from __future__ import annotations

import dataclasses
import json

import pytest

from states.messages import InboundMessage

ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
PLAIN = InboundMessage(
    id="3EB0C767D26A1D2E4F6A", chat="79161234567@c.us", type="chat", body="hi", timestamp_s=1.5
)
VARIANTS = [
    {},
    {"body": 'Здравствуйте, "стрижка" завтра\\в 18:00\n\t😀 \x00\x1f\u2028'},
    {"body": "lone \ud800 surrogate", "pushname": "Анна \ud83d"},
    {"pushname": "Anna"},
    {"timestamp_s": 1700000000.0},
    {"timestamp_s": 1e20},
    {"timestamp_s": 0.1 + 0.2},
    {"timestamp_s": -0.0},
    {"timestamp_s": float("inf")},
    {"timestamp_s": float("nan")},
    {"timestamp_s": 1700000000},  # an int where a float is typed
    {"choice": "svc:12"},
    {"type": "image", "body": ""},
]


@pytest.mark.parametrize("change", VARIANTS, ids=range(len(VARIANTS)))
def test_the_stored_json_is_the_encoders(change: dict[str, object]) -> None:
    message = dataclasses.replace(PLAIN, **change)  # type: ignore[arg-type]
    fields = ("id", "chat", "type", "body", "timestamp_s", "pushname")
    expected: dict[str, object] = {name: getattr(message, name) for name in fields}
    if message.choice is not None:
        expected["choice"] = message.choice
    assert message.to_json() == ENCODER.encode(expected)
    stored = '{"seq":3,"arrival_ms":17,"msg":' + message.to_json() + "}"
    back = InboundMessage.from_stored(stored)
    assert repr(back) == repr(
        dataclasses.replace(message, seq=3, arrival_ms=17, timestamp_s=float(message.timestamp_s))
    )
