"""Masking for logs: no phone number or secret is ever written in clear."""

from __future__ import annotations

import re

# Any character Python calls a digit: decimal digits of every script (`\d`: ٧, ७, ７…) and
# the other `str.isdigit()` ones (superscripts, subscripts, circled digits…). A phone in
# any of them is masked like an ASCII one (tests/engine/test_logging.py checks the class
# against every code point).
_ANY_DIGIT = (
    r"\d\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468"
    r"\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788"
    r"\u278a-\u2792\U00010a40-\U00010a43\U00010e60-\U00010e68\U00011052-\U0001105a"
    r"\U0001f100-\U0001f10a"
)
ANY_DIGIT = re.compile(f"[{_ANY_DIGIT}]")
_DIGITS = re.compile(f"[{_ANY_DIGIT}]{{7,}}")
# In free text (log lines) only 10–15 digits are taken for phones: record and staff ids
# (9 digits and fewer) stay readable.
_PHONE_IN_TEXT = re.compile(f"(?<![{_ANY_DIGIT}])\\+?[{_ANY_DIGIT}]{{10,15}}(?![{_ANY_DIGIT}])")


def _hide(match: re.Match[str]) -> str:
    digits = match.group()
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


def mask_phone(value: str) -> str:
    """`79161234567@c.us` -> `7916*****67@c.us`: enough to tell chats apart, not to call."""
    return _DIGITS.sub(_hide, value)


def mask_phones_in_text(text: str) -> str:
    return _PHONE_IN_TEXT.sub(_hide, text)
