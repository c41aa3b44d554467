"""A client's visit as reminders and record webhooks see it: one YClients record.

Plain and JSON-able: reminders keep it beside their schedule (the text is rendered when
the reminder goes), and the record log keeps the last one learned from YClients.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from states.conversation import Booking


@dataclasses.dataclass(frozen=True)
class Visit:
    record_id: int
    phone: str  # digits: the conversation key and the reminder's recipient
    start: datetime  # aware
    staff_id: int = 0
    master: str = ""  # the master's name, as YClients shows it
    service_ids: tuple[int, ...] = ()
    services: tuple[str, ...] = ()  # service titles
    client_name: str = ""
    length_s: int = 0
    attendance: int = 0  # [APIB] 2 confirmed, 1 arrived, 0 pending, -1 no-show
    deleted: bool = False
    api_id: str = ""
    language: str = "ru"  # the client's language, for the reminder text

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("Visit.start must be an aware datetime")

    @property
    def chat(self) -> str:
        return f"{self.phone}@c.us"

    @property
    def start_ms(self) -> int:
        return int(self.start.timestamp() * 1000)

    def as_booking(self, zone: ZoneInfo | None = None) -> Booking:
        """The conversation's view of the visit; date and time in `zone` (else as given)."""
        return Booking.of_record(
            self.record_id, self.staff_id, self.service_ids, self.start, self.api_id, zone
        )

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["start"] = self.start.isoformat()
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Visit:
        data: dict[str, Any] = json.loads(raw)
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        values["start"] = datetime.fromisoformat(data["start"])
        values["service_ids"] = tuple(data.get("service_ids") or ())
        values["services"] = tuple(data.get("services") or ())
        return cls(**values)
