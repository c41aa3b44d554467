"""Hand-offs POSTed to the salon's own system: `HANDOFF_WEBHOOK_URL` (issue 17).

The body is JSON; `X-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the exact body
bytes keyed with `HANDOFF_WEBHOOK_SECRET` (the scheme Meta and GitHub use), so the
receiver can check the sender before it trusts a phone number. Any 2xx is taken; 5xx,
408, 429 and network failures are tried again with backoff; another 4xx is refused for
good. Delivery is at least once: the event's `id` lets the receiver drop a repeat.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from engine.salon_notice import BACKOFF_S, TRIES, Outcome

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Signature-256"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class HandoffWebhook:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        secret: str,
        timeout_s: float = 10.0,
        tries: int = TRIES,
        backoff_s: float = BACKOFF_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.session = session
        self.url = url
        self._secret = secret
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.tries = tries
        self.backoff_s = backoff_s
        self.sleep = sleep

    def __repr__(self) -> str:  # the secret stays out of any log line that prints us
        return f"HandoffWebhook(url={self.url!r})"

    async def post(self, event: dict[str, Any]) -> Outcome:
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(self._secret, body),
        }
        for attempt in range(self.tries):
            try:
                async with self.session.post(
                    self.url, data=body, headers=headers, timeout=self.timeout
                ) as response:
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("hand-off webhook unreachable: %s", type(exc).__name__)
            else:
                if 200 <= status < 300:
                    return Outcome.SENT
                log.warning("hand-off webhook answered %d", status)
                if status < 500 and status not in (408, 429):
                    return Outcome.REFUSED
            if attempt + 1 < self.tries:
                await self.sleep(self.backoff_s * 2**attempt)
        return Outcome.FAILED
