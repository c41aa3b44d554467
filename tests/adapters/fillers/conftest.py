"""Fixtures for the slot-filler tests: the demo salon's catalogue and a request builder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.fillers.labelled import catalogue_from_salon
from adapters.fillers.offline import OfflineFiller
from states.slot_fill import Catalogue, FillRequest, OfferedOption

REPO = Path(__file__).resolve().parents[3]
MOSCOW = "Europe/Moscow"
# The labelled set's clock: Wednesday 2025-07-23 15:30 in Moscow.
WEDNESDAY = dt.datetime(2025, 7, 23, 15, 30, tzinfo=ZoneInfo(MOSCOW))

RequestFactory = Callable[..., FillRequest]


@pytest.fixture(scope="session")
def demo_catalogue() -> Catalogue:
    return catalogue_from_salon(REPO / "fixtures" / "salon" / "demo.yaml")


@pytest.fixture(scope="session")
def offline() -> OfflineFiller:
    return OfflineFiller()


@pytest.fixture
def make_request(demo_catalogue: Catalogue) -> RequestFactory:
    def build(
        text: str,
        *,
        state: str = "idle",
        now: dt.datetime = WEDNESDAY,
        options: tuple[OfferedOption, ...] = (),
        expecting: str | None = None,
    ) -> FillRequest:
        return FillRequest(
            text=text, state=state, catalogue=demo_catalogue, now=now, timezone=MOSCOW,
            options=options, expecting=expecting,
        )  # fmt: skip

    return build
