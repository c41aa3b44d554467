"""What one turn works with, and what it leaves behind: replies and the guards' verdicts."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from states.conversation import Conversation, Option
from states.salon import SalonBackend
from states.salon_view import SalonView
from states.templates import say
from states.wording import human_date, numbered


@dataclasses.dataclass
class Turn:
    conversation: Conversation
    view: SalonView
    backend: SalonBackend
    now: datetime  # aware, in the salon's zone
    batch_id: str
    attempt: int
    replies: list[str] = dataclasses.field(default_factory=list)
    guards: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.conversation.language

    @property
    def today(self) -> date:
        return self.now.date()

    def render(self, key: str, **values: object) -> str:
        """A template in the client's language, for a reply or a part of one."""
        return say(key, self.lang, **values)

    def say(self, key: str, **values: object) -> None:
        self.replies.append(self.render(key, **values))

    def guard(self, name: str, ok: bool, detail: str = "") -> bool:
        """Record a check and its verdict for `GET /conversations/{phone}`."""
        entry: dict[str, Any] = {"guard": name, "ok": ok}
        if detail:
            entry["detail"] = detail
        self.guards.append(entry)
        return ok

    def day(self, iso: str) -> str:
        return human_date(iso, self.today, self.lang)

    def option_lines(self, options: list[Option]) -> str:
        return numbered(
            [
                self.render("option_line", date=self.day(o.date), time=o.time, master=o.master)
                for o in options
            ]
        )

    @property
    def salon_phone(self) -> str:
        return self.view.company.phone
