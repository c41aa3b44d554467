"""How a reminder reaches WhatsApp: as text (venom; the Cloud API inside the 24-hour
customer service window), or as the approved template (`WHATSAPP_REMINDER_TEMPLATE`) where
the Cloud API allows nothing else [reference C.7].

The window runs from the client's last message (`Batcher.last_inbound_ms`). Meta does not
refuse a text sent outside it on the send call (error 131047 comes back later as a
`failed` status), so the window is kept here, with a margin.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from engine.clock import Clock
from engine.reminders.text import SalonSource, TemplateSpec, reminder_text, template_message
from engine.visit import Visit
from states.ports import DeliveryError, Messenger

WINDOW = timedelta(hours=24)
WINDOW_MARGIN = timedelta(minutes=15)  # a text sent this close to the end may arrive after it


class ReminderDelivery(Protocol):
    """Hands one reminder to WhatsApp; raises `DeliveryError` when it was not taken."""

    async def deliver(self, visit: Visit, ask: bool) -> None: ...


@runtime_checkable
class TemplateMessenger(Messenger, Protocol):
    """A messenger that can also send an approved template (the Cloud API's)."""

    async def send_template(self, chat: str, template: dict[str, Any]) -> None: ...


LastInbound = Callable[[str], Awaitable[int | None]]  # phone -> its last message's ms


class TextDelivery:
    """The reminder as a text message through the messenger (venom always)."""

    def __init__(self, messenger: Messenger, salon: SalonSource, clock: Clock) -> None:
        self.messenger = messenger
        self.salon = salon
        self.clock = clock

    async def deliver(self, visit: Visit, ask: bool) -> None:
        salon = await self.salon.info()
        text = reminder_text(visit, salon, self.clock.now(), lang=visit.language, ask=ask)
        await self.messenger.send(visit.chat, text)


class CloudDelivery(TextDelivery):
    """The Cloud API: text inside the 24-hour window, the template outside it (it always
    asks to confirm: an approved template's body cannot change). Without a template a
    reminder outside the window cannot be sent at all: refused for good, so it is
    `failed` (and counted) rather than silently lost."""

    def __init__(
        self,
        messenger: TemplateMessenger,
        salon: SalonSource,
        clock: Clock,
        last_inbound_ms: LastInbound,
        template: TemplateSpec | None,
    ) -> None:
        super().__init__(messenger, salon, clock)
        self.cloud = messenger
        self.last_inbound_ms = last_inbound_ms
        self.template = template

    async def in_window(self, phone: str) -> bool:
        last = await self.last_inbound_ms(phone)
        open_for = (WINDOW - WINDOW_MARGIN) / timedelta(milliseconds=1)
        return last is not None and self.clock.now_ms() - last < open_for

    async def deliver(self, visit: Visit, ask: bool) -> None:
        if await self.in_window(visit.phone):
            await super().deliver(visit, ask)
            return
        if self.template is None:
            raise DeliveryError(
                "outside the Cloud API's 24-hour window and WHATSAPP_REMINDER_TEMPLATE is unset",
                retryable=False,
            )
        salon = await self.salon.info()
        message = template_message(self.template, visit, salon, self.clock.now())
        await self.cloud.send_template(visit.chat, message)
