"""Turn a YClients error answer into a typed `SalonError`.

[APIB]/[GEN] show four body shapes, all of which occur, so parsing is defensive:
1. envelope with a message: `{"success": false, "data": null, "meta": {"message": "..."}}`
2. envelope with field errors: `meta.errors` as a dict field -> [messages] ([APIB]),
   a list of {field: message} ([GEN]) or a list of {code, message} (Altegio client)
3. booking form: `{"errors": {"code": 433, "id": 2, "message": "..."}}` ([APIB] book_check)
4. a body that is not JSON: the raw text is the message.
The HTTP status decides first ([APIB] has 403/404 examples with `success: true`).
"""

from __future__ import annotations

import json
from typing import Any

from states.salon_errors import (
    BOOKING_ERRORS_BY_CODE,
    BookingRejected,
    RequestRejected,
    SalonAuthError,
    SalonError,
    SalonNotFound,
    ScheduleUnavailable,
)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


class ParsedError:
    """What an error body says, whatever its shape."""

    def __init__(self) -> None:
        self.message = ""
        self.code: int | None = None
        self.appointment_id: int | None = None
        self.field_errors: dict[str, tuple[str, ...]] = {}

    def add_field(self, field: str, messages: Any) -> None:
        if isinstance(messages, list | tuple):
            texts = tuple(str(m) for m in messages)
        else:
            texts = (str(messages),)
        self.field_errors[field] = self.field_errors.get(field, ()) + texts


def _read_booking_form(errors: dict[str, Any], parsed: ParsedError) -> None:
    # Shape 3: {"errors": {"code": 433, "id": 2, "message": "..."}}
    parsed.code = _as_int(errors.get("code"))
    parsed.appointment_id = _as_int(errors.get("id"))
    parsed.message = str(errors.get("message") or parsed.message)


def _read_meta_errors(errors: Any, parsed: ParsedError) -> None:
    if isinstance(errors, dict):  # [APIB] {"filters": ["..."]}
        for field, messages in errors.items():
            parsed.add_field(str(field), messages)
        return
    if not isinstance(errors, list):
        return
    for item in errors:
        if not isinstance(item, dict):
            parsed.add_field("_", item)
        elif "code" in item or "message" in item:  # Altegio {code, message}
            code = _as_int(item.get("code"))
            if parsed.code is None and code is not None:
                parsed.code = code
            if parsed.appointment_id is None:
                parsed.appointment_id = _as_int(item.get("id"))
            parsed.add_field(str(item.get("code", "_")), item.get("message", ""))
            parsed.message = parsed.message or str(item.get("message") or "")
        else:  # [GEN] [{field: message}]
            for field, messages in item.items():
                parsed.add_field(str(field), messages)


def parse_error_body(text: str) -> ParsedError:
    """Read any of the four shapes; never raises."""
    parsed = ParsedError()
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError:
        parsed.message = text.strip()[:500]  # shape 4
        return parsed
    if not isinstance(body, dict):
        parsed.message = text.strip()[:500]
        return parsed
    meta = body.get("meta")
    if isinstance(meta, dict):
        parsed.message = str(meta.get("message") or "")
        _read_meta_errors(meta.get("errors"), parsed)
    errors = body.get("errors")
    if isinstance(errors, dict) and ("code" in errors or "message" in errors):
        _read_booking_form(errors, parsed)
    elif errors is not None:
        _read_meta_errors(errors, parsed)
    if not parsed.message and isinstance(body.get("message"), str):
        parsed.message = body["message"]
    return parsed


def error_for(status: int, text: str, *, what: str) -> SalonError:
    """The typed error for one answer; `what` names the call, e.g. "POST book_record"."""
    parsed = parse_error_body(text)
    message = parsed.message or f"{what}: HTTP {status}"
    kwargs: dict[str, Any] = {
        "status": status,
        "code": parsed.code,
        "appointment_id": parsed.appointment_id,
        "field_errors": parsed.field_errors,
    }
    booking_error = BOOKING_ERRORS_BY_CODE.get(parsed.code or 0)
    if booking_error is not None:
        return booking_error(message, **kwargs)
    if status in (401, 402, 403):
        return SalonAuthError(message, **kwargs)
    if status == 404:
        return SalonNotFound(message, **kwargs)
    if status == 429 or status >= 500:
        return ScheduleUnavailable(message, **kwargs)
    if "/book_check/" in what or "/book_record/" in what:
        # A validation refusal of a booking (e.g. 422 for a missing staff_id) is still a
        # refused booking for the dialogue.
        return BookingRejected(message, **kwargs)
    return RequestRejected(message, **kwargs)
