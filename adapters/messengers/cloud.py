"""Replies through the WhatsApp Cloud API: `POST {graph}/{phone_number_id}/messages` [Meta C.5].

A question with choices goes out as a list message or reply buttons
(`cloud_interactive`); an inbound message is marked read with the typing indicator while
its turn runs [Meta C.7]. 2xx means Meta took the message. 5xx, 429, Meta's throttling
codes and network failures are retryable; any other 4xx (bad token, closed 24-hour window,
bad number) is not, and the error carries Meta's own message — never the token.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from pydantic import BaseModel, ConfigDict, ValidationError

from adapters.messengers.cloud_interactive import interactive
from states.masking import mask_phone
from states.menus import Menu
from states.messages import ChatId
from states.ports import DeliveryError

log = logging.getLogger(__name__)
# The typing indicator is a courtesy: it never holds a turn up for long.
RECEIPT_TIMEOUT_S = 5.0

# [Meta C.5] a text message body holds at most 4096 characters.
MAX_TEXT_CHARS = 4096

# [Meta error codes] throttling that may come with HTTP 400 but passes if we wait:
# 4 app call limit, 80007 WABA rate limit, 130429 throughput, 131048 spam limit,
# 131056 pair rate limit.
THROTTLING_CODES = frozenset({4, 80007, 130429, 131048, 131056})


class _GraphError(BaseModel):
    model_config = ConfigDict(extra="ignore")
    message: str = ""
    code: int | None = None


class _GraphErrorBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    error: _GraphError


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, else a line, else a space."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]  # a separator right after the limit still makes a clean cut
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep)
            if cut > 0:
                break
        if cut <= 0:
            cut = limit  # one unbroken run longer than the limit: a hard cut is all we can do
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            pieces.append(piece)
    if rest or not pieces:
        pieces.append(rest)
    return pieces


class CloudMessenger:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        graph_url: str,
        phone_number_id: str,
        token: str,
        timeout_s: float = 10.0,
    ) -> None:
        self.session = session
        self.url = f"{graph_url.rstrip('/')}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {token}"}
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)

    def __repr__(self) -> str:  # the token stays out of any log line that prints us
        return f"CloudMessenger(url={self.url!r})"

    async def send(self, chat: str, text: str, menu: Menu | None = None) -> None:
        """Send `text` to `chat`: with `menu`, as a list or buttons when they fit; else as
        text, in several messages when it is past 4096 characters.

        A failure on a later piece raises after earlier pieces went out; a retry then
        repeats those (WhatsApp has no idempotency key for sends).
        """
        to = _number(chat)
        tappable = interactive(text, menu) if menu is not None else None
        if tappable is not None:
            await self._post(to, "interactive", tappable)
            return
        pieces = split_text(text)
        for number, piece in enumerate(pieces, start=1):
            try:
                await self._post(to, "text", {"preview_url": False, "body": piece})
            except DeliveryError as exc:
                if len(pieces) == 1:
                    raise
                raise DeliveryError(
                    f"part {number}/{len(pieces)}: {exc}", retryable=exc.retryable
                ) from exc

    async def mark_read(self, chat: str, message_id: str) -> None:
        """Mark the client's message read and show "typing…" until we reply (or 25 s)."""
        payload = {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": message_id,
            "typing_indicator": {"type": "text"},
        }
        try:
            async with self.session.post(
                self.url,
                json=payload,
                headers=self._headers,
                timeout=aiohttp.ClientTimeout(total=RECEIPT_TIMEOUT_S),
            ) as response:
                if response.status >= 300:
                    reason, code = _meta_error(await response.text())
                    log.info("read receipt refused (%d, %s): %s", response.status, code, reason)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("read receipt for %s not sent: %s", mask_phone(chat), type(exc).__name__)

    async def send_template(self, chat: str, template: dict[str, Any]) -> None:
        """Send an approved message template [Meta C.7]: `template` is the message's
        `template` object (`name`, `language.code`, `components` with the parameters);
        the only message allowed outside the 24-hour customer service window. Meta's
        refusals (an unknown or unapproved template, wrong parameters) are not retryable."""
        await self._post(_number(chat), "template", template)

    async def _post(self, to: str, kind: str, content: dict[str, Any]) -> None:
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": kind,
            kind: content,
        }
        try:
            async with self.session.post(
                self.url, json=payload, headers=self._headers, timeout=self.timeout
            ) as response:
                if 200 <= response.status < 300:
                    return
                status = response.status
                detail = await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Cloud API unreachable: {type(exc).__name__}") from exc
        message, code = _meta_error(detail)
        retryable = status >= 500 or status in (408, 429) or code in THROTTLING_CODES
        where = f"Cloud API answered {status}" + (f" (code {code})" if code is not None else "")
        raise DeliveryError(f"{where}: {message}", retryable=retryable)


def _number(chat: str) -> str:
    parsed = ChatId.parse(chat)
    if parsed is None or parsed.phone is None:
        # [interface] a `@lid` sender has no phone number, and the Cloud API sends only
        # to numbers: retrying cannot help.
        raise DeliveryError(
            f"cannot send to {mask_phone(chat)} via the Cloud API: no phone number",
            retryable=False,
        )
    return parsed.phone


def _meta_error(detail: str) -> tuple[str, int | None]:
    """Meta's `{"error": {"message", "code", …}}`, or the start of whatever came back."""
    try:
        error = _GraphErrorBody.model_validate_json(detail).error
    except ValidationError:
        return detail[:200], None
    return error.message[:300], error.code
