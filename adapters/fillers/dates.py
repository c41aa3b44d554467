"""Dates in client words → `YYYY-MM-DD`, always relative to the salon's local "today".

Every rule is explicit (no library guesses) and the caller passes the normalised text
(see `text.normalize`; typos are already corrected by `reading.read`) and the salon-local
today. Rules worth knowing:
- a weekday names the next such day, today excluded ("в среду" said on a Wednesday is a week
  ahead: a client meaning today says "сегодня"); "в следующую пятницу" is next week's Friday;
- a day and month without a year ("28 ноября", "28.11") is the nearest such date: on
  30 November "28 ноября" is two days ago — a past date, which the dialogue says is past —
  and "5 января" is next January;
- a date that does not exist ("31 февраля", "30.02") is read as invalid, not dropped;
- "dd.mm" is a date unless it reads as a clock time ("в 18.30": minute ≥ 13, or preceded
  by в/к/at) — see `times.py`;
- when several dates are named, the last one wins ("на завтра, нет, на послезавтра").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from adapters.fillers.spans import Taken
from adapters.fillers.text import mentions, word_pattern

_WEEKDAYS = {
    "понедельник": 0, "вторник": 1, "сред": 2, "четверг": 3, "пятниц": 4, "суббот": 5,
    "воскресен": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}  # fmt: skip
_NUMBER_WORDS = {
    "один": 1, "одну": 1, "два": 2, "две": 2, "пару": 2, "три": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a": 1,
    "couple of": 2,
}  # fmt: skip
_MONTH_STEMS = {
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "ма": 5, "июн": 6, "июл": 7, "авг": 8, "сен": 9,
    "окт": 10, "ноя": 11, "дек": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTHS = (
    r"(?:январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-zа-я]*"
)
# Ordinal day words: "на пятое декабря", "двадцать восьмого ноября".
_ORDINAL_UNITS = {
    "перв": 1, "втор": 2, "трет": 3, "четверт": 4, "пят": 5, "шест": 6, "седьм": 7,
    "восьм": 8, "девят": 9, "десят": 10, "одиннадцат": 11, "двенадцат": 12, "тринадцат": 13,
    "четырнадцат": 14, "пятнадцат": 15, "шестнадцат": 16, "семнадцат": 17, "восемнадцат": 18,
    "девятнадцат": 19, "двадцат": 20, "тридцат": 30,
}  # fmt: skip
_ORDINAL = (
    r"(?:(?P<tens>двадцать|тридцать)\s+)?(?P<unit>"
    + "|".join(sorted(_ORDINAL_UNITS, key=len, reverse=True))
    + r")(?:ое|ого|ье|ьего|ий|ья)"
)

# (pattern, days from today, words one of which the pattern needs: a text without them is
# not scanned at all — a long message without dates costs a few substring searches)
_SIMPLE: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    (r"\bпослезавтр\w*|\bпосле\s+за[вф]тр\w*|\bday after tomorrow\b", 2,
     ("завтр", "зафтр", "day after")),
    (r"\bза[вф]тр[аоу]\w*|\btomm?orr?ow\b|\btmrw?\b", 1, ("завтр", "зафтр", "tom", "tmr")),
    (r"\bсегодня\w*|\bседня\b|\bсегодн\w*|\btoday\b|\btonight\b", 0,
     ("сегодн", "седня", "today", "tonight")),
    (r"\bпозавчера\b", -2, ("позавчера",)),
    (r"\bвчера\b|\byesterday\b", -1, ("вчера", "yesterday")),
)  # fmt: skip
_WEEKDAY_KEYS = ("понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскрес", "day")
_MONTH_KEYS = (
    "январ", "феврал", "март", "апрел", "мая", "май", "июн", "июл", "август", "сентябр",
    "октябр", "ноябр", "декабр", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
    "oct", "nov", "dec",
)  # fmt: skip
_DIGIT = re.compile(r"\d")
# The day word is found first (one cheap scan); what precedes it is read from a short
# look-back, so a long text is not tried for "в следующую" at every position.
_WEEKDAY_WORD = re.compile(
    r"\b(?P<day>понедельник|вторник|сред[ау]|четверг|пятниц[ауы]|суббот[ауы]|"
    r"воскресень[ея]|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)
_WEEKDAY_BEFORE = re.compile(
    r"(?:\b(?:в|во|на|on)\s+)?(?:\b(?P<which>эт[уоа]т?|следующ\w*|ближайш\w*|next|this)\s+)?$"
)
_IN_N = re.compile(
    r"\b(?:через|in)\s+(?P<n>\d+|одну|один|два|две|пару|три|четыре|пять|шесть|семь|"
    r"one|two|three|a|couple of)?\s*(?P<unit>недел\w*|дн\w*|день|week\w*|days?)\b"
)
# Abbreviations clash with words ("вс", "ср"), so only after a preposition or on their own.
_WEEKDAY_SHORT = re.compile(
    r"\b(?:в|во|на)\s+(?P<a>пн|вт|ср|чт|пт|сб|вс)\b|^\s*(?P<b>пн|вт|ср|чт|пт|сб|вс)\s*$",
    re.MULTILINE,
)
_SHORT_DAYS = {"пн": 0, "вт": 1, "ср": 2, "чт": 3, "пт": 4, "сб": 5, "вс": 6}
_SIMPLE_PATTERNS = tuple((word_pattern(p), days, keys) for p, days, keys in _SIMPLE)
_WEEKEND = word_pattern(r"\b(?:на\s+)?выходн\w+\b|\b(?:this |on the )?weekend\b")
_NUMERIC = re.compile(
    r"(?<![\d:.])(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{2,4}))?(?![\d:])"
)
_MONTH_NAME = re.compile(
    rf"\b(?:(?P<d>\d{{1,2}})(?:-?(?:го|е|ое|st|nd|rd|th))?|{_ORDINAL})\s+(?:of\s+)?"
    rf"(?P<mon>{_MONTHS})\b|\b(?P<mon2>{_MONTHS})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b"
)
# An LLM may normalise a phrase to ISO; it is still checked like any other date.
_ISO = re.compile(r"\b(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b")
_DAY_OF_MONTH = re.compile(r"\b(?P<d>\d{1,2})(?:-?(?:го|е))?\s+числ[ао]\b")
# "в 18.30" / "к 10.15": a clock time, not the 18th of a 30th month (see module doc).
_CLOCK_BEFORE = re.compile(r"(?:\b(?:в|к|at|до|после|с)\s+)$")


@dataclasses.dataclass(frozen=True)
class DateReading:
    phrase: str
    date: dt.date | None  # None: the client named a date that does not exist
    start: int

    @property
    def invalid(self) -> bool:
        return self.date is None


def numeric_is_clock(before: str, first: int, second: int) -> bool:
    """True when "first.second" (preceded by `before`) reads as a clock time, not a date."""
    if not 1 <= second <= 12 or not 1 <= first <= 31:
        return first <= 23 and second <= 59
    return bool(_CLOCK_BEFORE.search(before[-12:])) and first <= 23  # a short look back


def _weekday(day_word: str, which: str, today: dt.date) -> dt.date:
    target = next(v for k, v in _WEEKDAYS.items() if day_word.startswith(k))
    if which.startswith(("следующ", "next")):
        monday_next_week = today + dt.timedelta(days=7 - today.weekday())
        return monday_next_week + dt.timedelta(days=target)
    ahead = (target - today.weekday()) % 7
    return today + dt.timedelta(days=ahead or 7)


def _in_n(match: re.Match[str], today: dt.date) -> dt.date:
    raw = match["n"]
    count = 1 if raw is None else int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw, 1)
    unit_days = 7 if match["unit"].startswith(("недел", "week")) else 1
    return today + dt.timedelta(days=min(count, 3660) * unit_days)


def nearest(day: int, month: int, today: dt.date) -> dt.date | None:
    """The day and month in the year that puts it nearest to today (a tie: the future);
    None when no year has such a date (31 February; 29 February is kept for leap years)."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - today).days), d < today))


