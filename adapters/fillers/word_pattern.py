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

import re
from collections.abc import Iterator

_META = frozenset("\\.^$*+?{}[]()|")
_OPTIONAL = frozenset("?*{")
_QUANTIFIERS = frozenset("?*+{")


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    """Each `(`, `)` and `|` that is neither escaped nor in a class, with its index and
    the depth of groups around it (for a parenthesis: outside the group it opens or
    closes)."""
    depth, escaped, in_class = 0, False, False
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch in "(|":
            yield i, ch, depth
            depth += ch == "("
        elif ch == ")":
            depth -= 1
            yield i, ch, depth


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of `pattern` (a `|` inside a group or a class stays)."""
    parts: list[str] = []
    start = 0
    for i, ch, depth in _structure(pattern):
        if ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _group_end(text: str) -> int:
    """The index of the `)` closing the group that `text` opens, or -1."""
    return next((i for i, ch, depth in _structure(text) if ch == ")" and depth == 0), -1)


def _class_end(text: str, start: int) -> int:
    """The index of the `]` closing the class that opens at `start`."""
    i = start + 1
    if i < len(text) and text[i] == "^":
        i += 1
    if i < len(text) and text[i] == "]":
        i += 1  # a `]` first in a class is a literal
    while i < len(text) and text[i] != "]":
        i += 2 if text[i] == "\\" else 1
    return i


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

    Literal runs count, and groups that must match (through the needles of each of their
    alternatives); of those, the one whose shortest needle is longest is kept. Whatever is
    not surely literal (escapes, classes, `.`, a character a quantifier makes optional)
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
            end = i + _group_end(sequence[i:])
            if end < i:
                return None
            if end + 1 >= len(sequence) or sequence[end + 1] not in _OPTIONAL:
                consider(_group_needles(sequence[i + 1 : end]))
            i = end
        elif ch in _META:
            consider((run,))
            run = ""
            if ch == "\\":
                i += 1
            elif ch == "[":
                i = _class_end(sequence, i)
        else:
            run += ch
        i += 1
    consider((run,))
    return best


class WordPattern:
    """A compiled pattern with the guard above; the same answers as `re.Pattern`'s."""

    __slots__ = ("_anchored", "_needles", "regex")

    def __init__(self, regex: re.Pattern[str], source: str) -> None:
        self.regex = regex
        found: list[str] = []
        anchored: list[str] = []
        guarded = not regex.flags & (re.IGNORECASE | re.MULTILINE)
        for part in split_alternatives(source) if guarded else ():
            if part.startswith("^"):
                anchored.append(part)  # can match at the start only: `match` decides
                continue
            part_needles = needles(part)
            if part_needles is None:
                guarded = False
                break
            found.extend(part_needles)
        self._needles = tuple(dict.fromkeys(found)) if guarded else None
        self._anchored = re.compile("|".join(anchored), regex.flags) if anchored else None

    @property
    def guarded(self) -> bool:
        return self._needles is not None

    @property
    def pattern(self) -> str:
        return self.regex.pattern

    def may_match(self, text: str) -> bool:
        if self._needles is None or any(needle in text for needle in self._needles):
            return True
        return self._anchored is not None and self._anchored.match(text) is not None

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text) if self.may_match(text) else None

    def match(self, text: str) -> re.Match[str] | None:
        return self.regex.match(text) if self.may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text) if self.may_match(text) else iter(())
