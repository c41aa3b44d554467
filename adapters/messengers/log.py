"""The messenger of last resort (and of the demo): replies are written to the log."""

from __future__ import annotations

import logging

from states.masking import mask_phone

log = logging.getLogger("ai_admin.reply")


class LogMessenger:
    async def send(self, chat: str, text: str) -> None:
        log.info("reply to %s: %s", mask_phone(chat), text)
