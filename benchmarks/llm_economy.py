"""Benchmark 5: LLM calls per completed booking, batched versus one call per message.

The conversation corpus is `fixtures/transcripts/*.yaml` (the client's side only: what
they send, when, under which name; expectations, scripted faults and salon extras are not
applied). Each transcript runs twice through the whole engine (`engine_harness`):

- batched: as written, pieces a few seconds apart inside the quiet window, so they
  merge into one turn and one filler call;
- per message: the quiet window passes after every message, one turn and one call each
  (what a bot without batching pays).

The filler is the offline one behind a counter, standing in for the LLM: every call it
receives is a call an `OpenAIFiller` would send. A completed booking is a record the bot
created in the sandbox salon.

    .venv/bin/python -m benchmarks.llm_economy [--corpus fixtures/transcripts] [--piecemeal 30]

A second, synthetic corpus (`--piecemeal N`) holds clients who write a booking in five
pieces, the WhatsApp habit that batching is for.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from adapters.fillers import OfflineFiller
from benchmarks.common import DEFAULT_REDIS_URL, bench_prefix, command_line, delete_prefix, report
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.redis_conn import client_for
from engine.runtime import YClientsLimits
from engine.transcripts.model import (
    Message,
    Transcript,
    TranscriptError,
    load_transcript,
    parse_transcript,
)
from states.slot_fill import FillRequest, SlotFill


class CountingFiller:
    def __init__(self) -> None:
        self.inner = OfflineFiller()
        self.calls = 0

    async def fill(self, request: FillRequest) -> SlotFill:
        self.calls += 1
        return await self.inner.fill(request)


async def play(h: Harness, t: Transcript, batched: bool) -> int:
    """Send the transcript's messages; the number of messages sent."""
    sent = 0
    for step in t.steps:
        if step.wait:
            h.clock.advance(step.wait)
        for i, item in enumerate(step.send):
            message = item if isinstance(item, Message) else Message(text=item)
            if i and batched:
                h.clock.advance(step.gap_s if message.at is None else 0)
            phone = step.phone or t.phone
            await h.send(
                phone, message.text, type_=message.type,
                pushname=message.pushname or step.pushname or t.pushname,
                chat=step.chat or t.chat,
            )  # fmt: skip
            sent += 1
            if not batched:
                await h.settle()  # the quiet window passes: this message is a turn alone
        await h.settle()
    return sent


async def run_one(url: str, t: Transcript, batched: bool) -> dict[str, int]:
    redis = client_for(url)
    prefix = bench_prefix("llm")
    filler = CountingFiller()
    try:
        async with engine_harness(
            redis, Keys(prefix), filler, t.start, yclients=YClientsLimits.lifted()
        ) as h:
            messages = await play(h, t, batched)
            bookings = sum(1 for r in h.sandbox.salon.records.values() if r.api_id)
            turns = (await h.batcher.stats()).processed_batches
    finally:
        await redis.aclose()
        delete_prefix(url, prefix)
    return {"messages": messages, "turns": turns, "llm_calls": filler.calls, "bookings": bookings}


def summary(rows: list[dict[str, int]]) -> dict[str, Any]:
    total: dict[str, Any] = {
        k: sum(r[k] for r in rows) for k in ("messages", "turns", "llm_calls", "bookings")
    }
    bookings = total["bookings"]
    total["llm_calls_per_booking"] = round(total["llm_calls"] / bookings, 2) if bookings else None
    return total


def load_corpus(corpus: Path) -> tuple[list[Transcript], list[str]]:
    transcripts: list[Transcript] = []
    skipped: list[str] = []
    for path in sorted(corpus.glob("*.yaml")):
        try:
            transcripts.append(load_transcript(path))
        except TranscriptError:
            skipped.append(path.name)
    return transcripts, skipped


def piecemeal_corpus(count: int) -> list[Transcript]:
    """Clients who write in pieces, the WhatsApp habit batching exists for."""
    return [parse_transcript(piecemeal(n), f"pieces-{n}") for n in range(count)]


def piecemeal(n: int) -> dict[str, Any]:
    day = f"{24 + n // 27 % 8} июля"
    master = ["Бари", "Артём", "Игорь"][n % 3]
    pieces = ["Здравствуйте", "Запишите на стрижку", day, f"в {10 + n // 3 % 9}:00", f"к {master}"]
    return {
        "name": f"pieces-{n}",
        "start": "2025-07-23T15:00:00+03:00",
        "phone": str(79_200_000_000 + n),
        "pushname": "Ира",
        "steps": [{"send": pieces}, {"send": ["да"]}],
    }


async def compare(url: str, transcripts: list[Transcript]) -> dict[str, Any]:
    batched = [await run_one(url, t, batched=True) for t in transcripts]
    single = [await run_one(url, t, batched=False) for t in transcripts]
    b, s = summary(batched), summary(single)
    saved = round(1 - b["llm_calls"] / s["llm_calls"], 3) if s["llm_calls"] else None
    return {
        "transcripts": len(transcripts),
        "batched": b,
        "one_call_per_message": s,
        "calls_saved_by_batching": saved,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("fixtures/transcripts"))
    parser.add_argument(
        "--piecemeal", type=int, default=30, help="extra conversations written in five pieces"
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    transcripts, skipped = load_corpus(args.corpus.resolve())
    results = {
        "corpus": {
            "path": str(args.corpus),
            "skipped_unreadable": skipped,
            **asyncio.run(compare(args.redis_url, transcripts)),
        },
        "piecemeal": asyncio.run(compare(args.redis_url, piecemeal_corpus(args.piecemeal))),
    }
    report("llm_economy", command_line("benchmarks.llm_economy"), results)


if __name__ == "__main__":
    main()