def _numeric(match: re.Match[str], today: dt.date) -> dt.date | None:
    day, month = int(match["d"]), int(match["m"])
    if not match["y"]:
        return nearest(day, month, today)
    year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_number(word: str) -> int:
    return next(v for k, v in _MONTH_STEMS.items() if word.startswith(k))


def _month_name(match: re.Match[str], today: dt.date) -> dt.date | None:
    if match["mon2"]:
        day, month = int(match["d2"]), _month_number(match["mon2"])
    else:
        month = _month_number(match["mon"])
        if match["d"]:
            day = int(match["d"])
        else:
            tens = {"двадцать": 20, "тридцать": 30}.get(match["tens"] or "", 0)
            day = tens + _ORDINAL_UNITS[match["unit"]]
    return nearest(day, month, today)


def _iso(match: re.Match[str]) -> dt.date | None:
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def _day_of_month(match: re.Match[str], today: dt.date) -> dt.date | None:
    day = int(match["d"])
    for months_ahead in range(3):
        month_index = today.month - 1 + months_ahead
        year, month = today.year + month_index // 12, month_index % 12 + 1
        try:
            value = dt.date(year, month, day)
        except ValueError:
            continue
        if value >= today:
            return value
    return None


def read_dates(text: str, today: dt.date) -> list[DateReading]:
    """Every date named in the normalised `text`, in order of appearance."""
    found: list[DateReading] = []
    taken = Taken(len(text))

    def add(match: re.Match[str], value: dt.date | None, start: int | None = None) -> None:
        start = match.start() if start is None else start
        end = match.end()
        if not taken.free(start, end):
            return
        taken.take(start, end)
        found.append(DateReading(text[start:end].strip(), value, start))

    digits = bool(_DIGIT.search(text))
    for pattern, days, keys in _SIMPLE_PATTERNS:
        for m in pattern.finditer(text) if mentions(text, keys) else ():
            add(m, today + dt.timedelta(days=days))
    for m in _WEEKDAY_WORD.finditer(text) if mentions(text, _WEEKDAY_KEYS) else ():
        before = _WEEKDAY_BEFORE.search(text, max(0, m.start() - 24), m.start())
        start = before.start() if before is not None else m.start()
        which = (before["which"] if before is not None else None) or ""
        add(m, _weekday(m["day"], which, today), start)
    for m in _WEEKDAY_SHORT.finditer(text):
        ahead = (_SHORT_DAYS[m["a"] or m["b"]] - today.weekday()) % 7
        add(m, today + dt.timedelta(days=ahead or 7))
    for m in _IN_N.finditer(text) if mentions(text, ("через", "in ")) else ():
        add(m, _in_n(m, today))
    for m in _WEEKEND.finditer(text):
        add(m, today + dt.timedelta(days=(5 - today.weekday()) % 7))
    for m in _ISO.finditer(text) if digits else ():
        add(m, _iso(m))
    for m in _MONTH_NAME.finditer(text) if mentions(text, _MONTH_KEYS) else ():
        add(m, _month_name(m, today))
    for m in _DAY_OF_MONTH.finditer(text) if digits and "числ" in text else ():
        if (value := _day_of_month(m, today)) is not None:
            add(m, value)
    for m in _NUMERIC.finditer(text) if digits else ():
        day, month = int(m["d"]), int(m["m"])
        if (
            m["y"]
            or "/" in m.group()
            or not numeric_is_clock(text[max(0, m.start() - 12) : m.start()], day, month)
        ):
            value = _numeric(m, today)
            # "31.02" is a date that does not exist; "18.75" is nothing at all.
            if value is not None or (1 <= month <= 12 and 1 <= day <= 31):
                add(m, value)
    return sorted(found, key=lambda r: r.start)


def read_date(text: str, today: dt.date) -> DateReading | None:
    """The date the client settled on: the last one named."""
    readings = read_dates(text, today)
    return readings[-1] if readings else None
