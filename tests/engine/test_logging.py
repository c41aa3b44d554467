"""Logs are JSON lines with phone numbers and secrets masked, whatever the call site did."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

from engine.logging_setup import MaskingFormatter, mask_text
from states.masking import ANY_DIGIT


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("ai_admin.test", logging.INFO, __file__, 1, message, args, None)


def test_phones_and_secrets_are_masked_in_json() -> None:
    formatter = MaskingFormatter(["partner-s3cret-token"], as_json=True)
    line = formatter.format(
        record(
            "booked %s for +79161234567 with token %s", "79035556677@c.us", "partner-s3cret-token"
        )
    )
    entry = json.loads(line)
    assert entry["level"] == "INFO" and entry["logger"] == "ai_admin.test"
    assert "79161234567" not in line and "79035556677" not in line
    assert "partner-s3cret-token" not in line and "***" in entry["msg"]
    assert "+791******67" in entry["msg"]  # enough to tell chats apart, not to call


def test_short_ids_are_kept() -> None:
    assert mask_text("record 600000008 staff 3413963", []) == "record 600000008 staff 3413963"


def test_tracebacks_are_masked_too() -> None:
    formatter = MaskingFormatter([], as_json=True)
    try:
        raise ValueError("bad phone 79161234567")
    except ValueError:
        rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert "79161234567" not in formatter.format(rec)


def test_the_service_logs_json_with_the_token_masked() -> None:
    code = (
        "from engine.logging_setup import configure_logging; from engine.settings import Settings;"
        "import logging; configure_logging(Settings.from_mapping({'ADMIN_TOKEN': 'adm-s3cret'}));"
        "logging.getLogger('ai_admin').warning('auth with adm-s3cret from 79161234567')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert "adm-s3cret" not in result.stderr and "79161234567" not in result.stderr
    assert entry["level"] == "WARNING"


def test_the_masking_digit_class_covers_every_character_python_calls_a_digit() -> None:
    digits = (chr(c) for c in range(sys.maxunicode + 1) if chr(c).isdigit())
    assert [hex(ord(d)) for d in digits if not ANY_DIGIT.fullmatch(d)] == []
