"""The rule-based slot filler: the default without an API key, and the LLM's fallback.

Deterministic: the same text, state and clock always give the same `SlotFill`. Reading is
linear in the text's length (dictionary lookups per word, regexes without backtracking,
spans marked in a byte mask) and runs in a worker thread (`asyncio.to_thread`), so a long
message never holds the event loop: the thread yields the GIL every few milliseconds.
"""

from __future__ import annotations

import asyncio
import functools

from adapters.fillers.contact import NameReading, read_name, read_phone
from adapters.fillers.intents import (
    decide_intent,
    pick_option,
    read_faq_topics,
    read_period,
    read_questions,
)
from adapters.fillers.masters import MASTER_CUES, MasterMatch, master_index, match_masters
from adapters.fillers.reading import Reading, Vocabulary, read, vocabulary
from adapters.fillers.services import match_services
from adapters.fillers.spans import Taken
from adapters.fillers.text import detect_language, distinct_words, normalize, word_pattern
from adapters.fillers.titles import title_index
from adapters.fillers.unknown_master import read_unknown_master
from adapters.fillers.unknown_service import read_unknown_service
from adapters.fillers.when import read_when
from adapters.fillers.word_keys import text_words
from states.slot_fill import Catalogue, FillRequest, FillSource, MasterChoice, SlotFill

SAME_AS_LAST = word_pattern(
    r"\bто(?:т|го|му|м)\s+же\s+(?:самы\w+\s+)?мастер\w*|\b(?:к\s+тому|у\s+того)\s+же(?:\s+мастер\w*)?"
    r"|\bкак\s+в\s+(?:прошлый|прошлы\w+|предыдущий|тот)\s+раз\w*|\bкак\s+обычно\b|\bкак\s+всегда\b"
    r"|\b(?:к|у)\s+(?:моему|своему|прежнему|предыдущему|прошлому|моего|своего|прежнего|"
    r"прошлого)\s+мастер\w*|\bтот\s+же\s+самый\b|\bтот\s+же\b"
    r"|\bsame\s+(?:master|barber|stylist|person|guy|one|as\s+(?:last|before))\b"
    r"|\bas\s+last\s+time\b|\bmy\s+usual\b|\busual\s+(?:master|barber)\b"
    r"|\bprevious\s+(?:master|barber)\b|\blike\s+last\s+time\b"
)
_DOES_NOT_MATTER = r"(?:не\s*важ\w*|без\s+разницы|вс[её]\s*равно|не\s+принципиальн\w*|неважн\w*)"
_MASTER_WORD = r"(?:мастер\w*|барбер\w*|стилист\w*|специалист\w*)"
ANY_MASTER = word_pattern(
    rf"\bлюб(?:ой|ому|ого|ая|ую|ым)\b(?!\s+(?:день|дн\w+|врем\w+|час\w*|дат\w+|числ\w+|удобн\w+"
    rf"|окн\w+|слот\w*|вариант\w*|раз|недел\w+))"
    rf"|\bк\s+кому\s+(?:угодно|нибудь)\b|\bкто\s+(?:угодно|свобод\w+|будет\s+свобод\w+"
    rf"|освободится|есть|сможет)\b|\bкого\s+угодно\b"
    rf"|\b{_MASTER_WORD}\s+(?:мне\s+)?{_DOES_NOT_MATTER}|\b{_DOES_NOT_MATTER}\s+(?:какой\s+|к\s+какому\s+)?"
    rf"{_MASTER_WORD}|\b{_DOES_NOT_MATTER}\s+(?:к\s+кому|кто)\b"
    r"|\bбез(?<!время без)(?<!когда без)(?<!день без)\s+разницы\b"
    r"|\bany(?:one|body|\s+master|\s+barber|\s+stylist)\b|\bdoesn'?t\s+matter\s+who\b"
    r"|\bno\s+preference\b|\bwhoever\b|\bdon'?t\s+care\s+who\b"
)
# A phone number's digits must not be read as a time ("916 123-45-67" is not 9:16).
_MASK = " "


