"""What the bot sent, so the venom gateway's echo of it is not taken for the salon's person.

venom reports every message of the salon's WhatsApp, its own included, as `fromMe: true`
(interface contract); a message the salon's person types pauses the bot, an echo of the
bot's own reply must not. The gateway's send contract returns no message id, so the echo
is recognised by its text: every text is noted for its chat *before* it is sent (the echo
may reach the webhook before the gateway answers the send), and an echo takes its note
away, so the same words typed later by a person still count.

`EchoNotingMessenger` wraps the product's messenger once, in the composition root, so
every sender — replies, reminders, notices to the salon, the console's messages — is noted.
"""

from __future__ import annotations

import hashlib
from typing import Any

from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.reminders.delivery import TemplateMessenger
from states.menus import Menu
from states.messages import ChatId
from states.ports import Messenger

SENT_KEEP_S = 24 * 3600  # a gateway that replays its queue after a day is not an echo

# Take one note of a text, if there is one: 1 when the text was the bot's.
_TAKE = """
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if n <= 0 then return 0 end
if n == 1 then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
end
return 1
"""


def fingerprint(text: str) -> str:
    """The same for the text as sent and as the gateway echoes it back (line ends and
    surrounding blanks may change on the way)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n")]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


class SentTexts:
    def __init__(self, redis: AsyncRedis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys
        self._take = redis.register_script(_TAKE)

    async def note(self, chat: str, text: str) -> None:
        parsed = ChatId.parse(chat)
        if parsed is None:
            return  # not a chat whose echo could pause anything
        key = self.keys.phone_keys(parsed.key).sent
        pipe = self.redis.pipeline(transaction=False)
        pipe.hincrby(key, fingerprint(text), 1)
        pipe.expire(key, SENT_KEEP_S)
        await pipe.execute()

    async def take(self, phone: str, text: str) -> bool:
        """True (and the note is used up) when the bot sent this text to the chat lately."""
        key = self.keys.phone_keys(phone).sent
        return bool(int(await self._take(keys=[key], args=[fingerprint(text)])))


class EchoNotingMessenger:
    """The product's messenger, with every text noted before it goes out."""

    def __init__(self, inner: Messenger, sent: SentTexts) -> None:
        self.inner = inner
        self.sent = sent

    async def send(self, chat: str, text: str, menu: Menu | None = None) -> None:
        await self.sent.note(chat, text)
        await self.inner.send(chat, text, menu)

    async def send_noted(self, chat: str, text: str, menu: Menu | None = None) -> None:
        """Send a text the caller noted already (the outbox notes it in the script that
        clears the reply to go: engine/lua/outbox_ready.lua)."""
        await self.inner.send(chat, text, menu)

    async def mark_read(self, chat: str, message_id: str) -> None:
        await self.inner.mark_read(chat, message_id)


class EchoNotingTemplateMessenger(EchoNotingMessenger):
    """The same over the Cloud API, whose approved templates pass through (a template is
    never echoed: only venom reports the bot's own messages)."""

    def __init__(self, inner: TemplateMessenger, sent: SentTexts) -> None:
        super().__init__(inner, sent)
        self.templates = inner

    async def send_template(self, chat: str, template: dict[str, Any]) -> None:
        await self.templates.send_template(chat, template)


def echo_noting(inner: Messenger, sent: SentTexts) -> EchoNotingMessenger:
    """`inner` with every text noted; templates pass through where `inner` sends them."""
    if isinstance(inner, TemplateMessenger):
        return EchoNotingTemplateMessenger(inner, sent)
    return EchoNotingMessenger(inner, sent)
