"""Client messages as the dialogue sees them, whatever gateway brought them."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import unicodedata
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

# Phones and ids are ASCII digits only: `\d` and `str.isdigit()` also take ٧٩١٦ and ⁷⁹¹⁶,
# which once made a booking for a phone written in Arabic-Indic digits and gave Redis keys
# no endpoint could address (issue 11).
_CUS = re.compile(r"([0-9]{5,20})@c\.us")
_LID = re.compile(r"[0-9]{5,30}@lid")
_BARE = re.compile(r"[0-9]{5,20}")
_KEY = re.compile(r"(lid)?[0-9]{5,30}")
# Built once: `json.dumps` with any option builds a new encoder per call, which showed in
# the webhook's profile (BENCHMARKS.md, 1.); the output is the same.
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_DECODER = json.JSONDecoder()
_json_string: Callable[[str], str] = encode_basestring  # the C escaping `_COMPACT_JSON` uses
_MESSAGE_JSON = '{"id":%s,"chat":%s,"type":%s,"body":%s,"timestamp_s":%s,"pushname":%s}'


@dataclasses.dataclass(frozen=True)
class ChatId:
    """Who wrote: a phone (`79161234567@c.us`) or an opaque linked id (`…@lid`)."""

    raw: str
    phone: str | None  # digits, when WhatsApp told us the number

    @property
    def key(self) -> str:
        """The conversation key used in Redis and URLs: the phone, or `lid<digits>`."""
        if self.phone is not None:
            return self.phone
        return "lid" + self.raw.split("@", 1)[0]

    @classmethod
    def parse(cls, raw: str) -> ChatId | None:
        """A 1:1 chat id, or None for anything we do not talk to (groups, broadcasts)."""
        raw = raw.strip()
        if m := _CUS.fullmatch(raw):
            return cls(raw=raw, phone=m.group(1))
        if _LID.fullmatch(raw):
            return cls(raw=raw, phone=None)
        if _BARE.fullmatch(raw):  # Cloud API sends bare digits
            return cls(raw=f"{raw}@c.us", phone=raw)
        return None

    @classmethod
    def from_key(cls, key: str) -> ChatId:
        if key.startswith("lid"):
            return cls(raw=f"{key[3:]}@lid", phone=None)
        return cls(raw=f"{key}@c.us", phone=key)


def is_conversation_key(key: str) -> bool:
    """What may appear as `{phone}` in a URL: digits, or `lid` + digits."""
    return bool(_KEY.fullmatch(key))


def ascii_digits(value: str) -> str | None:
    """`value` in ASCII digits when it is all decimal digits of one script or another (a
    client may type a phone as ٧٩١٦١٢٣٤٥٦٧); None for anything else, superscripts included."""
    decimals = [unicodedata.decimal(ch, None) for ch in value]
    if not decimals or any(d is None for d in decimals):
        return None
    return "".join(str(d) for d in decimals)


@dataclasses.dataclass(frozen=True)
class InboundMessage:
    """One client message. `seq` and `arrival_ms` are set by the batcher on arrival."""

    id: str
    chat: str  # raw chat id, e.g. "79161234567@c.us"
    type: str  # "chat" for text; anything else is answered politely
    body: str
    timestamp_s: float
    pushname: str | None = None
    arrival_ms: int = 0
    seq: int = 0
    # Set by the batcher: the first message past the phone's flood limit, which the turn
    # answers with one notice instead of reading it (engine/lua/append.lua).
    flood: bool = False
    # A tap on a list row or reply button (Cloud API): the id of what was chosen
    # (`states.menus`); `body` holds its title, for the filler when the id is stale.
    choice: str | None = None

    @property
    def is_text(self) -> bool:
        return self.type == "chat"

    def to_json(self) -> str:
        ts, pushname = self.timestamp_s, self.pushname
        if self.choice is None and type(ts) is float and math.isfinite(ts):
            # Every webhook message: framed by hand, the encoder's own string escaping
            # (a fifth of the encoder's time; it is once per inbound message). The same
            # text as below: `repr` is how the encoder writes a finite float.
            return _MESSAGE_JSON % (
                _json_string(self.id),
                _json_string(self.chat),
                _json_string(self.type),
                _json_string(self.body),
                repr(ts),
                "null" if pushname is None else _json_string(pushname),
            )
        data: dict[str, Any] = {
            "id": self.id,
            "chat": self.chat,
            "type": self.type,
            "body": self.body,
            "timestamp_s": self.timestamp_s,
            "pushname": self.pushname,
        }
        if self.choice is not None:
            data["choice"] = self.choice
        return _COMPACT_JSON.encode(data)

    @classmethod
    def from_stored(cls, raw: str | bytes) -> InboundMessage:
        """The batcher stores `{"seq":…,"arrival_ms":…,"msg":{…}}` (see engine/lua/append.lua)."""
        # Decoded here: `json.loads` of bytes first sniffs for UTF-16 and UTF-32 in Python,
        # once per message of every claimed batch; the batcher stores UTF-8.
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        entry: dict[str, Any] = _DECODER.decode(text)
        msg = entry["msg"]
        return cls(
            id=str(msg["id"]),
            chat=str(msg["chat"]),
            type=str(msg["type"]),
            body=str(msg["body"]),
            timestamp_s=float(msg["timestamp_s"]),
            pushname=msg.get("pushname"),
            arrival_ms=int(entry["arrival_ms"]),
            seq=int(entry["seq"]),
            flood=bool(entry.get("flood")),
            choice=str(msg["choice"]) if msg.get("choice") is not None else None,
        )

    @property
    def order_key(self) -> tuple[float, int]:
        """Messages run in timestamp order, then arrival order (interface contract)."""
        return (self.timestamp_s, self.seq)
