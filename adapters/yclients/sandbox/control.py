"""Test controls of the sandbox: injected faults and the log of received requests."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ENDPOINTS = frozenset(
    {
        "companies",
        "company",
        "book_services",
        "book_staff",
        "book_dates",
        "book_times",
        "book_staff_seances",
        "book_check",
        "book_record",
        "reschedule",
        "records",
        "record",
        "delete_record",
        "update_record",
        "user_records",
        "delete_user_record",
        "clients_search",
    }
)


class Fault(BaseModel):
    """How the next `count` calls of one endpoint misbehave.

    - `status` set: answer with it (and `json` body, or `raw` text, and `headers`)
      instead of the real answer; with `process` the real handler runs first (e.g. the
      booking is created, then a 502 comes back: an unclear outcome).
    - `status` unset: the real answer, `delay_s` late (e.g. longer than the client's
      timeout while the record is still created).
    - `delay_s` applies in both cases; `count` -1 means every call.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    endpoint: str
    method: str | None = None
    status: int | None = Field(default=None, ge=100, le=599)
    json_body: Any = Field(default=None, alias="json")
    raw: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    delay_s: float = Field(default=0.0, ge=0, le=60)
    count: int = Field(default=1, ge=-1)
    process: bool = False

    def matches(self, endpoint: str, method: str) -> bool:
        if self.count == 0 or self.endpoint not in (endpoint, "*"):
            return False
        return self.method is None or self.method.upper() == method


@dataclasses.dataclass(frozen=True)
class LoggedRequest:
    at: float  # time.time() when the request arrived
    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    endpoint: str | None
    # Accept, Content-Type and Authorization; tokens are replaced by what they matched,
    # e.g. "Bearer <partner>, User <user>", so the log never holds a secret.
    headers: dict[str, str] = dataclasses.field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class SandboxControl:
    """Faults waiting to fire and the requests received (control calls excluded)."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.requests: list[LoggedRequest] = []

    def add_fault(self, fault: Fault | dict[str, Any]) -> Fault:
        parsed = fault if isinstance(fault, Fault) else Fault.model_validate(fault)
        if parsed.endpoint != "*" and parsed.endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {parsed.endpoint!r}; one of {sorted(ENDPOINTS)}")
        self.faults.append(parsed)
        return parsed

    def take_fault(self, endpoint: str, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(endpoint, method):
                if fault.count > 0:
                    fault.count -= 1
                if fault.count == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def log(self, entry: LoggedRequest) -> None:
        self.requests.append(entry)

    def calls(self, endpoint: str, method: str | None = None) -> list[LoggedRequest]:
        return [
            r
            for r in self.requests
            if r.endpoint == endpoint and (method is None or r.method == method)
        ]

    def clear(self) -> None:
        self.faults.clear()
        self.requests.clear()
