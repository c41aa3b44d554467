r"""The words a match must begin with: a guard that a long text of unrelated words fails.

The substring guard of `word_pattern` lets a text through when one of a pattern's literal
words occurs anywhere in it. In a long text the short ones nearly always do, inside other
words ("не" and "нет" in "сынения", "чай" in "отчаянный"), so a 64 KiB message of random
words was scanned by ~50 regexes to no end (issue 13's 50 ms bound).

Most alternatives start at a word boundary (`\bне\s+(?:надо|нужно)\b`): they can only match
where a word of the text begins with their first literal letters ("не"), and where those
letters are followed by a space, a non-letter or `\b`, the word is exactly them. So
`word_keys` derives from an alternative the words one of which such a match holds whole
(`whole`) or begins with (`starts`), and a text's distinct words, collected once per text
(`text_words`), answer for every pattern with a set lookup or a binary search.

Exact, like the substring guard: anything the derivation is unsure of ends a key where it
is sure (a class, `\w`, an optional part), and a key is never more than every match needs;
lookarounds are passed over, which can only admit more texts, never fewer.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re

from adapters.fillers.regex_parts import class_end, group_end, split_alternatives

_WORD_CHAR = re.compile(r"\w")  # the same \w as `\b` and the patterns' own (str, no flags)
_TOKEN = re.compile(r"\w+")
_MAX_KEYS = 256  # alternatives multiplied out beyond this end the keys where they are
_QUANTIFIER = re.compile(r"(?:[?*+]|\{(\d*)(?:,\d*)?\})[?+]?")
_LOOKAROUND = ("?=", "?!", "?<=", "?<!")
_NON_WORD_ESCAPES = frozenset("sW")  # `\s`, `\W`: a character that ends a word


def _is_word(ch: str) -> bool:
    return _WORD_CHAR.fullmatch(ch) is not None


@dataclasses.dataclass(frozen=True)
class WordKeys:
    """A match holds one of `whole` as a whole word, or a word beginning with one of
    `starts`."""

    whole: frozenset[str]
    starts: tuple[str, ...]

    def allow(self, words: TextWords) -> bool:
        return not self.whole.isdisjoint(words.words) or any(map(words.has_start, self.starts))

    def __or__(self, other: WordKeys) -> WordKeys:
        starts = tuple(dict.fromkeys((*self.starts, *other.starts)))
        return WordKeys((self.whole | other.whole) - frozenset(starts), starts)


class TextWords:
    """A text's distinct words (runs of `\\w`: what `\\b` delimits)."""

    __slots__ = ("_sorted", "words")

    def __init__(self, text: str) -> None:
        self.words = frozenset(_TOKEN.findall(text))
        self._sorted: list[str] | None = None

    def has_start(self, prefix: str) -> bool:
        """Whether a word of the text begins with `prefix`."""
        if self._sorted is None:
            self._sorted = sorted(self.words)
        at = bisect.bisect_left(self._sorted, prefix)
        return at < len(self._sorted) and self._sorted[at].startswith(prefix)


@functools.lru_cache(maxsize=4)
def text_words(text: str) -> TextWords:
    """The words of `text`, collected once for all the patterns that read it (a few texts
    are kept: a turn reads its text, its normalised form and the pieces of `when`)."""
    return TextWords(text)


@dataclasses.dataclass
class _Walk:
    """Strings a match of the sequence read so far begins with: `open` ones go on with
    what follows; after a `whole` one the word ends; a `starts` one may go on with
    anything."""

    open: set[str] = dataclasses.field(default_factory=lambda: {""})
    whole: set[str] = dataclasses.field(default_factory=set)
    starts: set[str] = dataclasses.field(default_factory=set)

    def end(self, whole: bool) -> None:
        (self.whole if whole else self.starts).update(self.open)
        self.open = set()

    def extend(self, tails: set[str]) -> bool:
        """Append each of `tails` to each open string; False (and stop) when too many."""
        if len(self.open) * len(tails) > _MAX_KEYS:
            self.end(whole=False)
            return False
        self.open = {o + t for o in self.open for t in tails}
        return True


def _quantifier(sequence: str, at: int) -> tuple[str, int]:
    """What follows an atom, and the index after it: "once" (no quantifier), "maybe" (`?`:
    at most once), "any" (`*`, `{0,n}`: maybe more than once) or "more" (`+`, `{2}`)."""
    m = _QUANTIFIER.match(sequence, at)
    if m is None:
        return "once", at
    quantifier, minimum = m.group(), m.group(1)
    if quantifier.startswith("?") or re.match(r"\{0?,1\}", quantifier):
        return "maybe", m.end()
    if quantifier.startswith("*") or minimum in ("", "0"):
        return "any", m.end()
    return "more", m.end()


