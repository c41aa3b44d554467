"""The text every offline rule reads: normalised, with typos of words that matter corrected.

A client writes "питницу", "стришку", "зафтра", "декобря". A word the dictionary does not
know that is one edit (a wrong, missing, extra or swapped letter) from a word the filler
looks for — a weekday, a month, a relative day, a time word, a service word or a word of
one of the salon's titles — is read as that word. Known words are never changed ("сына"
stays "сына"), nor words under 5 letters (too many neighbours).

Lookups use a deletion index (SymSpell): a word's one-letter deletions meet the deletions
of every vocabulary word one edit away, so a word costs a few dictionary lookups whatever
the vocabulary's size, and a whole text costs time linear in its length.

`Reading.raw_span` maps a span of the corrected text back to the client's own words, so
phrases ("в питницу") are reported as written.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
from collections.abc import Iterable
from typing import Any

from adapters.fillers.lexicon import service_lexicon, word_forms
from adapters.fillers.once import once
from adapters.fillers.text import WORD, analyzer, distinct_words, normalize

_MIN_LEN = 5

# Dictionary forms of the date and time words the rules look for; every inflection counts.
_DATE_TIME_WORDS = [
    "понедельник",
    "вторник",
    "среда",
    "четверг",
    "пятница",
    "суббота",
    "воскресенье",
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
    "завтра",
    "послезавтра",
    "сегодня",
    "вечер",
    "вечером",
    "утро",
    "утром",
    "днём",
    "обед",
    "половина",
    "пятнадцать",
    "двадцать",
    "десять",
    "четверть",
    "следующий",
    "ближайший",
    "выходной",
    "неделя",
    "первый",
    "второй",
    "третий",
    "четвёртый",
    "пятый",
    "шестой",
    "седьмой",
    "восьмой",
    "девятый",
    "десятый",
    "одиннадцатый",
    "двенадцатый",
    "полдень",
]
_ENGLISH = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "tomorrow",
    "today",
    "tonight",
    "morning",
    "evening",
    "afternoon",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "haircut",
    "manicure",
    "pedicure",
]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclasses.dataclass(frozen=True)
class Layer:
    """Words and their deletion index; the language's words are one layer, built once, and
    a salon's own words another, small one (so a new salon costs little to learn)."""

    words: frozenset[str]
    # A word or one of its deletions, by its hash -> the word, or the words when several
    # meet there (nine keys in ten name one word: a frozenset each cost ~7 MB, issue 15).
    # The hash, not the key: an int costs 40 bytes where a Cyrillic string costs ~90
    # (1.6 MB over the language's ~33,000 keys). Two keys sharing a hash only add a
    # candidate, and `Vocabulary.correct` keeps only the words one edit away.
    index: dict[int, str | tuple[str, ...]]
    # One edit in a word of 5+ letters leaves its first three letters or its first letter and
    # last two intact: a word matching neither is far from every word here.
    heads: frozenset[str]
    ends: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, words: Iterable[str]) -> Layer:
        kept = frozenset(w for w in words if len(w) >= _MIN_LEN - 1 and w.isalpha())
        # Built in its compact form directly: a set per key on the way would leave its
        # freed memory scattered between the keys (~8 MB the process keeps).
        index: dict[int, str | tuple[str, ...]] = {}
        for word in kept:
            for key in map(hash, (word, *_deletes(word))):
                hit = index.get(key)
                if hit is None:
                    index[key] = word
                elif isinstance(hit, str):
                    index[key] = (hit, word)
                else:
                    index[key] = (*hit, word)
        heads = frozenset(w[:3] for w in kept)
        ends = frozenset((w[0], w[-2:]) for w in kept)
        return cls(kept, index, heads, ends)

    def near(self, word: str) -> set[str]:
        if word[:3] not in self.heads and (word[0], word[-2:]) not in self.ends:
            return set()
        found: set[str] = set()
        for key in map(hash, (word, *_deletes(word))):
            hit = self.index.get(key)
            if isinstance(hit, str):
                found.add(hit)
            elif hit is not None:
                found.update(hit)
        return found


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    layers: tuple[Layer, ...]
    words: frozenset[str]  # every layer's words: one lookup per word of a text
    heads: frozenset[str]  # every layer's, so most words are passed on in two lookups
    ends: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, *layers: Layer) -> Vocabulary:
        def union(field: str) -> frozenset[Any]:
            return frozenset().union(*(getattr(layer, field) for layer in layers))

        return cls(layers, union("words"), union("heads"), union("ends"))

    def __contains__(self, word: str) -> bool:
        return word in self.words

    def may_be_near(self, word: str) -> bool:
        """False for most words that are one edit from no vocabulary word (two lookups)."""
        return word[:3] in self.heads or (word[0], word[-2:]) in self.ends

    def correct(self, word: str) -> str | None:
        """The vocabulary word one edit from `word`, or None (also for known words)."""
        if len(word) < _MIN_LEN or word in self.words or not word.isalpha():
            return None
        if not self.may_be_near(word):
            return None
        found = set().union(*(layer.near(word) for layer in self.layers))
        if not found:
            return None
        # rapidfuzz (2.9 MB, its shared library most) waits for a word to compare (issue 15).
        from rapidfuzz.distance import OSA

        near = [w for w in found if OSA.distance(word, w) <= 1 and w[0] == word[0]]
        if not near or analyzer().word_is_known(word):
            return None
        # A wrong letter before a missing or extra one: "субботк" is "суббота", not "суббот".
        return min(near, key=lambda w: (abs(len(w) - len(word)), w))


