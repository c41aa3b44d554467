"""The sandbox itself: schedule rules without HTTP, the control API, the standalone runner."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.yclients.sandbox import RunningSandbox, SandboxSalon
from adapters.yclients.sandbox.answers import SandboxFailure
from adapters.yclients.sandbox.booking import plan_visits
from tests.adapters.yclients.conftest import (
    BARI,
    COLOURING,
    HAIRCUT,
    IGOR,
    MOSCOW,
    NOW,
    SNEZHANA,
    TODAY,
    TOMORROW,
)

REPO = Path(__file__).resolve().parents[3]


def test_whole_service_fits_inside_the_hours(salon: SandboxSalon) -> None:
    starts = salon.free_starts(SNEZHANA, TOMORROW, [COLOURING])  # 2 h, open 09–18
    assert starts[0].strftime("%H:%M") == "09:00"
    assert starts[-1].strftime("%H:%M") == "16:00"


def test_starts_follow_the_slot_grid_and_the_clock(salon: SandboxSalon) -> None:
    starts = salon.free_starts(BARI, TODAY, [HAIRCUT])
    assert all(s >= NOW for s in starts)
    assert all(s.minute in (0, 30) and s.second == 0 for s in starts)
    later = SandboxSalon(clock=lambda: NOW + timedelta(hours=3))
    assert min(later.free_starts(BARI, TODAY, [HAIRCUT])) >= NOW + timedelta(hours=3)


def test_fixture_records_are_placed_relative_to_today(salon: SandboxSalon) -> None:
    pavel_future = [r for r in salon.records.values() if r.client_id == 4240882 and r.start > NOW]
    assert [r.start for r in pavel_future] == [datetime(2025, 7, 25, 19, 0, tzinfo=MOSCOW)]


def test_a_master_who_does_not_do_the_service_has_no_times(salon: SandboxSalon) -> None:
    assert salon.free_starts(IGOR, TOMORROW, [COLOURING]) == []


async def http(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, json=body, headers=headers) as answer,
    ):
        return answer.status, await answer.json(content_type=None)


async def test_control_api_faults_requests_reset(sandbox: RunningSandbox) -> None:
    base = sandbox.base_url
    status, _ = await http("POST", base + "/_sandbox/faults", {"endpoint": "nope"})
    assert status == 400
    status, listed = await http(
        "POST", base + "/_sandbox/faults", {"endpoint": "company", "status": 503, "count": 1}
    )
    assert status == 200 and listed["faults"][0]["status"] == 503
    auth = {"Authorization": f"Bearer {sandbox.partner_token}"}
    url = f"{base}/api/v1/company/{sandbox.company_id}"
    assert (await http("GET", url, headers=auth))[0] == 503
    assert (await http("GET", url, headers=auth))[0] == 200  # count was 1
    _, log = await http("GET", base + "/_sandbox/requests")
    assert [(r["method"], r["path"]) for r in log["requests"]] == [("GET", url[len(base) :])] * 2
    sandbox.salon.records.clear()
    assert (await http("POST", base + "/_sandbox/reset"))[1] == {"reset": True}
    assert sandbox.salon.records  # fixture records are back
    assert (await http("GET", base + "/_sandbox/requests"))[1] == {"requests": []}


async def test_control_api_clock(sandbox: RunningSandbox) -> None:
    status, body = await http(
        "POST", sandbox.base_url + "/_sandbox/clock", {"now": "2025-07-28T09:00:00"}
    )
    assert status == 200 and body == {"now": "2025-07-28T09:00:00+03:00"}
    assert sandbox.salon.today().isoformat() == "2025-07-28"


async def test_standalone_prints_the_banner_and_serves_companies() -> None:
    code = "from adapters.yclients.sandbox.standalone import run_standalone as r; r('127.0.0.1', 0)"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE, cwd=REPO
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        match = re.fullmatch(
            r"sandbox: base_url=(\S+) company_id=(\d+) partner_token=(\S+) user_token=(\S+)\n",
            line,
        )
        assert match, line
        base_url, company_id, partner = match.group(1), match.group(2), match.group(3)
        status, body = await http(
            "GET",
            f"{base_url}/api/v1/companies?my=1",
            headers={"Authorization": f"Bearer {partner}"},
        )
        assert status == 200 and body["success"] is True
        assert body["data"][0]["id"] == int(company_id) == 1088406
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0


@settings(max_examples=40, deadline=None)
@given(
    staff_index=st.integers(0, 3),
    day_offset=st.integers(0, 6),
    picks=st.lists(st.integers(0, 7), min_size=1, max_size=2, unique=True),
)
def test_offered_starts_are_exactly_the_bookable_ones(
    staff_index: int, day_offset: int, picks: list[int]
) -> None:
    """Availability and booking agree: every offered start books, every other grid start on
    the master's day is refused as taken."""
    salon = SandboxSalon(clock=lambda: NOW)
    staff = salon.fixture.staff[staff_index]
    doable = sorted(s for s in staff.services if salon.services[s].active)
    services = [doable[i % len(doable)] for i in picks]
    day = TODAY + timedelta(days=day_offset)
    offered = set(salon.free_starts(staff.id, day, services))
    span = salon.hours(staff, day)
    grid = []
    moment = span[0] if span else None
    while span and moment and moment < span[1]:
        grid.append(moment)
        moment += timedelta(seconds=salon.fixture.slot_step)
    assert offered <= set(grid)
    for start in grid:
        item = {"id": 1, "services": services, "staff_id": staff.id, "datetime": start.isoformat()}
        if start in offered:
            plan_visits(salon, [item])
        else:
            with pytest.raises(SandboxFailure) as caught:
                plan_visits(salon, [item])
            assert caught.value.body["errors"]["code"] == 433
