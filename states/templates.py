"""Every reply the bot sends, in Russian and English. Replies come from here, never from an LLM."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from states.templates_flow import FLOW
from states.templates_talk import TALK
from states.templates_visits import VISITS

# Every template's (ru, en) texts; read-only (tests check each one).
TEMPLATES: Mapping[str, tuple[str, str]] = MappingProxyType({**FLOW, **TALK, **VISITS})
assert len(TEMPLATES) == len(FLOW) + len(TALK) + len(VISITS), "a template key is defined twice"


def say(key: str, lang: str, **values: object) -> str:
    """The reply `key` in the client's language, filled in."""
    ru, en = TEMPLATES[key]
    return (en if lang == "en" else ru).format(**values)
