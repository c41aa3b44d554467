"""Token checks for the edges, in constant time."""

from __future__ import annotations

import hmac

from aiohttp import web


def wire_bytes(value: str) -> bytes:
    """A header value as the bytes the client sent.

    aiohttp decodes header bytes as UTF-8 with `surrogateescape`, so a byte that is not
    UTF-8 (0xff) arrives as a lone surrogate, which a plain `.encode()` refuses with a
    UnicodeEncodeError — a 500 for a bad token (issue 11). Compare bytes instead.
    """
    return value.encode("utf-8", "surrogateescape")


def tokens_equal(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a received value with ours; any byte is allowed."""
    if given is None:
        return False
    try:
        received = wire_bytes(given)
    except UnicodeEncodeError:  # a surrogate that did not come from the wire: no match
        return False
    return hmac.compare_digest(received, expected.encode("utf-8"))


def require_webhook_token(request: web.Request, expected: str | None) -> None:
    """`WEBHOOK_TOKEN` set: the venom webhooks need header `X-Webhook-Token`."""
    if expected is not None and not tokens_equal(request.headers.get("X-Webhook-Token"), expected):
        raise web.HTTPUnauthorized(
            text='{"error": "missing or wrong X-Webhook-Token"}', content_type="application/json"
        )


def require_admin_token(request: web.Request, expected: str | None) -> None:
    """`ADMIN_TOKEN` set: stats, deletes and /conversations need `Authorization: Bearer`."""
    if expected is None:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not tokens_equal(token.strip(), expected):
        raise web.HTTPUnauthorized(
            text='{"error": "missing or wrong bearer token"}',
            content_type="application/json",
            headers={"WWW-Authenticate": "Bearer"},
        )
