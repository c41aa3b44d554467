"""Replies through a venom-bot HTTP gateway: POST {"to", "text"}; any 2xx means sent.

Venom sends text only: the choices of a question stay the numbered lines of its text."""

from __future__ import annotations

import aiohttp

from states.menus import Menu
from states.ports import DeliveryError, WithoutReceipts


class VenomMessenger(WithoutReceipts):
    def __init__(
        self, session: aiohttp.ClientSession, send_url: str, timeout_s: float = 10.0
    ) -> None:
        self.session = session
        self.send_url = send_url
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def send(self, chat: str, text: str, menu: Menu | None = None) -> None:
        try:
            async with self.session.post(
                self.send_url, json={"to": chat, "text": text}, timeout=self.timeout
            ) as response:
                if 200 <= response.status < 300:
                    return
                detail = (await response.text())[:200]
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"venom gateway unreachable: {type(exc).__name__}") from exc
        # 4xx other than 408/429 will not get better by retrying the same request.
        retryable = response.status >= 500 or response.status in (408, 429)
        raise DeliveryError(f"venom gateway answered {response.status}: {detail}", retryable)
