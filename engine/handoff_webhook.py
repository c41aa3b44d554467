"""Hand-offs POSTed to the salon's own system: `HANDOFF_WEBHOOK_URL` (issue 17).

The body is JSON; `X-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the exact body
bytes keyed with `HANDOFF_WEBHOOK_SECRET` (the scheme Meta and GitHub use), so the
receiver can check the sender before it trusts a phone number. Any 2xx is taken; 5xx,
408, 429 and network failures are tried again with backoff; another 4xx is refused for
good. Delivery is at least once: the event's `id` lets the receiver drop a repeat.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
from typing import Any

import aiohttp

from engine.salon_notice import Outcome, Retried

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Signature-256"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclasses.dataclass
class HandoffWebhook(Retried):
    session: aiohttp.ClientSession = dataclasses.field(repr=False)
    url: str
    # Kept out of any log line that prints us.
    secret: str = dataclasses.field(repr=False)
    timeout_s: float = 10.0

    async def post(self, event: dict[str, Any]) -> Outcome:
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(self.secret, body),
        }
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)

        async def attempt() -> Outcome | None:
            try:
                async with self.session.post(
                    self.url, data=body, headers=headers, timeout=timeout
                ) as response:
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("hand-off webhook unreachable: %s", type(exc).__name__)
                return None
            if 200 <= status < 300:
                return Outcome.SENT
            log.warning("hand-off webhook answered %d", status)
            return None if status >= 500 or status in (408, 429) else Outcome.REFUSED

        return await self.retried(attempt)
