"""Times in client words → `HH:MM`, or a window such as "вечером" → 17:00–21:00.

The salon rule for a bare hour (documented in docs/slot-filling.md): salons work roughly
09:00–21:00, so an hour 1–8 said without "утра"/"am"/"утром" means the evening
("к 7" → 19:00, "в 6" → 18:00); 9–23 are read as written ("в 9" → 09:00, "в 18" → 18:00).

Windows (salon-local): утром 09–12, днём / в обед 12–15, до обеда 09–13, к обеду 11–14,
после обеда / afternoon 14–18, ближе к вечеру 16–21, вечером 17–21, после N → N–21,
до N → 09–N, с N до M → N–M; any time ("в любое время", "когда удобно", "всё равно
когда", "whenever") is the whole day, 00:00–23:59. An exact time wins over a window said
with it.

Half hours and quarters: "пол седьмого", "полседьмого", "в половине седьмого" → 18:30;
"без пятнадцати семь", "без четверти 7" → 18:45. A greeting is not a window: "Добрый
вечер", "доброе утро" say nothing about the time. A clock time that does not exist
("25:00", "18:75") is read as *invalid* (the dialogue says so), never dropped.
"""

from __future__ import annotations

import dataclasses
import re

from adapters.fillers.dates import numeric_is_clock
from adapters.fillers.spans import Taken
from adapters.fillers.text import mentions, word_pattern
from states.slot_fill import ANY_TIME

DAY_START, DAY_END = "09:00", "21:00"

