"""The WhatsApp Cloud API webhook body, validated at the boundary.

[Meta] webhooks overview: one POST may carry several `entry[] × changes[]`, each with
`value.messages[]` (client messages) or `value.statuses[]` (delivery receipts of our own
replies). `from` is bare digits, `timestamp` a string of Unix seconds, `id` a `wamid.…`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from states.errors import PayloadError
from states.masking import mask_phone
from states.messages import ChatId, InboundMessage

log = logging.getLogger(__name__)
_Read = TypeVar("_Read", bound=BaseModel)

# Events that arrive as `messages[]` but are not something the client asked us:
# a reaction to one of our replies, or "the user changed their number" [Meta messages
# webhook reference]. Answering them with "only text is understood" would be noise.
SILENT_TYPES = frozenset({"reaction", "system"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Profile(_Model):
    name: StrictStr | None = None


class Contact(_Model):
    wa_id: StrictStr | None = None
    profile: Profile | None = None


class Text(_Model):
    body: StrictStr


class Button(_Model):
    """A tap on a template's quick-reply button: `type: "button"`, `button.text`."""

    text: StrictStr


class Choice(_Model):
    id: StrictStr | None = None
    title: StrictStr


class Interactive(_Model):
    """A tap on an interactive reply button or list row [reference C.7]: its id names what
    the client chose (`states.menus`), its title is how it read."""

    button_reply: Choice | None = None
    list_reply: Choice | None = None


class CloudMessage(_Model):
    id: StrictStr = Field(min_length=1)
    from_: StrictStr = Field(alias="from", min_length=1)
    type: StrictStr = Field(min_length=1)
    timestamp: StrictStr | None = None
    text: Text | None = None
    button: Button | None = None
    interactive: Interactive | None = None

    def chosen_text(self) -> str | None:
        """What the client wrote or tapped, when it reads as text; None otherwise."""
        if self.type == "text":
            return self.text.body if self.text else None
        if self.type == "button" and self.button:
            return self.button.text
        if self.type == "interactive" and self.interactive:
            choice = self.interactive.button_reply or self.interactive.list_reply
            return choice.title if choice else None
        return None

    def choice_id(self) -> str | None:
        """The id of the tapped list row or reply button, if this is such a tap."""
        if self.type != "interactive" or self.interactive is None:
            return None
        choice = self.interactive.button_reply or self.interactive.list_reply
        return choice.id[:200] if choice and choice.id else None


class MessagesValue(_Model):
    messaging_product: StrictStr | None = None
    contacts: list[Contact] = []
    messages: list[CloudMessage] = []
    statuses: list[dict[str, Any]] = []


class Change(_Model):
    field: StrictStr
    value: dict[str, Any]


class Entry(_Model):
    id: StrictStr | None = None
    changes: list[Change]


class CloudWebhook(_Model):
    object: Literal["whatsapp_business_account"]
    entry: list[Entry]


@dataclasses.dataclass(frozen=True)
class Inbound:
    """One client message to queue under its conversation key."""

    chat: ChatId
    message: InboundMessage


@dataclasses.dataclass
class Parsed:
    inbound: list[Inbound] = dataclasses.field(default_factory=list)
    ignored: int = 0  # statuses, other fields, reactions, senders we cannot talk to


def _validated(model: type[_Read], data: object, where: str = "") -> _Read:
    """`data` read as `model`, else a PayloadError naming the first field that is off (its
    path in the webhook starts with `where`)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise PayloadError(f"{where}{field or 'body'}: {first['msg']}") from None


def _timestamp_s(raw: str | None, now_s: float) -> float:
    if raw is None:
        return now_s
    try:
        return float(raw)
    except ValueError:
        raise PayloadError(f"messages.timestamp: not Unix seconds: {raw[:20]!r}") from None


def read_cloud_webhook(data: object, now_s: float | None = None) -> Parsed:
    """Every client message of a Cloud API webhook, in payload order; PayloadError if malformed."""
    if not isinstance(data, dict):
        raise PayloadError("body must be a JSON object (a WhatsApp Cloud API webhook)")
    hook = _validated(CloudWebhook, data)
    now = time.time() if now_s is None else now_s
    parsed = Parsed()
    for e, entry in enumerate(hook.entry):
        for c, change in enumerate(entry.changes):
            if change.field != "messages":
                parsed.ignored += 1  # e.g. template or account updates: nothing to answer
                continue
            value = _validated(MessagesValue, change.value, f"entry.{e}.changes.{c}.value.")
            parsed.ignored += len(value.statuses)  # receipts of our own replies
            names = {k.wa_id: k.profile.name for k in value.contacts if k.wa_id and k.profile}
            for message in value.messages:
                inbound = _inbound(message, names, now)
                if inbound is None:
                    parsed.ignored += 1
                else:
                    parsed.inbound.append(inbound)
    return parsed


def _inbound(message: CloudMessage, names: dict[str, str | None], now_s: float) -> Inbound | None:
    if message.type in SILENT_TYPES:
        return None
    chat = ChatId.parse(message.from_)
    if chat is None:
        log.warning("cloud message from an unusable sender %s ignored", mask_phone(message.from_))
        return None
    text = message.chosen_text()
    if message.type == "text" and text is None:
        raise PayloadError("messages.text.body: required for a text message")
    name = (names.get(message.from_) or "").strip() or None
    return Inbound(
        chat=chat,
        message=InboundMessage(
            id=message.id,
            chat=chat.raw,
            # A typed text, a tapped button or list row are all text to the dialogue;
            # anything else keeps its own type and gets the polite "text only" answer.
            type="chat" if text is not None else message.type,
            body=text or "",
            timestamp_s=_timestamp_s(message.timestamp, now_s),
            pushname=name,
            choice=message.choice_id(),
        ),
    )
