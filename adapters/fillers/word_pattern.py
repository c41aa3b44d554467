r"""Word patterns that skip a text at C speed when it cannot match.

Most of the filler's patterns are alternations of words (`\bперенес\w*|\bотмен\w*|…`).
Scanning a 64 KiB message with each of ~50 of them cost ~30 ms; a substring test for the
literal words one of which every match must contain (`needles`) costs microseconds, and
on most texts those tests say that the pattern cannot match at all (issue 13's 50 ms
bound). The guard is derived from the pattern itself, so a new pattern needs no
hand-written key list, and it is exact: when it lets a text through, the full regex
decides.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterator

from adapters.fillers.regex_parts import class_end, group_end, split_alternatives
from adapters.fillers.word_keys import WordKeys, text_words, word_keys

_META = frozenset("\\.^$*+?{}[]()|")
_OPTIONAL = frozenset("?*{")
_QUANTIFIERS = frozenset("?*+{")


def _group_needles(group: str) -> tuple[str, ...] | None:
    """Needles of a group's body (`group` is the text between its parentheses)."""
    if group.startswith("?:"):
        group = group[2:]
    elif group.startswith("?P<"):
        group = group[group.index(">") + 1 :]
    elif group.startswith("?"):
        return None  # a look-around or an inline flag
    found: list[str] = []
    for part in split_alternatives(group):
        part_needles = needles(part)
        if part_needles is None:
            return None
        found.extend(part_needles)
    return tuple(found)


def needles(sequence: str) -> tuple[str, ...] | None:
    r"""Substrings one of which every match of `sequence` (no top-level `|`) contains, or
    None when none is sure.

    Literal runs count (escaped punctuation included), and groups that must match (through
    the needles of each of their alternatives); of those, the one whose shortest needle is
    longest is kept. Whatever is not surely literal (`\d` and other escapes of letters,
    classes, `.`, a character a quantifier makes optional)
    ends a run, so a needle is never more than the pattern demands.
    """
    best: tuple[str, ...] | None = None
    run = ""

    def consider(found: tuple[str, ...] | None) -> None:
        nonlocal best
        if found and all(found) and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    i = 0
    while i < len(sequence):
        ch = sequence[i]
        if ch in _QUANTIFIERS:
            if ch != "+":
                run = run[:-1]  # the atom before `?`, `*` or `{m,n}` may be absent
            consider((run,))
            run = run[-1:] if ch == "+" else ""
            if ch == "{":
                i = sequence.find("}", i)
            elif i + 1 < len(sequence) and sequence[i + 1] == "?":
                i += 1  # a lazy quantifier
        elif ch == "(":
            consider((run,))
            run = ""
            end = i + group_end(sequence[i:])
            if end < i:
                return None
            if end + 1 >= len(sequence) or sequence[end + 1] not in _OPTIONAL:
                consider(_group_needles(sequence[i + 1 : end]))
            i = end
        elif ch == "\\" and i + 1 < len(sequence) and not sequence[i + 1].isalnum():
            i += 1
            run += sequence[i]  # an escaped punctuation mark is itself: `\+`, `\.`
        elif ch in _META:
            consider((run,))
            run = ""
            if ch == "\\":
                i += 1
            elif ch == "[":
                i = class_end(sequence, i)
        else:
            run += ch
        i += 1
    consider((run,))
    return best


# Shorter texts are guarded by substrings alone: collecting their words costs about what
# it spares (measured on the 2 KiB pieces that `when` reads from a long text's end).
INDEXED_FROM = 4096
_EXACT_FLAGS = re.UNICODE | re.DOTALL
_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux-]+[:)]")


class WordPattern:
    """A compiled pattern with the guards above (substrings; for a long text the words of
    `word_keys` instead where an alternative has them); the same answers as
    `re.Pattern`'s."""

    __slots__ = ("_anchored", "_keys", "_needles", "_unkeyed", "regex")

    def __init__(self, regex: re.Pattern[str], source: str) -> None:
        self.regex = regex
        found: list[str] = []
        anchored: list[str] = []
        keys: list[WordKeys] = []
        unkeyed: list[str] | None = []  # needles of the alternatives without word keys
        # Only the flags the guards are exact for: IGNORECASE, ASCII (its `\b` and `\w`),
        # VERBOSE (its spaces) and MULTILINE change what a part's literal letters mean, as an
        # inline flag group `(?…)` may.
        guarded = guarded_flags = (
            regex.flags & ~_EXACT_FLAGS == 0 and _INLINE_FLAGS.search(source) is None
        )
        for part in split_alternatives(source) if guarded else ():
            if part.startswith("^"):
                anchored.append(part)  # can match at the start only: `match` decides
                continue
            part_needles = needles(part)
            part_keys = word_keys(part)
            if part_keys is not None:
                keys.append(part_keys)
            elif part_needles is None or unkeyed is None:
                unkeyed = None
            else:
                unkeyed.extend(part_needles)
            if part_needles is None:
                guarded = False
            elif guarded:
                found.extend(part_needles)
        self._needles = tuple(dict.fromkeys(found)) if guarded else None
        keyed = guarded_flags and keys and unkeyed is not None
        self._keys = functools.reduce(operator.or_, keys) if keyed else None
        self._unkeyed = tuple(dict.fromkeys(unkeyed or ()))
        self._anchored = re.compile("|".join(anchored), regex.flags) if anchored else None

    @property
    def guarded(self) -> bool:
        return self._needles is not None

    @property
    def keyed(self) -> bool:
        """Whether a long text is guarded by its words (`word_keys`)."""
        return self._keys is not None

    @property
    def pattern(self) -> str:
        return self.regex.pattern

    def may_match(self, text: str) -> bool:
        if len(text) >= INDEXED_FROM and self._keys is not None:
            if self._keys.allow(text_words(text)) or any(n in text for n in self._unkeyed):
                return True
        elif self._needles is None or any(needle in text for needle in self._needles):
            return True
        return self._anchored is not None and self._anchored.match(text) is not None

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text) if self.may_match(text) else None

    def match(self, text: str) -> re.Match[str] | None:
        return self.regex.match(text) if self.may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text) if self.may_match(text) else iter(())