_AMPM = r"(?P<ampm>am|pm|a\.m\.|p\.m\.|утра|вечера|дня|ночи)"
_AMPM2 = _AMPM.replace("ampm", "ampm2")
_NOT_TIME_AFTER = (
    r"(?!\s*(?:числ|январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|"
    r"декабр|дн|недел|минут|мин\b|руб|р\b|%|лет|год|человек|персон|jan|feb|mar|apr|jun|jul|"
    r"aug|sep|oct|nov|dec|days?\b|weeks?\b|min|people|[./]\d))"
)
_PREP = r"(?:в|во|к|на|около|где-то в|часов в|at|around|by|about)"
_HHMM = re.compile(rf"(?<![\d.:])(?P<h>\d{{1,2}})(?P<sep>[:.])(?P<m>\d\d)(?![\d:.])\s*{_AMPM}?")
_HOUR = re.compile(
    rf"\b{_PREP}\s*(?P<h>\d{{1,2}})(?![\d:.])(?:\s*(?:час\w*|ч\b|h\b|o'?clock))?"
    rf"(?:\s*{_AMPM})?{_NOT_TIME_AFTER}"
)
# The word that makes a bare number an hour ("7 часов", "7 o'clock").
_HOUR_WORD = r"(?:час\w*|o'?clock)"
_HOUR_QUALIFIED = re.compile(
    rf"(?<![\d.:])(?P<h>\d{{1,2}})(?:\s*{_HOUR_WORD})?\s*{_AMPM}(?![a-zа-я])"
    rf"|(?<![\d.:])(?P<h2>\d{{1,2}})\s*{_HOUR_WORD}"
)
_WORD_HOURS = {
    "час": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_GENITIVE_ORDINALS = {
    "первого": 1, "второго": 2, "третьего": 3, "четвертого": 4, "пятого": 5, "шестого": 6,
    "седьмого": 7, "восьмого": 8, "девятого": 9, "десятого": 10, "одиннадцатого": 11,
    "двенадцатого": 12,
}  # fmt: skip
_WORD_HOUR = word_pattern(
    rf"\b(?:в|к|около|at|around|by)\s+(?P<w>{'|'.join(_WORD_HOURS)})\b(?:\s+час\w*)?"
    rf"(?:\s*{_AMPM})?(?:\s+o'?clock)?"
)
_HALF_PAST = word_pattern(
    rf"\b(?:в\s+)?пол(?:овине|овина)?[\s-]*(?:(?P<w>{'|'.join(_GENITIVE_ORDINALS)})\b"
    rf"|(?P<d>\d{{1,2}})(?:-?го)?(?![\d:.]))(?:\s*{_AMPM})?"
    rf"|\bhalf past (?P<h>\d{{1,2}}|{'|'.join(_WORD_HOURS)})\b(?:\s*{_AMPM2})?"
)
_MINUTES_TO = {
    "пяти": 5, "десяти": 10, "пятнадцати": 15, "четверти": 15, "двадцати": 20,
    "двадцати пяти": 25, "тридцати": 30,
}  # fmt: skip
_QUARTER_TO = re.compile(
    r"\b(?:в\s+)?без\s+(?P<q>двадцати пяти|пяти|десяти|пятнадцати|четверти|двадцати|"
    rf"тридцати|\d{{1,2}})(?:\s+минут\w*)?\s+(?P<w>{'|'.join(_WORD_HOURS)}|\d{{1,2}})\b"
    rf"(?:\s*час\w*)?(?:\s*{_AMPM})?"
)
# Greetings that name a part of the day without asking for it.
GREETINGS = word_pattern(
    r"\bдобр(?:ый|ое|ого|ой|ейш\w*)\s+(?:вечер|утр|дн|ноч|день)\w*|\bспокойной\s+ночи\b"
    r"|\bхорошего\s+(?:вечера|дня|утра)\b|\bgood\s+(?:morning|evening|afternoon|night)\b"
)
_NOON = word_pattern(r"\b(?:в\s+)?полдень\b|\bnoon\b|\bmidday\b")

# (pattern, from, to, words one of which the pattern needs: see dates._SIMPLE)
_WINDOWS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (r"\b(?:ближе\s+)?к\s+вечеру\b|\bпод вечер\b|\blate afternoon\b", "16:00", DAY_END,
     ("вечер", "afternoon")),
    (r"\bпосле\s+обеда\b|\bпослеобеда\b|\bafter\s+lunch\b|\bafternoon\b|\bпосле\s+полудня\b"
     r"|\bво\s+второй\s+половине\s+дня\b", "14:00", "18:00",
     ("обеда", "lunch", "afternoon", "полудня", "половине")),
    (r"\b(?:ближе\s+)?к\s+обеду\b|\baround\s+lunch\b", "11:00", "14:00", ("обеду", "lunch")),
    (r"\bдо\s+обеда\b|\bbefore\s+lunch\b|\bв\s+первой\s+половине\s+дня\b", DAY_START, "13:00",
     ("обеда", "lunch", "половине")),
    (r"\bвечер(?:ом|ком|у)?\b|\bна\s+вечер\b|\bevening\b|\btonight\b|\bпосле\s+работы\b"
     r"|\bafter\s+work\b", "17:00", DAY_END, ("вечер", "evening", "tonight", "работы", "work")),
    (r"\bутр(?:ом|ечком|о)\b|\bс\s+утра\b|\bmorning\b", DAY_START, "12:00", ("утр", "morning")),
    (r"\bдн[её]м\b|\bв\s+обед\b|\bв\s+обеденное\s+время\b|\bat\s+lunch\b|\bin\s+the\s+day\b",
     "12:00", "15:00", ("дн", "обед", "lunch", "day")),
    # Indifference to the time ("когда удобно", "в любое время"): the whole day.
    (r"\b(?:в\s+)?любое\s+время\b|\bв\s+любой\s+час\b|\bво\s+сколько\s+угодно\b"
     r"|\bкогда\s+(?:вам\s+|будет\s+)?(?:угодно|удобно|удобнее|свободно)\b"
     r"|\b(?:вс[её]\s+равно|без\s+разницы|не\s*важно)\s+(?:когда|во\s+сколько)\b"
     r"|\bany\s*time\b|\bwhenever\b|\bwhatever\s+time\b",
     ANY_TIME[0], ANY_TIME[1], ("любое", "любой", "угодно", "когда", "сколько", "any", "whenever",
                                "whatever")),
)  # fmt: skip
_WINDOW_PATTERNS = tuple((word_pattern(p), a, b, keys) for p, a, b, keys in _WINDOWS)
_DIGIT = re.compile(r"\d")
# A bound may carry its own "am"/"pm"/"утра"/"вечера": "after 6pm", "до 7 вечера".
_BOUND_AMPM = r"(?:\s*(?P<{}>am|pm|a\.m\.|p\.m\.|утра|вечера|дня)(?![a-zа-я]))?"
_BETWEEN = re.compile(
    r"\b(?:с|from|between)\s+(?P<a>\d{1,2})(?::(?P<am>\d\d))?\b"
    + _BOUND_AMPM.format("ap")
    + r"\s+(?:до|to|and|-)\s+(?P<b>\d{1,2})(?::(?P<bm>\d\d))?\b"
    + _BOUND_AMPM.format("bp")
)
_AFTER = re.compile(
    r"\b(?:после|позже|after|later than)\s+(?P<a>\d{1,2})(?::(?P<am>\d\d))?(?![\d:])"
    + _BOUND_AMPM.format("ap")
    + r"(?![a-zа-я])"
)
_BEFORE = re.compile(
    r"\b(?:до|не позже|before)\s+(?P<b>\d{1,2})(?::(?P<bm>\d\d))?\b"
    + _BOUND_AMPM.format("bp")
    + _NOT_TIME_AFTER
)
_DURATION_BEFORE = re.compile(r"\b(?:минут\w*|мин)\s*$")
_MORNING_HINT = word_pattern(r"\bутр\w*|\bс утра\b|\bmorning\b|\bam\b")


