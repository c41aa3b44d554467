"""The messenger of last resort (and of the demo): replies are written to the log."""

from __future__ import annotations

import logging

from states.masking import mask_phone
from states.menus import Menu
from states.ports import WithoutReceipts

log = logging.getLogger("ai_admin.reply")


class LogMessenger(WithoutReceipts):
    async def send(self, chat: str, text: str, menu: Menu | None = None) -> None:
        log.info("reply to %s: %s", mask_phone(chat), text)
