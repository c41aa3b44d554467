"""The filler's shortcuts for long texts (issue 13's 50 ms bound) answer as the plain way.

Each shortcut skips work that cannot change a result: replacing only the blanks that are
not spaces, counting letters by runs, looking a text's distinct words up once, passing over
words that no index holds by two set lookups. Each is checked here against the plain way
it replaces, on the labelled utterances and on generated text.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.fillers.labelled import catalogue_from_salon, load_cases
from adapters.fillers.masters import _lookup, master_index
from adapters.fillers.offline import _salon_vocabulary
from adapters.fillers.text import WORD, detect_language, distinct_words, normalize
from adapters.fillers.titles import title_index
from adapters.yclients.sandbox.fixture import DEMO_SALON
from states.slot_fill import Language

CATALOGUE = catalogue_from_salon(DEMO_SALON)
UTTERANCES = [case.request.text for case in load_cases()]
# Letters of both alphabets in both cases, blanks of several kinds, and characters whose
# case mapping is unusual (dotless i, long s, the Kelvin sign, an old Cyrillic o).
_ALPHABET = "абвгдеёжзиклмнопрстуяАБЁЯabcdeiksxyzABKSİıſKᲂ \t\n\r\u00a0\u2003.,!?-'0123"
TEXTS = st.text(alphabet=_ALPHABET, max_size=80)


def _plain_normalize(text: str) -> str:
    lowered = text.lower().replace("ё", "е")
    return re.sub(r"\s", " ", lowered) if len(lowered) == len(text) else lowered


def _plain_language(text: str) -> Language:
    latin = len(re.findall(r"[a-z]", text, re.IGNORECASE))
    cyrillic = len(re.findall(r"[а-яё]", text, re.IGNORECASE))
    return Language.EN if latin > cyrillic and latin >= 2 else Language.RU


@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_normalising_and_language_answer_as_the_plain_way(text: str) -> None:
    assert normalize(text) == _plain_normalize(text)
    assert detect_language(text) == _plain_language(text)
    assert distinct_words(text) == frozenset(WORD.findall(text))


def test_on_every_labelled_utterance_too() -> None:
    for text in UTTERANCES:
        assert normalize(text) == _plain_normalize(text)
        assert detect_language(text) == _plain_language(text)


def _check_passed_over(words: frozenset[str]) -> None:
    masters, vocabulary = master_index(CATALOGUE), _salon_vocabulary(CATALOGUE)
    titles = title_index(CATALOGUE)
    concepts = titles.concepts_of_words(words)
    for word in words:
        assert concepts[word] == titles.concept_of_word(word)
        # `match_masters` looks up only the words in `by_form` or, from 4 letters, near it.
        if word not in masters.by_form and (len(word) < 4 or not masters.may_be_near(word)):
            assert not _lookup(word, masters), word
        # `read` corrects only the words of 5+ letters near the vocabulary.
        if len(word) >= 5 and not vocabulary.may_be_near(word):
            assert vocabulary.correct(word) is None, word


def test_words_passed_over_in_the_labelled_utterances_have_nothing_to_find() -> None:
    _check_passed_over(frozenset(w for t in UTTERANCES for w in WORD.findall(normalize(t))))


@settings(max_examples=200, deadline=None)
@given(text=TEXTS)
def test_words_passed_over_have_nothing_to_find(text: str) -> None:
    _check_passed_over(frozenset(WORD.findall(normalize(text))) | {text.strip() or "x"})