@dataclasses.dataclass(frozen=True)
class TimeReading:
    phrase: str
    start: int
    time: str | None = None
    window: tuple[str, str] | None = None
    invalid: bool = False  # a clock time that does not exist ("25:00")

    @property
    def end(self) -> int:
        return self.start + len(self.phrase)


def clock(hour: int, minute: int, ampm: str | None, morning: bool) -> str | None:
    """Apply the salon rule (module doc) and format; None for an impossible time."""
    if ampm in ("pm", "p.m.", "вечера", "дня") and hour < 12:
        hour += 12
    elif ampm in ("am", "a.m.", "утра", "ночи") and hour == 12:
        hour = 0
    elif ampm is None and not morning and 1 <= hour <= 8:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def _word_hour(word: str) -> int:
    return int(word) if word.isdigit() else _WORD_HOURS.get(word, 0)


def read_exact_times(text: str, blocked: list[tuple[int, int]]) -> list[TimeReading]:
    """Clock times named in the normalised `text`, outside the `blocked` (date) spans."""
    morning = bool(_MORNING_HINT.search(text))
    found: list[TimeReading] = []
    taken = Taken(len(text), blocked)

    def add(match: re.Match[str], value: str | None, *, invalid: bool = False) -> None:
        s, e = match.span()
        if (value is None and not invalid) or not taken.free(s, e):
            return
        taken.take(s, e)
        found.append(TimeReading(match.group().strip(), s, time=value, invalid=invalid))

    digits = bool(_DIGIT.search(text))
    for m in _HHMM.finditer(text) if digits else ():
        hour, minute = int(m["h"]), int(m["m"])
        if m["sep"] == ".":
            before = text[max(0, m.start() - 12) : m.start()]
            if minute > 59 or not numeric_is_clock(before, hour, minute):
                continue
        value = clock(hour, minute, m["ampm"], morning)
        add(m, value, invalid=value is None)
    for m in _QUARTER_TO.finditer(text) if "без" in text else ():
        quarter = m["q"]
        minutes = int(quarter) if quarter.isdigit() else _MINUTES_TO[quarter]
        hour = _word_hour(m["w"])
        if 1 <= minutes < 60 and 1 <= hour <= 24:
            add(m, clock(hour - 1 or 12, 60 - minutes, m["ampm"], morning))
    for m in _HALF_PAST.finditer(text):
        if m["w"]:
            hour = _GENITIVE_ORDINALS[m["w"]] - 1
        else:
            hour = _word_hour(m["d"] or m["h"]) - (1 if m["d"] else 0)
        if 0 <= hour <= 23:
            add(m, clock(hour or 12, 30, m["ampm"] or m["ampm2"], morning))
    for m in _HOUR.finditer(text) if digits else ():
        if _DURATION_BEFORE.search(text, max(0, m.start() - 12), m.start()) or text.startswith(
            "-", m.end()
        ):
            continue  # "опоздаю минут на 10", "на 5-10": a length of time, not a clock time
        hour = int(m["h"])
        value = clock(hour, 0, m["ampm"], morning)
        # "в 25 часов" does not exist; a bare "в 25" may be a day, so it is left alone.
        add(m, value, invalid=value is None and "час" in m.group())
    for m in _HOUR_QUALIFIED.finditer(text) if digits else ():
        add(m, clock(int(m["h"] or m["h2"]), 0, m["ampm"], morning))
    for m in _WORD_HOUR.finditer(text):
        hour = _word_hour(m["w"])
        # "в час" alone is 13:00: nobody books a haircut at one in the night.
        add(m, clock(13 if hour == 1 and m["ampm"] is None else hour, 0, m["ampm"], morning))
    for m in _NOON.finditer(text):
        add(m, "12:00")
    return sorted(found, key=lambda r: r.start)


