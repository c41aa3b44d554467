"""Meta's webhook checks: the verify-token handshake and `X-Hub-Signature-256`."""

from __future__ import annotations

import hashlib
import hmac

from adapters.webhook.auth import tokens_equal

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def expected_signature(raw_body: bytes, app_secret: str) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the raw body keyed with the App Secret [Meta C.2]."""
    digest = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def signature_matches(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """Constant-time check of the header against the exact bytes received.

    [Meta] the signature is over the raw body: re-serialised JSON differs on emoji and
    non-ASCII text, so the check must never see a parsed-and-dumped body.
    """
    if header is None or not header.startswith(_PREFIX):
        return False
    given = header[len(_PREFIX) :].strip().lower()
    return tokens_equal(given, expected_signature(raw_body, app_secret)[len(_PREFIX) :])


def verify_token_matches(given: str | None, expected: str | None) -> bool:
    """The handshake's `hub.verify_token` against ours, in constant time; unset never matches."""
    return bool(expected) and tokens_equal(given, expected or "")
