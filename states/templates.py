"""Every reply the bot sends, in Russian and English. Replies come from here, never from an LLM."""

from __future__ import annotations

from states.templates_flow import FLOW
from states.templates_talk import TALK
from states.templates_visits import VISITS

_TEMPLATES: dict[str, tuple[str, str]] = {**FLOW, **TALK, **VISITS}
assert len(_TEMPLATES) == len(FLOW) + len(TALK) + len(VISITS), "a template key is defined twice"


def say(key: str, lang: str, **values: object) -> str:
    """The reply `key` in the client's language, filled in."""
    ru, en = _TEMPLATES[key]
    return (en if lang == "en" else ru).format(**values)


def template_keys() -> frozenset[str]:
    return frozenset(_TEMPLATES)


def template(key: str) -> tuple[str, str]:
    """The (ru, en) texts of `key`, for tests that check every template."""
    return _TEMPLATES[key]
