"""The transcript file format (docs/transcripts.md) as strict pydantic models.

Strict on purpose: a misspelt key (`expext:`, `contain:`) must fail loudly with the file
and the key named, never turn into an expectation that silently checks nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from adapters.yclients.sandbox import Fault
from adapters.yclients.sandbox.control import ENDPOINTS
from engine.transcripts.salon_model import (
    AdminAction,
    RecordEventsExpect,
    ReminderExpect,
    ReminderSetup,
    SalonSetup,
    Visit,
    WebhookSetup,
    check_faults,
)
from engine.transcripts.strict import (
    DEFAULT_PHONE,
    LOCAL_MOMENT,
    Strict,
    TranscriptError,
    listed,
    seconds,
)
from states.machine import STATES

__all__ = [
    "DEFAULT_PHONE",
    "AdminAction",
    "LlmAnswer",
    "Message",
    "RepliesExpect",
    "RequestExpect",
    "SalonSetup",
    "Step",
    "StepExpect",
    "Transcript",
    "TranscriptError",
    "Visit",
    "load_transcript",
    "parse_transcript",
    "seconds",
]


class Message(Strict):
    """One client message. `at`: seconds after the step began (default: `gap_s` after
    the previous one); `type` other than `chat` is a voice note, an image…"""

    text: str = ""
    type: str = "chat"
    at: float | None = Field(default=None, ge=0)
    id: str | None = None
    pushname: str | None = None

    @model_validator(mode="after")
    def _text_for_chat(self) -> Message:
        if self.type == "chat" and not self.text:
            raise ValueError("a chat message needs `text`")
        return self


class LlmAnswer(Strict):
    """One scripted answer of the OpenAI-compatible stub: exactly one of `proposal` (the
    LlmProposal fields that matter; the rest are sent as null/[]/"unknown"/"ru"), `raw`
    (message content sent verbatim, e.g. garbage) or `error` (an HTTP status);
    `delay_s` first waits, e.g. longer than `llm_timeout_s`."""

    proposal: dict[str, Any] | None = None
    raw: str | None = None
    error: int | None = Field(default=None, ge=400, le=599)
    delay_s: float = Field(default=0.0, ge=0, le=30)

    @model_validator(mode="after")
    def _one_kind(self) -> LlmAnswer:
        given = [k for k in ("proposal", "raw", "error") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `proposal`, `raw`, `error`")
        return self


class RepliesExpect(Strict):
    """Checks on the replies the step caused (all chats of the step's phone, in order)."""

    count: int | None = Field(default=None, ge=0)
    contains: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)

    _lists = field_validator("contains", "not_contains", "regex", mode="before")(listed)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            re.compile(pattern)
        return patterns


class RequestExpect(Strict):
    """A YClients request the sandbox received during the step; `json` / `query` are
    subsets of its body / query. Without `count`: at least one; with it: exactly."""

    endpoint: str
    method: str | None = None
    json_body: Any = Field(default=None, alias="json")
    query: dict[str, Any] | None = None
    count: int | None = Field(default=None, ge=0)

    @field_validator("endpoint")
    @classmethod
    def _known(cls, endpoint: str) -> str:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {sorted(ENDPOINTS)}")
        return endpoint


class StepExpect(Strict):
    replies: RepliesExpect | None = None
    turns: int | None = Field(default=None, ge=0)
    state: str | None = None
    slots: dict[str, Any] | None = None
    slot_sources: dict[str, Any] | None = None
    conversation: dict[str, Any] | None = None  # subset of the stored conversation
    fill: dict[str, Any] | None = None  # subset of the last turn's llm_fill
    requests: list[RequestExpect] = Field(default_factory=list)
    no_requests: list[str] = Field(default_factory=list)
    records: list[Visit] | None = None  # the bot's bookings, exactly (none: [])
    visits: dict[str, list[Visit]] | None = None  # phone -> upcoming visits, exactly
    paused: bool | None = None  # a person has the chat after the step (issue 17)
    reminders: list[ReminderExpect] | None = None  # the phone's reminders, exactly, by time
    admin_chat: RepliesExpect | None = None  # messages to ADMIN_CHAT during the step
    record_events: RecordEventsExpect | None = None

    _lists = field_validator("no_requests", mode="before")(listed)

    @field_validator("state")
    @classmethod
    def _state(cls, state: str | None) -> str | None:
        if state is not None and state not in STATES:
            raise ValueError(f"unknown state {state!r}; one of {STATES}")
        return state


