"""Tappable choices: what the bot offers as a WhatsApp list or reply buttons, with ids.

The dialogue's question already lists its choices as numbered text (venom shows that, and
a client may always type "2"); on the Cloud API the same choices also go out as a list
message or reply buttons (issue 17). Each item carries an id that names the thing itself —
an offered slot by its day, time and master, a choice by its kind and value, a yes or no
by the question it answers — so a tap on an old message can never pick what is on offer
now by position. `choice_fill` turns a tap back into the turn's fill without the filler.

Meta's limits [reference C.7]: a list has at most 10 rows, a row title at most 24
characters, a description at most 72; at most 3 reply buttons. Items are cut to the list's
limits here; the messenger decides between a list and buttons.
"""

from __future__ import annotations

import dataclasses
import zlib
from datetime import date
from typing import Any

from states.conversation import Conversation
from states.machine import Awaiting
from states.slot_fill import FillSource, Intent, Language, SlotFill
from states.templates import say
from states.wording import capitalised, human_date, short_date

MAX_ROWS = 10
TITLE_CHARS = 24
DESCRIPTION_CHARS = 72


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclasses.dataclass(frozen=True)
class MenuItem:
    id: str
    title: str  # at most TITLE_CHARS
    description: str | None = None  # at most DESCRIPTION_CHARS


@dataclasses.dataclass(frozen=True)
class Menu:
    """The choices of one question; `button` opens a list ("Выбрать")."""

    items: tuple[MenuItem, ...]
    button: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Menu:
        return cls(tuple(MenuItem(**item) for item in data["items"]), str(data["button"]))


def _item(item_id: str, label: str, description: str | None = None) -> MenuItem:
    title = _cut(capitalised(label), TITLE_CHARS)
    if description is None and title != capitalised(label):
        description = label  # the whole label when the title had to be cut
    return MenuItem(item_id, title, _cut(description, DESCRIPTION_CHARS) if description else None)


def _question_id(text: str) -> str:
    return f"{zlib.crc32(text.encode()):08x}"


def menu_for(c: Conversation, last_reply: str | None, today: date) -> Menu | None:
    """The choices of the question the turn ended with, or None (no question, a hand-off,
    more choices than a list holds)."""
    prompt = c.prompt
    if last_reply is None or prompt is None or prompt.level >= 2:
        return None
    if not last_reply.endswith(capitalised(prompt.text)):
        return None  # the turn's last message is not the pending question
    lang = c.language
    items: list[MenuItem] = []
    if c.awaiting == Awaiting.OPTION and c.offered:
        for o in c.offered:
            title = f"{short_date(o.date, lang)} {o.time}"
            about = f"{capitalised(human_date(o.date, today, lang))}, {o.master}"
            items.append(_item(f"o:{o.date}|{o.time}|{o.staff_id}", title, about))
    elif c.choices and not c.offered:
        items = [_item(f"c:{ch.kind}:{ch.value}", ch.label) for ch in c.choices]
    elif c.awaiting == Awaiting.YES_NO:
        asked = _question_id(prompt.text)
        items = [
            _item(f"yes:{asked}", say("menu_yes", lang)),
            _item(f"no:{asked}", say("menu_no", lang)),
        ]
    if not items or len(items) > MAX_ROWS:
        return None
    return Menu(tuple(items), say("menu_button", lang))


def choice_fill(c: Conversation, choice_id: str) -> SlotFill | None:
    """The fill a tap stands for, read against what is on offer now; None when the tap
    is on something no longer offered (then the words of the tap are read instead)."""
    lang = Language(c.language) if c.language in Language.__members__.values() else Language.RU
    picked = None
    kind, _, rest = choice_id.partition(":")
    if kind == "o":
        keys = [f"{o.date}|{o.time}|{o.staff_id}" for o in c.offered]
        picked = keys.index(rest) + 1 if rest in keys else None
    elif kind == "c" and not c.offered:
        keys = [f"{ch.kind}:{ch.value}" for ch in c.choices]
        picked = keys.index(rest) + 1 if rest in keys else None
    elif kind in ("yes", "no"):
        asked = c.prompt is not None and _question_id(c.prompt.text) == rest
        if c.awaiting != Awaiting.YES_NO or not asked:
            # An old summary's button: never a yes to whatever is asked now.
            return SlotFill(intent=Intent.UNKNOWN, language=lang, source=FillSource.TAPPED)
        intent = Intent.CONFIRM if kind == "yes" else Intent.DENY
        return SlotFill(intent=intent, language=lang, source=FillSource.TAPPED)
    if picked is None:
        return None
    return SlotFill(
        intent=Intent.CHOOSE_OPTION, option=picked, language=lang, source=FillSource.TAPPED
    )
