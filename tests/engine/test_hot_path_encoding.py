"""What the hot paths send is what the general ones would: the key lists of the append,
claim and ack scripts name the same keys as `phone_keys`, and the hiredis framing of a
command is byte for byte redis-py's own (or redis-py's own error)."""

from __future__ import annotations

from typing import Any

import pytest
import redis.asyncio as aioredis
import redis.exceptions

from engine.batcher import APPEND_KEYS, CLAIM_KEYS, FINISH_KEYS
from engine.keys import KeyNames, Keys
from engine.redis_conn import PackedConnection

PHONES = ["79161234567", "lid123456789012345", "1" * 20]


@pytest.mark.parametrize(
    "names", [APPEND_KEYS, CLAIM_KEYS, FINISH_KEYS], ids=["append", "claim", "finish"]
)
@pytest.mark.parametrize("phone", PHONES)
def test_a_key_list_names_the_phones_keys(names: KeyNames, phone: str) -> None:
    for prefix in ("ai", "test:x"):
        keys = Keys(prefix)
        expected = [getattr(keys.phone_keys(phone), name) for name in names.names]
        assert [key.decode() for key in keys.key_list(phone, names)] == expected


def test_a_key_list_takes_only_a_phones_keys() -> None:
    with pytest.raises(AssertionError):
        KeyNames("pending", "workers")


COMMANDS: list[tuple[Any, ...]] = [
    ("EVALSHA", "0" * 40, 2, b"ai:{b01}:p:7916:pending", "ai:{b01}:due", "é", 1_700_000_000_123),
    ("SET", "k", "x" * 10_000),  # past redis-py's buffer cutoff: it sends it in pieces
    ("SET", "k", b"\x00\xff" * 5000),
    ("HSET", "h", "f", 1.5, "g", 0.1 + 0.2, "n", -3),
    ("CONFIG GET", "maxmemory"),  # a command name of two words: redis-py splits it
    ("PING",),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: str(c[0]))
def test_hiredis_framing_is_redis_pys(command: tuple[Any, ...]) -> None:
    packed = PackedConnection().pack_command(*command)
    plain = aioredis.Connection().pack_command(*command)
    assert b"".join(packed) == b"".join(plain)


@pytest.mark.parametrize("value", [True, None, object()])
def test_what_redis_py_refuses_is_refused_alike(value: object) -> None:
    with pytest.raises(redis.exceptions.DataError):
        PackedConnection().pack_command("SET", "k", value)