class Step(Strict):
    send: list[str | Message] = Field(default_factory=list)
    note: str | None = None
    wait: float = 0.0  # clock advance before the step: 3, 90s, 8d
    until: str | None = Field(default=None, pattern=LOCAL_MOMENT)  # or to this local moment
    admin: list[AdminAction] = Field(default_factory=list)  # before the step's messages
    gap_s: float = Field(default=3.0, ge=0)
    pushname: str | None = None
    phone: str | None = None
    chat: str | None = None
    faults: list[Fault] = Field(default_factory=list)
    llm: list[LlmAnswer] = Field(default_factory=list)
    # Before the step's messages (issue 17): the operator hands the chat back to the bot,
    # pauses it (for this long; `true`: HANDOFF_PAUSE), the salon's person writes to the
    # client from the salon's own WhatsApp (venom `fromMe`).
    resume: bool = False
    pause: float | bool | None = None
    salon: str | None = None
    expect: StepExpect = Field(default_factory=StepExpect)

    _send = field_validator("send", mode="before")(listed)

    @model_validator(mode="after")
    def _one_way_to_wait(self) -> Step:
        if self.wait and self.until:
            raise ValueError("give `wait` or `until`, not both")
        return self

    @field_validator("wait", mode="before")
    @classmethod
    def _duration(cls, value: float | str) -> float:
        return seconds(value)

    @field_validator("pause", mode="before")
    @classmethod
    def _pause(cls, value: float | str | bool | None) -> float | bool | None:
        return value if value is None or isinstance(value, bool) else seconds(value)

    @field_validator("faults")
    @classmethod
    def _fault_endpoints(cls, faults: list[Fault]) -> list[Fault]:
        return check_faults(faults)


class Transcript(Strict):
    name: str
    description: str | None = None
    start: datetime  # aware: the virtual clock starts here
    phone: str = DEFAULT_PHONE
    chat: str | None = None  # e.g. "123456789012345@lid"; default `<phone>@c.us`
    pushname: str | None = None  # default push name of every message
    filler: Literal["offline", "llm"] = "offline"
    llm_timeout_s: float = Field(default=10.0, gt=0)
    yclients_timeout_s: float | None = Field(default=None, gt=0)
    salon: SalonSetup = Field(default_factory=SalonSetup)
    reminders: ReminderSetup = Field(default_factory=ReminderSetup)
    webhooks: WebhookSetup = Field(default_factory=WebhookSetup)
    admin_chat: str | None = "79000000001@c.us"  # ADMIN_CHAT; null: unset
    steps: list[Step] = Field(min_length=1)

    @field_validator("start")
    @classmethod
    def _aware(cls, start: datetime) -> datetime:
        if start.tzinfo is None:
            raise ValueError("`start` needs a UTC offset, e.g. 2025-07-23T15:00:00+03:00")
        return start

    @model_validator(mode="after")
    def _llm_needs_llm_filler(self) -> Transcript:
        if self.filler != "llm" and any(step.llm for step in self.steps):
            raise ValueError("steps script `llm` answers but `filler` is not `llm`")
        return self


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top)"


def describe(error: ValidationError) -> str:
    """pydantic's errors as `steps.2.expect.stat: unknown key` lines."""
    lines = []
    for problem in error.errors():
        what = "unknown key" if problem["type"] == "extra_forbidden" else problem["msg"]
        lines.append(f"{_where(problem['loc'])}: {what}")
    return "; ".join(lines)


def parse_transcript(raw: object, name: str, source: str = "<memory>") -> Transcript:
    if not isinstance(raw, dict):
        raise TranscriptError(f"{source}: a transcript is a mapping, got {type(raw).__name__}")
    data = {"name": name, **raw}
    try:
        return Transcript.model_validate(data)
    except ValidationError as error:
        raise TranscriptError(f"{source}: {describe(error)}") from None


def load_transcript(path: Path) -> Transcript:
    """Read and check one file; any problem is a `TranscriptError` naming the file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise TranscriptError(f"{path}: cannot read: {error}") from None
    except yaml.YAMLError as error:
        reason = str(error).replace("\n", " ")
        raise TranscriptError(f"{path}: not valid YAML: {reason}") from None
    transcript = parse_transcript(raw, path.stem, str(path))
    salon = transcript.salon
    files = {k: path.parent / v for k, v in (("file", salon.file), ("faq", salon.faq)) if v}
    for key, where in files.items():
        if not where.is_file():
            raise TranscriptError(f"{path}: salon.{key}: no such file {where}")
    if not files:
        return transcript
    return transcript.model_copy(update={"salon": salon.model_copy(update=files)})
