"""The rule-based slot filler: the default without an API key, and the LLM's fallback.

Deterministic and fast (a few ms per batch after the first call has loaded pymorphy3):
the same text, state and clock always give the same `SlotFill`.
"""

from __future__ import annotations

import re

from adapters.fillers.catalogue_match import match_masters, match_services
from adapters.fillers.contact import read_name, read_phone
from adapters.fillers.dates import read_dates
from adapters.fillers.intents import (
    decide_intent,
    pick_option,
    read_faq_topics,
    read_period,
    read_questions,
)
from adapters.fillers.text import detect_language, normalize
from adapters.fillers.times import read_time
from adapters.fillers.unknown import read_unknown_master, read_unknown_service
from states.slot_fill import FillRequest, FillSource, MasterChoice, SlotFill

SAME_AS_LAST = re.compile(
    r"\bто(?:т|го|му|м)\s+же\s+(?:самы\w+\s+)?мастер\w*|\b(?:к\s+тому|у\s+того)\s+же(?:\s+мастер\w*)?"
    r"|\bкак\s+в\s+(?:прошлый|прошлы\w+|предыдущий|тот)\s+раз\w*|\bкак\s+обычно\b|\bкак\s+всегда\b"
    r"|\b(?:к|у)\s+(?:моему|своему|прежнему|предыдущему|прошлому|моего|своего|прежнего|"
    r"прошлого)\s+мастер\w*|\bтот\s+же\s+самый\b|\bтот\s+же\b"
    r"|\bsame\s+(?:master|barber|stylist|person|guy|one|as\s+(?:last|before))\b"
    r"|\bas\s+last\s+time\b|\bmy\s+usual\b|\busual\s+(?:master|barber)\b"
    r"|\bprevious\s+(?:master|barber)\b|\blike\s+last\s+time\b"
)
ANY_MASTER = re.compile(
    r"\bлюб(?:ой|ому|ого)\b|\bк\s+кому\s+(?:угодно|нибудь)\b|\bкто\s+(?:угодно|свободен)\b"
    r"|\bбез\s+разницы\b|\bне\s*важно\s+к\s+кому\b|\bвсе\s*равно\s+к\s+кому\b"
    r"|\bкто\s+будет\s+свободен\b|\bкого\s+угодно\b"
    r"|\bany(?:one|body|\s+master|\s+barber)\b|\bdoesn'?t\s+matter\b|\bno\s+preference\b"
    r"|\bwhoever\b|\bdon'?t\s+care\s+who\b"
)
# A phone number's digits must not be read as a time ("916 123-45-67" is not 9:16).
_MASK = " "


def _masked(text: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return text
    start, end = span
    return text[:start] + _MASK * (end - start) + text[end:]


class OfflineFiller:
    """Russian-first rules (pymorphy3, dateparser, rapidfuzz); implements `SlotFiller`."""

    source = FillSource.OFFLINE

    async def fill(self, request: FillRequest) -> SlotFill:
        return self.fill_now(request)

    def fill_now(self, request: FillRequest) -> SlotFill:
        """The same reading, synchronously (for the accuracy command and the LLM repair)."""
        raw = request.text
        text = normalize(raw)
        if len(text) != len(raw):
            raw = text  # spans would not line up with the original: cut phrases from `text`
        phone = read_phone(raw)
        text = _masked(text, phone[1] if phone else None)
        today = request.local_now.date()

        dates = read_dates(text, today)
        date = dates[-1] if dates else None
        date_spans = [(r.start, r.start + len(r.phrase)) for r in dates]
        time = read_time(text, date_spans)
        services = match_services(text, request.catalogue)
        masters = match_masters(_masked(raw, phone[1] if phone else None), request.catalogue)
        master = masters[-1] if masters else None

        master_choice: MasterChoice | None = None
        master_phrase: str | None = None
        master_name: str | None = None
        taken = [*date_spans, *([(time.start, time.start + len(time.phrase))] if time else [])]
        if phone is not None:
            taken.append(phone[1])
        unknown_master = None
        if master is not None:
            master_choice, master_phrase = MasterChoice.NAMED, master.phrase
            master_name = master.name
        elif (m := SAME_AS_LAST.search(text)) is not None:
            master_choice, master_phrase = MasterChoice.SAME_AS_LAST, raw[m.start() : m.end()]
        elif (m := ANY_MASTER.search(text)) is not None:
            master_choice, master_phrase = MasterChoice.ANY, raw[m.start() : m.end()]
        elif (unknown_master := read_unknown_master(raw, taken)) is not None:
            # Not in the catalogue: the engine checks the name and says there is no such master.
            master_choice, master_phrase = MasterChoice.NAMED, unknown_master.phrase
            master_name = unknown_master.name
        # Something asked for that the catalogue lacks: the phrase alone, no service name.
        unknown_service = None
        if not services:
            taken += [(mm.start, mm.start + len(mm.phrase)) for mm in masters]
            if unknown_master is not None:
                at = raw.rfind(unknown_master.phrase)
                taken.append((at, at + len(unknown_master.phrase)))
            unknown_service = read_unknown_service(raw, request.catalogue, taken)

        exact_time = time.time if time is not None else None
        window = time.window if time is not None else None
        option = pick_option(
            text,
            request.options,
            exact_time,
            date.date.isoformat() if date else None,
            master.name if master else None,
        )
        not_names = {normalize(p) for mm in masters for p in mm.phrase.split()}
        if unknown_master is not None:
            not_names.add(normalize(unknown_master.word))
        name = read_name(raw, request.expecting == "name", not_names)
        has_slots = bool(services or unknown_service or master_choice or date or time)
        intent = decide_intent(
            text,
            state=request.state,
            has_slots=has_slots,
            option=option,
            has_contact=bool(name or phone),
        )
        period = read_period(text, today)  # "на этой неделе": questions read a span of days
        service_phrases = [s.phrase for s in services]
        if unknown_service is not None:
            service_phrases = [unknown_service]
        return SlotFill(
            intent=intent,
            service_phrases=service_phrases,
            services=[s.name for s in services],
            master_phrase=master_phrase,
            master_choice=master_choice,
            master=master_name,
            date_phrase=raw[date.start : date.start + len(date.phrase)] if date else None,
            date=date.date.isoformat() if date else period[0].isoformat() if period else None,
            date_until=period[1].isoformat() if period else None,
            questions=read_questions(text),
            faq_topics=read_faq_topics(text),
            time_phrase=raw[time.start : time.start + len(time.phrase)] if time else None,
            time=exact_time,
            time_from=window[0] if window else None,
            time_to=window[1] if window else None,
            option=option,
            client_name=name,
            phone=phone[0] if phone else None,
            language=detect_language(raw),
            source=self.source,
        )
