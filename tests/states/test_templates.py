"""Every reply template, in both languages: same placeholders, fills in, no stray braces,
the right alphabet; and the texts issue 14 names (honest reasons, headings, no glued
"Хорошо. Что изменить…")."""

from __future__ import annotations

import re
import string

import pytest

from states.conversation import Option
from states.prompts import options_heading
from states.templates import TEMPLATES, say
from tests.states.conftest import World

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_renders_in_both_languages(key: str) -> None:
    ru, en = TEMPLATES[key]
    assert fields(ru) == fields(en), "both languages take the same values"
    values = {name: f"<{name}>" for name in fields(ru)}
    for lang in ("ru", "en"):
        rendered = say(key, lang, **values)
        assert rendered.strip() and "{" not in rendered and "}" not in rendered
        assert all(f"<{name}>" in rendered for name in values)
    blank = {name: "" for name in fields(ru)}
    assert not CYRILLIC.search(say(key, "en", **blank)), f"{key}: Russian in the English text"
    russian = say(key, "ru", **blank)
    assert CYRILLIC.search(russian) or not re.search(r"[a-z]", russian, re.I), f"{key}: English"


def test_a_question_never_starts_with_khorosho_after_an_error() -> None:
    question = say("what_to_change", "ru")
    assert not question.startswith("Хорошо")
    assert say("rejected", "ru", reason="Сотрудник не найден").endswith("Сотрудник не найден.")


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("taken_master", ["занято", "Бари"]),
        ("closes_master", ["принимает до 21:00"]),
        ("opens_master", ["принимает с 10:00"]),
        ("master_off", ["не работает"]),
        ("master_no_service", ["не делает"]),
        ("closes_any", ["мастера принимают до 21:00"]),
    ],
)
def test_reasons_say_what_really_happened(key: str, words: list[str]) -> None:
    text = say(key, "ru", date="завтра", time="18:00", master="Бари", service="Маникюр",
               end="21:00", start="10:00")  # fmt: skip
    assert all(w in text for w in words), text


async def test_a_heading_names_a_master_only_when_every_option_is_theirs(world: World) -> None:
    c = world.newcomer()
    turn = await world.turn(c)
    bari = Option("2025-07-24", "18:00", 3413963, "Бари", "…")
    artyom = Option("2025-07-24", "19:00", 3413964, "Артём", "…")
    monday = Option("2025-07-28", "12:00", 3413963, "Бари", "…")
    assert "Бари" in options_heading(turn, [bari, bari])
    assert options_heading(turn, [bari, artyom]) == "завтра, 24 июля (чт) свободно:"
    assert options_heading(turn, [artyom, monday]) == "Могу предложить:"
