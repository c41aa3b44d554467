"""LLM requests in the whole engine, as the service wires them (`wiring.slot_filler`): the
real openai client against the OpenAI stub, the sandbox salon, real Redis. A client who
writes in pieces costs one request for the request and none for "2" or "да"; every
batch is counted by reason in `/metrics`; no batch ever sends two requests."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from adapters.fillers.openai_stub import OpenAIStub, StubError, proposal
from engine.harness import engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.settings import Settings
from states.slot_fill import LlmReason

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # Wednesday 15:00 in Moscow
PHONE = "79990001177"
BARI = 3413963


_COUNTED = re.compile(r'ai_admin_llm_requests_total\{reason="(?P<reason>\w+)"\} (?P<value>\S+)')


def counted(body: str) -> dict[str, float]:
    return {m["reason"]: float(m["value"]) for m in _COUNTED.finditer(body)}


async def test_a_piecemeal_booking_costs_one_request_and_each_batch_is_counted(
    redis: AsyncRedis, keys: Keys
) -> None:
    stub = OpenAIStub()
    # One answer for the request; anything more would be a second request and a 500.
    stub.script([
        proposal(intent="book", service_phrases=["стрижку"], master_choice="named", master="Бари",
                 date_phrase="завтра"),
        StubError(500), StubError(500), StubError(500),
    ])  # fmt: skip
    async with stub as base_url:
        settings = Settings.from_mapping({"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": base_url})
        # No filler given: the runtime builds the service's own, counted in its metrics.
        async with engine_harness(redis, keys, None, START, settings=settings) as h:
            await h.turn(PHONE, "Запишите на стрижку", "к Бари", "завтра", pushname="Ира")
            c = await h.conversation(PHONE)
            assert c.state == "suggesting" and c.awaiting == "option" and c.offered
            assert len(stub.requests) == 1
            await h.turn(PHONE, "2")
            c = await h.conversation(PHONE)
            assert c.state == "confirming" and c.awaiting == "yes_no"
            assert c.turns[-1]["llm_fill"]["source"] == "plain"
            await h.turn(PHONE, "да")
            c = await h.conversation(PHONE)
            assert c.state == "booked" and c.turns[-1]["llm_fill"]["source"] == "plain"
            records = [r for r in h.sandbox.salon.records.values() if r.api_id]
            assert [r.staff_id for r in records] == [BARI]
            assert len(stub.requests) == 1  # three batches, one request
            body = (await h.metrics.render())[0].decode()
    reasons = counted(body)
    assert set(reasons) == {r.value for r in LlmReason}  # every reason exported from the start
    assert reasons["full_fill"] == 1 and reasons["plain_option"] == 1
    assert reasons["plain_yes_no"] == 1 and reasons["over_budget"] == 0


async def test_a_richer_answer_at_the_summary_is_one_request(redis: AsyncRedis, keys: Keys) -> None:
    stub = OpenAIStub()
    stub.script([
        proposal(intent="book", service_phrases=["стрижку"], master_choice="named", master="Бари",
                 date_phrase="завтра", time_phrase="18:00"),
        proposal(intent="change", time_phrase="в 19"),
        StubError(500),
    ])  # fmt: skip
    async with stub as base_url:
        settings = Settings.from_mapping({"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": base_url})
        async with engine_harness(redis, keys, None, START, settings=settings) as h:
            await h.turn(PHONE, "Стрижка к Бари завтра в 18:00", pushname="Ира")
            assert (await h.conversation(PHONE)).awaiting == "yes_no"
            await h.turn(PHONE, "да, но в 19")  # not a plain yes: the LLM reads it
            c = await h.conversation(PHONE)
            assert len(stub.requests) == 2
            assert stub.requests[1]["messages"][-1]["content"] == "да, но в 19"
            assert c.slots.time == "19:00" and c.awaiting == "yes_no"
            await h.turn(PHONE, "👍")
            assert (await h.conversation(PHONE)).state == "booked"
            assert len(stub.requests) == 2
