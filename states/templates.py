"""Every reply the bot sends, in Russian and English. Replies come from here, never from an LLM.

The texts themselves are data, in `states/texts/*.toml` (one table per reply, `ru` and `en`),
so they can be read and corrected without touching code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

# The booking itself; the talk around it; a visit already booked (issue 16).
_TEXT_FILES = ("flow.toml", "talk.toml", "visits.toml")


def _load() -> dict[str, tuple[str, str]]:
    texts: dict[str, tuple[str, str]] = {}
    folder = resources.files("states") / "texts"
    for name in _TEXT_FILES:
        for key, text in tomllib.loads((folder / name).read_text(encoding="utf-8")).items():
            if key in texts:
                raise ValueError(f"template {key!r} is defined twice (again in {name})")
            texts[key] = (text["ru"], text["en"])
    return texts


# Every template's (ru, en) texts; read-only (tests check each one).
TEMPLATES: Mapping[str, tuple[str, str]] = MappingProxyType(_load())


def say(key: str, lang: str, **values: object) -> str:
    """The reply `key` in the client's language, filled in."""
    ru, en = TEMPLATES[key]
    return (en if lang == "en" else ru).format(**values)
