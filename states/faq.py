"""Salon facts YClients does not hold (payment, parking…), from the `SALON_FAQ` file.

The file is YAML, one entry per topic, each a text or `{ru: …, en: …}`:

    hours: "Пн–Пт 9:00–21:00, Сб–Вс 10:00–21:00"   # the salon's own words for its hours
    directions: "Вход со двора, второй этаж."       # added to the address
    payment: {ru: "Картой, наличными или по СБП.", en: "Card, cash or bank transfer."}

Topics are `FaqTopic` values; a topic the salon did not describe is answered honestly
with the salon's phone, never guessed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from states.slot_fill import FaqTopic

EXTRA_KEYS = ("hours", "directions")
KEYS = frozenset([*EXTRA_KEYS, *(t.value for t in FaqTopic)])


@dataclasses.dataclass(frozen=True)
class SalonFaq:
    entries: Mapping[str, tuple[str, str]] = dataclasses.field(default_factory=dict)

    def text(self, key: str, lang: str) -> str | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        ru, en = entry
        return (en or ru) if lang == "en" else (ru or en)

    @classmethod
    def from_mapping(cls, raw: object) -> SalonFaq:
        """Read the file's content; ValueError names the entry that is wrong."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ValueError("expected a mapping of topics to answers")
        entries: dict[str, tuple[str, str]] = {}
        for key, value in raw.items():
            if key not in KEYS:
                raise ValueError(f"unknown topic {key!r}; one of {', '.join(sorted(KEYS))}")
            entries[str(key)] = _texts(str(key), value)
        return cls(entries)


def _texts(key: str, value: object) -> tuple[str, str]:
    if isinstance(value, str) and value.strip():
        return value.strip(), ""
    if isinstance(value, Mapping) and set(value) <= {"ru", "en"} and value:
        ru, en = value.get("ru", ""), value.get("en", "")
        if isinstance(ru, str) and isinstance(en, str) and (ru.strip() or en.strip()):
            return ru.strip(), en.strip()
    raise ValueError(f"{key}: expected a text or {{ru: …, en: …}}")
