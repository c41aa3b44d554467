"""The offline filler beyond the labelled set: the salon clock, the slot model's guards."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from adapters.fillers.offline import OfflineFiller
from states.slot_fill import (
    Catalogue,
    FillRequest,
    Intent,
    MasterChoice,
    SlotFill,
    SlotFiller,
)
from tests.adapters.fillers.conftest import MOSCOW, RequestFactory

UTC = dt.UTC


def test_offline_filler_is_a_slot_filler(offline: OfflineFiller) -> None:
    assert isinstance(offline, SlotFiller)


async def test_tomorrow_at_23_30_moscow_is_the_moscow_tomorrow(
    offline: OfflineFiller, make_request: RequestFactory
) -> None:
    late = dt.datetime(2025, 7, 23, 23, 30, tzinfo=ZoneInfo(MOSCOW))
    assert late.astimezone(UTC).date() == dt.date(2025, 7, 23)  # UTC is still "today"
    fill = await offline.fill(make_request("завтра в 10", now=late))
    assert fill.date == "2025-07-24"


async def test_after_midnight_in_moscow_a_utc_clock_does_not_leak_in(
    offline: OfflineFiller, make_request: RequestFactory
) -> None:
    # 21:30 UTC on the 23rd is 00:30 on the 24th in Moscow: tomorrow is the 25th there.
    utc_now = dt.datetime(2025, 7, 23, 21, 30, tzinfo=UTC)
    fill = await offline.fill(make_request("завтра", now=utc_now))
    assert fill.date == "2025-07-25"
    today = await offline.fill(make_request("сегодня", now=utc_now))
    assert today.date == "2025-07-24"


@settings(max_examples=60, deadline=None)
@given(
    instant=st.datetimes(
        min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31),
        timezones=st.sampled_from([UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")]),
    ),
    zone=st.sampled_from([MOSCOW, "Asia/Vladivostok", "Europe/Kaliningrad"]),
)  # fmt: skip
def test_relative_dates_follow_the_salon_zone_for_any_clock(
    instant: dt.datetime, zone: str
) -> None:
    catalogue = Catalogue.of(["Мужская стрижка"], ["Бари"])
    local_today = instant.astimezone(ZoneInfo(zone)).date()
    filler = OfflineFiller()
    for word, days in (("сегодня", 0), ("завтра", 1), ("послезавтра", 2), ("через неделю", 7)):
        request = FillRequest(text=word, state="idle", catalogue=catalogue, now=instant,
                              timezone=zone)  # fmt: skip
        assert filler.fill_now(request).date == (local_today + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("к 7", "19:00"), ("в 6", "18:00"), ("в 8", "20:00"), ("в 9", "09:00"), ("в 18", "18:00"),
     ("в 6 утра", "06:00"), ("в 9 вечера", "21:00"), ("в 12", "12:00"), ("at 7", "19:00"),
     ("7am", "07:00")],
)  # fmt: skip
async def test_the_salon_rule_for_bare_hours(
    offline: OfflineFiller, make_request: RequestFactory, text: str, expected: str
) -> None:
    assert (await offline.fill(make_request(text))).time == expected


async def test_phone_digits_are_not_read_as_time_or_date(
    offline: OfflineFiller, make_request: RequestFactory
) -> None:
    fill = await offline.fill(make_request("8 (916) 123-45-67", expecting="phone"))
    assert fill.phone == "79161234567"
    assert fill.time is None and fill.date is None and fill.option is None


async def test_phrases_keep_the_clients_words(
    offline: OfflineFiller, make_request: RequestFactory
) -> None:
    fill = await offline.fill(make_request("Запишите на стрижку\nК Бари\nВ субботу вечером"))
    assert fill.service_phrases == ["стрижку"]
    assert fill.master_phrase == "К Бари" and fill.master == "Бари"
    assert fill.date_phrase == "В субботу" and fill.time_phrase == "вечером"
    assert (fill.time_from, fill.time_to) == ("17:00", "21:00")


async def test_a_catalogue_from_another_salon_is_matched_by_its_own_words(
    offline: OfflineFiller,
) -> None:
    catalogue = Catalogue.of(["Укладка", "Массаж головы"], ["Ольга"])
    request = FillRequest(
        text="хочу на укладку к Ольге", state="idle", catalogue=catalogue,
        now=dt.datetime(2025, 7, 23, 12, 0, tzinfo=UTC), timezone=MOSCOW,
    )  # fmt: skip
    fill = await offline.fill(request)
    assert fill.services == ["Укладка"] and fill.master == "Ольга"
    assert fill.intent is Intent.BOOK


def test_fill_request_needs_an_aware_clock_and_a_real_zone() -> None:
    catalogue = Catalogue.of([], [])
    naive = dt.datetime(2025, 7, 23, 12, 0)
    with pytest.raises(ValueError, match="aware"):
        FillRequest(text="", state="idle", catalogue=catalogue, now=naive, timezone=MOSCOW)
    aware = naive.replace(tzinfo=UTC)
    with pytest.raises(Exception, match="Mars"):
        FillRequest(text="", state="idle", catalogue=catalogue, now=aware, timezone="Mars/Olympus")


@pytest.mark.parametrize(
    "bad",
    [{"master": "Бари"}, {"master_choice": MasterChoice.NAMED}, {"time": "25:00"},
     {"date": "2025-02-30"}, {"time_from": "18:00"}, {"time_from": "18:00", "time_to": "17:00"},
     {"phone": "12ab"}, {"option": 0}],
)  # fmt: skip
def test_slot_fill_refuses_inconsistent_values(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SlotFill.model_validate(bad)


_CHARS = "абвгдеёжзиклмнопрстуфхцчшщыьэюя АБВ abcxyz0123456789:.,-+/\n"
_WORDS = [
    "завтра", "в", "к", "18:00", "31.02", "Бари", "стрижку", "после", "до", "с", "утра", "99",
    "00.00", "через", "дня", "пн", "2099-13-45", "+7", "8", "половине", "седьмого",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    text=st.one_of(
        st.text(alphabet=_CHARS, max_size=80),
        st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join),
    )
)
def test_any_text_gives_a_valid_fill(text: str) -> None:
    catalogue = Catalogue.of(["Мужская стрижка", "Моделирование бороды"], ["Бари", "Артём"])
    now = dt.datetime(2025, 7, 23, 15, 30, tzinfo=ZoneInfo(MOSCOW))
    request = FillRequest(text=text, state="idle", catalogue=catalogue, now=now, timezone=MOSCOW)
    fill = OfflineFiller().fill_now(request)
    assert SlotFill.model_validate(fill.model_dump()) == fill
    assert set(fill.services) <= set(catalogue.service_names)
    assert fill.master is None or fill.master in catalogue.masters
