"""What the LLM may say: words only, in a strict JSON schema; and how code checks it.

The LLM proposes phrases ("завтра", "к 7", "бороду") and catalogue names; dates, times,
services and masters are resolved here by the same rules as the offline filler, and
anything that is not a catalogue name, not in the client's text, or looks like an id
("3413963", "last") is dropped — then, where the offline reading of the same text has a
value, that value is used instead (a *repair*), and the fill is marked `llm_repaired`.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from adapters.fillers.contact import read_phone
from adapters.fillers.dates import read_date
from adapters.fillers.masters import match_masters
from adapters.fillers.offline import ANY_MASTER, salon_reading
from adapters.fillers.services import match_services, requested_concepts
from adapters.fillers.text import normalize, tokens
from adapters.fillers.times import read_time
from adapters.fillers.titles import concept_of, title_index
from states.slot_fill import (
    QUESTION_INTENTS,
    FaqTopic,
    FillRequest,
    FillSource,
    Intent,
    Language,
    MasterChoice,
    SlotFill,
)

# Literals an LLM writes where a name belongs; "last" is the production bug of issue 4.
_ID_LIKE = re.compile(
    r"^\W*(?:\d[\d\s\-#]*|last|same|previous|prev|any|none|null|id|staff_id|master_id|"
    r"same_as_last|последний|любой)\W*$",
    re.IGNORECASE,
)


class LlmProposal(BaseModel):
    """The structured output schema sent to the LLM (every field required, strict)."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent
    service_phrases: list[str]
    master_choice: MasterChoice | None
    master: str | None
    date_phrase: str | None
    time_phrase: str | None
    option: int | None
    client_name: str | None
    phone: str | None
    language: Language
    # Every question of the message ("сколько стоит и где вы?" → ask_price, ask_address)
    # and the salon facts asked about (payment, parking…); defaults keep older answers valid.
    questions: list[Intent] = Field(default_factory=list)
    faq_topics: list[FaqTopic] = Field(default_factory=list)