def _window_bound(
    hour: str, minute: str | None, morning: bool, ampm: str | None = None
) -> str | None:
    return clock(int(hour), int(minute or 0), ampm, morning)


def read_windows(text: str, blocked: list[tuple[int, int]]) -> list[TimeReading]:
    """Time windows named in the normalised `text`, in order of appearance."""
    morning = bool(_MORNING_HINT.search(text))
    found: list[TimeReading] = []
    taken = Taken(len(text), blocked)
    greets = mentions(text, ("добр", "спокойн", "хорошего", "good"))
    for m in GREETINGS.finditer(text) if greets else ():
        taken.take(*m.span())

    def add(m: re.Match[str], window: tuple[str, str]) -> None:
        if taken.free(*m.span()):
            taken.take(*m.span())
            found.append(TimeReading(m.group(), m.start(), window=window))

    digits = bool(_DIGIT.search(text))
    for m in _BETWEEN.finditer(text) if digits else ():
        a = _window_bound(m["a"], m["am"], morning, m["ap"])
        b = _window_bound(m["b"], m["bm"], morning, m["bp"] or m["ap"])
        if a and b and a < b:
            add(m, (a, b))
    for m in _AFTER.finditer(text) if digits else ():
        a = _window_bound(m["a"], m["am"], morning, m["ap"])
        if a and a < DAY_END:
            add(m, (a, DAY_END))
    for m in _BEFORE.finditer(text) if digits else ():
        b = _window_bound(m["b"], m["bm"], morning, m["bp"])
        if b and b > DAY_START:
            add(m, (DAY_START, b))
    for pattern, start, end, keys in _WINDOW_PATTERNS:
        for m in pattern.finditer(text) if mentions(text, keys) else ():
            add(m, (start, end))
    return sorted(found, key=lambda r: r.start)


def read_time(text: str, blocked: list[tuple[int, int]]) -> TimeReading | None:
    """An exact time if one is named (the last), else the last window, else None.

    "после 18:00" is a window, so the clock inside a range phrase is not an exact time.
    """
    windows = read_windows(text, blocked)
    ranges = [
        (w.start, w.start + len(w.phrase))
        for w in windows
        if w.phrase[:1].isalpha() and re.search(r"\d", w.phrase)
    ]
    exact = read_exact_times(text, blocked + ranges)
    if exact:
        return exact[-1]
    return windows[-1] if windows else None
