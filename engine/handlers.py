"""Batch handlers that are not the dialogue engine."""

from __future__ import annotations

import logging

from engine.batcher import Batch
from states.masking import mask_phone
from states.ports import Messenger

log = logging.getLogger(__name__)


class LoggingHandler:
    """Logs each merged turn; stands in until the dialogue engine is wired into the worker."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger

    async def handle(self, batch: Batch) -> None:
        text = " · ".join(m.body for m in batch.messages if m.is_text)
        log.info(
            "turn for %s: %d message(s): %s", mask_phone(batch.phone), len(batch.messages), text
        )
