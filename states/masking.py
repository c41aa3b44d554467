"""Masking for logs: no phone number or secret is ever written in clear."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d{7,}")
# In free text (log lines) only 10–15 digits are taken for phones: record and staff ids
# (9 digits and fewer) stay readable.
_PHONE_IN_TEXT = re.compile(r"(?<!\d)\+?\d{10,15}(?!\d)")


def _hide(match: re.Match[str]) -> str:
    digits = match.group()
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


def mask_phone(value: str) -> str:
    """`79161234567@c.us` -> `7916*****67@c.us`: enough to tell chats apart, not to call."""
    return _DIGITS.sub(_hide, value)


def mask_phones_in_text(text: str) -> str:
    return _PHONE_IN_TEXT.sub(_hide, text)


def mask_secret(value: str | None) -> str:
    if not value:
        return "<unset>"
    return value[:2] + "***" if len(value) > 8 else "***"
