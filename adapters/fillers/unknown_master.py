"""A master the client asks for whom the salon does not have (see `offline`, which asks
the catalogue first).

The offline filler used to drop such names silently; this reader says there is no such
master instead, and it is conservative: a false "we do not have that" about a master the
salon does have is worse than a miss. An unknown master is a given name after "к", "у",
"к мастеру", "with" ("к Василию", "у Олега", "with John"): pymorphy3 must tag a Cyrillic
word `Name`, a Latin word must be capitalised. "к 7", "к вечеру", "к тому же", "к любому"
are not names.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable

from adapters.fillers.spans import Taken
from adapters.fillers.text import Token, adjacent, analyzer, tokens

_MASTER_PREPS = frozenset({"к", "ко", "у", "with"})
_MASTER_WORDS = frozenset({"мастер", "мастеру", "мастера", "мастером", "барберу", "барбера"})
# Capitalised English words that follow "with" but are not people.
_NOT_LATIN_NAMES = frozenset({
    "i", "me", "my", "you", "your", "us", "him", "her", "them", "the", "a", "an", "any",
    "anyone", "someone", "somebody", "same", "whoever", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "beard", "haircut", "kids", "son", "daughter",
    "wife", "husband", "friend", "master", "barber", "stylist",
})  # fmt: skip
_NAME_MIN_SCORE = 0.1
_COMPARISON = frozenset({"как", "like", "чем"})
_MAX_TRIES = 20  # candidates read per text: the work stays bounded on long messages
_MASTER_CUE = re.compile(
    r"\b(?:к|ко|у|with|мастер|мастеру|мастера|мастером|барберу|барбера)\b", re.IGNORECASE
)


@dataclasses.dataclass(frozen=True)
class UnknownMaster:
    name: str  # nominative when pymorphy3 knows the name ("Василию" → "Василий")
    phrase: str  # as written, with its preposition ("к Василию")
    word: str  # the name word as written


@functools.lru_cache(maxsize=10_000)
def _given_name(word: str) -> str | None:
    """The nominative of a Cyrillic given name, or None when the word is not one."""
    parses = [
        p for p in analyzer().parse(word.lower()) if "Name" in p.tag and p.score >= _NAME_MIN_SCORE
    ]
    if not parses:
        return None
    lemma = str(max(parses, key=lambda p: p.score).normal_form)
    return lemma[:1].upper() + lemma[1:]


def read_unknown_master(text: str, avoid: Iterable[tuple[int, int]] = ()) -> UnknownMaster | None:
    """The last person named the way one names a master (`text` as written).

    Only the words after a cue ("к", "у", "мастеру", "with") are read, from the text's end
    back, at most `_MAX_TRIES` of them: a long text costs one regex scan.
    """
    taken = Taken(len(text), avoid)
    tries = 0
    for cue in reversed(list(_MASTER_CUE.finditer(text))):
        offset = max(0, cue.start() - 24)
        toks = [
            dataclasses.replace(t, start=t.start + offset, end=t.end + offset)
            for t in tokens(text[offset : cue.end() + 48])
        ]
        i = next((k + 1 for k, t in enumerate(toks) if t.start == cue.start()), len(toks))
        if i >= len(toks) or not taken.free(toks[i].start, toks[i].end):
            continue
        tries += 1
        if tries > _MAX_TRIES:
            break  # bounded work on long texts
        found = _master_after(text, toks, i)
        if found is not None:
            return found
    return None


def _master_after(text: str, toks: list[Token], i: int) -> UnknownMaster | None:
    """The name at token i, when the token before it is a master cue."""
    tok, prev = toks[i], toks[i - 1]
    if tok.norm.isdigit() or len(tok.norm) < 2 or not adjacent(text, prev, tok):
        return None
    start = prev.start
    if prev.norm in _MASTER_WORDS and i >= 2 and toks[i - 2].norm in _MASTER_PREPS:
        start = toks[i - 2].start  # "к мастеру Василию"
    elif prev.norm not in _MASTER_PREPS and prev.norm not in _MASTER_WORDS:
        return None
    before = toks[i - 2].norm if start == prev.start and i >= 2 else ""
    if before in _COMPARISON:
        return None  # "стрижку как у Димы" describes a haircut, not a master
    if tok.text.isascii():
        latin_ok = prev.norm in {"with", "мастер", "мастеру", "мастера"} or start != prev.start
        if not (latin_ok and tok.text[:1].isupper() and tok.norm not in _NOT_LATIN_NAMES):
            return None
        name = tok.text
    elif prev.norm == "with":
        return None
    else:
        nominative = _given_name(tok.text)
        if nominative is None:
            return None
        name = nominative
    return UnknownMaster(name=name, phrase=text[start : tok.end], word=tok.text)
