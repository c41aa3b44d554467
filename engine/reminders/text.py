"""The words of a visit reminder, in Russian or English, and its WhatsApp template form.

The text names the service, the master, the date and time, and the salon's address. It
asks the client to answer "да" (or "не смогу") unless the visit is already confirmed, in
which case a later reminder only reminds.

Outside the Cloud API's 24-hour window only an approved template may be sent [Meta C.7].
`WHATSAPP_REMINDER_TEMPLATE` is "name:language" (e.g. `visit_reminder:ru`); the template's
body must take six text parameters, in this order (`TEMPLATE_PARAMETERS`):

  {{1}} date       "завтра, 24 июля (чт)" / "tomorrow, 24 July (Thu)"
  {{2}} time       "18:00" (the salon's local time)
  {{3}} service    "Мужская стрижка и Моделирование бороды"
  {{4}} master     "Бари" ("любой мастер" / "any master" when none was named)
  {{5}} salon      the salon's name
  {{6}} address    the salon's address ("—" when YClients has none)

A body that fits: "Напоминаем о записи {{1}} в {{2}}: {{3}}, мастер {{4}}. Ждём вас в
{{5}} по адресу {{6}}. Ответьте «да», чтобы подтвердить, или «не смогу»."
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from engine.visit import Visit
from states.wording import human_date, human_list

TEMPLATE_PARAMETERS = ("date", "time", "service", "master", "salon", "address")
# [Meta] template names are lowercase letters, digits and underscores; languages like
# "ru" or "en_US".
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_SPACES = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True)
class SalonInfo:
    title: str
    address: str
    timezone: str  # IANA name: dates and times are shown in the salon's zone

    async def info(self) -> SalonInfo:
        """A `SalonSource` that never changes (tests, a fixed salon)."""
        return self


class SalonSource(Protocol):
    """The salon's name, address and zone, as YClients says now (read when a text is made)."""

    async def info(self) -> SalonInfo: ...


@dataclasses.dataclass(frozen=True)
class VisitWords:
    """The visit's facts as words, in one language."""

    date: str
    time: str
    services: str
    master: str


def visit_words(visit: Visit, salon: SalonInfo, now: datetime, lang: str) -> VisitWords:
    zone = ZoneInfo(salon.timezone)
    local = visit.start.astimezone(zone)
    date = human_date(local.date().isoformat(), now.astimezone(zone).date(), lang)
    none = ("your visit", "any master") if lang == "en" else ("визит", "любой мастер")
    return VisitWords(
        date=date,
        time=local.strftime("%H:%M"),
        services=human_list(list(visit.services), lang) or none[0],
        master=visit.master or none[1],
    )


# What the client is told about a visit, per language: a reminder, or the salon's change
# (`engine/record_sync/notices.py`). Fields: `name` (", Anna" or nothing), `where` (the
# salon's name, or nothing) and the visit's words (`VisitWords`).
_MESSAGES = {
    "en": {
        "where": " at {title}",
        "address": " Address: {address}.",
        "ask": "\nPlease reply “yes” to confirm, or “can't make it” if your plans changed.",
        "reminder": "Hello{name}! A reminder of your visit{where}: {date} at {time} — "
        "{services}, master: {master}.",
        "moved": "Hello{name}! The salon has moved your visit{where}: it is now {date} at "
        "{time} — {services}, master: {master}. If this time does not suit you, write to me "
        "and I will find another.",
        "cancelled": "Hello{name}! Your visit{where} on {date} at {time} ({services}) has "
        "been cancelled by the salon. Write to me if you would like to book again.",
        "created": "Hello{name}! You are booked{where}: {date} at {time} — {services}, "
        "master: {master}.",
    },
    "ru": {
        "where": " в «{title}»",
        "address": " Адрес: {address}.",
        "ask": "\nПодтвердите, пожалуйста: ответьте «да» — или «не смогу», если планы изменились.",
        "reminder": "Здравствуйте{name}! Напоминаем о записи{where}: {date} в {time} — "
        "{services}, мастер: {master}.",
        "moved": "Здравствуйте{name}! Салон перенёс вашу запись{where}: теперь {date} в "
        "{time} — {services}, мастер: {master}. Если время не подходит, напишите — подберу "
        "другое.",
        "cancelled": "Здравствуйте{name}! Ваша запись{where} на {date} в {time} ({services}) "
        "отменена салоном. Если хотите записаться снова — напишите, подберу время.",
        "created": "Здравствуйте{name}! Вы записаны{where}: {date} в {time} — {services}, "
        "мастер: {master}.",
    },
}


def visit_message(kind: str, visit: Visit, salon: SalonInfo, now: datetime, lang: str) -> str:
    """The message `kind` (reminder, moved, cancelled, created) about the visit, in English
    for "en", else in Russian; it ends with the salon's address unless the visit is gone."""
    texts = _MESSAGES["en" if lang == "en" else "ru"]
    words = dataclasses.asdict(visit_words(visit, salon, now, lang))
    name = f", {visit.client_name}" if visit.client_name else ""
    where = texts["where"].format(title=salon.title) if salon.title else ""
    text = texts[kind].format(name=name, where=where, **words)
    if salon.address and kind != "cancelled":
        text += texts["address"].format(address=salon.address)
    return text


def reminder_text(
    visit: Visit, salon: SalonInfo, now: datetime, *, lang: str, ask: bool = True
) -> str:
    """The reminder as a message; `ask` adds the request to answer "да" / "не смогу"."""
    text = visit_message("reminder", visit, salon, now, lang)
    return text + _MESSAGES["en" if lang == "en" else "ru"]["ask"] if ask else text


@dataclasses.dataclass(frozen=True)
class TemplateSpec:
    name: str
    language: str  # the template's language code, as approved, e.g. "ru" or "en_US"

    @classmethod
    def parse(cls, text: str) -> TemplateSpec:
        """`WHATSAPP_REMINDER_TEMPLATE`: "name:language"."""
        name, sep, language = text.strip().partition(":")
        if not sep or not _TEMPLATE_NAME.match(name) or not _LANGUAGE.match(language):
            raise ValueError(
                f"WHATSAPP_REMINDER_TEMPLATE: {text.strip()!r} is not name:language "
                "(e.g. visit_reminder:ru; the name in lowercase letters, digits and _)"
            )
        return cls(name, language)

    @property
    def words_language(self) -> str:
        return "ru" if self.language.lower().startswith("ru") else "en"


def _parameter(value: str) -> str:
    # [Meta] a text parameter holds no newlines or tabs (nor runs of spaces), and is not
    # empty.
    flat = _SPACES.sub(" ", value).strip()
    return flat or "—"


def template_parameters(visit: Visit, salon: SalonInfo, now: datetime, lang: str) -> list[str]:
    """The six body parameters, in `TEMPLATE_PARAMETERS` order."""
    w = visit_words(visit, salon, now, lang)
    values = [w.date, w.time, w.services, w.master, salon.title, salon.address]
    return [_parameter(v) for v in values]


def template_message(
    spec: TemplateSpec, visit: Visit, salon: SalonInfo, now: datetime
) -> dict[str, Any]:
    """The `template` object of a Cloud API message [Meta C.7]."""
    values = template_parameters(visit, salon, now, spec.words_language)
    return {
        "name": spec.name,
        "language": {"code": spec.language},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}
        ],
    }
