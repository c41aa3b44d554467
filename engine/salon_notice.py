"""Telling the salon's people something: a WhatsApp message to `ADMIN_CHAT`.

One small piece shared by everything that needs a person — a hand-off (issue 17), a
reminder nobody answered (issue 16). The text goes through the product's own messenger
(venom or the Cloud API), retried a few times; the caller learns whether it went out, was
refused for good, failed for now, or whether no `ADMIN_CHAT` is configured.
"""

from __future__ import annotations

import asyncio
import dataclasses
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


@dataclasses.dataclass(kw_only=True)
class Retried:
    """Deliveries tried up to `tries` times, `backoff_s` apart, then twice as long, …"""

    tries: int = TRIES
    backoff_s: float = BACKOFF_S
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def retried(self, attempt: Callable[[], Awaitable[Outcome | None]]) -> Outcome:
        """Run `attempt` until it gives an outcome (None: failed for now); FAILED when the
        tries ran out."""
        for n in range(self.tries):
            outcome = await attempt()
            if outcome is not None:
                return outcome
            if n + 1 < self.tries:
                await self.sleep(self.backoff_s * 2**n)
        return Outcome.FAILED


@dataclasses.dataclass
class SalonNotifier(Retried):
    """`notify(text)` writes to the salon's admin chat; without `ADMIN_CHAT` it does nothing."""

    messenger: Messenger
    admin_chat: str | None = dataclasses.field(repr=False)  # a phone's chat, at times

    async def notify(self, text: str) -> Outcome:
        chat = self.admin_chat
        if chat is None:
            return Outcome.OFF

        async def attempt() -> Outcome | None:
            try:
                await self.messenger.send(chat, text)
            except DeliveryError as error:
                log.warning("notice to ADMIN_CHAT %s failed: %s", mask_phone(chat), error)
                return None if error.retryable else Outcome.REFUSED
            return Outcome.SENT

        return await self.retried(attempt)
