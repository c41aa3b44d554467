"""The demo salon as data: `fixtures/salon/demo.yaml` read into frozen dataclasses."""

from __future__ import annotations

import dataclasses
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

DEMO_SALON = Path(__file__).resolve().parents[3] / "fixtures" / "salon" / "demo.yaml"
# The demo salon's SALON_FAQ: facts YClients does not hold (payment, parking…).
DEMO_FAQ = DEMO_SALON.with_name("demo_faq.yaml")


def _hhmm(text: str) -> time:
    return time.fromisoformat(str(text))


@dataclasses.dataclass(frozen=True)
class FixtureService:
    id: int
    title: str
    category_id: int
    price_min: float
    price_max: float
    seance_length: int
    active: bool


@dataclasses.dataclass(frozen=True)
class FixtureStaff:
    id: int
    name: str
    specialization: str
    services: frozenset[int]
    hours: dict[int, tuple[time, time]]  # ISO weekday (1 = Monday) -> open, close
    # [APIB] `position` is an object {id, title}; a master without one shows `[]`.
    position: tuple[int, str] | None = None


@dataclasses.dataclass(frozen=True)
class FixtureRecord:
    days: int  # relative to the sandbox's today
    time: time
    staff_id: int
    services: tuple[int, ...]
    attendance: int
    master_request: int


@dataclasses.dataclass(frozen=True)
class FixtureClient:
    id: int
    name: str
    phone: str
    records: tuple[FixtureRecord, ...]


@dataclasses.dataclass(frozen=True)
class FixtureBusy:
    days: int
    staff_id: int
    time: time
    seconds: int


@dataclasses.dataclass(frozen=True)
class SalonFixture:
    company: dict[str, Any]
    partner_token: str
    user_token: str
    categories: tuple[tuple[int, str], ...]
    services: tuple[FixtureService, ...]
    staff: tuple[FixtureStaff, ...]
    slot_step: int
    clients: tuple[FixtureClient, ...]
    busy: tuple[FixtureBusy, ...]

    @property
    def company_id(self) -> int:
        return int(self.company["id"])

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(str(self.company.get("timezone_name") or "Europe/Moscow"))


def _staff(raw: dict[str, Any]) -> FixtureStaff:
    hours = {
        int(day): (_hhmm(span[0]), _hhmm(span[1])) for day, span in (raw.get("hours") or {}).items()
    }
    position = raw.get("position")
    return FixtureStaff(
        id=int(raw["id"]),
        name=str(raw["name"]),
        specialization=str(raw.get("specialization") or ""),
        services=frozenset(int(s) for s in raw.get("services") or ()),
        hours=hours,
        position=(int(position["id"]), str(position["title"])) if position else None,
    )


def _client(raw: dict[str, Any]) -> FixtureClient:
    records = tuple(
        FixtureRecord(
            days=int(r["days"]),
            time=_hhmm(r["time"]),
            staff_id=int(r["staff_id"]),
            services=tuple(int(s) for s in r["services"]),
            attendance=int(r.get("attendance", 0)),
            master_request=int(r.get("master_request", 1)),
        )
        for r in raw.get("records") or ()
    )
    return FixtureClient(int(raw["id"]), str(raw["name"]), str(raw["phone"]), records)


def parse_fixture(raw: dict[str, Any]) -> SalonFixture:
    services = tuple(
        FixtureService(
            id=int(s["id"]),
            title=str(s["title"]),
            category_id=int(s.get("category_id", 0)),
            price_min=float(s.get("price_min", 0)),
            price_max=float(s.get("price_max", 0)),
            seance_length=int(s["seance_length"]),
            active=bool(s.get("active", True)),
        )
        for s in raw["services"]
    )
    return SalonFixture(
        company=dict(raw["company"]),
        partner_token=str(raw["tokens"]["partner"]),
        user_token=str(raw["tokens"]["user"]),
        categories=tuple((int(c["id"]), str(c["title"])) for c in raw.get("categories") or ()),
        services=services,
        staff=tuple(_staff(s) for s in raw["staff"]),
        slot_step=int(raw.get("slot_step", 1800)),
        clients=tuple(_client(c) for c in raw.get("clients") or ()),
        busy=tuple(
            FixtureBusy(int(b["days"]), int(b["staff_id"]), _hhmm(b["time"]), int(b["seconds"]))
            for b in raw.get("busy") or ()
        ),
    )


def load_fixture(path: Path = DEMO_SALON) -> SalonFixture:
    with path.open(encoding="utf-8") as handle:
        return parse_fixture(yaml.safe_load(handle))
