"""The settings of issue 16 (visit reminders, the salon's own changes), read and checked:
`engine/settings.py` declares the variables with these checks, and `FollowUpConfig` is
what `engine/follow_up.py` is built from."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from engine.record_sync.effects import NoticePolicy
from engine.reminders.text import TemplateSpec
from engine.reminders.timing import parse_duration, parse_offsets, parse_quiet
from states.messages import ChatId

_GROUP = re.compile(r"^\d{6,30}(-\d{6,20})?@g\.us$")
NOTICE_KINDS = ("moved", "cancelled", "created")
_OFF = ("off", "none", "no")


def checked_by(parse: Callable[[str], object]) -> Callable[[str], str]:
    """A setting's check: the value as it was when `parse` reads it, else `parse`'s error
    without the variable's name (the parsers name it; the settings' error does already)."""

    def check(raw: str) -> str:
        try:
            parse(raw)
        except ValueError as error:
            raise ValueError(str(error).split(": ", 1)[-1]) from None
        return raw

    return check


check_offsets = checked_by(parse_offsets)
check_quiet = checked_by(parse_quiet)
check_answer_wait = checked_by(lambda raw: parse_duration(raw, "REMINDER_ANSWER_WAIT"))


def check_template(raw: str) -> str:
    return checked_by(TemplateSpec.parse)(raw).strip()


def check_admin_chat(raw: str) -> str:
    """A chat to write to: `79161234567@c.us` (bare digits too) or a group `…@g.us`."""
    if _GROUP.fullmatch(raw):
        return raw
    chat = ChatId.parse(raw)
    if chat is None or chat.phone is None:
        raise ValueError(f"expected a chat id like 79161234567@c.us, got {raw!r}")
    return chat.raw


def notice_policy(raw: str) -> NoticePolicy:
    """`SALON_CHANGE_NOTICES`: "moved,cancelled" (the default), any of moved, cancelled,
    created; "off" for none."""
    if raw.strip().lower() in _OFF:
        return NoticePolicy(moved=False, cancelled=False, created=False)
    kinds = {k.strip().lower() for k in raw.split(",") if k.strip()}
    unknown = kinds - set(NOTICE_KINDS)
    if unknown or not kinds:
        raise ValueError(f"expected some of {', '.join(NOTICE_KINDS)} or off, got {raw!r}")
    return NoticePolicy(**{k: k in kinds for k in NOTICE_KINDS})


def check_notices(raw: str) -> str:
    notice_policy(raw)
    return raw


@dataclasses.dataclass(frozen=True)
class FollowUpConfig:
    """What the settings say (REMINDER_*, WHATSAPP_REMINDER_TEMPLATE, ADMIN_CHAT,
    SALON_CHANGE_NOTICES); the salon's zone is SALON_TIMEZONE, else YClients'."""

    offsets: str = "24h,2h"
    quiet: str = "22:00-09:00"
    answer_wait: str = "3h"
    template: TemplateSpec | None = None
    admin_chat: str | None = None
    notices: NoticePolicy = dataclasses.field(default_factory=NoticePolicy)
    timezone: str | None = None
