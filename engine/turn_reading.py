"""What a turn reads of its batch: bounded text, the sender's name, the flood notice.

A client can send 64 KiB per message and many messages per batch; what a turn reads is
bounded before the slot filler sees it (issue 11: three 64 KiB messages once held the
event loop for 87 s). Each message is read up to `message_chars` characters, the batch up
to `batch_chars` in all, earliest messages first; what is cut is stored (the webhook
queued it whole) but not read, and counted (`ai_admin_input_truncated_total{cap}`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from states.messages import InboundMessage

NAME_MAX_CHARS = 80  # a WhatsApp profile name longer than this is not a name


@dataclasses.dataclass(frozen=True)
class ReadCaps:
    message_chars: int = 2_000  # MESSAGE_MAX_CHARS
    batch_chars: int = 4_000  # BATCH_MAX_CHARS


@dataclasses.dataclass(frozen=True)
class BatchReading:
    texts: tuple[str, ...]  # the text messages as read, in order
    non_text: int  # voice, images, stickers… (answered politely)
    pushname: str | None
    flood_notice: bool  # the batch holds the first message past the flood limit
    trace: list[str]  # each message as the turn's trace shows it
    cut: dict[str, int]  # messages cut, by cap: "message", "batch"
    # The id of the choice the client tapped, when the batch is nothing but taps (the
    # latest one counts); words typed around a tap are read by the filler instead.
    choice: str | None = None


def read_batch(messages: Sequence[InboundMessage], caps: ReadCaps) -> BatchReading:
    texts: list[str] = []
    trace: list[str] = []
    cut = {"message": 0, "batch": 0}
    budget = caps.batch_chars
    for m in messages:
        if not m.is_text:
            trace.append(f"<{m.type}>")
            continue
        text = m.body
        if len(text) > caps.message_chars:
            text = text[: caps.message_chars]
            cut["message"] += 1
        if len(text) > budget:
            text = text[:budget]
            cut["batch"] += 1
        budget -= len(text)
        trace.append(_shown(text, len(m.body), m.flood))
        if text.strip() and not m.flood:
            texts.append(text)
    names = (m.pushname[:NAME_MAX_CHARS].strip() for m in reversed(messages) if m.pushname)
    read = [m for m in messages if m.is_text and not m.flood and m.body.strip()]
    taps = [m.choice for m in read if m.choice]
    return BatchReading(
        texts=tuple(texts),
        non_text=sum(1 for m in messages if not m.is_text and not m.flood),
        pushname=next((name for name in names if name), None),
        flood_notice=any(m.flood for m in messages),
        trace=trace,
        cut=cut,
        choice=taps[-1] if taps and len(taps) == len(read) else None,
    )


def _shown(text: str, length: int, flood: bool) -> str:
    shown = text if len(text) == length else f"{text}… [{length - len(text)} characters not read]"
    return f"<past the flood limit> {shown}" if flood else shown
