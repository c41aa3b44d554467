"""Realistic model output for any salon goes through the offline filler's resolution and
invariants: inflected titles, diminutives, "any", a client's own name, small talk.

The real `openai` client over HTTP against `OpenAIStub`, on a catalogue that is not the
demo salon's (fixtures/catalogues/barbershop_combos.yaml).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openai import AsyncOpenAI

from adapters.fillers.openai_filler import OpenAIFiller
from adapters.fillers.openai_stub import OpenAIStub, proposal
from states.slot_fill import FillRequest, FillSource, MasterChoice
from tests.adapters.fillers.phrasing import REPO, catalogue

COMBOS = catalogue(REPO / "fixtures" / "catalogues" / "barbershop_combos.yaml")
NOW = dt.datetime(2025, 11, 30, 15, 30, tzinfo=ZoneInfo("Europe/Moscow"))


def request(text: str, expecting: str | None = None) -> FillRequest:
    return FillRequest(
        text=text, state="idle", catalogue=COMBOS, now=NOW, timezone="Europe/Moscow",
        expecting=expecting,
    )  # fmt: skip


def answer(**fields: Any) -> dict[str, object]:
    return proposal(**{"intent": "book", **fields})


@pytest.fixture
async def llm() -> AsyncIterator[tuple[OpenAIStub, OpenAIFiller]]:
    stub = OpenAIStub()
    async with stub as base_url:
        client = AsyncOpenAI(api_key="sk-test-not-a-key", base_url=base_url, max_retries=0)
        yield stub, OpenAIFiller(client, "stub-model", timeout_s=2)
        await client.close()


async def test_the_prompt_carries_the_salons_own_service_and_master_names(
    llm: tuple[OpenAIStub, OpenAIFiller],
) -> None:
    stub, filler = llm
    stub.script([answer()])
    await filler.fill(request("Здравствуйте"))
    system = stub.requests[0]["messages"][0]["content"]
    for name in (*COMBOS.service_names, *COMBOS.masters):
        assert name in system
    assert "Бари" not in system  # nothing of the demo salon


@pytest.mark.parametrize(
    ("text", "phrases", "services"),
    [("запишите на стрижку бороды", ["стрижку бороды"], ["Стрижка бороды"]),
     ("стрижкой бороды займёмся?", ["стрижкой бороды"], ["Стрижка бороды"]),
     ("мужскую стрижку у топ-мастера", ["мужскую стрижку у топ-мастера"],
      ["Мужская стрижка — топ-мастер"]),
     ("стрижку и бороду", ["стрижку", "бороду"], ["Стрижка + борода"]),
     ("отца и сына подстричь", ["отец + сын"], ["Отец + сын"])],
)  # fmt: skip
async def test_inflected_titles_from_the_model_resolve_to_exactly_the_service(
    llm: tuple[OpenAIStub, OpenAIFiller], text: str, phrases: list[str], services: list[str]
) -> None:
    stub, filler = llm
    stub.script([answer(service_phrases=phrases)])
    fill = await filler.fill(request(text))
    assert fill.services == services and fill.source is FillSource.LLM


@pytest.mark.parametrize(
    ("text", "said", "master"),
    [("к Тёме на завтра", "Тёме", "Артём"), ("можно к Саше?", "Саше", "Александр"),
     ("к Игорьку", "Игорьку", "Игорь"), ("хочу к Артёму", "Артём", "Артём"),
     ("with Sasha tomorrow", "Sasha", "Александр")],
)  # fmt: skip
async def test_diminutives_and_latin_from_the_model_resolve_through_the_dictionary(
    llm: tuple[OpenAIStub, OpenAIFiller], text: str, said: str, master: str
) -> None:
    stub, filler = llm
    stub.script([answer(master_choice="named", master=said)])
    fill = await filler.fill(request(text))
    assert fill.master == master and fill.master_choice is MasterChoice.NAMED


@pytest.mark.parametrize(
    ("choice", "master"), [("any", None), (None, "любой"), ("named", "мастер не важен")]
)
async def test_any_master_from_the_model_means_any(
    llm: tuple[OpenAIStub, OpenAIFiller], choice: str | None, master: str | None
) -> None:
    stub, filler = llm
    stub.script([answer(master_choice=choice, master=master)])
    fill = await filler.fill(request("стрижка, мастер не важен"))
    assert fill.master_choice is MasterChoice.ANY and fill.master is None


async def test_the_clients_own_name_is_never_taken_for_a_master(
    llm: tuple[OpenAIStub, OpenAIFiller],
) -> None:
    stub, filler = llm
    # A model that "corrects" Егор to the salon's Игорь.
    stub.script([answer(master_choice="named", master="Игорь", client_name="Егор")])
    fill = await filler.fill(request("Меня зовут Егор, хочу на стрижку"))
    assert fill.master is None and fill.client_name == "Егор"
    assert fill.source is FillSource.LLM_REPAIRED
    assert any("not named in the client's words" in n for n in fill.notes)


async def test_a_reply_with_a_name_is_the_clients_name_not_a_master(
    llm: tuple[OpenAIStub, OpenAIFiller],
) -> None:
    stub, filler = llm
    stub.script([answer(master_choice="named", master="Александр", client_name="Александр")])
    fill = await filler.fill(request("Александр", expecting="name"))
    assert fill.master is None and fill.client_name == "Александр"


async def test_small_talk_read_into_a_service_by_the_model_is_repaired(
    llm: tuple[OpenAIStub, OpenAIFiller],
) -> None:
    stub, filler = llm
    stub.script([answer(service_phrases=["детская стрижка"])])
    fill = await filler.fill(request("у меня двое детей, хочу стрижку"))
    assert fill.services == ["Мужская стрижка"]  # the offline reading of the client's words
    assert fill.source is FillSource.LLM_REPAIRED


async def test_a_time_that_does_not_exist_reaches_the_dialogue_as_such(
    llm: tuple[OpenAIStub, OpenAIFiller],
) -> None:
    stub, filler = llm
    stub.script([answer(date_phrase="завтра", time_phrase="25:00")])
    fill = await filler.fill(request("завтра в 25:00"))
    assert fill.time is None and fill.invalid_time == "25:00"
    assert fill.date == "2025-12-01"
