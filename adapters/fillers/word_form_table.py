"""Writes `data/word_forms.json`: the inflections (pymorphy3 lexemes) of every Russian word
the filler's own data lists — the service words and qualifiers of `data/services.yaml`
and the date and time words of `reading.py`. `lexicon.word_forms` reads them from the
table, so building the lexicons parses nothing at a worker's first turn (issue 15); a
word missing from it is still inflected by pymorphy3. A test fails while the table
differs from what this writes: after editing those lists, run

    .venv/bin/python -m adapters.fillers.word_form_table
"""

from __future__ import annotations

import json

from adapters.fillers.lexicon import WORD_FORMS, _read_data, inflections
from adapters.fillers.reading import _DATE_TIME_WORDS
from adapters.fillers.text import normalize


def listed_words() -> list[str]:
    """Every normalised Cyrillic word `word_forms` is asked for while the lexicons and
    the typo index are built."""
    raw = _read_data("services.yaml")
    listed = [w for spec in raw["concepts"].values() for w in spec["words"]]
    listed += list(raw["qualifiers"]) + _DATE_TIME_WORDS
    words = {
        normalize(part)
        for word in listed
        if not str(word).endswith("*")
        for part in str(word).split("-")
        if part
    }
    return sorted(w for w in words if not w.isascii())


def computed() -> dict[str, list[str]]:
    return {word: sorted(inflections(word)) for word in listed_words()}


def text(table: dict[str, list[str]]) -> str:
    return json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


if __name__ == "__main__":
    WORD_FORMS.write_text(text(computed()), encoding="utf-8")
    print(f"{WORD_FORMS}: {len(listed_words())} words")
