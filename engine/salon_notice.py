"""Telling the salon's people something: a WhatsApp message to `ADMIN_CHAT`.

One small piece shared by everything that needs a person — a hand-off (issue 17), a
reminder nobody answered (issue 16). The text goes through the product's own messenger
(venom or the Cloud API), retried a few times; the caller learns whether it went out, was
refused for good, failed for now, or whether no `ADMIN_CHAT` is configured.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable

from states.masking import mask_phone
from states.ports import DeliveryError, Messenger

log = logging.getLogger(__name__)

TRIES = 3
BACKOFF_S = 0.5


class Outcome(enum.StrEnum):
    SENT = "sent"
    OFF = "off"  # not configured: nothing to do
    REFUSED = "refused"  # refused for good (a bad chat id, a closed window): retrying cannot help
    FAILED = "failed"  # not taken now; a later try may succeed

    @property
    def done(self) -> bool:
        return self is not Outcome.FAILED


class SalonNotifier:
    """`notify(text)` writes to the salon's admin chat; without `ADMIN_CHAT` it does nothing."""

    def __init__(
        self,
        messenger: Messenger,
        admin_chat: str | None,
        tries: int = TRIES,
        backoff_s: float = BACKOFF_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.messenger = messenger
        self.admin_chat = admin_chat
        self.tries = tries
        self.backoff_s = backoff_s
        self.sleep = sleep

    async def notify(self, text: str) -> Outcome:
        if self.admin_chat is None:
            return Outcome.OFF
        for attempt in range(self.tries):
            try:
                await self.messenger.send(self.admin_chat, text)
                return Outcome.SENT
            except DeliveryError as error:
                log.warning(
                    "notice to ADMIN_CHAT %s failed: %s", mask_phone(self.admin_chat), error
                )
                if not error.retryable:
                    return Outcome.REFUSED
            if attempt + 1 < self.tries:
                await self.sleep(self.backoff_s * 2**attempt)
        return Outcome.FAILED
