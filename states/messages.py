"""Client messages as the dialogue sees them, whatever gateway brought them."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

_CUS = re.compile(r"^(\d{5,20})@c\.us$")
_LID = re.compile(r"^(\d{5,30})@lid$")


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
        if m := _CUS.match(raw):
            return cls(raw=raw, phone=m.group(1))
        if _LID.match(raw):
            return cls(raw=raw, phone=None)
        if raw.isdigit() and 5 <= len(raw) <= 20:  # Cloud API sends bare digits
            return cls(raw=f"{raw}@c.us", phone=raw)
        return None

    @classmethod
    def from_key(cls, key: str) -> ChatId:
        if key.startswith("lid"):
            return cls(raw=f"{key[3:]}@lid", phone=None)
        return cls(raw=f"{key}@c.us", phone=key)


def is_conversation_key(key: str) -> bool:
    """What may appear as `{phone}` in a URL: digits, or `lid` + digits."""
    return bool(re.fullmatch(r"(lid)?\d{5,30}", key))


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

    @property
    def is_text(self) -> bool:
        return self.type == "chat"

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "chat": self.chat,
                "type": self.type,
                "body": self.body,
                "timestamp_s": self.timestamp_s,
                "pushname": self.pushname,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_stored(cls, raw: str | bytes) -> InboundMessage:
        """The batcher stores `{"seq":…,"arrival_ms":…,"msg":{…}}` (see engine/lua/append.lua)."""
        entry: dict[str, Any] = json.loads(raw)
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
        )

    @property
    def order_key(self) -> tuple[float, int]:
        """Messages run in timestamp order, then arrival order (interface contract)."""
        return (self.timestamp_s, self.seq)
