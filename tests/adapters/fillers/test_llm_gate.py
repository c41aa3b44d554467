"""The gate before the LLM, through the real `openai` client over HTTP against `OpenAIStub`:
a plain answer sends no request, anything richer sends one, and a batch never sends two —
not on a server error (the client does not retry), not when it is read again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai import AsyncOpenAI

from adapters.fillers.llm_gate import LlmGate
from adapters.fillers.openai_filler import OpenAIFiller
from adapters.fillers.openai_stub import OpenAIStub, StubError, proposal
from adapters.fillers.plain_answers import PlainKind
from states.slot_fill import FillRequest, FillSource, Intent, LlmReason, OfferedOption
from tests.adapters.fillers.conftest import RequestFactory

SLOTS = (OfferedOption("2025-07-24", "11:00", "Бари"), OfferedOption("2025-07-24", "14:30"))


def answer(**fields: Any) -> dict[str, object]:
    return proposal(**{"intent": "change", "time_phrase": "19:00", **fields})


class Gate:
    def __init__(self, stub: OpenAIStub, gate: LlmGate, reasons: list[LlmReason]) -> None:
        self.stub, self.gate, self.reasons = stub, gate, reasons


@pytest.fixture
async def llm() -> AsyncIterator[Gate]:
    stub = OpenAIStub()
    reasons: list[LlmReason] = []
    async with stub as base_url:
        # A client that would retry: the filler must not let it (one request per call).
        client = AsyncOpenAI(api_key="sk-test-not-a-key", base_url=base_url, max_retries=3)
        filler = OpenAIFiller(client, "stub-model", timeout_s=2)
        yield Gate(stub, LlmGate(filler, on_reason=reasons.append), reasons)
        await client.close()


@pytest.mark.parametrize(
    ("text", "expecting", "options", "reason", "intent"),
    [
        ("да", "yes_no", (), LlmReason.PLAIN_YES_NO, Intent.CONFIRM),
        ("👍", "yes_no", (), LlmReason.PLAIN_YES_NO, Intent.CONFIRM),
        ("нет", "yes_no", (), LlmReason.PLAIN_YES_NO, Intent.DENY),
        ("да", "reminder", (), LlmReason.PLAIN_YES_NO, Intent.CONFIRM),
        ("2", "option", SLOTS, LlmReason.PLAIN_OPTION, Intent.CHOOSE_OPTION),
        ("14:30", "option", SLOTS, LlmReason.PLAIN_TIME, Intent.CHOOSE_OPTION),
        ("завтра", "date", (), LlmReason.PLAIN_DATE, Intent.BOOK),
    ],
)
async def test_a_plain_answer_sends_no_request(
    llm: Gate,
    make_request: RequestFactory,
    text: str,
    expecting: str,
    options: tuple[OfferedOption, ...],
    reason: LlmReason,
    intent: Intent,
) -> None:
    state = {"option": "suggesting", "date": "collecting", "reminder": "booked"}
    request = make_request(
        text, state=state.get(expecting, "confirming"), options=options, expecting=expecting
    )
    fill = await llm.gate.fill(request)
    assert llm.stub.requests == []
    assert fill.source is FillSource.PLAIN and fill.intent is intent
    assert llm.reasons == [reason]


@pytest.mark.parametrize(
    ("text", "expecting", "options"),
    [
        ("да, но в 19", "yes_no", ()),  # more than a yes
        ("да", None, ()),  # no yes/no question asked
        ("да", "option", SLOTS),  # the bot asked which option, not yes or no
        ("2", None, ()),  # no numbered options
        ("18:00", "date", ()),  # a time, when the bot asked for a day
        ("завтра", "option", SLOTS),  # a day, when the bot offered times
        ("запишите на стрижку", "service", ()),
    ],
)
async def test_anything_else_sends_exactly_one_request(
    llm: Gate,
    make_request: RequestFactory,
    text: str,
    expecting: str | None,
    options: tuple[OfferedOption, ...],
) -> None:
    llm.stub.script([answer()])
    await llm.gate.fill(make_request(text, options=options, expecting=expecting))
    assert len(llm.stub.requests) == 1
    assert llm.stub.requests[0]["messages"][-1]["content"] == text
    assert llm.reasons == [LlmReason.FULL_FILL]


async def test_a_server_error_is_one_request_not_a_retry(
    llm: Gate, make_request: RequestFactory
) -> None:
    llm.stub.script([StubError(500), StubError(500), answer()])
    fill = await llm.gate.fill(make_request("стрижку завтра", expecting="service"))
    assert len(llm.stub.requests) == 1
    assert fill.source is FillSource.OFFLINE_FALLBACK


def _batch(request: FillRequest, batch_id: str) -> FillRequest:
    return FillRequest(
        text=request.text, state=request.state, catalogue=request.catalogue, now=request.now,
        timezone=request.timezone, options=request.options, expecting=request.expecting,
        batch_id=batch_id,
    )  # fmt: skip


async def test_a_batch_read_again_reuses_its_fill_and_sends_nothing(
    llm: Gate, make_request: RequestFactory
) -> None:
    llm.stub.script([answer(), answer()])
    request = _batch(make_request("да, но в 19", state="confirming", expecting="yes_no"), "b1")
    first = await llm.gate.fill(request)
    again = await llm.gate.fill(request)  # the retried turn of the same batch
    assert len(llm.stub.requests) == 1
    assert again == first
    assert llm.reasons == [LlmReason.FULL_FILL, LlmReason.REPEAT]


async def test_a_second_different_fill_of_one_batch_is_refused(
    llm: Gate, make_request: RequestFactory
) -> None:
    llm.stub.script([answer(), answer()])
    await llm.gate.fill(_batch(make_request("да, но в 19", expecting="yes_no"), "b1"))
    other = await llm.gate.fill(_batch(make_request("хочу на стрижку"), "b1"))
    assert len(llm.stub.requests) == 1
    assert other.source is FillSource.OFFLINE_FALLBACK and other.notes
    assert llm.reasons == [LlmReason.FULL_FILL, LlmReason.OVER_BUDGET]


TEXTS = ["да", "2", "14:30", "завтра", "да, но в 19", "хочу на стрижку", "а где вы?", "нет",
         "к Бари завтра", "👍"]  # fmt: skip
QUESTIONS = [None, "yes_no", "option", "date", "service", "reminder"]


@settings(
    max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(TEXTS), st.sampled_from(QUESTIONS)),
        min_size=1,
        max_size=12,
    )
)
async def test_no_batch_ever_sends_two_requests(
    make_request: RequestFactory, reads: list[tuple[int, str, str | None]]
) -> None:
    """Whatever is read, in whatever order and however often, each batch sends at most one
    request (counted by the server), and only a batch that was no plain answer sends one."""
    stub = OpenAIStub()
    reasons: list[LlmReason] = []
    async with stub as base_url:
        client = AsyncOpenAI(api_key="sk-test-not-a-key", base_url=base_url, max_retries=2)
        gate = LlmGate(OpenAIFiller(client, "stub-model", timeout_s=2), on_reason=reasons.append)
        stub.script([answer(), StubError(500)] * len(reads))
        for batch, text, question in reads:
            request = make_request(text, options=SLOTS, expecting=question)
            await gate.fill(_batch(request, f"b{batch}"))
        await client.close()
    assert len(reasons) == len(reads)  # one reason per fill
    calling = [b for (b, _, _), reason in zip(reads, reasons, strict=True) if reason == "full_fill"]
    assert len(stub.requests) == len(calling)
    assert len(calling) == len(set(calling))  # never two for one batch


def test_every_kind_of_plain_answer_has_its_reason() -> None:
    # The gate counts a plain answer as `plain_<kind>`: a new kind needs its reason.
    reasons = {f"plain_{kind.value}" for kind in PlainKind}
    assert reasons <= {reason.value for reason in LlmReason}
