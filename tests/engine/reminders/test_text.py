"""The reminder's words and its WhatsApp template parameters, over many salons and visits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine.reminders.text import (
    TEMPLATE_PARAMETERS,
    SalonInfo,
    TemplateSpec,
    reminder_text,
    template_message,
    template_parameters,
)
from engine.visit import Visit

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 7, 23, 18, 0, tzinfo=MOSCOW)

SALONS = [
    SalonInfo("Борода и Ножницы", "Москва, ул. Пушкина, 10", "Europe/Moscow"),
    SalonInfo("Nail Bar №1", "Екатеринбург, пр. Ленина, 5", "Asia/Yekaterinburg"),
    SalonInfo("Studio K", "", "Europe/Moscow"),
]
VISITS = [
    # (services, master, client)
    (("Мужская стрижка",), "Бари", "Ира"),
    (("Маникюр с покрытием", "Снятие гель-лака"), "Анна-Мария", ""),
    (("Окрашивание\nв один тон",), "", "Olga"),
]


def make(services: tuple[str, ...], master: str, client: str) -> Visit:
    return Visit(
        record_id=1, phone="79161234567", start=datetime(2025, 7, 24, 18, 30, tzinfo=MOSCOW),
        master=master, services=services, client_name=client,
    )  # fmt: skip


@pytest.mark.parametrize("salon", SALONS, ids=lambda s: s.title)
@pytest.mark.parametrize("facts", VISITS, ids=lambda v: v[1] or "any")
@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("ask", [True, False])
def test_text_names_service_master_date_time_and_address(
    salon: SalonInfo, facts: tuple[tuple[str, ...], str, str], lang: str, ask: bool
) -> None:
    visit = make(*facts)
    text = reminder_text(visit, salon, NOW, lang=lang, ask=ask)
    local = visit.start.astimezone(ZoneInfo(salon.timezone))
    assert local.strftime("%H:%M") in text
    assert ("tomorrow" if lang == "en" else "завтра") in text
    assert str(local.day) in text
    for service in visit.services:
        assert service in text
    assert (visit.master or ("any master" if lang == "en" else "любой мастер")) in text
    assert salon.address in text and salon.title in text
    asks = "“yes”" in text if lang == "en" else "«да»" in text
    assert asks == ask
    assert "{" not in text and "}" not in text


def test_russian_example_reads_as_an_administrator_writes() -> None:
    text = reminder_text(make(*VISITS[0]), SALONS[0], NOW, lang="ru")
    assert text == (
        "Здравствуйте, Ира! Напоминаем о записи в «Борода и Ножницы»: завтра, 24 июля (чт) "
        "в 18:30 — Мужская стрижка, мастер: Бари. Адрес: Москва, ул. Пушкина, 10.\n"
        "Подтвердите, пожалуйста: ответьте «да» — или «не смогу», если планы изменились."
    )


def test_the_salons_zone_decides_the_time_shown() -> None:
    text = reminder_text(make(*VISITS[0]), SALONS[1], NOW, lang="ru")
    assert "20:30" in text  # 18:30 in Moscow is 20:30 in Yekaterinburg


@pytest.mark.parametrize("spec", ["visit_reminder:ru", "reminder_2:en_US"])
def test_template_spec_parses(spec: str) -> None:
    parsed = TemplateSpec.parse(spec)
    assert f"{parsed.name}:{parsed.language}" == spec


@pytest.mark.parametrize("spec", ["visit_reminder", ":ru", "Visit Reminder:ru", "x:russian", ""])
def test_bad_template_spec_names_the_variable(spec: str) -> None:
    with pytest.raises(ValueError, match="WHATSAPP_REMINDER_TEMPLATE"):
        TemplateSpec.parse(spec)


@pytest.mark.parametrize("facts", VISITS, ids=lambda v: v[1] or "any")
def test_template_has_six_flat_parameters_in_the_documented_order(
    facts: tuple[tuple[str, ...], str, str],
) -> None:
    visit = make(*facts)
    salon = SALONS[2]
    message = template_message(TemplateSpec.parse("visit_reminder:ru"), visit, salon, NOW)
    assert message["name"] == "visit_reminder" and message["language"] == {"code": "ru"}
    [body] = message["components"]
    values = [p["text"] for p in body["parameters"]]
    assert len(values) == len(TEMPLATE_PARAMETERS) == 6
    assert all(v and "\n" not in v and "  " not in v for v in values)
    assert values[:2] == ["завтра, 24 июля (чт)", "18:30"]
    assert values[4:] == ["Studio K", "—"]  # no address in YClients: a dash, never empty
    assert template_parameters(visit, salon, NOW, "en")[0] == "tomorrow, 24 July (Thu)"