def _masked(text: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return text
    start, end = span
    return text[:start] + _MASK * (end - start) + text[end:]


@functools.lru_cache(maxsize=64)
def _salon_vocabulary(catalogue: Catalogue) -> Vocabulary:
    """The words worth correcting typos towards, the salon's titles and masters included."""
    return vocabulary(title_index(catalogue).words | frozenset(master_index(catalogue).by_form))


def salon_reading(request: FillRequest) -> Reading:
    """The text the rules read: phone digits blanked, normalised, typos corrected."""
    return _salon_reading(request, read_phone(request.text))


def _salon_reading(request: FillRequest, phone: tuple[str, tuple[int, int]] | None) -> Reading:
    """`salon_reading` with the phone already read (a scan of the whole text spared)."""
    text = _masked(request.text, phone[1] if phone else None)
    return read(text, _salon_vocabulary(request.catalogue))


def _client_name(
    reading: Reading, expecting_name: bool, masters: list[MasterMatch], catalogue: Catalogue
) -> tuple[NameReading | None, list[MasterMatch]]:
    """The client's own name, and the master mentions that are not that name."""
    cued = {
        m.phrase.split()[-1].lower() for m in masters if m.phrase.split()[0].lower() in MASTER_CUES
    }
    known = frozenset(master_index(catalogue).by_form)
    name = read_name(reading.raw, expecting_name, {normalize(w) for w in cued}, known)
    if name is None:
        return None, masters
    aligned = len(reading.raw) == len(reading.text)
    own = normalize(name.name.split()[0])
    kept = [
        m
        for m in masters
        if not (
            (m.start < name.end and name.start < m.end) if aligned else normalize(m.phrase) == own
        )
    ]
    return name, kept


class OfflineFiller:
    """Russian-first rules (pymorphy3 dictionaries, explicit rules); implements `SlotFiller`."""

    source = FillSource.OFFLINE

    async def fill(self, request: FillRequest) -> SlotFill:
        return await asyncio.to_thread(self.fill_now, request)

    def fill_now(self, request: FillRequest) -> SlotFill:
        """The same reading, synchronously (for the accuracy command and the LLM repair)."""
        try:
            return self._read(request)
        finally:
            # The word sets are shared within one reading; kept after it, an idle worker
            # would hold its last long messages and their words (MBs) until the next ones.
            distinct_words.cache_clear()
            text_words.cache_clear()

    def _read(self, request: FillRequest) -> SlotFill:
        catalogue = request.catalogue
        phone = read_phone(request.text)
        reading = _salon_reading(request, phone)
        text = reading.text
        aligned_raw = reading.raw if len(reading.raw) == len(text) else None
        today = request.local_now.date()

        when = read_when(text, today)
        date, time, date_spans = when.date, when.time, list(when.date_spans)
        services = match_services(text, catalogue, raw=aligned_raw)
        name, masters = _client_name(
            reading,
            request.expecting == "name",
            match_masters(text, catalogue, raw=aligned_raw),
            catalogue,
        )
        master = masters[-1] if masters else None

        master_choice: MasterChoice | None = None
        master_phrase: str | None = None
        master_name: str | None = None
        taken = Taken(len(reading.raw), date_spans)
        if time is not None:
            taken.take(time.start, time.end)
        if phone is not None:
            taken.take(*phone[1])
        if name is not None:
            taken.take(name.start, name.end)
        for mm in masters:
            taken.take(mm.start, mm.end)
        unknown_master = None
        if master is not None and master.name is not None:
            master_choice, master_phrase = MasterChoice.NAMED, master.phrase
            master_name = master.name
        elif master is not None:
            pass  # a word several masters share ("Саша"): no master, and not an unknown one
        elif (m := SAME_AS_LAST.search(text)) is not None:
            master_choice, master_phrase = MasterChoice.SAME_AS_LAST, reading.raw_span(*m.span())
        elif (m := ANY_MASTER.search(text)) is not None:
            master_choice, master_phrase = MasterChoice.ANY, reading.raw_span(*m.span())
        elif (unknown_master := read_unknown_master(reading.raw, _spans(taken))) is not None:
            # Not in the catalogue: the engine checks the name and says there is no such master.
            master_choice, master_phrase = MasterChoice.NAMED, unknown_master.phrase
            master_name = unknown_master.name
        # Something asked for that the catalogue lacks: the phrase alone, no service name.
        unknown_service = None
        if not services:
            if unknown_master is not None:
                at = reading.raw.rfind(unknown_master.phrase)
                taken.take(at, at + len(unknown_master.phrase))
            unknown_service = read_unknown_service(reading.raw, catalogue, _spans(taken))

        exact_time = time.time if time is not None else None
        window = time.window if time is not None else None
        date_value = date.date.isoformat() if date and date.date else None
        option = pick_option(
            text, request.options, exact_time, date_value, master_name if master else None
        )
        has_slots = bool(services or unknown_service or master_choice or date or time)
        faq_topics = read_faq_topics(text)
        questions = read_questions(text, faq_topics)
        intent = decide_intent(
            text,
            state=request.state,
            has_slots=has_slots,
            option=option,
            has_contact=bool(name or phone),
            questions=questions,
        )
        period = read_period(text, today)  # "на этой неделе": questions read a span of days
        service_phrases = [s.phrase for s in services]
        if unknown_service is not None:
            service_phrases = [unknown_service]
        date_phrase = reading.raw_span(date.start, date.start + len(date.phrase)) if date else None
        time_phrase = reading.raw_span(time.start, time.end) if time else None
        return SlotFill(
            intent=intent,
            service_phrases=service_phrases,
            services=[s.name for s in services],
            master_phrase=master_phrase,
            master_choice=master_choice,
            master=master_name,
            date_phrase=date_phrase if date_value else None,
            date=date_value if date else period[0].isoformat() if period else None,
            date_until=period[1].isoformat() if period else None,
            questions=questions,
            faq_topics=faq_topics,
            time_phrase=time_phrase if time and not time.invalid else None,
            time=exact_time,
            time_from=window[0] if window else None,
            time_to=window[1] if window else None,
            invalid_time=time_phrase if time and time.invalid else None,
            invalid_date=date_phrase if date and date.invalid else None,
            option=option,
            client_name=name.name if name else None,
            phone=phone[0] if phone else None,
            language=detect_language(reading.raw),
            source=self.source,
        )


def _spans(taken: Taken) -> list[tuple[int, int]]:
    return taken.spans()