def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the form OpenAI's `strict: true` accepts."""
    schema = model.model_json_schema()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("default", None)
            if node.get("type") == "object" and "properties" in node:
                node["additionalProperties"] = False
                node["required"] = list(node["properties"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return schema


def _id_like(value: str) -> bool:
    return bool(_ID_LIKE.match(value)) or not re.search(r"[a-zа-яё]", value, re.IGNORECASE)


class _Repair:
    def __init__(self, offline: SlotFill) -> None:
        self.offline = offline
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(text)


def _services(p: LlmProposal, request: FillRequest, fix: _Repair) -> tuple[list[str], list[str]]:
    kept: list[str] = []
    for phrase in p.service_phrases:
        if _id_like(phrase):
            fix.note(f"service dropped: id-like {phrase!r}")
            continue
        matched = match_services(normalize(phrase), request.catalogue)
        if not matched:
            fix.note(f"service dropped: not in catalogue {phrase!r}")
            continue
        unasked = _unasked_modifiers(phrase, request)
        if unasked:
            # "у меня двое детей, хочу стрижку" read as "детская стрижка": the same rule as
            # offline — a modifier counts only where the client asks for a service.
            fix.note(
                f"service dropped: {phrase!r} adds {sorted(unasked)} the client did not ask for"
            )
            continue
        kept.append(phrase)
    # The phrases together, as the client said them together: "стрижку" and "бороду" are
    # the combo "Стрижка + борода" where the salon has one, as the offline reading has it.
    together = match_services(normalize(" и ".join(kept)), request.catalogue)
    names = [m.name for m in together]
    phrases = [m.phrase for m in together]
    if not names and fix.notes and fix.offline.services:
        fix.note("services taken from the offline reading")
        return list(fix.offline.services), list(fix.offline.service_phrases)
    if not names and fix.notes and fix.offline.service_phrases:
        # The client's own words name something the salon lacks ("на татуировку"): keep the
        # phrase, with no service, so the engine says so instead of asking again.
        fix.note("unknown service phrase taken from the offline reading")
        return [], list(fix.offline.service_phrases)
    return names, phrases


def _unasked_modifiers(phrase: str, request: FillRequest) -> set[str]:
    index = title_index(request.catalogue)
    said = requested_concepts(normalize(phrase), request.catalogue)
    modifiers = {c for c in said if concept_of(c, index.concepts).role == "modifier"}
    return modifiers - requested_concepts(salon_reading(request).text, request.catalogue)


def _master(
    p: LlmProposal, request: FillRequest, fix: _Repair
) -> tuple[MasterChoice | None, str | None, str | None]:
    """(choice, catalogue name, phrase) for the master."""
    if p.master_choice in (MasterChoice.SAME_AS_LAST, MasterChoice.ANY):
        return p.master_choice, None, p.master if p.master and not _id_like(p.master) else None
    if p.master is not None and ANY_MASTER.search(normalize(p.master)):
        return MasterChoice.ANY, None, p.master  # "любой", "мастер не важен" as a name
    if p.master is None:
        if p.master_choice is MasterChoice.NAMED:
            fix.note("master dropped: named without a name")
            return fix.offline.master_choice, fix.offline.master, fix.offline.master_phrase
        return None, None, None
    problem = None
    if _id_like(p.master):
        problem = f"master dropped: id-like {p.master!r}"
    else:
        found = match_masters(p.master, request.catalogue)
        name = found[-1].name if found else None
        if name is not None and _named_by_client(name, p.master, request, fix.offline):
            return MasterChoice.NAMED, name, p.master
        if name is not None:
            problem = f"master dropped: {p.master!r} is not named in the client's words"
        elif found:
            problem = f"master dropped: {p.master!r} may be any of {list(found[-1].candidates)}"
        else:
            problem = f"master dropped: not in catalogue {p.master!r}"
    fix.note(problem)
    return fix.offline.master_choice, fix.offline.master, fix.offline.master_phrase


def _named_by_client(name: str, said: str, request: FillRequest, offline: SlotFill) -> bool:
    """A master is taken only when the client's words name it (the offline reading agrees,
    or the model's word is in the text) — and never the client's own name."""
    if offline.master == name:
        return True
    words = {normalize(w) for w in re.findall(r"\w+", said)}
    own = {normalize(w) for w in (offline.client_name or "").split()}
    text = {t.norm for t in tokens(salon_reading(request).text)}
    return bool(words) and words <= text and not words & own


def _phone(p: LlmProposal, request: FillRequest, fix: _Repair) -> str | None:
    if p.phone is None:
        return None
    read = read_phone(p.phone)
    typed = re.sub(r"\D", "", request.text)
    if read is None or read[0][-10:] not in typed:
        fix.note("phone dropped: not typed by the client")
        return fix.offline.phone
    return read[0]


def _name(p: LlmProposal, request: FillRequest, fix: _Repair) -> str | None:
    name = (p.client_name or "").strip()
    if not name:
        return None
    head = normalize(name)[:3]
    if re.search(r"\d", name) or len(name) > 40 or head not in normalize(request.text):
        fix.note(f"client_name dropped: {name!r} is not in the client's text")
        return fix.offline.client_name
    return name


def to_slot_fill(p: LlmProposal, request: FillRequest, offline: SlotFill) -> SlotFill:
    """Check every proposed value; keep what holds, repair or drop the rest."""
    fix = _Repair(offline)
    services, service_phrases = _services(p, request, fix)
    choice, master, master_phrase = _master(p, request, fix)
    today = request.local_now.date()

    date_value, date_phrase = None, p.date_phrase
    if p.date_phrase:
        reading = read_date(normalize(p.date_phrase), today)
        if reading is None or reading.date is None:
            # A date that does not exist is reported only as the client's own words are.
            fix.note(f"date phrase not understood: {p.date_phrase!r}")
            date_value, date_phrase = offline.date, offline.date_phrase
        else:
            date_value = reading.date.isoformat()

    time_value, window, time_phrase = None, None, p.time_phrase
    if p.time_phrase:
        phrase = normalize(p.time_phrase)
        reading_t = read_time(phrase, []) or read_time("в " + phrase, [])
        if reading_t is None or reading_t.invalid:
            fix.note(f"time phrase not understood: {p.time_phrase!r}")
            time_value, time_phrase = offline.time, offline.time_phrase
            if offline.time_from and offline.time_to:
                window = (offline.time_from, offline.time_to)
        else:
            time_value, window = reading_t.time, reading_t.window

    option = p.option
    if option is not None and not 1 <= option <= len(request.options):
        fix.note(f"option dropped: {option} is not one of {len(request.options)} offered")
        option = offline.option
    intent = p.intent
    if intent is Intent.CHOOSE_OPTION and option is None:
        intent = offline.intent
    client_name, phone = _name(p, request, fix), _phone(p, request, fix)
    questions = [q for q in dict.fromkeys(p.questions) if q in QUESTION_INTENTS]
    if len(questions) != len(p.questions):
        fix.note("questions dropped: not questions")
    return SlotFill(
        intent=intent,
        service_phrases=service_phrases,
        services=services,
        master_phrase=master_phrase,
        master_choice=choice,
        master=master,
        date_phrase=date_phrase if date_value else None,
        date=date_value,
        invalid_date=offline.invalid_date if date_value is None else None,
        invalid_time=offline.invalid_time if time_value is None and window is None else None,
        time_phrase=time_phrase if (time_value or window) else None,
        time=time_value,
        time_from=window[0] if window else None,
        time_to=window[1] if window else None,
        option=option,
        client_name=client_name,
        phone=phone,
        language=p.language,
        questions=questions,
        faq_topics=list(dict.fromkeys(p.faq_topics)),
        date_until=offline.date_until,  # a period ("на этой неделе") is read by code
        source=FillSource.LLM_REPAIRED if fix.notes else FillSource.LLM,
        notes=fix.notes,
    )
