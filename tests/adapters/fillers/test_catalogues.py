"""The catalogues the filler is tested on are real salons in the demo salon's shape: the
YClients sandbox serves each over HTTP, and the engine books in one that is not the demo."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.fillers import OfflineFiller
from adapters.fillers.labelled import catalogue_from_salon
from adapters.yclients.sandbox import SandboxSalon, load_fixture
from engine.clock import VirtualClock
from engine.harness import engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.settings import Settings
from engine.wiring import salon_backend
from states.salon_view import SalonView
from tests.adapters.fillers.phrasing import CATALOGUE_FILES, REPO

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # Wednesday 15:00 in Moscow
COMBOS = REPO / "fixtures" / "catalogues" / "barbershop_combos.yaml"


def test_there_are_at_least_six_catalogues_besides_the_demo_salon() -> None:
    own = [p for p in CATALOGUE_FILES if "catalogues" in p.parts and "heldout" not in p.parts]
    assert len(own) >= 6


@pytest.mark.parametrize("path", CATALOGUE_FILES, ids=lambda p: p.stem)
async def test_the_sandbox_serves_the_catalogue_the_filler_reads(path: Path) -> None:
    fixture = load_fixture(path)
    assert all(m.services <= {s.id for s in fixture.services} for m in fixture.staff)
    clock = VirtualClock(START)
    demo = Settings.from_mapping({})  # the demo mode serves the given salon in-process
    async with salon_backend(demo, clock, SandboxSalon(fixture, clock=clock.now)) as (backend, _):
        view = await SalonView.load(backend)
    expected = catalogue_from_salon(path)
    assert sorted(view.catalogue.service_names) == sorted(expected.service_names)
    assert sorted(view.catalogue.masters) == sorted(expected.masters)


async def test_the_engine_books_a_beard_trim_with_igor_for_a_client_called_egor(
    redis: AsyncRedis, keys: Keys
) -> None:
    salon = SandboxSalon(load_fixture(COMBOS), clock=VirtualClock(START).now)
    async with engine_harness(redis, keys, OfflineFiller(), START, salon=salon) as h:
        phone = "79990007788"
        replies = await h.turn(
            phone, "Меня зовут Егор. Запишите на стрижку бороды к Игорю завтра в 12:00"
        )
        c = await h.conversation(phone)
        assert c.state == "confirming", replies
        assert c.slots.as_dict() == {
            "service_ids": [28500201], "staff_id": 4500101, "date": "2025-07-24", "time": "12:00",
        }  # fmt: skip
        assert c.client_name == "Егор"
        replies = await h.turn(phone, "да")
        assert "записаны" in replies[0]
        booked = [
            (r.staff_id, r.start.strftime("%Y-%m-%d %H:%M"), r.service_ids)
            for r in h.sandbox.salon.records.values()
            if r.api_id and not r.deleted
        ]
        assert booked == [(4500101, "2025-07-24 12:00", (28500201,))]
