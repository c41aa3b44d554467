"""One HTTP exchange with YClients: headers, rate limit, timeout, retries, envelope.

Facts relied on ([APIB] unless noted):
- `Authorization: Bearer <partner>` or `Bearer <partner>, User <user>` (one header).
- `Accept: application/vnd.yclients.v2+json` ([GEN] `_base.py`: the API needs it).
- Success envelope `{success, data, meta}`; older bare bodies are accepted too (A.2), and
  `success: false` on a 2xx is an error ([GEN] `_unwrap`, [RUBY]).
- Retries only for reads (GET, and searches sent as POST) on 429/5xx/timeouts, honouring
  `Retry-After` when present ([GEN], [RUBY]); writes are never retried blindly ([RUBY]).
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypedDict

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from adapters.yclients.errors import error_for
from adapters.yclients.limiter import RateLimiter
from states.salon_errors import SalonAuthError, SalonError, ScheduleUnavailable

log = logging.getLogger(__name__)

ACCEPT = "application/vnd.yclients.v2+json"
Query = Sequence[tuple[str, str]]
Sleep = Callable[[float], Awaitable[None]]


def mask(token: str | None) -> str:
    """Enough of a token to tell two apart in a log, never the secret."""
    if not token:
        return "<unset>"
    return f"{token[:2]}…{len(token)}ch" if len(token) > 6 else "***"


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # tries in total for a retryable call
    backoff_s: float = 0.5  # first pause; doubles each time
    max_backoff_s: float = 8.0
    max_retry_after_s: float = 30.0  # a longer Retry-After is not worth waiting for


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: either a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    data: Any
    meta: Any


def unwrap(status: int, text: str, what: str) -> Answer:
    """Envelope or bare body → data and meta; a `success: false` body raises."""
    if not text.strip():
        return Answer(status, None, None)  # [APIB] book_check: 201 with an empty body
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise ScheduleUnavailable(f"{what}: answer is not JSON", status=status) from exc
    if isinstance(body, dict) and "success" in body:
        if body["success"] is False:
            raise error_for(status, text, what=what)
        return Answer(status, body.get("data"), body.get("meta"))
    if isinstance(body, dict) and isinstance(body.get("errors"), dict):
        raise error_for(status, text, what=what)  # booking-form error shape on a 2xx
    if isinstance(body, dict) and "count" in body and isinstance(body.get("data"), list):
        # [APIB] 2020 records/clients: {"count": 10, "data": [...]}
        return Answer(status, body["data"], {"total_count": body["count"]})
    return Answer(status, body, None)


class TransportOptions(TypedDict, total=False):
    """How a `Transport` sends, for a caller that passes these through (its defaults hold
    where one is left out)."""

    session: aiohttp.ClientSession | None
    timeout_s: float
    retry: RetryPolicy | None
    limiter: RateLimiter | None


class Transport:
    """Sends one logical call; owns auth, limiter, timeout and the retry loop."""

    def __init__(
        self,
        base_url: str,
        partner_token: str,
        user_token: str | None = None,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout_s: float = 10.0,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._partner_token = partner_token
        self._user_token = user_token
        self._session = session
        self._own_session = session is None
        self.timeout_s = timeout_s
        self.retry = retry or RetryPolicy()
        self.limiter = limiter or RateLimiter()
        self._sleep = sleep

    def __repr__(self) -> str:
        return (
            f"Transport(base_url={self.base_url!r}, partner={mask(self._partner_token)}, "
            f"user={mask(self._user_token)})"
        )

    @property
    def has_user_token(self) -> bool:
        return bool(self._user_token)

    def _headers(self, user: bool, has_body: bool) -> dict[str, str]:
        auth = f"Bearer {self._partner_token}"
        if user:
            if not self._user_token:
                raise SalonAuthError("this call needs a YClients user token (YCLIENTS_USER_TOKEN)")
            auth += f", User {self._user_token}"
        headers = {"Authorization": auth, "Accept": ACCEPT}
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _once(
        self, method: str, path: str, query: Query, json_body: Any, headers: dict[str, str]
    ) -> tuple[int, str, str | None]:
        await self.limiter.acquire()
        async with self._get_session().request(
            method,
            self.base_url + path,
            params=list(query),
            json=json_body,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=self.timeout_s),
        ) as response:
            text = await response.text()
            return response.status, text, response.headers.get("Retry-After")

    async def call(
        self,
        method: str,
        path: str,
        *,
        query: Query = (),
        json_body: Any = None,
        user: bool = False,
        retryable: bool | None = None,
    ) -> Answer:
        """One logical call. `retryable` defaults to True for GET only."""
        what = f"{method} {path}"
        headers = self._headers(user, json_body is not None)
        if retryable is None:
            retryable = method == "GET"
        attempts = self.retry.attempts if retryable else 1
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            wait=self._pause,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    try:
                        status, text, retry_after = await self._once(
                            method, path, query, json_body, headers
                        )
                    except (TimeoutError, aiohttp.ClientError) as exc:
                        tried = attempt.retry_state.attempt_number
                        log.warning(
                            "yclients %s: %s (try %d/%d)", what, type(exc).__name__, tried, attempts
                        )
                        raise _Retryable(
                            ScheduleUnavailable(f"{what}: {type(exc).__name__}")
                        ) from exc
                    return self._answer(what, status, text, retry_after)
        except _Retryable as exc:
            raise exc.failure from None
        raise AssertionError("unreachable: the last attempt raises")

    def _answer(self, what: str, status: int, text: str, retry_after: str | None) -> Answer:
        """A 2xx unwrapped; a 429/5xx `_Retryable` (unless its Retry-After is too long to
        wait for); any other status its error."""
        log.debug("yclients %s -> %d", what, status)
        if 200 <= status < 300:
            return unwrap(status, text, what)
        failure = error_for(status, text, what=what)
        if status != 429 and status < 500:
            raise failure
        pause = retry_after_seconds(retry_after)
        if pause is not None and pause > self.retry.max_retry_after_s:
            raise failure
        raise _Retryable(failure, pause)

    def _pause(self, state: RetryCallState) -> float:
        """Retry-After when the answer gave one, else exponential backoff."""
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _Retryable) and failure.pause is not None:
            return failure.pause
        backoff: float = self.retry.backoff_s * 2 ** (state.attempt_number - 1)
        return min(backoff, self.retry.max_backoff_s)


class _Retryable(Exception):
    """A failed try worth another one (after `pause` seconds when the server said so)."""

    def __init__(self, failure: SalonError, pause: float | None = None) -> None:
        super().__init__(str(failure))
        self.failure = failure
        self.pause = pause
