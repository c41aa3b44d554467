"""The OpenAI filler through the real `openai` client, over HTTP, against `OpenAIStub`.

Every scripted failure must end in a safe fill: values checked against the catalogue and
the client's text, or the offline filler's answer with the fallback counted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from openai import AsyncOpenAI

from adapters.fillers.openai_filler import OpenAIFiller
from adapters.fillers.openai_stub import OpenAIStub, StubDelay, StubError, StubReply
from states.slot_fill import FillSource, Intent, MasterChoice, OfferedOption, SlotFiller
from tests.adapters.fillers.conftest import RequestFactory

PIECES = "Запишите на стрижку меня\nНа завтра\nВ 18:00\nК Бари"


def proposal(**overrides: Any) -> dict[str, Any]:
    """A well-formed LLM answer for PIECES; tests override what they break."""
    good: dict[str, Any] = {
        "intent": "book", "service_phrases": ["стрижку"], "master_choice": "named",
        "master": "Бари", "date_phrase": "завтра", "time_phrase": "18:00", "option": None,
        "client_name": None, "phone": None, "language": "ru",
    }  # fmt: skip
    good.update(overrides)
    return good


class Harness:
    def __init__(self, stub: OpenAIStub, filler: OpenAIFiller, reasons: list[str]) -> None:
        self.stub, self.filler, self.reasons = stub, filler, reasons


@pytest.fixture
async def llm() -> AsyncIterator[Harness]:
    stub = OpenAIStub()
    reasons: list[str] = []
    async with stub as base_url:
        client = AsyncOpenAI(api_key="sk-test-not-a-key", base_url=base_url, max_retries=0)
        filler = OpenAIFiller(client, "stub-model", timeout_s=0.5, on_fallback=reasons.append)
        yield Harness(stub, filler, reasons)
        await client.close()


def test_the_openai_filler_is_a_slot_filler(llm: Harness) -> None:
    assert isinstance(llm.filler, SlotFiller)


async def test_a_good_fill_is_taken_and_resolved_by_code(
    llm: Harness, make_request: RequestFactory
) -> None:
    llm.stub.script([proposal()])
    fill = await llm.filler.fill(make_request(PIECES))
    assert fill.source is FillSource.LLM and fill.notes == []
    assert fill.intent is Intent.BOOK
    assert fill.services == ["Мужская стрижка"] and fill.master == "Бари"
    assert (fill.date, fill.time) == ("2025-07-24", "18:00")
    assert llm.filler.fallbacks == 0 and llm.reasons == []


async def test_the_request_asks_for_strict_json_schema_at_temperature_zero(
    llm: Harness, make_request: RequestFactory
) -> None:
    llm.stub.script([proposal()])
    await llm.filler.fill(make_request(PIECES))
    [sent] = llm.stub.requests
    assert sent["temperature"] == 0
    assert sent["model"] == "stub-model"
    fmt = sent["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"]) >= {"intent", "master"}
    system = sent["messages"][0]["content"]
    assert "Бари" in system and "Мужская стрижка" in system and "2025-07-23" in system
    assert sent["messages"][-1] == {"role": "user", "content": PIECES}
    assert all("sk-test" not in str(h) for h in llm.stub.headers)


async def test_schema_invalid_output_falls_back_to_offline(
    llm: Harness, make_request: RequestFactory
) -> None:
    llm.stub.script([{"intent": "book_now", "services": 3}])
    fill = await llm.filler.fill(make_request(PIECES))
    assert fill.source is FillSource.OFFLINE_FALLBACK
    assert fill.master == "Бари" and fill.time == "18:00"  # the offline reading
    assert llm.filler.fallbacks == 1 and llm.reasons == ["invalid_output"]


async def test_non_json_output_falls_back(llm: Harness, make_request: RequestFactory) -> None:
    llm.stub.script([StubReply("Sure! The client wants a haircut tomorrow.")])
    fill = await llm.filler.fill(make_request(PIECES))
    assert fill.source is FillSource.OFFLINE_FALLBACK
    assert llm.filler.fallback_reasons["invalid_output"] == 1


async def test_a_hallucinated_master_is_dropped(llm: Harness, make_request: RequestFactory) -> None:
    llm.stub.script([proposal(master="Олег")])
    fill = await llm.filler.fill(make_request("стрижку завтра в 18:00"))
    assert fill.source is FillSource.LLM_REPAIRED
    assert fill.master is None and fill.master_choice is None
    assert any("Олег" in note for note in fill.notes)
    assert llm.filler.repairs == 1 and llm.filler.fallbacks == 0


@pytest.mark.parametrize("bad", ["3413963", "last", "staff_id"])
async def test_an_id_where_the_master_name_belongs_is_repaired_from_the_text(
    llm: Harness, make_request: RequestFactory, bad: str
) -> None:
    llm.stub.script([proposal(master=bad)])
    fill = await llm.filler.fill(make_request(PIECES))
    assert fill.master == "Бари"  # the client's own words, read by code
    assert fill.source is FillSource.LLM_REPAIRED
    assert any("id-like" in note for note in fill.notes)


async def test_last_as_a_master_never_survives(llm: Harness, make_request: RequestFactory) -> None:
    llm.stub.script([proposal(master="last", master_choice="named")])
    fill = await llm.filler.fill(make_request("запишите на стрижку завтра"))
    assert fill.master is None and fill.master_choice is None


async def test_services_outside_the_catalogue_and_ids_are_dropped(
    llm: Harness, make_request: RequestFactory
) -> None:
    llm.stub.script([proposal(service_phrases=["18356010", "массаж спины", "бороду"])])
    fill = await llm.filler.fill(make_request("бороду завтра в 18:00 к Бари"))
    assert fill.services == ["Моделирование бороды"]
    assert len(fill.notes) == 2


async def test_values_not_in_the_text_or_out_of_range_are_dropped(
    llm: Harness, make_request: RequestFactory
) -> None:
    options = (OfferedOption("2025-07-24", "17:00", "Бари"),)
    llm.stub.script([proposal(option=4, phone="+79990001122", client_name="Олег")])
    fill = await llm.filler.fill(make_request(PIECES, options=options))
    assert fill.option is None and fill.phone is None and fill.client_name is None
    assert len(fill.notes) == 3


async def test_same_as_last_is_kept_as_a_choice_not_a_name(
    llm: Harness, make_request: RequestFactory
) -> None:
    llm.stub.script([proposal(master_choice="same_as_last", master=None)])
    fill = await llm.filler.fill(make_request("к тому же мастеру завтра в 18:00 на стрижку"))
    assert fill.master_choice is MasterChoice.SAME_AS_LAST and fill.master is None
    assert fill.source is FillSource.LLM


async def test_a_server_error_falls_back(llm: Harness, make_request: RequestFactory) -> None:
    llm.stub.script([StubError(500)])
    fill = await llm.filler.fill(make_request(PIECES))
    assert fill.source is FillSource.OFFLINE_FALLBACK and fill.master == "Бари"
    assert llm.reasons == ["status_500"] and llm.filler.fallbacks == 1


async def test_a_timeout_falls_back_quickly(llm: Harness, make_request: RequestFactory) -> None:
    llm.stub.script([StubDelay(10.0, then=StubReply(proposal()))])
    fill = await llm.filler.fill(make_request(PIECES))
    assert fill.source is FillSource.OFFLINE_FALLBACK
    assert llm.reasons == ["timeout"] and llm.filler.fallbacks == 1


async def test_an_unreachable_server_falls_back(make_request: RequestFactory) -> None:
    async with OpenAIStub() as base_url:
        pass  # the port is closed again
    client = AsyncOpenAI(api_key="sk-test", base_url=base_url, max_retries=0)
    filler = OpenAIFiller(client, timeout_s=0.5)
    fill = await filler.fill(make_request(PIECES))
    assert fill.source is FillSource.OFFLINE_FALLBACK
    assert filler.fallback_reasons == {"APIConnectionError": 1}
    await client.close()


async def test_one_call_per_batch_and_the_counter_adds_up(
    llm: Harness, make_request: RequestFactory
) -> None:
    llm.stub.script([proposal(), StubError(503), proposal()])
    for _ in range(3):
        await llm.filler.fill(make_request(PIECES))
    assert len(llm.stub.requests) == 3
    assert (llm.filler.calls, llm.filler.fallbacks) == (3, 1)
    assert llm.reasons == ["status_503"]


@pytest.mark.parametrize(
    ("date_phrase", "time_phrase", "date", "time", "window"),
    [("в субботу", "к 7", "2025-07-26", "19:00", None),
     ("2025-07-25", "вечером", "2025-07-25", None, ("17:00", "21:00")),
     ("2025-02-30", "7", None, "19:00", None)],
)  # fmt: skip
async def test_date_and_time_phrases_are_resolved_by_code(
    llm: Harness,
    make_request: RequestFactory,
    date_phrase: str,
    time_phrase: str,
    date: str | None,
    time: str | None,
    window: tuple[str, str] | None,
) -> None:
    llm.stub.script([proposal(date_phrase=date_phrase, time_phrase=time_phrase)])
    fill = await llm.filler.fill(make_request("стрижку к Бари"))
    assert (fill.date, fill.time) == (date, time)
    assert ((fill.time_from, fill.time_to) if fill.time_from else None) == window


async def test_a_master_the_client_really_named_is_kept_for_the_engine_to_refuse(
    llm: Harness, make_request: RequestFactory
) -> None:
    llm.stub.script([proposal(master="Василий", service_phrases=["стрижку"])])
    fill = await llm.filler.fill(make_request("Запишите к Василию на стрижку"))
    assert fill.source is FillSource.LLM_REPAIRED
    assert fill.master_choice is MasterChoice.NAMED and fill.master == "Василий"
    assert fill.master_phrase == "к Василию"
    assert any("Василий" in note for note in fill.notes)


async def test_an_unknown_service_the_client_wrote_is_kept_as_a_phrase(
    llm: Harness, make_request: RequestFactory
) -> None:
    llm.stub.script([proposal(service_phrases=["татуировку"], master=None, master_choice=None)])
    fill = await llm.filler.fill(make_request("Запишите на татуировку завтра в 18:00"))
    assert fill.services == [] and fill.service_phrases == ["татуировку"]
    assert fill.source is FillSource.LLM_REPAIRED


async def test_an_invented_service_the_client_did_not_write_stays_dropped(
    llm: Harness, make_request: RequestFactory
) -> None:
    llm.stub.script([proposal(service_phrases=["массаж"], master=None, master_choice=None)])
    fill = await llm.filler.fill(make_request("завтра в 18:00"))
    assert fill.services == [] and fill.service_phrases == []
