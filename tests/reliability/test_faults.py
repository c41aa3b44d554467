"""YClients slow, 5xx, 429 and garbage bodies; the LLM down: an honest answer, nothing lost.

The whole engine on a virtual clock (`engine_harness`: real Redis, the real worker, the
sandbox over HTTP) with a YClients client that gives up fast (0.3 s timeout, quick
retries), so a "slow" salon costs a fraction of a second of real time. For every fault:

- the client is answered;
- "вы записаны" is said if and only if exactly one record exists and the state is
  `booked` (never a false confirmation, never a double booking);
- no message is lost: every batch is processed, none pending, none dead-lettered.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Literal

import pytest

from adapters.fillers import OfflineFiller
from adapters.fillers.openai_filler import OpenAIFiller, make_openai_client
from adapters.fillers.openai_stub import OpenAIStub, StubDelay, StubError, StubReply
from adapters.yclients.sandbox import Fault
from adapters.yclients.transport import RetryPolicy
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.runtime import YClientsLimits
from states.slot_fill import SlotFiller
from tests.reliability.conftest import START

PHONE = "79990001122"
ASK = "Стрижка к Бари завтра в 18:00"
UNREACHABLE = "Не удалось связаться с расписанием"


@dataclasses.dataclass(frozen=True)
class FaultCase:
    name: str
    fault: Fault
    at: Literal["ask", "confirm"]  # injected before the first turn, or before "да"
    expect: Literal["booked", "honest"]


def shape(endpoint: str, data: object) -> Fault:
    """A 200 whose JSON is well-formed but not what the endpoint returns."""
    return Fault(endpoint=endpoint, status=200, json={"success": True, "data": data}, count=-1)


CASES = [
    FaultCase("book_record slow", Fault(endpoint="book_record", delay_s=0.6), "confirm", "booked"),
    FaultCase("book_record 500", Fault(endpoint="book_record", status=500), "confirm", "booked"),
    FaultCase("book_record 502 after booking",
              Fault(endpoint="book_record", status=502, process=True), "confirm", "booked"),
    FaultCase("book_record 429", Fault(endpoint="book_record", status=429,
              headers={"Retry-After": "1"}), "confirm", "honest"),
    FaultCase("book_record garbage after booking",
              Fault(endpoint="book_record", status=201, raw="<html>", process=True),
              "confirm", "booked"),
    FaultCase("book_check garbage", Fault(endpoint="book_check", status=200, raw="not json"),
              "confirm", "honest"),
    FaultCase("book_check slow", Fault(endpoint="book_check", delay_s=0.6, count=-1),
              "confirm", "honest"),
    FaultCase("book_times 500", Fault(endpoint="book_times", status=500, count=-1),
              "ask", "honest"),
    FaultCase("book_times 429", Fault(endpoint="book_times", status=429, count=-1,
              headers={"Retry-After": "0"}), "ask", "honest"),
    FaultCase("book_times garbage", Fault(endpoint="book_times", status=200, raw="<html>",
              count=-1), "ask", "honest"),
    FaultCase("book_times slow", Fault(endpoint="book_times", delay_s=0.6, count=-1),
              "ask", "honest"),
    FaultCase("book_services 503", Fault(endpoint="book_services", status=503, count=-1),
              "ask", "honest"),
]  # fmt: skip

# A 200 whose JSON has the wrong shape once escaped the YClients adapter as a pydantic
# ValidationError: the turn was retried five times, dead-lettered, and the client never
# answered. The adapter now maps it to ScheduleUnavailable (adapters/yclients/client.py).
WRONG_SHAPE = [
    FaultCase("company wrong shape", shape("company", []), "ask", "honest"),
    FaultCase("book_services wrong shape", shape("book_services", [{"id": "x"}]), "ask", "honest"),
    FaultCase("book_staff wrong shape", shape("book_staff", {"a": 1}), "ask", "honest"),
    FaultCase("book_times wrong shape", shape("book_times", {"a": 1}), "ask", "honest"),
]


@pytest.fixture
def harness_on(redis: AsyncRedis, keys: Keys) -> object:
    """Open the engine harness with a given filler and a YClients client that gives up fast."""

    def open_with(filler: SlotFiller) -> contextlib.AbstractAsyncContextManager[Harness]:
        return engine_harness(
            redis, keys, filler, START,
            yclients=YClientsLimits(
                timeout_s=0.3,
                retry=RetryPolicy(attempts=2, backoff_s=0.01),
                limiter=YClientsLimits.lifted().limiter,
            ),
        )  # fmt: skip

    return open_with


@pytest.fixture
async def h(harness_on: object) -> AsyncIterator[Harness]:
    assert callable(harness_on)
    async with harness_on(OfflineFiller()) as harness:
        yield harness


async def outcome_is_honest(h: Harness, replies: list[str], turns: int) -> str:
    """Check the invariants; return "booked" or "honest" for the case's own expectation."""
    await asyncio.sleep(0.7)  # a delayed sandbox answer finishes its work (a late record)
    assert replies, "the client got no answer"
    records = [r for r in h.sandbox.salon.records.values() if r.api_id and not r.deleted]
    conversation = await h.conversation(PHONE)
    confirmed = any("записаны" in text for text in replies)
    assert len(records) <= 1, "booked twice"
    assert confirmed == (len(records) == 1) == (conversation.state == "booked")
    stats = await h.batcher.stats()
    assert (stats.processed_batches, stats.pending_batches, stats.failed_batches) == (turns, 0, 0)
    return "booked" if confirmed else "honest"


