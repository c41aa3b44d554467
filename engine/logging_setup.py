"""Structured logs: one JSON object per line, phone numbers and secrets masked.

Masking is applied to the final text of every record (message, arguments and traceback),
so a phone number or token that slips into a log call anywhere never leaves in clear.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from engine.settings import Settings
from states.masking import mask_phones_in_text


def mask_text(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return mask_phones_in_text(text)


class MaskingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], as_json: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        # Longest first, so a token that contains another is replaced whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        if not self.as_json:
            return mask_text(super().format(record), self.secrets)
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": mask_text(record.getMessage(), self.secrets),
        }
        if record.exc_info:
            entry["exc"] = mask_text(self.formatException(record.exc_info), self.secrets)
        return json.dumps(entry, ensure_ascii=False)


def secrets_of(settings: Settings) -> list[str]:
    values = [
        settings.yclients_partner_token,
        settings.yclients_user_token,
        settings.openai_api_key,
        settings.whatsapp_token,
        settings.whatsapp_app_secret,
        settings.whatsapp_verify_token,
        settings.webhook_token,
        settings.admin_token,
        settings.yclients_webhook_secret,  # it is in the webhook's URL path
    ]
    return [v for v in values if v]


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MaskingFormatter(secrets_of(settings), settings.log_format == "json"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # pytransitions narrates every callback at INFO; only its warnings matter to us.
    logging.getLogger("transitions").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
