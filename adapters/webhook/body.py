"""Reading a request body the service can trust: bounded in time, size, depth and digits.

Whatever a client sends ends in a 4xx, never a 5xx (interface contract, issue 11):
- a body not received within the read timeout → 408 (a slow client holds nothing);
- past the app's size limit → 413;
- not UTF-8 JSON, nested deeper than `MAX_DEPTH`, or an integer longer than
  `MAX_INT_DIGITS` (Python refuses int strings past 4,300 digits with a ValueError) → 400;
- a lone surrogate (`"\\ud800"`, legal JSON, not encodable text) becomes U+FFFD: Meta
  retries a refused Cloud post for days, so a readable message is better than a refusal.
"""

from __future__ import annotations

import asyncio
import json
import re

from aiohttp import hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

from states.errors import PayloadError

MAX_DEPTH = 64  # arrays and objects inside each other; real payloads use fewer than 10
MAX_INT_DIGITS = 40  # ids and timestamps have at most 20
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# An escaped surrogate anywhere in the text: only then can a string hold a lone one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class BodyRefused(Exception):
    """The body could not be read; `status` is the 4xx to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_FORM_METHODS = ("POST", "PUT", "PATCH")  # aiohttp reads forms of these only


async def read_body(request: web.Request, timeout_s: float) -> bytes:
    """The raw body, or BodyRefused(408 | 413)."""
    try:
        if request.content.is_eof():  # all of it has arrived: nothing to wait for
            return await request.read()
        async with asyncio.timeout(timeout_s):
            return await request.read()
    except TimeoutError:
        raise BodyRefused(408, f"request body not received within {timeout_s:g} s") from None
    except web.HTTPRequestEntityTooLarge:
        raise BodyRefused(413, "request body too large") from None


async def receive_whole(request: web.Request, timeout_s: float) -> None:
    """Receive the body before any handler runs (aiohttp keeps it for the handler): the
    raw bytes, or for a form its fields, which aiohttp parses from the stream. BodyRefused
    408 | 413 as `read_body`, and 400 for a form aiohttp cannot parse (bad UTF-8, an
    unknown charset, a broken multipart part)."""
    # "form" in the raw header first: parsing it (`content_type`) costs more.
    form = "form" in request.headers.get(hdrs.CONTENT_TYPE, "").lower()
    if not form or request.content_type not in _FORMS or request.method not in _FORM_METHODS:
        if request.body_exists:
            await read_body(request, timeout_s)
        return  # an empty form too is parsed below: aiohttp refuses some with ValueError
    try:
        async with asyncio.timeout(timeout_s):
            await request.post()
    except TimeoutError:
        raise BodyRefused(408, f"request body not received within {timeout_s:g} s") from None
    except web.HTTPRequestEntityTooLarge:
        raise BodyRefused(413, "request body too large") from None
    except (ValueError, LookupError, HttpProcessingError):  # bad bytes, charset, part head
        raise BodyRefused(400, "request form cannot be read") from None


def parse_json(raw: bytes) -> object:
    """The JSON value of `raw`; PayloadError (a 400) for anything the service cannot read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("body is not valid JSON (not UTF-8)") from None
    try:
        value = _DECODER.decode(text)
    except RecursionError:  # deeper than the C parser goes; MAX_DEPTH is far below it
        raise PayloadError(f"body is nested deeper than {MAX_DEPTH} levels") from None
    except (json.JSONDecodeError, ValueError):
        raise PayloadError("body is not valid JSON") from None
    if text.count("[") + text.count("{") > MAX_DEPTH or _SURROGATE_ESCAPE.search(text):
        value = _checked(value, 0)
    return value


def _bounded_int(digits: str) -> int:
    if len(digits) > MAX_INT_DIGITS:
        raise PayloadError(f"body has a number longer than {MAX_INT_DIGITS} digits")
    return int(digits)


# Built once (`json.loads` with `parse_int` builds a decoder per call).
_DECODER = json.JSONDecoder(parse_int=_bounded_int)


def _checked(value: object, depth: int) -> object:
    """`value` with lone surrogates replaced; PayloadError past MAX_DEPTH (recursion ≤ 65)."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list | dict):
        if depth >= MAX_DEPTH:
            raise PayloadError(f"body is nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, list):
            return [_checked(item, depth + 1) for item in value]
        return {
            _LONE_SURROGATE.sub("\ufffd", key): _checked(item, depth + 1)
            for key, item in value.items()
        }
    return value
