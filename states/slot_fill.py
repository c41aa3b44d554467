"""What a slot filler reads (`FillRequest`) and what it proposes (`SlotFill`).

A filler — the LLM or the offline rules — only *proposes* slot values as words: catalogue
names ("Мужская стрижка", "Бари"), never YClients ids. The dialogue engine resolves names
to ids and checks them against the live catalogue and free slots (issue 4: the LLM once
produced `staff_id: "last"` and the booking silently lost its master).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from states.messages import ascii_digits

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# The window of a client who does not mind when ("когда удобно", "в любое время"): the
# whole day, so no free time is left out; the dialogue offers the nearest.
ANY_TIME = ("00:00", "23:59")


class Intent(StrEnum):
    """What the client wants from this turn (issue 14: every state answers every intent)."""

    BOOK = "book"
    CONFIRM = "confirm"  # "да", "+", "👍", "давайте", "yes"
    DENY = "deny"  # "нет" to the bot's question
    ABORT = "abort"  # "передумал", "не надо", "отмена": drop the visit being arranged
    CHOOSE_OPTION = "choose_option"
    CHANGE = "change"
    EARLIER = "earlier"  # "а можно пораньше?"
    LATER = "later"  # "а попозже?"
    OTHER_MASTER = "other_master"  # "не, к другому мастеру"
    SAME_TIME = "same_time"  # "в то же время" (rescheduling)
    CANCEL = "cancel"  # cancel a booked visit
    RESCHEDULE = "reschedule"
    ASK_PRICE = "ask_price"
    ASK_ADDRESS = "ask_address"
    ASK_HOURS = "ask_hours"
    ASK_WHO_WORKS = "ask_who_works"
    ASK_FREE_SLOTS = "ask_free_slots"
    ASK_FAQ = "ask_faq"  # payment, parking and other salon facts
    LATE_NOTICE = "late_notice"  # "опаздываю на 10 минут"
    COMPLAINT = "complaint"
    ASK_HUMAN = "ask_human"  # "позовите администратора"
    GREETING = "greeting"
    SMALL_TALK = "small_talk"  # thanks, emoji, "как дела"
    UNKNOWN = "unknown"


# Questions the dialogue answers from salon facts, in any state, without losing the booking.
QUESTION_INTENTS = frozenset(
    {
        Intent.ASK_PRICE,
        Intent.ASK_ADDRESS,
        Intent.ASK_HOURS,
        Intent.ASK_WHO_WORKS,
        Intent.ASK_FREE_SLOTS,
        Intent.ASK_FAQ,
    }
)


class FaqTopic(StrEnum):
    """Salon facts YClients does not hold; answered from the salon's `SALON_FAQ` file."""

    PAYMENT = "payment"  # card, cash, transfer
    PARKING = "parking"
    CERTIFICATES = "certificates"  # gift certificates
    DISCOUNTS = "discounts"
    CHILDREN = "children"  # coming with a child
    PETS = "pets"
    WIFI = "wifi"
    DRINKS = "drinks"


class MasterChoice(StrEnum):
    NAMED = "named"  # `SlotFill.master` holds a catalogue name
    SAME_AS_LAST = "same_as_last"  # the engine looks the last master up in the history
    ANY = "any"  # the client does not mind


class Language(StrEnum):
    RU = "ru"
    EN = "en"


class FillSource(StrEnum):
    OFFLINE = "offline"  # rule-based filler, by choice
    LLM = "llm"  # LLM proposal, accepted as is
    LLM_REPAIRED = "llm_repaired"  # LLM proposal with some values dropped or replaced
    OFFLINE_FALLBACK = "offline_fallback"  # LLM failed (error, timeout, invalid output)
    TAPPED = "tapped"  # a tap on a list row or reply button, read by its id (no filler)
    PLAIN = "plain"  # a plain answer to the bot's question ("да", "2"), read without the LLM


class LlmReason(StrEnum):
    """Why a batch read with an LLM configured did or did not cost a request (issue 15):
    the bounded label set of `ai_admin_llm_requests_total`."""

    FULL_FILL = "full_fill"  # one request sent
    PLAIN_YES_NO = "plain_yes_no"  # read without a request: a plain answer …
    PLAIN_OPTION = "plain_option"
    PLAIN_TIME = "plain_time"
    PLAIN_DATE = "plain_date"
    REPEAT = "repeat"  # the same batch read again (a retried turn): the first fill reused
    OVER_BUDGET = "over_budget"  # a second, different fill of one batch: the offline rules


