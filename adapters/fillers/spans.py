"""Which characters of a text are already read: a byte per character, so checking and
marking a span cost its length, and reading a whole text stays linear (a list of spans
scanned for every match made long messages quadratic: issue 13)."""

from __future__ import annotations

import re
from collections.abc import Iterable


class Taken:
    def __init__(self, length: int, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._mask = bytearray(length)
        for start, end in spans:
            self.take(start, end)

    def free(self, start: int, end: int) -> bool:
        return self._mask.find(1, start, end) == -1

    def take(self, start: int, end: int) -> None:
        start, end = max(start, 0), min(end, len(self._mask))
        if end > start:
            self._mask[start:end] = b"\x01" * (end - start)

    def masked(self, text: str) -> str:
        """`text` with every taken character replaced by a space (same length)."""
        if not any(self._mask):
            return text
        return "".join(" " if self._mask[i] else ch for i, ch in enumerate(text))

    def spans(self) -> list[tuple[int, int]]:
        """The taken runs, in order."""
        return [m.span() for m in re.finditer(rb"\x01+", bytes(self._mask))]
