"""Console sessions: a signed cookie, and a CSRF token bound to it.

The signing key is derived from ADMIN_TOKEN, so several `webhook` processes behind a
balancer accept each other's cookies without shared storage, and changing the token logs
everybody out. The cookie holds an expiry and a random session id, signed with
HMAC-SHA256; the CSRF token is an HMAC of the session id under the same key. Every
comparison is constant-time.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

SESSION_TTL_S = 12 * 3600  # one working day; then the operator logs in again
COOKIE = "ai_admin_console"
_CONTEXT = b"ai-admin console session v1"


class SessionKeys:
    def __init__(self, admin_token: str, now: Callable[[], float] = time.time) -> None:
        self._key = hmac.new(admin_token.encode("utf-8"), _CONTEXT, hashlib.sha256).digest()
        self._token = admin_token.encode("utf-8")
        self.now = now

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode("ascii"), hashlib.sha256).hexdigest()

    def token_matches(self, given: str) -> bool:
        try:
            received = given.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return False
        return hmac.compare_digest(received, self._token)

    def issue(self) -> str:
        """A new session's cookie value."""
        body = f"{int(self.now()) + SESSION_TTL_S}.{secrets.token_hex(16)}"
        return f"{body}.{self._sign(body)}"

    def session_of(self, cookie: str | None) -> str | None:
        """The session id of a genuine, unexpired cookie; None for anything else."""
        parts = (cookie or "").split(".")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isalnum():
            return None
        expires, sid, signature = parts
        if not hmac.compare_digest(signature.encode(), self._sign(f"{expires}.{sid}").encode()):
            return None
        return sid if int(expires) > self.now() else None

    def csrf(self, sid: str) -> str:
        return self._sign(f"csrf|{sid}")

    def csrf_ok(self, sid: str, given: object) -> bool:
        return isinstance(given, str) and hmac.compare_digest(
            given.encode("utf-8", "surrogateescape"), self.csrf(sid).encode()
        )


class LoginThrottle:
    """At most `failures` wrong tokens a minute from one address (per process)."""

    def __init__(self, failures: int = 10, window_s: float = 60.0) -> None:
        self.failures = failures
        self.window_s = window_s
        self._seen: dict[str, collections.deque[float]] = {}

    def _recent(self, who: str) -> collections.deque[float]:
        seen = self._seen.setdefault(who, collections.deque())
        while seen and seen[0] < time.monotonic() - self.window_s:
            seen.popleft()
        if not seen:
            del self._seen[who]  # no unbounded growth from many addresses
            return collections.deque()
        return seen

    def blocked(self, who: str) -> bool:
        return len(self._recent(who)) >= self.failures

    def failed(self, who: str) -> None:
        self._seen.setdefault(who, collections.deque()).append(time.monotonic())
