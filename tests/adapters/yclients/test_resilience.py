"""Retries, Retry-After, timeouts, the no-duplicate booking rule and the rate limit."""

from __future__ import annotations

import asyncio

import pytest

from adapters.yclients import RateLimiter, RetryPolicy, YClientsBackend
from adapters.yclients.sandbox import RunningSandbox
from states.salon import Appointment, BookingRequest
from states.salon_errors import BookingOutcomeUnknown, ScheduleUnavailable
from tests.adapters.yclients.conftest import BARI, HAIRCUT, TODAY, TOMORROW, ClientFactory

AT_18 = "2025-07-24T18:00:00+03:00"
REQUEST = BookingRequest(
    "79161234567", "Николай", (Appointment(BARI, (HAIRCUT,), AT_18),), api_id="wa-dup-1"
)


def live_records_for(sandbox: RunningSandbox, api_id: str) -> list[int]:
    return [r.id for r in sandbox.salon.records.values() if r.api_id == api_id and not r.deleted]


async def test_get_retried_after_500_twice(
    make_client: ClientFactory, sandbox: RunningSandbox
) -> None:
    sandbox.control.add_fault({"endpoint": "book_times", "status": 500, "count": 2})
    client = await make_client(retry=RetryPolicy(attempts=3, backoff_s=0.01))
    seances = await client.book_times(BARI, TOMORROW, [HAIRCUT])
    assert seances  # the third answer was the real one
    assert len(sandbox.control.calls("book_times")) == 3


async def test_get_gives_up_after_the_attempts(
    make_client: ClientFactory, sandbox: RunningSandbox
) -> None:
    sandbox.control.add_fault({"endpoint": "book_staff", "status": 503, "count": -1})
    client = await make_client(retry=RetryPolicy(attempts=2, backoff_s=0.01))
    with pytest.raises(ScheduleUnavailable) as caught:
        await client.book_staff()
    assert caught.value.status == 503
    assert len(sandbox.control.calls("book_staff")) == 2


async def test_retry_after_is_honoured(make_client: ClientFactory, sandbox: RunningSandbox) -> None:
    sandbox.control.add_fault(
        {"endpoint": "book_dates", "status": 429, "headers": {"Retry-After": "1"}}
    )
    client = await make_client(retry=RetryPolicy(attempts=3, backoff_s=0.01))
    await client.book_dates([HAIRCUT], BARI, TODAY, TOMORROW)
    first, second = sandbox.control.calls("book_dates")
    assert second.at - first.at >= 0.95  # the header's 1 s, not the 0.01 s backoff


async def test_get_retried_after_a_timeout(
    make_client: ClientFactory, sandbox: RunningSandbox
) -> None:
    sandbox.control.add_fault({"endpoint": "book_staff", "delay_s": 0.6})
    client = await make_client(timeout_s=0.3)
    assert await client.book_staff()
    assert len(sandbox.control.calls("book_staff")) == 2


async def test_book_record_timeout_finds_the_booking_instead_of_duplicating(
    make_client: ClientFactory, sandbox: RunningSandbox
) -> None:
    # The sandbox creates the record but answers after the client has given up.
    sandbox.control.add_fault({"endpoint": "book_record", "delay_s": 0.6})
    backend = YClientsBackend(await make_client(timeout_s=0.3))
    done = await backend.book(REQUEST)
    assert done.recovered is True
    assert live_records_for(sandbox, "wa-dup-1") == [done.record_id]
    assert len(sandbox.control.calls("book_record")) == 1
    lookups = sandbox.control.calls("records")
    assert lookups and lookups[0].query["start_date"] == ["2025-07-24"]


async def test_book_record_5xx_after_creating_is_found_too(
    backend: YClientsBackend, sandbox: RunningSandbox
) -> None:
    sandbox.control.add_fault({"endpoint": "book_record", "status": 502, "process": True})
    done = await backend.book(REQUEST)
    assert done.recovered and live_records_for(sandbox, "wa-dup-1") == [done.record_id]
    assert len(sandbox.control.calls("book_record")) == 1


async def test_book_record_5xx_before_creating_is_sent_once_more(
    backend: YClientsBackend, sandbox: RunningSandbox
) -> None:
    sandbox.control.add_fault({"endpoint": "book_record", "status": 500})
    done = await backend.book(REQUEST)
    assert not done.recovered and done.record_hash
    assert live_records_for(sandbox, "wa-dup-1") == [done.record_id]
    methods = [(r.method, r.endpoint) for r in sandbox.control.requests]
    # POST, then the lookup (client search, records), then the one new POST.
    assert methods == [
        ("POST", "book_record"),
        ("POST", "clients_search"),
        ("GET", "records"),
        ("POST", "book_record"),
    ]


async def test_book_record_unclear_without_user_token_is_not_resent(
    make_client: ClientFactory, sandbox: RunningSandbox
) -> None:
    sandbox.control.add_fault({"endpoint": "book_record", "status": 504})
    backend = YClientsBackend(await make_client(user_token=None))
    with pytest.raises(BookingOutcomeUnknown):
        await backend.book(REQUEST)
    assert len(sandbox.control.calls("book_record")) == 1


async def test_book_record_429_is_not_looked_up(
    backend: YClientsBackend, sandbox: RunningSandbox
) -> None:
    sandbox.control.add_fault({"endpoint": "book_record", "status": 429})
    with pytest.raises(ScheduleUnavailable) as caught:
        await backend.book(REQUEST)
    assert caught.value.status == 429
    assert [r.endpoint for r in sandbox.control.requests] == ["book_record"]


def most_in_any_window(stamps: list[float], window: float) -> int:
    stamps = sorted(stamps)
    return max(sum(1 for t in stamps[i:] if t - start < window) for i, start in enumerate(stamps))


async def test_limiter_holds_5_per_second(
    make_client: ClientFactory, sandbox: RunningSandbox
) -> None:
    client = await make_client(limiter=RateLimiter())  # production defaults: 5/s, 200/min
    await asyncio.gather(*(client.book_times(BARI, TOMORROW, [HAIRCUT]) for _ in range(12)))
    stamps = [r.at for r in sandbox.control.calls("book_times")]
    assert len(stamps) == 12
    assert most_in_any_window(stamps, 1.0) <= 5


async def test_limiter_holds_the_per_minute_cap(
    make_client: ClientFactory, sandbox: RunningSandbox
) -> None:
    # The minute shrunk to 0.5 s so the test stays quick; the rule is the same.
    limiter = RateLimiter(per_second=100, per_minute=3, minute_s=0.5)
    client = await make_client(limiter=limiter)
    for _ in range(7):
        await client.book_staff_seances(BARI, [HAIRCUT])
    stamps = [r.at for r in sandbox.control.calls("book_staff_seances")]
    assert most_in_any_window(stamps, 0.5) <= 3
