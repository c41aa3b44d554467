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


def reminder_text(
    visit: Visit, salon: SalonInfo, now: datetime, *, lang: str, ask: bool = True
) -> str:
    """The reminder as a message; `ask` adds the request to answer "да" / "не смогу"."""
    w = visit_words(visit, salon, now, lang)
    name = f", {visit.client_name}" if visit.client_name else ""
    if lang == "en":
        where = f" at {salon.title}" if salon.title else ""
        text = (
            f"Hello{name}! A reminder of your visit{where}: {w.date} at {w.time} — "
            f"{w.services}, master: {w.master}."
        )
        if salon.address:
            text += f" Address: {salon.address}."
        if ask:
            text += "\nPlease reply “yes” to confirm, or “can't make it” if your plans changed."
        return text
    where = f" в «{salon.title}»" if salon.title else ""
    text = (
        f"Здравствуйте{name}! Напоминаем о записи{where}: {w.date} в {w.time} — "
        f"{w.services}, мастер: {w.master}."
    )
    if salon.address:
        text += f" Адрес: {salon.address}."
    if ask:
        text += "\nПодтвердите, пожалуйста: ответьте «да» — или «не смогу», если планы изменились."
    return text


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
