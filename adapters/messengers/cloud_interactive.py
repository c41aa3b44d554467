"""A question's choices as a Cloud API interactive message [reference C.7] (issue 17).

Up to 3 short choices become reply buttons (a title of at most 20 characters each), up
to 10 a list message (rows titled in at most 24 characters, described in at most 72, the
list's button at most 20). The message's body is the question without its numbered lines
(the rows show them), at most 1024 characters. Whatever does not fit goes out as the
plain numbered text, which a client can always answer by number.
"""

from __future__ import annotations

import re
from typing import Any

from states.menus import DESCRIPTION_CHARS, MAX_ROWS, TITLE_CHARS, Menu

MAX_BUTTONS = 3
BUTTON_TITLE_CHARS = 20
LIST_BUTTON_CHARS = 20
BODY_CHARS = 1024
ID_CHARS = 200
_NUMBERED = re.compile(r"^\s*\d{1,2}\.\s")


def question_body(text: str) -> str:
    """The text without its numbered lines, blank lines left by them squeezed."""
    kept = [line for line in text.splitlines() if not _NUMBERED.match(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def interactive(text: str, menu: Menu) -> dict[str, Any] | None:
    """The `interactive` object for `text` and its choices, or None to send plain text."""
    body = question_body(text)
    items = menu.items
    if not body or len(body) > BODY_CHARS or not items or len(items) > MAX_ROWS:
        return None
    if any(len(item.id) > ID_CHARS for item in items):
        return None
    if len(items) <= MAX_BUTTONS and all(len(i.title) <= BUTTON_TITLE_CHARS for i in items):
        buttons = [{"type": "reply", "reply": {"id": i.id, "title": i.title}} for i in items]
        return {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
    rows = []
    for item in items:
        if len(item.title) > TITLE_CHARS:
            return None
        row = {"id": item.id, "title": item.title}
        if item.description:
            row["description"] = item.description[:DESCRIPTION_CHARS]
        rows.append(row)
    action = {"button": menu.button[:LIST_BUTTON_CHARS], "sections": [{"rows": rows}]}
    return {"type": "list", "body": {"text": body}, "action": action}
