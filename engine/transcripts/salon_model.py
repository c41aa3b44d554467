"""The salon side of the transcript format: the salon to play against, its records and
faults, the administrator's actions in it, and what the salon's records and the visit
reminders are expected to be (docs/transcripts.md)."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from adapters.yclients.sandbox import Fault
from adapters.yclients.sandbox.control import ENDPOINTS
from engine.transcripts.strict import LOCAL_MOMENT, Strict


class Visit(Strict):
    """A record in the sandbox: master, local start `YYYY-MM-DD HH:MM`, services, and its
    attendance (2 confirmed, 1 arrived, 0 pending, -1 no-show)."""

    staff_id: int
    at: str = Field(pattern=LOCAL_MOMENT)
    services: list[int] | None = None
    attendance: int | None = None


class ReminderExpect(Strict):
    """One of the phone's visit reminders: its kind (`24h`), when (local), its status."""

    kind: str | None = None
    at: str | None = Field(default=None, pattern=LOCAL_MOMENT)
    status: str | None = None


class RecordEventsExpect(Strict):
    """YClients record webhooks during the step: how many reached the route, and how many
    of each effect the worker applied (`moved: 1, duplicate: 3`; unnamed effects unchecked)."""

    received: int | None = Field(default=None, ge=0)
    effects: dict[str, int] | None = None


class AdminAction(Strict):
    """The salon's administrator changes a visit in "the YClients interface" (the sandbox's
    control routes), which posts its record webhooks to the service, as YClients does.

    `create` books a visit (`phone`, `name`, `staff_id`, `services`, `at`); `move` changes
    `at`, `staff_id` or `services` of a visit; `delete` deletes one. The visit is `record`:
    an id, or `booking` (the conversation's booking; the default)."""

    action: Literal["create", "move", "delete", "confirm"]
    record: int | Literal["booking"] = "booking"
    at: str | None = Field(default=None, pattern=LOCAL_MOMENT)
    staff_id: int | None = None
    services: list[int] | None = None
    phone: str | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> AdminAction:
        if self.action == "create" and not (
            self.phone and self.staff_id and self.services and self.at
        ):
            raise ValueError("create needs `phone`, `staff_id`, `services` and `at`")
        if self.action == "move" and not (self.at or self.staff_id or self.services):
            raise ValueError("move needs `at`, `staff_id` or `services`")
        return self


class BusySlot(Strict):
    staff_id: int
    date: date
    time: time
    minutes: int = Field(default=60, gt=0)


class PastRecord(Strict):
    date: date
    time: time
    staff_id: int
    services: list[int]
    attendance: int = 1
    master_request: int = 1


class ExtraClient(Strict):
    name: str
    phone: str
    records: list[PastRecord] = Field(default_factory=list)


class SalonSetup(Strict):
    """The salon to play against: the demo salon (fixtures/salon/demo.yaml) or `file`, a
    salon in the same YAML shape, with its `faq` (SALON_FAQ; the demo salon's by default,
    none with another `file`); then the additions below, before the first step. Paths are
    relative to the transcript's folder."""

    file: Path | None = None
    faq: Path | None = None
    busy: list[BusySlot] = Field(default_factory=list)
    clients: list[ExtraClient] = Field(default_factory=list)
    faults: list[Fault] = Field(default_factory=list)

    @field_validator("faults")
    @classmethod
    def _fault_endpoints(cls, faults: list[Fault]) -> list[Fault]:
        return check_faults(faults)


class ReminderSetup(Strict):
    """The reminder settings of the run (REMINDER_OFFSETS, REMINDER_QUIET, REMINDER_ANSWER_WAIT)."""

    offsets: str = "24h,2h"
    quiet: str = "22:00-09:00"
    answer_wait: str = "3h"


class WebhookSetup(Strict):
    """How the sandbox posts its record webhooks to the service: `update_copies` identical
    events per edit (YClients sends about 4), each after a random real delay up to
    `max_delay_s`, with only the changed fields when `partial`."""

    update_copies: int = Field(default=4, ge=1, le=20)
    max_delay_s: float = Field(default=0.02, ge=0, le=1)
    partial: bool = False


def check_faults(faults: list[Fault]) -> list[Fault]:
    for fault in faults:
        if fault.endpoint != "*" and fault.endpoint not in ENDPOINTS:
            raise ValueError(f"unknown fault endpoint {fault.endpoint!r}")
    return faults
