"""Plain answers to the bot's own question, read without the LLM (issue 15).

"да" to the summary, "2" to numbered options, "18:00" to offered times, "завтра" to
"на какой день?" — a third of the calls an LLM filler made for clients who write in
pieces. What the bot awaits (`FillRequest.expecting`, the machine's sub-state) decides
which reading applies, so the same words mean nothing here in another context:

- a yes or a no only at a yes/no question (the summary, a cancellation, a reminder);
- an option number only when the bot offered numbered options (slots while it awaits
  one, or numbered choices);
- a bare time only while the bot offers times; a bare date only at "which day?".

An answer is plain only when every word and symbol of the batch belongs to it (or is a
courtesy such as "пожалуйста"): "да, но в 19" is not plain and goes to the LLM. The
readings are the offline filler's own (`intents`, `dates`, `times`), on the normalised
text without typo correction, and the intent is cross-checked with `decide_intent`, so
a plain answer never says anything the offline filler would not. It never proposes a
service, a master, a name or a phone: a text that names one is not plain.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum

from adapters.fillers.dates import read_dates
from adapters.fillers.intents import (
    _BARE_NUMBER,
    _ORDINAL,
    CONFIRM,
    DENY,
    decide_intent,
    pick_option,
    read_faq_topics,
    read_questions,
)
from adapters.fillers.text import detect_language, normalize, word_pattern
from adapters.fillers.times import read_time
from adapters.fillers.word_pattern import WordPattern
from states.slot_fill import FillRequest, FillSource, Intent, Language, SlotFill

# Longer texts are never a plain answer to one question; reading them costs nothing then.
MAX_CHARS = 80
YES_NO_QUESTIONS = frozenset({"yes_no", "reminder"})

# Politeness that adds nothing to an answer ("да, пожалуйста", "2, спасибо").
COURTESY = word_pattern(
    r"\bпожалуйста\b|\bпжлст\b|\bспасибо\b|\bблагодарю\b|\bспс\b|\bplease\b|\bpls\b"
    r"|\bthanks\b|\bthank\s+you\b"
)
# A preposition that only introduces the time or date after it ("в 18:00", "на завтра").
_PREPOSITION = re.compile(r"(?:^|(?<=\s))(?:в|во|на|к|ко|около|at|on|by|for|around)\s+$")
_NOT_SYMBOLS = frozenset("PZ")  # punctuation, separators
_MODIFIERS = frozenset({"Mn", "Me", "Sk", "Cf"})  # 👍🏻 is 👍 and a skin tone
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

Span = tuple[int, int]


class PlainKind(StrEnum):
    """What a plain answer answered; the metric's reason is `plain_<kind>`."""

    YES_NO = "yes_no"
    OPTION = "option"
    TIME = "time"
    DATE = "date"


@dataclasses.dataclass(frozen=True)
class PlainAnswer:
    kind: PlainKind
    fill: SlotFill


def read_plain_answer(request: FillRequest) -> PlainAnswer | None:
    """The batch read as a plain answer to what the bot awaits, or None (the LLM reads it)."""
    raw = request.text.strip()
    text = normalize(raw)
    if not text or len(raw) > MAX_CHARS or len(text) != len(raw):
        return None  # (a case fold that changed the length would misplace the spans)
    units = _units(text)
    if not units:
        return None
    reading = _Reading(request, raw, text, units, detect_language(raw))
    if request.expecting in YES_NO_QUESTIONS:
        return reading.yes_no()
    if _numbered_options(request) and (answer := reading.option()) is not None:
        return answer
    if request.expecting == "option" and any(o.time for o in request.options):
        return reading.time()
    if request.expecting == "date":
        return reading.date()
    return None


def _units(text: str) -> list[Span]:
    """Words (letters or digits, joined by an apostrophe or a hyphen) and symbols (an
    emoji, "+"): what must all belong to the answer. Punctuation and blanks need not, nor
    what only modifies the symbol before it (a skin tone, a variation selector, a joiner)."""
    words = [m.span() for m in _WORD.finditer(text)]
    symbols = [
        (i, i + 1)
        for i, ch in enumerate(text)
        if not ch.isspace() and not ch.isalnum() and ch != "_"
        and unicodedata.category(ch)[0] not in _NOT_SYMBOLS
        and unicodedata.category(ch) not in _MODIFIERS
    ]  # fmt: skip
    return sorted(words + symbols)


def _numbered_options(request: FillRequest) -> int:
    """How many numbered options the bot's question listed: offered slots count only
    while it awaits one of them, numbered choices (labels) whenever they are on offer."""
    options = request.options
    if not options:
        return 0
    slots = any(o.time for o in options)
    return len(options) if request.expecting == "option" or not slots else 0