async def run_case(h: Harness, case: FaultCase) -> None:
    if case.at == "ask":
        h.sandbox.control.add_fault(case.fault)
    replies = await h.turn(PHONE, ASK, pushname="Ира")
    turns = 1
    if case.at == "confirm":
        assert "Записываю?" in replies[-1]
        h.sandbox.control.add_fault(case.fault)
        replies = await h.turn(PHONE, "да")
        turns = 2
    assert await outcome_is_honest(h, replies, turns) == case.expect
    if case.expect == "honest":
        assert UNREACHABLE in replies[-1] or "не принял" in replies[-1]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_yclients_fault_gets_an_honest_answer_and_loses_nothing(
    h: Harness, case: FaultCase
) -> None:
    await run_case(h, case)


@pytest.mark.parametrize("case", WRONG_SHAPE, ids=[c.name for c in WRONG_SHAPE])
async def test_wrong_shaped_yclients_json_gets_an_honest_answer(
    h: Harness, case: FaultCase
) -> None:
    await run_case(h, case)


LLM_DOWN: dict[str, list[StubError | StubDelay | StubReply]] = {
    "500": [StubError(500)] * 4,
    "timeout": [StubDelay(5.0)] * 4,
    "garbage": [StubReply("this is not JSON")] * 4,
}


@pytest.mark.parametrize("failure", list(LLM_DOWN))
async def test_llm_down_falls_back_and_still_books_once(harness_on: object, failure: str) -> None:
    assert callable(harness_on)
    stub = OpenAIStub()
    stub.script(LLM_DOWN[failure])
    async with stub as base_url:
        client = make_openai_client("test-key", base_url, timeout_s=0.3, max_retries=0)
        filler = OpenAIFiller(client, "stub", timeout_s=0.3)
        async with harness_on(filler) as h:
            first = await h.turn(PHONE, ASK, pushname="Ира")
            assert "Записываю?" in first[-1]  # the offline filler understood the client
            replies = await h.turn(PHONE, "да")
            assert await outcome_is_honest(h, first + replies, turns=2) == "booked"
            fills = [turn["llm_fill"] for turn in (await h.conversation(PHONE)).turns]
            assert all(fill["source"] != "llm" for fill in fills)  # nothing from the LLM
            assert len(stub.requests) == 2  # it was asked, once per turn
