"""The client's own name and phone number, when the client typed them.

A phone is only ever taken from digits the client wrote (senders known by an opaque
WhatsApp `@lid` id are asked for one); Russian 8-prefixed numbers become 7-prefixed.
A name is taken from explicit phrases ("меня зовут Николай", "my name is John"), or —
when the bot has just asked for a name — from a lone given name.
"""

from __future__ import annotations

import dataclasses
import itertools
import re

from adapters.fillers.text import is_first_name, normalize, tokens, word_pattern

# A word pattern for its guard: a text with no "+", "7" or "8" is not scanned.
PHONE = word_pattern(
    r"(?<![\d])(?:\+\s?7|8|7)[\s\-()]*\d{3}[\s\-()]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?![\d])"
    r"|\+\d[\d\s\-()]{9,17}\d"
)
_NAME = r"[A-Za-zА-ЯЁа-яё][a-zа-яё\-]+(?-i:\s+[A-ZА-ЯЁ][a-zа-яё\-]+)?"
_INTRO = re.compile(
    r"\b(?:меня\s+зовут|зовут\s+меня|мое\s+имя|моё\s+имя|my\s+name\s+is|name\s*:|имя\s*:"
    rf"|i\s+am|i'm|this\s+is|это|я)\s+(?P<name>{_NAME})"
    rf"|\bменя\s+(?P<name2>{_NAME})\s+зовут\b",
    re.IGNORECASE,
)
_EXPLICIT = re.compile(r"зовут|имя|name", re.IGNORECASE)
# Bounded work on long texts: a name is introduced near where the client introduces it.
_MAX_INTROS = 20
_LONE_NAME_CHARS = 200


def read_phone(text: str) -> tuple[str, tuple[int, int]] | None:
    """(digits, span) of a phone number written in `text`."""
    match = PHONE.search(text)
    if match is None:
        return None
    digits = re.sub(r"\D", "", match.group())
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    if len(digits) == 10 and digits.startswith("9"):
        digits = "7" + digits
    if not 11 <= len(digits) <= 15:
        return None
    return digits, match.span()


@dataclasses.dataclass(frozen=True)
class NameReading:
    name: str
    start: int  # span of the name in the text: never read as a master
    end: int


def read_name(
    text: str,
    expecting_name: bool,
    not_names: set[str],
    known_names: frozenset[str] = frozenset(),
) -> NameReading | None:
    """The client's name, or None. `not_names` are words already read as something else;
    `known_names` are (normalised) names the dictionary does not know but the salon uses,
    so "Это Бари" introduces a client called Бари, even though Бари is a master's name.

    Explicit phrases ("меня зовут Егор", "это Саша", "my name is John") count anywhere;
    when the bot has just asked for a name, a lone given name counts too.
    """
    for match in itertools.islice(_INTRO.finditer(text), _MAX_INTROS):
        group = "name" if match["name"] else "name2"
        candidate = match[group].strip()
        first = candidate.split()[0]
        explicit = bool(_EXPLICIT.search(match.group()))
        if first.lower() in not_names:
            continue
        known = first[:1].isupper() and normalize(first) in known_names
        if explicit or known or is_first_name(first) or (first.isascii() and first[0].isupper()):
            name = (
                " ".join(w.capitalize() for w in candidate.split())
                if explicit
                else (_capitalised(candidate))
            )
            return NameReading(name, match.start(group), match.end(group))
    if expecting_name:
        words = [t for t in tokens(text[:_LONE_NAME_CHARS]) if not t.norm.isdigit()]
        names = [
            t
            for t in words
            if t.norm not in not_names and (is_first_name(t.text) or t.norm in known_names)
        ]
        whole = 1 <= len(words) <= 2 and all(t.text[:1].isupper() for t in words)
        if names and whole and names[0] is words[0]:
            # "Екатерина Смирнова": the reply is the name, surname included.
            return NameReading(" ".join(t.text for t in words), words[0].start, words[-1].end)
        if names:
            return NameReading(_capitalised(names[0].text), names[0].start, names[0].end)
        if whole:
            return NameReading(" ".join(t.text for t in words), words[0].start, words[-1].end)
    return None


def _capitalised(name: str) -> str:
    first, *rest = name.split()
    keep = [w for w in rest if w[:1].isupper()]
    return " ".join([first[:1].upper() + first[1:], *keep])