def _class_chars(body: str) -> set[str] | None:
    """The characters of a class made of plain characters only (`[её]`), else None."""
    if not body or body.startswith("^") or any(ch in body for ch in "\\-[]"):
        return None
    return set(body)


def _atom(sequence: str, at: int) -> tuple[str, set[str] | None, int]:
    """(kind, the characters it matches, index after it) for the atom at `at`: kind is
    "chars" (one of a known set), "boundary" (`\\b`), "end" (`$`) or "other"."""
    ch = sequence[at]
    if ch == "\\" and at + 1 < len(sequence):
        escaped = sequence[at + 1]
        if escaped == "b":
            return "boundary", None, at + 2
        if escaped in _NON_WORD_ESCAPES:
            return "nonword", None, at + 2
        if not escaped.isalnum():
            return "chars", {escaped}, at + 2  # an escaped literal: `\.`, `\+`, `\-`
        return "other", None, at + 2
    if ch == "[":
        end = class_end(sequence, at)
        chars = _class_chars(sequence[at + 1 : end])
        return ("chars" if chars else "other"), chars, end + 1
    if ch == "$":
        return "end", None, at + 1
    if ch in ".^|)?*+{":
        return "other", None, at + 1
    return "chars", {ch}, at + 1


def _walk(sequence: str) -> _Walk | None:
    """What a match of `sequence` (no top-level `|`) begins with; None when unsure."""
    walk = _Walk()
    at = 0
    while at < len(sequence) and walk.open:
        if sequence[at] == "(":
            end = at + group_end(sequence[at:])
            if end < at:
                return None
            body = sequence[at + 1 : end]
            quantity, at = _quantifier(sequence, end + 1)
            if body.startswith(_LOOKAROUND):
                continue  # zero-width: passing over it only admits more texts
            inner = _group(body)
            if inner is None:
                return None  # inline flags and the like: unsure
            if quantity == "any":
                walk.end(whole=False)
                break
            walk.whole |= {o + w for o in walk.open for w in inner.whole}
            walk.starts |= {o + s for o in walk.open for s in inner.starts}
            skipped = set(walk.open) if quantity == "maybe" else set()
            if not walk.extend(inner.open):
                break
            walk.open |= skipped
            if quantity == "more":
                walk.end(whole=False)
            continue
        kind, chars, end = _atom(sequence, at)
        quantity, at = _quantifier(sequence, end)
        word = bool(chars) and all(map(_is_word, chars or ()))
        non_word = kind == "nonword" or (bool(chars) and not any(map(_is_word, chars or ())))
        if kind == "boundary":
            # After letters a boundary ends the word; at the start it says nothing.
            walk.whole |= walk.open - {""}
            walk.open &= {""}
        elif kind == "end":
            walk.end(whole=True)
        elif non_word and quantity in ("maybe", "any"):
            walk.whole |= walk.open  # with the character the word ends; without, it goes on
        elif non_word:
            walk.end(whole=True)
        elif word and quantity == "maybe":
            skipped = set(walk.open)
            if walk.extend(chars or set()):
                walk.open |= skipped
        elif word and quantity != "any":
            if walk.extend(chars or set()) and quantity == "more":
                walk.end(whole=False)
        else:
            walk.end(whole=False)  # anything else: what is read so far begins the word
    return walk


def _group(body: str) -> _Walk | None:
    if body.startswith("?:"):
        body = body[2:]
    elif body.startswith("?P<"):
        body = body[body.index(">") + 1 :]
    elif body.startswith("?"):
        return None
    merged = _Walk(set(), set(), set())
    for part in split_alternatives(body):
        walk = _walk(part)
        if walk is None:
            return None
        merged.open |= walk.open
        merged.whole |= walk.whole
        merged.starts |= walk.starts
    return merged


def word_keys(alternative: str) -> WordKeys | None:
    r"""The keys of an alternative that starts at a word boundary (`\b` then letters), or
    None when it does not or nothing sure can be said."""
    if not alternative.startswith(r"\b"):
        return None
    walk = _walk(alternative[2:])
    if walk is None:
        return None
    walk.end(whole=False)
    keys = walk.whole | walk.starts
    if not keys or "" in keys:
        return None
    # A word that begins with a key of `starts` may also be one: that lookup covers it.
    return WordKeys(frozenset(walk.whole - walk.starts), tuple(sorted(walk.starts)))
