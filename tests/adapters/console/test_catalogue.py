"""The console's words: both languages have the same keys, and every key the templates and
handlers name exists; every state of the dialogue machine has a label."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.console.i18n import LANGUAGES, MESSAGES, Catalogue
from states.machine import STATES

CONSOLE = Path(__file__).resolve().parents[3] / "adapters" / "console"
# t("key", …) names a key; t.label("prefix", code) names the keys "prefix_<code>".
_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+)["']\s*[,)]""")
_LABEL = re.compile(r"""\bt\.label\(\s*["']([a-z]+)["']""")


def _sources() -> list[Path]:
    return sorted([*CONSOLE.glob("templates/*.html"), *CONSOLE.glob("*.py")])


def test_both_languages_have_the_same_keys_and_no_empty_words() -> None:
    assert set(LANGUAGES) == set(MESSAGES)
    ru, en = MESSAGES["ru"], MESSAGES["en"]
    assert set(ru) - set(en) == set() and set(en) - set(ru) == set()
    for language, words in MESSAGES.items():
        assert all(text.strip() for text in words.values()), language
        # The same placeholders, so a value is never missing in one language.
        for key, text in words.items():
            assert re.findall(r"\{(\w+)\}", text) == re.findall(r"\{(\w+)\}", ru[key]), key


def test_every_key_the_console_names_exists() -> None:
    named: set[str] = set()
    prefixes: set[str] = set()
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        named |= set(_KEY.findall(text))
        prefixes |= set(_LABEL.findall(text))
    assert {"app_title", "login_title", "section_timeline"} <= named  # the scan finds them
    assert named - set(MESSAGES["ru"]) == set()
    for prefix in prefixes:
        assert any(key.startswith(f"{prefix}_") for key in MESSAGES["ru"]), prefix


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_dialogue_state_and_known_action_has_a_word(language: str) -> None:
    t = Catalogue(language)
    for state in STATES:
        assert f"state_{state}" in t.messages, state
    for action in ("reset", "requeue", "pause", "resume", "send"):
        assert t.label("action", action) == t(f"action_{action}") != action
    for operation in ("pause", "resume", "send", "handoffs", "reminders"):
        assert f"op_{operation}" in t.messages
    for problem in ("refused", "unauthorized", "forbidden", "storage", "not_found"):
        assert {f"{problem}_title", f"{problem}_text"} <= set(t.messages)
    assert t.label("state", "some_future_state") == "some_future_state"  # shown as it is
    assert Catalogue("de").language == "ru"
