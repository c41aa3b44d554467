"""Labelled utterances (fixtures/nlu/*.yaml): loading, and comparing a fill to its label.

A file states the fixed `now` and `timezone` every case is read against, the salon file
whose service titles and staff names form the catalogue, named `option_sets` (what the
bot offered), and `cases`. A case's `expect` lists the slots the client gave; a slot not
listed is expected empty, so a filler that invents values loses accuracy too.
`known_miss: "<reason>"` marks a case the offline filler is known to get wrong.

A service the salon does not have is labelled by the client's phrase with an `unknown: `
prefix (`services: ["unknown: татуировку"]`): a fill with no catalogue service but a
service phrase shows as that, so an "unknown service" read where the client asked for
nothing (or for a known service) counts as a services error. A master outside the
catalogue is labelled by the nominative name the filler should return (`master: Василий`).
A date or time that does not exist ("25:00", "31 февраля") is labelled `invalid`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from states.slot_fill import Catalogue, FillRequest, OfferedOption, SlotFill

SLOTS = ("intent", "services", "master", "date", "time", "window", "option", "name", "phone",
         "language")  # fmt: skip
UNKNOWN = "unknown: "  # prefix of a service phrase that matched no catalogue service
INVALID = "invalid"  # label of a date or time the client said but that does not exist
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "nlu"


@dataclasses.dataclass(frozen=True)
class LabelledCase:
    id: str
    request: FillRequest
    expected: Mapping[str, object]
    known_miss: str | None
    source: str  # file name, for messages
    path: Path  # the labelled file
    salon: Path  # the salon file whose catalogue the case is read against


def catalogue_from_salon(path: Path) -> Catalogue:
    """Service titles and staff names of a salon fixture (fixtures/salon/*.yaml)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Catalogue.of(
        [str(s["title"]) for s in data["services"]], [str(m["name"]) for m in data["staff"]]
    )


def _text(value: object, where: str) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{where}: {value!r} must be a quoted string (YAML reads 18:00 as 1080)")
    return str(value)


def _expected(raw: Mapping[str, Any], where: str) -> dict[str, object]:
    unknown = set(raw) - set(SLOTS)
    if unknown:
        raise ValueError(f"{where}: unknown slots {sorted(unknown)}")
    expected: dict[str, object] = {
        "intent": "unknown", "services": [], "master": None, "date": None, "time": None,
        "window": None, "option": None, "name": None, "phone": None, "language": "ru",
    }  # fmt: skip
    for slot, value in raw.items():
        if slot == "services":
            expected[slot] = sorted(str(v) for v in value)
        elif slot == "option":
            expected[slot] = int(value)
        elif value is not None:
            expected[slot] = _text(value, f"{where}.{slot}")
    return expected


def load_file(path: Path) -> list[LabelledCase]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    now = dt.datetime.fromisoformat(_text(data["now"], f"{path.name}.now"))
    timezone = str(data["timezone"])
    salon = (path.parent / str(data["salon"])).resolve()
    catalogue = catalogue_from_salon(salon)
    option_sets = {
        name: tuple(
            OfferedOption(date=str(o["date"]), time=_text(o["time"], name), master=o.get("master"))
            for o in options
        )
        for name, options in (data.get("option_sets") or {}).items()
    }
    cases: list[LabelledCase] = []
    for index, raw in enumerate(data["cases"], start=1):
        case_id = str(raw.get("id") or f"{path.stem}-{index:03d}")
        request = FillRequest(
            text=str(raw["text"]),
            state=str(raw.get("state", "idle")),
            catalogue=catalogue,
            now=dt.datetime.fromisoformat(str(raw["now"])) if "now" in raw else now,
            timezone=timezone,
            options=option_sets[raw["options"]] if "options" in raw else (),
            expecting=raw.get("expecting"),
        )
        cases.append(LabelledCase(
            case_id, request, _expected(raw.get("expect") or {}, case_id),
            raw.get("known_miss"), path.name, path.resolve(), salon,
        ))  # fmt: skip
    ids = [c.id for c in cases]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate case ids")
    return cases


def load_cases(path: Path = DEFAULT_PATH) -> list[LabelledCase]:
    """Every case in a YAML file, or in every *.yaml under a folder (sorted by path)."""
    if not path.exists():
        raise FileNotFoundError(f"no such labelled set: {path}")
    files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    cases = [case for file in files for case in load_file(file)]
    ids = [c.id for c in cases]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate case ids across files")
    return cases


def observed(fill: SlotFill) -> dict[str, object]:
    """A fill in the label's terms."""
    master: str | None = fill.master
    if master is None and fill.master_choice is not None:
        master = fill.master_choice.value
    window = f"{fill.time_from}-{fill.time_to}" if fill.time_from and fill.time_to else None
    services = sorted(fill.services) or sorted(UNKNOWN + p for p in fill.service_phrases)
    date = fill.date or (INVALID if fill.invalid_date else None)
    time = fill.time or (INVALID if fill.invalid_time else None)
    return {
        "intent": fill.intent.value, "services": services, "master": master,
        "date": date, "time": time, "window": window, "option": fill.option,
        "name": fill.client_name, "phone": fill.phone, "language": fill.language.value,
    }  # fmt: skip


def mismatches(case: LabelledCase, fill: SlotFill) -> dict[str, tuple[object, object]]:
    """slot → (expected, got) for every slot the fill gets wrong."""
    got = observed(fill)
    return {s: (case.expected[s], got[s]) for s in SLOTS if case.expected[s] != got[s]}