@dataclasses.dataclass(frozen=True)
class _Reading:
    request: FillRequest
    raw: str  # as written, stripped
    text: str  # normalised, the same length
    units: list[Span]
    language: Language

    def yes_no(self) -> PlainAnswer | None:
        for intent, pattern in ((Intent.CONFIRM, CONFIRM), (Intent.DENY, DENY)):
            if self.covered(_matches(pattern, self.text, self.units)):
                fill = self.fill(want=intent)
                return PlainAnswer(PlainKind.YES_NO, fill) if fill else None
        return None

    def option(self) -> PlainAnswer | None:
        text = self.text
        option = pick_option(text, self.request.options, None, None, None)
        if option is None or option > _numbered_options(self.request):
            return None
        # "2", "давайте 2": the pattern is anchored, so nothing else is said — unless a
        # symbol it skipped as punctuation says something ("2 👎"); "второй", "№2".
        bare = _BARE_NUMBER.match(text) and all(text[s].isalnum() for s, _ in self.units)
        plain = bare or self.covered(m.span() for m in _ORDINAL.finditer(text))
        fill = self.fill(want=Intent.CHOOSE_OPTION, option=option) if plain else None
        return PlainAnswer(PlainKind.OPTION, fill) if fill else None

    def time(self) -> PlainAnswer | None:
        time = read_time(self.text, [])
        if time is None or time.window is not None:
            return None  # a window ("вечером") is no offered time: the LLM reads it
        if read_dates(self.text, self.request.local_now.date()):
            return None
        if not self.covered([_with_preposition(self.text, time.start, time.end)]):
            return None
        option = pick_option(self.text, self.request.options, time.time, None, None)
        phrase = self.raw[time.start : time.end]
        fill = self.fill(
            has_slots=True, option=option, time=time.time,
            time_phrase=None if time.invalid else phrase,
            invalid_time=phrase if time.invalid else None,
        )  # fmt: skip
        return PlainAnswer(PlainKind.TIME, fill) if fill else None

    def date(self) -> PlainAnswer | None:
        dates = read_dates(self.text, self.request.local_now.date())
        if len(dates) != 1:
            return None
        date = dates[0]
        end = date.start + len(date.phrase)
        if read_time(self.text, [(date.start, end)]) is not None:
            return None  # a day and a time: more than was asked
        if not self.covered([_with_preposition(self.text, date.start, end)]):
            return None
        phrase = self.raw[date.start : end]
        fill = self.fill(
            has_slots=True, date=date.date.isoformat() if date.date else None,
            date_phrase=None if date.invalid else phrase,
            invalid_date=phrase if date.invalid else None,
        )  # fmt: skip
        return PlainAnswer(PlainKind.DATE, fill) if fill else None

    def covered(self, spans: Iterable[Span]) -> bool:
        """Every unit lies inside one of the answer's spans or is a courtesy, and the
        answer covers at least one unit."""
        answer = list(spans)
        courtesy = _matches(COURTESY, self.text, self.units)
        seen = False
        for start, end in self.units:
            if any(s <= start and end <= e for s, e in answer):
                seen = True
            elif not any(s <= start and end <= e for s, e in courtesy):
                return False
        return seen

    def fill(
        self,
        *,
        want: Intent | None = None,
        has_slots: bool = False,
        option: int | None = None,
        **values: object,
    ) -> SlotFill | None:
        """The fill, when the offline rules give the text the intent wanted (a cancel, an
        abort, a hand-off word outranks a yes: then the answer is not plain)."""
        intent = decide_intent(
            self.text, state=self.request.state, has_slots=has_slots, option=option,
            has_contact=False,
            questions=read_questions(self.text, read_faq_topics(self.text)),
        )  # fmt: skip
        if want is not None and intent is not want:
            return None
        return SlotFill.model_validate({
            "intent": intent, "option": option, "language": self.language,
            "source": FillSource.PLAIN, **values,
        })  # fmt: skip


def _matches(pattern: WordPattern, text: str, units: list[Span]) -> list[Span]:
    """Spans of `pattern` matched from the start of each unit: a word is read with the
    text after it (a pattern may span words: "sounds good"), a symbol alone, so "👎да" is
    never a yes because a pattern skipped the "👎" as if it were punctuation."""
    spans: list[Span] = []
    for start, end in units:
        if any(s <= start < e for s, e in spans):
            continue
        symbol = not text[start].isalnum()
        m = pattern.match(text[start:end] if symbol else text[start:])
        if m is not None and m.end() > 0 and (not symbol or m.end() == end - start):
            spans.append((start, start + m.end()))
    return spans


def _with_preposition(text: str, start: int, end: int) -> Span:
    before = _PREPOSITION.search(text, 0, start)
    return (before.start(), end) if before is not None else (start, end)
