"""`data/word_forms.json` is what `adapters.fillers.word_form_table` writes from pymorphy3
today: a word added to services.yaml or to the date words without regenerating it fails
here (the filler would still inflect it, through pymorphy3, at its first turn)."""

from __future__ import annotations

import json

from adapters.fillers.lexicon import WORD_FORMS, inflections, word_form_table, word_forms
from adapters.fillers.word_form_table import computed, listed_words


def test_the_stored_table_is_the_one_the_script_writes() -> None:
    stored = json.loads(WORD_FORMS.read_text(encoding="utf-8"))
    assert stored == computed()


def test_every_listed_word_is_read_from_the_table_as_pymorphy3_inflects_it() -> None:
    table = word_form_table()
    words = listed_words()
    assert len(words) > 100 and set(words) <= set(table)
    for word in ("стрижка", "борода", "пятница", "маникюр"):
        assert word in table
        assert word_forms(word) == inflections(word) == table[word]
    assert {"стрижку", "стрижкой", "стрижек"} <= word_forms("стрижка")
