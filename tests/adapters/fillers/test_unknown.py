"""What the salon does not have: unknown services and masters are said back, not dropped.

The labelled cases in fixtures/nlu/unknown.yaml are checked by test_labelled_set; these
tests pin the phrases and names the engine quotes to the client, and the near misses.
"""

from __future__ import annotations

import pytest

from adapters.fillers.offline import OfflineFiller
from adapters.fillers.text import latin_spellings
from states.slot_fill import MasterChoice
from tests.adapters.fillers.conftest import RequestFactory


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Хочу записаться на татуировку завтра", "татуировку"),
        ("хочу массаж", "массаж"),
        ("Можно на Татуировку?", "Татуировку"),
        ("нужна чистка лица", "чистка лица"),
        ("book a massage tomorrow", "massage"),
    ],
)
async def test_a_service_outside_the_catalogue_keeps_the_clients_words(
    offline: OfflineFiller, make_request: RequestFactory, text: str, phrase: str
) -> None:
    fill = await offline.fill(make_request(text))
    assert fill.service_phrases == [phrase] and fill.services == []


@pytest.mark.parametrize(
    "text",
    [
        "Запишите меня на завтра",
        "на 18:00",
        "запишите на вечер",
        "хочу записаться на приём",
        "запишите на удобное время",
        "хочу к вам",
        "можно вопрос?",
        "I'd like an appointment tomorrow",
        "book me for tomorrow",
        "I need a receipt",
        "хочу кофе",
        "на маму можно записать?",
    ],
)
async def test_dates_times_and_generic_words_are_not_unknown_services(
    offline: OfflineFiller, make_request: RequestFactory, text: str
) -> None:
    fill = await offline.fill(make_request(text))
    assert fill.service_phrases == []


async def test_a_typo_of_a_known_service_is_that_service_not_an_unknown_one(
    offline: OfflineFiller, make_request: RequestFactory
) -> None:
    fill = await offline.fill(make_request("записаться на стришку"))
    assert fill.services == ["Мужская стрижка"] and fill.service_phrases == ["стришку"]


async def test_a_known_service_is_never_reported_unknown(
    offline: OfflineFiller, make_request: RequestFactory
) -> None:
    fill = await offline.fill(make_request("хочу стрижку и массаж"))
    assert fill.services == ["Мужская стрижка"] and fill.service_phrases == ["стрижку"]


@pytest.mark.parametrize(
    ("text", "name", "phrase"),
    [
        ("Запишите к Василию на стрижку", "Василий", "к Василию"),
        ("у Олега есть время?", "Олег", "у Олега"),
        ("к мастеру Василию завтра", "Василий", "к мастеру Василию"),
        ("haircut with John", "John", "with John"),
    ],
)
async def test_a_master_outside_the_catalogue_is_named_not_dropped(
    offline: OfflineFiller, make_request: RequestFactory, text: str, name: str, phrase: str
) -> None:
    fill = await offline.fill(make_request(text))
    assert fill.master_choice is MasterChoice.NAMED
    assert (fill.master, fill.master_phrase) == (name, phrase)
    assert fill.client_name is None


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("к 7", None),
        ("к вечеру", None),
        ("к обеду", None),
        ("к тому же мастеру", MasterChoice.SAME_AS_LAST),
        ("к любому", MasterChoice.ANY),
        ("к Вам можно завтра?", None),
        ("хочу стрижку как у Димы", None),
        ("к мастеру", None),
    ],
)
async def test_times_and_choices_after_k_are_not_names(
    offline: OfflineFiller, make_request: RequestFactory, text: str, choice: MasterChoice | None
) -> None:
    fill = await offline.fill(make_request(text))
    assert fill.master is None and fill.master_choice is choice


@pytest.mark.parametrize(
    ("text", "master"),
    [("Artyom", "Артём"), ("Artiom", "Артём"), ("Artem", "Артём"), ("with Bari", "Бари"),
     ("Snezhana", "Снежана"), ("Igor", "Игорь")],
)  # fmt: skip
async def test_latin_spellings_match_the_catalogue_master(
    offline: OfflineFiller, make_request: RequestFactory, text: str, master: str
) -> None:
    fill = await offline.fill(make_request(text))
    assert fill.master == master


def test_latin_spellings_cover_the_common_keyboards() -> None:
    assert {"artem", "artyom", "artiom", "artjom"} <= latin_spellings("Артём")
    assert "snezhana" in latin_spellings("Снежана")
