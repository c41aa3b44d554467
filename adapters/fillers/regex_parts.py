"""Reading a regex's source: its top-level alternatives, where a group or a class ends.

Enough of the syntax for the guards derived from the filler's patterns (`word_pattern`,
`word_keys`): parentheses, `|`, classes and escapes.
"""

from __future__ import annotations

from collections.abc import Iterator


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


def group_end(text: str) -> int:
    """The index of the `)` closing the group that `text` opens, or -1."""
    return next((i for i, ch, depth in _structure(text) if ch == ")" and depth == 0), -1)


def class_end(text: str, start: int) -> int:
    """The index of the `]` closing the class that opens at `start`."""
    i = start + 1
    if i < len(text) and text[i] == "^":
        i += 1
    if i < len(text) and text[i] == "]":
        i += 1  # a `]` first in a class is a literal
    while i < len(text) and text[i] != "]":
        i += 2 if text[i] == "\\" else 1
    return i
