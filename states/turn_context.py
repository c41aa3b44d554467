"""What one turn works with, and what it leaves behind: replies and the guards' verdicts."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from states.conversation import Conversation, Option
from states.ports import ReminderAnswers
from states.salon import SalonBackend
from states.salon_view import SalonView
from states.templates import say
from states.wording import capitalised, human_date, numbered


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
    # The question this turn ends with: (lead, question), rendered; None when a handler
    # asked nothing (then `prompts.finish` asks the pending question again if need be).
    question: tuple[str, str] | None = None
    # Something the client asked or said was answered (a question, thanks, a greeting):
    # such a turn is no step on the re-prompt ladder.
    answered: bool = False
    # A person takes over: the turn asks nothing more.
    quiet: bool = False
    # Said before the turn's question ("Времени «25:00» не бывает.").
    notes: list[str] = dataclasses.field(default_factory=list)
    # Schedule facts read during this turn (working days, free times), by key.
    cache: dict[tuple[object, ...], Any] = dataclasses.field(default_factory=dict)
    # Where a client's answer to a visit reminder is recorded (None: nowhere, in tests).
    answers: ReminderAnswers | None = None

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
        self.replies.append(capitalised(self.render(key, **values)))

    def answer(self, key: str, **values: object) -> None:
        """A reply to something the client asked; the pending question follows it."""
        self.say(key, **values)
        self.answered = True

    def ask(self, key: str, lead: str = "", **values: object) -> None:
        """End the turn with this question (what it awaits is the machine's sub-state);
        `lead` says why, before it ("Не нашёл у нас услугу «…».")."""
        self.question = (lead, self.render(key, **values))

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
