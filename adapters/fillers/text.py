"""Text normalisation and Russian morphology shared by the offline filler's parts.

pymorphy3 loads its dictionaries in ~0.3 s: one lazy analyzer per process
(`morphology.analyzer`), and a cache of lemmas per word so a batch of tests stays fast.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from adapters.fillers.morphology import analyzer as analyzer  # re-exported
from adapters.fillers.regex_parts import split_alternatives
from adapters.fillers.word_pattern import WordPattern
from states.slot_fill import Language

WORD = re.compile(r"[a-zа-яё]+(?:'[a-z]+)?|\d+", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
# Blanks other than the space: replacing only them gives the same text as replacing every
# blank, without a replacement per space of a long text.
_OTHER_BLANK = re.compile(r"[^\S ]")
# Runs of letters: counted by their lengths, a long text costs a match per word, not per
# letter (the same count: a run is a stretch of letters the one-letter class matches).
_CYRILLIC_RUN = re.compile(r"[а-яё]+", re.IGNORECASE)
_LATIN_RUN = re.compile(r"[a-z]+", re.IGNORECASE)

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Token:
    text: str  # as written
    norm: str  # lower case, ё → е
    start: int
    end: int


def adjacent(text: str, left: Token, right: Token) -> bool:
    """True when only white space stands between the two tokens of `text`."""
    return text[left.end : right.start].strip() == ""


def word_pattern(pattern: str, flags: int = 0) -> WordPattern:
    r"""Compile `X|\bA|\bB|…|Y` as `X|\b(?:A|B|…)|Y`: each run of alternatives that start
    with a word boundary tests it once per position instead of once per alternative, so a
    long text is scanned several times faster (issue 13). The alternatives keep their
    order, so every match is the one the plain pattern gives; the result skips a text that
    holds none of the literal words its matches need (`word_pattern.WordPattern`)."""
    merged: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) > 1:
            merged.append(r"\b(?:" + "|".join(run) + ")")
        elif run:
            merged.append(r"\b" + run[0])
        run.clear()

    for part in split_alternatives(pattern):
        if part.startswith(r"\b"):
            run.append(part[2:])
        else:
            flush()
            merged.append(part)
    flush()
    return WordPattern(re.compile("|".join(merged), flags), pattern)


def mentions(text: str, keys: tuple[str, ...]) -> bool:
    """Whether any of the substrings occurs: a C-speed test that spares a regex scan."""
    return any(key in text for key in keys)


def normalize(text: str) -> str:
    """Lower case, ё → е, every blank a space: the form every regex here expects.

    Length-preserving for Cyrillic and Latin, so spans found in the normalised text cut
    the client's own words out of the original.
    """
    lowered = text.lower().replace("ё", "е")
    return _OTHER_BLANK.sub(" ", lowered) if len(lowered) == len(text) else lowered


def tokens(text: str) -> list[Token]:
    # A word holds no blank, so its normal form is lower case with ё → е (no regex per word).
    return [
        Token(w, w.lower().replace("ё", "е"), m.start(), m.end())
        for m in WORD.finditer(text)
        for w in (m.group(),)
    ]


@functools.lru_cache(maxsize=4)
def distinct_words(text: str) -> frozenset[str]:
    """The distinct words (`WORD`) of a text, collected once for the readers that look each
    one up (the typo reading, the masters): a long text repeats its words."""
    return frozenset(WORD.findall(text))


@functools.lru_cache(maxsize=50_000)
def lemmas(word: str) -> frozenset[str]:
    """Every dictionary form the word may come from (plus the word itself), ё → е."""
    norm = normalize(word)
    if not _CYRILLIC.search(norm):
        return frozenset({norm})
    forms = {normalize(p.normal_form) for p in analyzer().parse(norm)}
    forms.add(norm)
    return frozenset(forms)


@functools.lru_cache(maxsize=50_000)
def is_first_name(word: str) -> bool:
    """pymorphy3 tags given names `Name` (Николай, Анна); good enough for a name slot."""
    if not _CYRILLIC.search(word):
        return False
    return any("Name" in p.tag and p.score >= 0.1 for p in analyzer().parse(word.lower()))


def transliterate(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in normalize(text))


# Letters Latin keyboards spell more than one way: "Артём" is Artem, Artyom, Artiom, Artjom.
_TRANSLIT_VARIANTS = {
    "ё": ("e", "yo", "io", "jo", "o"), "й": ("y", "i", "j"), "я": ("ya", "ia", "ja"),
    "ю": ("yu", "iu", "ju"), "х": ("kh", "h"), "ц": ("ts", "c", "tz"), "щ": ("shch", "sch"),
    "ж": ("zh", "j"), "ь": ("", "'"), "ъ": ("",), "ы": ("y", "i"), "э": ("e",), "е": ("e",),
}  # fmt: skip
_MAX_SPELLINGS = 256


@functools.lru_cache(maxsize=256)
def latin_spellings(name: str) -> frozenset[str]:
    """Common Latin spellings of a Cyrillic name (lower case; the first is `transliterate`)."""
    spellings = [""]
    for ch in name.lower():
        options = _TRANSLIT_VARIANTS.get(ch, (_TRANSLIT.get(ch, ch),))
        spellings = [s + o for s in spellings for o in options][:_MAX_SPELLINGS]
    return frozenset({transliterate(name), *spellings})


def detect_language(text: str) -> Language:
    """English only when Latin letters clearly outnumber Cyrillic; Russian is the default."""
    latin = sum(map(len, _LATIN_RUN.findall(text)))
    cyrillic = sum(map(len, _CYRILLIC_RUN.findall(text)))
    return Language.EN if latin > cyrillic and latin >= 2 else Language.RU
