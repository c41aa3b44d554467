"""Masking for logs: no phone number or secret is ever written in clear."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d{7,}")


def mask_phone(value: str) -> str:
    """`79161234567@c.us` -> `7916*****67@c.us`: enough to tell chats apart, not to call."""
    return _DIGITS.sub(lambda m: m.group()[:4] + "*" * (len(m.group()) - 6) + m.group()[-2:], value)


def mask_secret(value: str | None) -> str:
    if not value:
        return "<unset>"
    return value[:2] + "***" if len(value) > 8 else "***"