class SlotFill(BaseModel):
    """One turn's proposal. Absent values are `None` / empty: "the client did not say"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intent: Intent = Intent.UNKNOWN
    # Words as the client wrote them, and the catalogue names (titles) they matched.
    service_phrases: list[str] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    master_phrase: str | None = None
    master_choice: MasterChoice | None = None
    master: str | None = None
    date_phrase: str | None = None
    date: str | None = None  # YYYY-MM-DD in the salon's zone
    time_phrase: str | None = None
    time: str | None = None  # HH:MM in the salon's zone
    # A window such as "вечером" (17:00–21:00) when no exact time was said.
    time_from: str | None = None
    time_to: str | None = None
    # The client's words for a time or date that does not exist ("25:00", "18:75",
    # "31 февраля"): kept so the dialogue can say so, never dropped (issue 13).
    invalid_time: str | None = None
    invalid_date: str | None = None
    # The last day of a period asked about ("на этой неделе" → this Sunday), from `date`
    # or today; only questions such as ask_free_slots read it (issue 14).
    date_until: str | None = None
    # Every question of the batch besides `intent` ("сколько стоит и где вы?" → ask_price
    # with questions [ask_address]): the dialogue answers each one (issue 14).
    questions: list[Intent] = Field(default_factory=list)
    faq_topics: list[FaqTopic] = Field(default_factory=list)
    option: int | None = Field(default=None, ge=1)  # 1-based index into FillRequest.options
    client_name: str | None = None
    phone: str | None = None  # digits only, e.g. 79161234567
    language: Language = Language.RU
    source: FillSource = FillSource.OFFLINE
    # What was dropped or repaired, and why; recorded in the turn for inspection.
    notes: list[str] = Field(default_factory=list)

    @field_validator("date", "date_until")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is not None:
            dt.date.fromisoformat(value)
        return value

    @field_validator("time", "time_from", "time_to")
    @classmethod
    def _hhmm(cls, value: str | None) -> str | None:
        if value is not None and not _HHMM.match(value):
            raise ValueError(f"not HH:MM: {value!r}")
        return value

    @field_validator("phone")
    @classmethod
    def _digits(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = ascii_digits(value)  # always ASCII from here on (issue 11)
        if digits is None or not 10 <= len(digits) <= 15:
            raise ValueError("phone must be 10-15 digits")
        return digits

    @model_validator(mode="after")
    def _consistent(self) -> SlotFill:
        if self.master is not None and self.master_choice is not MasterChoice.NAMED:
            raise ValueError("a named master needs master_choice=named")
        if self.master_choice is MasterChoice.NAMED and self.master is None:
            raise ValueError("master_choice=named needs a master name")
        if (self.time_from is None) != (self.time_to is None):
            raise ValueError("a time window needs both ends")
        if (
            self.time_from is not None
            and self.time_to is not None
            and (self.time_from >= self.time_to)
        ):
            raise ValueError("time window is empty")
        return self


@dataclasses.dataclass(frozen=True)
class CatalogueService:
    name: str  # the YClients title, e.g. "Мужская стрижка"
    aliases: tuple[str, ...] = ()  # extra words the salon uses for it


@dataclasses.dataclass(frozen=True)
class Catalogue:
    """The salon's bookable things as names; ids stay with the engine."""

    services: tuple[CatalogueService, ...]
    masters: tuple[str, ...]

    @classmethod
    def of(cls, services: Iterable[str | CatalogueService], masters: Iterable[str]) -> Catalogue:
        return cls(
            services=tuple(
                s if isinstance(s, CatalogueService) else CatalogueService(s) for s in services
            ),
            masters=tuple(masters),
        )

    @property
    def service_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.services)


@dataclasses.dataclass(frozen=True)
class OfferedOption:
    """One alternative the bot showed, in the numbered order it showed them: a free slot,
    or a choice that is not a slot (a service, a master, a day) with only `label` set."""

    date: str  # YYYY-MM-DD; "" for a choice that is not a slot
    time: str  # HH:MM; "" for a choice that is not a slot
    master: str | None = None
    label: str | None = None  # how the bot listed a choice: "Бари", "Мужская стрижка"


@dataclasses.dataclass(frozen=True)
class FillRequest:
    text: str  # the batch: the client's pieces joined with newlines
    state: str  # dialogue state name, e.g. "idle", "confirming"
    catalogue: Catalogue
    now: dt.datetime  # aware; injected, never the server clock
    timezone: str  # the salon's zone, e.g. "Europe/Moscow"
    slots: Mapping[str, object] = dataclasses.field(default_factory=dict)
    options: tuple[OfferedOption, ...] = ()
    # What the bot awaits ("name", "phone", "yes_no", ...), so a bare "Николай" is a name.
    expecting: str | None = None
    # The batch being read: an LLM filler calls the model at most once per batch (issue 15).
    batch_id: str | None = None

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("FillRequest.now must be timezone-aware")
        ZoneInfo(self.timezone)  # raises for an unknown zone

    @property
    def local_now(self) -> dt.datetime:
        """The injected "now" on the salon's wall clock: relative dates are read from it."""
        return self.now.astimezone(ZoneInfo(self.timezone))


@runtime_checkable
class SlotFiller(Protocol):
    async def fill(self, request: FillRequest) -> SlotFill: ...