@once
def base_layer() -> Layer:
    """The language's words: dates, times, service word families (built once, at start)."""
    words: set[str] = set(_ENGLISH)
    for word in _DATE_TIME_WORDS:
        words.update(word_forms(word))
    words.update(service_lexicon().by_form)
    return Layer.of(words)


@functools.lru_cache(maxsize=64)
def vocabulary(extra: frozenset[str] = frozenset()) -> Vocabulary:
    """The language's words plus a salon's own (its titles' and masters' forms)."""
    own = Layer.of(extra - base_layer().words)
    return Vocabulary.of(base_layer(), own)


@dataclasses.dataclass(frozen=True)
class Reading:
    raw: str  # the client's text
    text: str  # normalised and corrected: what the rules read
    # (position in `text`, position in `raw`) wherever a correction changed the length
    anchors: tuple[tuple[int, int], ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()  # (as written, read as)

    def raw_pos(self, pos: int) -> int:
        at = bisect.bisect_right(self.anchors, (pos, len(self.raw) + 1)) - 1
        if at < 0:
            return min(pos, len(self.raw))
        text_pos, raw_pos = self.anchors[at]
        return min(raw_pos + (pos - text_pos), len(self.raw))

    def raw_span(self, start: int, end: int) -> str:
        """The client's own words for `text[start:end]`."""
        return self.raw[self.raw_pos(start) : self.raw_pos(end)]


def read(raw: str, vocab: Vocabulary) -> Reading:
    """Normalise `raw` and correct its typos against `vocab` (linear in the length)."""
    text = normalize(raw)
    if len(text) != len(raw):
        raw = text  # lower() changed the length: report phrases from the normalised text
    # Each distinct word is looked at once (a long text repeats its words); the text is
    # walked word by word only when some word is to be corrected.
    known, may_be_near = vocab.words, vocab.may_be_near
    fixes = {
        word: fixed
        for word in distinct_words(text)
        if len(word) >= _MIN_LEN
        and word not in known
        and may_be_near(word)  # `correct`'s own first test, without the call for most words
        and (fixed := vocab.correct(word))
    }
    if not fixes:
        return Reading(raw, text)
    pieces: list[str] = []
    anchors: list[tuple[int, int]] = []
    corrections: list[tuple[str, str]] = []
    last, shift = 0, 0
    for m in WORD.finditer(text):
        word = m.group()
        fixed = fixes.get(word)
        if fixed is None:
            continue
        start, end = m.span()
        pieces.append(text[last:start])
        pieces.append(fixed)
        last = end
        corrections.append((raw[start:end], fixed))
        if len(fixed) != len(word):
            shift += len(fixed) - len(word)
            anchors.append((end + shift, end))
    if not corrections:
        return Reading(raw, text)
    pieces.append(text[last:])
    return Reading(raw, "".join(pieces), tuple(anchors), tuple(corrections))
