"""The filler's pymorphy3 analyzer reads its word graphs from their files by pages (issue 15)
and reads every word as pymorphy3's own analyzer, with its arrays, does."""

from __future__ import annotations

import pymorphy3
import pymorphy3_dicts_ru

from adapters.fillers.morphology import analyzer, is_paged

# Dictionary words, given names, inflected forms and words it must guess by their ending.
WORDS = [
    "стрижку", "бороды", "маникюр", "Бари", "Тёме", "Саши", "завтра", "пятницу", "вечером",
    "записаться", "окрашивание", "кудрявенькая", "зафтра", "бородища", "Игорю", "коррекция",
]  # fmt: skip


def test_the_word_graphs_are_paged_and_read_every_word_as_pymorphy3_does() -> None:
    mapped = analyzer()
    assert is_paged(mapped)
    plain = pymorphy3.MorphAnalyzer(path=pymorphy3_dicts_ru.get_path(), lang="ru")
    assert not is_paged(plain)
    for word in WORDS:
        ours = [(p.normal_form, str(p.tag), p.score) for p in mapped.parse(word.lower())]
        theirs = [(p.normal_form, str(p.tag), p.score) for p in plain.parse(word.lower())]
        assert ours == theirs, word
    assert mapped.word_is_known("стрижка") and not mapped.word_is_known("зафтра")
