"""The date and the time a client settled on: the last ones named, read from the end.

The last date wins, and the last exact time (else the last window), so a long text is read
in pieces from its end — cut at line breaks or sentence ends, where phrases do not run on —
and reading stops as soon as the piece holds what is needed: a long chat costs what its
last lines cost, and a text with no date at all costs one pass (linear in its length).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from adapters.fillers.dates import DateReading, read_dates
from adapters.fillers.times import TimeReading, read_time

PIECE = 2048  # characters read at a time, from the end
_OVERLAP = 64  # a phrase cut by a piece's start is read whole by the piece before it
_CUT = re.compile(r"\n|[.!?]\s")


@dataclasses.dataclass(frozen=True)
class When:
    date: DateReading | None
    time: TimeReading | None
    date_spans: tuple[tuple[int, int], ...]  # every date read (not to be read as anything else)


def _pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) of pieces, the last first; each starts after a line or sentence break
    when there is one near, and overlaps the next by `_OVERLAP` characters."""
    pieces: list[tuple[int, int]] = []
    end = len(text)
    while True:
        start = max(0, end - PIECE)
        if start > 0:
            cut = _CUT.search(text, start, min(end, start + PIECE // 2))
            if cut is not None:
                start = cut.end()
        pieces.append((start, end))
        if start == 0:
            return pieces
        end = start + _OVERLAP


def _shift(reading: DateReading, by: int) -> DateReading:
    return dataclasses.replace(reading, start=reading.start + by)


def read_when(text: str, today: dt.date) -> When:
    """The last date and time named in the normalised `text` (see the module doc)."""
    date: DateReading | None = None
    exact: TimeReading | None = None
    window: TimeReading | None = None
    spans: list[tuple[int, int]] = []
    for start, end in _pieces(text):
        piece = text[start:end]
        dates = read_dates(piece, today)
        local = [(r.start, r.start + len(r.phrase)) for r in dates]
        spans += [(s + start, e + start) for s, e in local]
        if date is None and dates:
            date = _shift(dates[-1], start)
        if exact is None:
            time = read_time(piece, local)
            if time is not None:
                moved = dataclasses.replace(time, start=time.start + start)
                if time.window is None:
                    exact = moved
                elif window is None:
                    window = moved
        if date is not None and exact is not None:
            break
    return When(date, exact or window, tuple(spans))
