"""The strict base of the transcript format and its small readers (docs/transcripts.md)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

DEFAULT_PHONE = "79990001122"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class TranscriptError(Exception):
    """A transcript file that cannot be read; the message names the file and the key."""


def seconds(value: float | str) -> float:
    """`8d`, `90s`, `2h`, `15m`, `500ms` or a number of seconds."""
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(value)
    if match is None:
        raise ValueError(f"not a duration: {value!r} (use e.g. 3, 90s, 15m, 2h, 8d)")
    return float(match.group(1)) * _UNIT_S[match.group(2) or "s"]


def listed(value: Any) -> Any:
    """A single string where a list of strings is expected is a one-item list."""
    return [value] if isinstance(value, str) else value


LOCAL_MOMENT = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"  # "2025-07-24 18:00", the salon's zone


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
