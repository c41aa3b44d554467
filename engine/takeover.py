"""A person takes a chat over, and hands it back (issue 17): `states.ports.Takeover`.

Every way in comes through here, so each is recorded the same way in the conversation's
timeline: the salon answering from its own WhatsApp (venom `fromMe`), the admin API, the
`ai-admin pause`/`resume` commands and the operator console (which also writes to the
client as the salon).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime

from engine.activity import ConversationActivity
from engine.console_views import moment
from engine.echoes import SentTexts
from engine.pauses import PauseStore, Reason
from engine.redis_conn import storage
from states.masking import mask_phone
from states.messages import ChatId
from states.ports import Messenger

log = logging.getLogger(__name__)

SHOWN_CHARS = 1000  # what the timeline keeps of a person's message


@dataclasses.dataclass
class Takeovers:
    pauses: PauseStore
    sent: SentTexts
    activity: ConversationActivity
    messenger: Messenger | None = None  # the product's (echo-noting) messenger, for `send`

    async def salon_wrote(self, phone: str, text: str) -> datetime | None:
        with storage():
            if await self.sent.take(phone, text):
                return None  # the gateway's echo of what the bot sent
            applied = await self.pauses.person_answered(phone, Reason.SALON_REPLY)
            await self.activity.note_action(phone, "salon_reply", text[:SHOWN_CHARS])
        log.info("the salon answered %s itself: the bot keeps quiet", mask_phone(phone))
        return moment(applied.until_ms)

    async def pause(self, phone: str, for_s: int | None) -> datetime:
        with storage():
            applied = await self.pauses.pause(phone, for_s)
            until = moment(applied.until_ms)
            await self.activity.note_action(phone, "pause", until.isoformat())
        return until

    async def resume(self, phone: str) -> None:
        with storage():
            await self.pauses.resume(phone)
            await self.activity.note_action(phone, "resume")

    async def paused_until(self, phone: str) -> datetime | None:
        return await self.pauses.paused_until(phone)

    async def send_as_salon(self, phone: str, chat: str | None, text: str) -> datetime:
        """Write to the client as the salon: the bot keeps quiet first (a reply of its
        own must not cross the person's), then the text goes out through the messenger;
        DeliveryError when the gateway did not take it (the pause stays)."""
        if self.messenger is None:
            raise RuntimeError("no messenger to send with")
        applied = await self.pauses.person_answered(phone, Reason.OPERATOR)
        await self.messenger.send(chat or ChatId.from_key(phone).raw, text)
        await self.activity.note_action(phone, "send", text[:SHOWN_CHARS])
        return moment(applied.until_ms)
