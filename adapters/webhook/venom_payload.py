"""The venom-bot message object, validated at the boundary (interface contract).

A message with `fromMe: true` in a 1:1 chat is the salon's own WhatsApp writing to a
client: `from` is the salon's number, the client's chat is in `to` (and `chatId`). It is
not queued as a client message; the route hands it to the takeover (issue 17), which
tells the salon's person from the gateway's echo of the bot's own reply.
"""

from __future__ import annotations

import re
import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from adapters.webhook.body import MAX_DEPTH, MAX_INT_DIGITS, parse_json
from states.errors import PayloadError
from states.messages import ChatId, InboundMessage

MAX_BODY_BYTES = 65_536  # bodies up to this many UTF-8 bytes are read; larger get 413


class BodyTooLarge(PayloadError):
    """A message body over MAX_BODY_BYTES."""


class VenomSender(BaseModel):
    model_config = ConfigDict(extra="ignore")
    pushname: StrictStr | None = None


class VenomMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: StrictStr = Field(min_length=1)
    from_: StrictStr = Field(alias="from", min_length=1)
    type: StrictStr = "chat"
    body: StrictStr | None = None
    timestamp: float | None = None
    isGroupMsg: StrictBool = False
    fromMe: StrictBool = False
    to: StrictStr | None = None
    chatId: object = None  # a string in the contract; some gateways send an object
    sender: VenomSender | None = None
    notifyName: StrictStr | None = None


Verdict = (
    tuple[Literal["queue"], ChatId, InboundMessage]
    | tuple[Literal["salon"], ChatId, str]
    | tuple[Literal["ignore"], str]
)


def _salon_message(msg: VenomMessage) -> Verdict:
    """`fromMe`: the salon wrote in the chat named by `to` (or `chatId`)."""
    target = msg.to or (msg.chatId if isinstance(msg.chatId, str) else None)
    if target is None:
        return ("ignore", "own message")
    if target.endswith("@g.us"):
        return ("ignore", "group message")
    chat = ChatId.parse(target)
    if chat is None:
        return ("ignore", "own message")  # a broadcast, a newsletter: not a client's chat
    body = msg.body or ""
    return ("salon", chat, body if msg.type == "chat" else f"<{msg.type}> {body}".strip())


# What only the checked reading (`adapters.webhook.body.parse_json`) handles as the
# contract says: a number longer than MAX_INT_DIGITS (anywhere, strings included: then the
# body just goes the checked way), an escaped surrogate (a lone one becomes U+FFFD).
# A digit run is found as a run of "0" in the body with every digit made "0" and every
# other byte a space: `bytes.translate` and a substring search, both in C (a regex for
# the run took as long as pydantic's whole validation).
_DIGITS_AS_ZEROS = bytes.maketrans(
    bytes(range(256)), bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
)
_LONG_NUMBER = b"0" * (MAX_INT_DIGITS + 1)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def read_venom_body(raw: bytes, now_s: float | None = None) -> Verdict:
    """`read_venom_message` of the raw body, the same answer for every body.

    A body the fast way can take is parsed and validated in one step by pydantic's JSON
    parser (the stdlib parse, its bounds checks and the model's validation from a dict
    were ~9 % of the webhook's samples, BENCHMARKS.md, 1.): one no deeper than MAX_DEPTH
    by its bracket count, with no long digit run and no escaped surrogate. Anything it
    refuses goes the checked way (`parse_json`), so every refusal is answered as before.
    """
    if (
        raw.count(b"{") + raw.count(b"[") <= MAX_DEPTH
        and _LONG_NUMBER not in raw.translate(_DIGITS_AS_ZEROS)
        and not _SURROGATE_ESCAPE.search(raw)
    ):
        try:
            msg = VenomMessage.model_validate_json(raw)
        except ValidationError:
            pass  # the checked way finds the same fault and names it as the contract says
        else:
            return _verdict(msg, now_s)
    return read_venom_message(parse_json(raw), now_s)


def read_venom_message(data: object, now_s: float | None = None) -> Verdict:
    """Validate one venom message: queue it, or say why it is ignored; PayloadError if malformed."""
    if not isinstance(data, dict):
        raise PayloadError("body must be a JSON object (one venom-bot message)")
    try:
        msg = VenomMessage.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise PayloadError(f"{where}: {first['msg']}") from None
    return _verdict(msg, now_s)


def _verdict(msg: VenomMessage, now_s: float | None) -> Verdict:
    """What to do with a valid venom message; PayloadError for what the model cannot say."""
    if msg.from_ == "status@broadcast":
        return ("ignore", "status broadcast")
    if msg.isGroupMsg or msg.from_.endswith("@g.us"):
        return ("ignore", "group message")
    if msg.fromMe:
        return _salon_message(msg)
    chat = ChatId.parse(msg.from_)
    if chat is None:
        raise PayloadError(f"from: not a WhatsApp chat id: {msg.from_[:40]!r}")
    if msg.type == "chat" and msg.body is None:
        raise PayloadError("body: required for a chat message")
    body = msg.body or ""
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"body: longer than {MAX_BODY_BYTES} bytes")
    pushname = (msg.sender.pushname if msg.sender else None) or msg.notifyName
    inbound = InboundMessage(
        id=msg.id,
        chat=chat.raw,
        type=msg.type,
        body=body,
        timestamp_s=msg.timestamp if msg.timestamp is not None else (now_s or time.time()),
        pushname=(pushname or "").strip() or None,
    )
    return ("queue", chat, inbound)
