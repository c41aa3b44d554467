"""Reading a venom body straight from its bytes (pydantic's JSON parser) gives the same
answer as the checked reading (`parse_json`, then the model from a dict) for every body:
the same verdict for what it takes, the same 400 message for what it refuses (issue 11's
hardening answers included)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from adapters.webhook.body import MAX_DEPTH, parse_json
from adapters.webhook.venom_payload import read_venom_body, read_venom_message

NOW_S = 1_700_000_000.0
HEAD = b'{"id":"m1","from":"79161234567@c.us","type":"chat"'


def message(body: bytes = b'"hi"', timestamp: bytes = b"1700000000", rest: bytes = b"") -> bytes:
    return HEAD + b',"body":' + body + b',"timestamp":' + timestamp + rest + b"}"


BODIES = [
    message(),
    message(
        b'"\xd0\x97\xd0\xb4\xd1\x80\xd0\xb0\xd0\xb2\xd1\x81\xd1\x82\xd0\xb2\xd1\x83\xd0\xb9\xd1\x82\xd0\xb5"'
    ),
    message(rest=b',"sender":{"pushname":" Anna "},"notifyName":"A"'),
    message(rest=b',"chatId":{"_serialized":"79161234567@c.us","x":[1,2,{"y":null}]}'),
    message(rest=b',"fromMe":true,"to":"79161234567@c.us"'),
    message(rest=b',"isGroupMsg":true'),
    b'{"id":"m1","from":"status@broadcast","body":"x"}',
    b'{"id":"m1","from":"123@g.us","body":"x"}',
    b'{"id":"m1","from":"not-a-chat","body":"x"}',
    b'{"id":"m1","from":"79161234567@c.us","type":"chat"}',
    b'{"id":"m1","from":"79161234567@c.us","type":"image"}',
    b'{"id":"a","id":"b","from":"79161234567@c.us","body":"x"}',  # the last one counts
    # Numbers: forms JSON allows, forms it does not, and what Python reads beyond JSON.
    message(timestamp=b"1.5e3"),
    message(timestamp=b"-0"),
    message(timestamp=b"1E5"),
    message(timestamp=b"1" + b"0" * 30),
    message(timestamp=b"1" + b"0" * 45),  # past MAX_INT_DIGITS: a 400
    message(rest=b',"x":' + b"9" * 41),
    message(b'"' + b"7" * 50 + b'"'),  # a long digit run in a string is text
    message(timestamp=b"NaN"),
    message(timestamp=b"Infinity"),
    message(timestamp=b"-Infinity"),
    message(timestamp=b"1e400"),
    message(timestamp=b"01"),
    message(timestamp=b"1."),
    message(timestamp=b".5"),
    message(timestamp=b"-"),
    message(timestamp=b"null"),
    message(timestamp=b"true"),
    message(timestamp=b'"123"'),
    message(timestamp=b'" 12 "'),
    message(timestamp=b'"nan"'),
    message(timestamp=b"[]"),
    # Strings: escapes, control characters, bytes that are not UTF-8, surrogates.
    message(b'"a\\u0000b\\/c\\n"'),
    message(b'"\\ud83d\\ude00"'),
    message(b'"\\ud800 lone"'),
    message(b'"\\uDFFF"'),
    message(b'"\xf0\x9f\x98\x80"'),
    message(b'"hi\nthere"'),
    message(b'"a\x1f"'),
    message(b'"a\x7f"'),
    message(b'"a\xff"'),
    message(b'"\xc0\xaf"'),
    message(b'"\xed\xa0\x80"'),
    # Types the model refuses.
    message(b"5"),
    message(rest=b',"isGroupMsg":0'),
    message(rest=b',"sender":{"pushname":5}'),
    message(rest=b',"sender":"x"'),
    b'{"from":"79161234567@c.us","body":"x"}',
    b'{"id":"","from":"79161234567@c.us","body":"x"}',
    # Not one JSON object.
    b"",
    b"[]",
    b'"x"',
    b"null",
    b"{'id':'m1'}",
    b"\xef\xbb\xbf" + message(),
    b" \t\r\n" + message() + b" \n",
    message() + b" x",
    message() + b"\x00",
    message() + b'\n{"a":1}',
    message()[:-1],
    message(rest=b',"x":tru'),
    message(rest=b',"x":[1,]'),
    message(rest=b","),
    # Depth: at the limit, past it, and brackets that are only text.
    message(rest=b',"x":' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1)),
    message(rest=b',"x":' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)),
    message(rest=b',"x":' + b"[" * 5000),
    message(b'"' + b"{[" * 100 + b'"'),
]


def answer(read: Callable[[], object]) -> str:
    """The verdict, or the refusal's class and message; `repr` so that NaN equals NaN."""
    try:
        return repr(read())
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("raw", BODIES, ids=range(len(BODIES)))
def test_the_bytes_path_answers_as_the_checked_path(raw: bytes) -> None:
    fast = answer(lambda: read_venom_body(raw, NOW_S))
    checked = answer(lambda: read_venom_message(parse_json(raw), NOW_S))
    assert fast == checked


def test_the_corpus_holds_both_verdicts_and_refusals() -> None:
    """The comparison above means something only if both kinds of answer are in it."""
    answers = [answer(functools.partial(read_venom_body, raw, NOW_S)) for raw in BODIES]
    assert sum(a.startswith("('queue'") for a in answers) >= 10
    assert sum(a.startswith("PayloadError") for a in answers) >= 20
    assert any("not UTF-8" in a for a in answers)
    assert any("nested deeper" in a for a in answers)
    assert any("longer than 40 digits" in a for a in answers)
    assert any("\\ufffd" in a or "\ufffd" in a for a in answers)
