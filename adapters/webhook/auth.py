"""Token checks for the edges, in constant time."""

from __future__ import annotations

import hmac

from aiohttp import web


def _equal(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def require_webhook_token(request: web.Request, expected: str | None) -> None:
    """`WEBHOOK_TOKEN` set: the venom webhooks need header `X-Webhook-Token`."""
    if expected is not None and not _equal(request.headers.get("X-Webhook-Token"), expected):
        raise web.HTTPUnauthorized(
            text='{"error": "missing or wrong X-Webhook-Token"}', content_type="application/json"
        )


def require_admin_token(request: web.Request, expected: str | None) -> None:
    """`ADMIN_TOKEN` set: stats, deletes and /conversations need `Authorization: Bearer`."""
    if expected is None:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not _equal(token.strip(), expected):
        raise web.HTTPUnauthorized(
            text='{"error": "missing or wrong bearer token"}',
            content_type="application/json",
            headers={"WWW-Authenticate": "Bearer"},
        )
