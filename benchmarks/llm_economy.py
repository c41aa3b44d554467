"""Benchmark 5: LLM calls per completed booking: before and after the plain-answer path
(issue 15), batched and one call per message.

The filler is the offline one behind a counter, standing in for the LLM: every call it
receives is a call an `OpenAIFiller` would send. *Before*: it reads every batch, as the
LLM filler did before issue 15. *After*: it sits behind `LlmGate`, as the service wires
an LLM: a plain answer to the bot's own question ("да", "2", "18:00" while times are
offered, "завтра" to "на какой день?") is read without a call, and a batch never makes
two (the report's `max_calls_per_batch`). A completed booking is a record the bot
created in the sandbox salon. Each conversation runs through the whole engine
(`engine_harness`), each mode on its own Redis prefix.

Corpora:
- `fixtures/transcripts/*.yaml` (the client's side only: what they send, when, under which
  name; expectations, scripted faults and salon extras are not applied), run batched (as
  written: pieces a few seconds apart merge into one turn) and one message per turn;
- `--piecemeal N` synthetic clients who write in pieces and then answer whatever the bot
  asks, as such clients do: a day to "на какой день?", a number or a time to the offered
  times, "да" / "+" / "👍" to the summary, a word to anything else — and one in five
  answers the summary with more than a yes ("да, но в 19:00").

    .venv/bin/python -m benchmarks.llm_economy [--corpus fixtures/transcripts] [--piecemeal 30]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
from pathlib import Path
from typing import Any

from adapters.fillers import OfflineFiller
from adapters.fillers.llm_gate import LlmGate
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
from states.conversation import Conversation
from states.slot_fill import FillRequest, SlotFill

PIECEMEAL = "pieces-"
ANSWERS = 6  # a client gives up after this many answers


class CountingFiller:
    """The offline filler standing in for the LLM: counts the calls, per batch too."""

    def __init__(self) -> None:
        self.inner = OfflineFiller()
        self.calls = 0
        self.per_batch: collections.Counter[str | None] = collections.Counter()

    async def fill(self, request: FillRequest) -> SlotFill:
        self.calls += 1
        self.per_batch[request.batch_id] += 1
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


async def answer_the_bot(h: Harness, t: Transcript, n: int) -> int:
    """A piecemeal client answers what the bot asks until booked (at most `ANSWERS`
    messages); the number of messages sent."""
    sent = 0
    richer = n % 5 == 4  # one in five says more than "да" to the summary, once
    while sent < ANSWERS:
        c = await h.conversation(t.phone)
        text = client_answer(c, n + sent, richer)
        if text is None:
            return sent
        richer = richer and c.awaiting != "yes_no"
        h.clock.advance(20)
        await h.send(t.phone, text, pushname=t.pushname)
        await h.settle()
        sent += 1
    return sent


def client_answer(c: Conversation, k: int, richer: bool) -> str | None:
    """What a client who writes in pieces answers to the bot's question; None once booked."""
    if c.state in ("booked", "idle") or c.awaiting is None:
        return None
    if c.awaiting == "yes_no":
        if richer and c.slots.time:
            return f"да, но в {int(c.slots.time[:2]) + 1}:00"
        return ["да", "+", "👍", "ок", "да, записывайте"][k % 5]
    if c.awaiting == "option" and c.offered:
        pick = min(len(c.offered), 1 + k % 2)
        return [str(pick), c.offered[pick - 1].time, "в " + c.offered[pick - 1].time][k % 3]
    if c.choices:
        return str(1 + k % len(c.choices))
    return {
        "date": ["завтра", "в пятницу", "на 26 июля"][k % 3],
        "master": "к любому мастеру",
        "service": "на стрижку",
        "name": "Ира",
        "phone": "+7 916 123-45-67",
    }.get(c.awaiting, "да")


async def run_one(url: str, t: Transcript, batched: bool, gated: bool) -> dict[str, Any]:
    redis = client_for(url)
    prefix = bench_prefix("llm")
    llm = CountingFiller()
    gate = LlmGate(llm) if gated else None
    try:
        async with engine_harness(
            redis, Keys(prefix), gate or llm, t.start, yclients=YClientsLimits.lifted()
        ) as h:
            messages = await play(h, t, batched)
            if t.name.startswith(PIECEMEAL):
                messages += await answer_the_bot(h, t, int(t.name.removeprefix(PIECEMEAL)))
            bookings = sum(1 for r in h.sandbox.salon.records.values() if r.api_id)
            turns = (await h.batcher.stats()).processed_batches
    finally:
        await redis.aclose()
        delete_prefix(url, prefix)
    return {
        "messages": messages, "turns": turns, "llm_calls": llm.calls, "bookings": bookings,
        "max_calls_per_batch": max(llm.per_batch.values(), default=0),
        "reasons": dict(gate.reasons) if gate else {},
    }  # fmt: skip


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {
        k: sum(r[k] for r in rows) for k in ("messages", "turns", "llm_calls", "bookings")
    }
    bookings = total["bookings"]
    total["llm_calls_per_booking"] = round(total["llm_calls"] / bookings, 2) if bookings else None
    total["max_calls_per_batch"] = max((r["max_calls_per_batch"] for r in rows), default=0)
    reasons: collections.Counter[str] = collections.Counter()
    for r in rows:
        reasons.update({str(k): v for k, v in r["reasons"].items()})
    if reasons:
        total["batches_by_reason"] = dict(sorted(reasons.items()))
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
    return [parse_transcript(piecemeal(n), f"{PIECEMEAL}{n}") for n in range(count)]


def piecemeal(n: int) -> dict[str, Any]:
    """The request in pieces, three ways: everything (day, time, master), no day (the bot
    asks for one), no time (the bot offers times); the client then answers the bot."""
    day = f"{24 + n // 27 % 8} июля"
    master = ["Бари", "Артём", "Игорь"][n % 3]
    pieces = [
        ["Здравствуйте", "Запишите на стрижку", day, f"в {10 + n // 3 % 9}:00", f"к {master}"],
        ["Здравствуйте", "Хочу на стрижку", f"к {master}"],
        ["Запишите на стрижку", f"к {master}", day],
    ][n // 3 % 3]
    return {
        "name": f"{PIECEMEAL}{n}",
        "start": "2025-07-23T15:00:00+03:00",
        "phone": str(79_200_000_000 + n),
        "pushname": "Ира",
        "steps": [{"send": pieces}],
    }


async def compare(url: str, transcripts: list[Transcript]) -> dict[str, Any]:
    result: dict[str, Any] = {"transcripts": len(transcripts)}
    for mode, batched in (("batched", True), ("one_call_per_message", False)):
        before = summary([await run_one(url, t, batched, gated=False) for t in transcripts])
        after = summary([await run_one(url, t, batched, gated=True) for t in transcripts])
        saved = 1 - after["llm_calls"] / before["llm_calls"] if before["llm_calls"] else None
        result[mode] = {
            "before": before, "after": after,
            "calls_saved_by_plain_answers": round(saved, 3) if saved is not None else None,
        }  # fmt: skip
    return result


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
