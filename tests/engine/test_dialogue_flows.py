"""The dialogue end to end: batch worker, real Redis, the YClients sandbox over HTTP.

The clock is virtual: Wednesday 2025-07-23, 15:00 in Moscow, so "завтра" is Thursday the
24th (Бари works 10–21 and is busy 14:00–15:00; Артём works 10–20 and is busy at 18:00).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.fillers import OfflineFiller
from adapters.fillers.openai_filler import OpenAIFiller, make_openai_client
from adapters.fillers.openai_stub import OpenAIStub, StubError
from adapters.yclients.sandbox import Fault
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from states.slot_fill import FillRequest, SlotFill

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # 15:00 Moscow
NIKOLAI = "79161234567"  # a known client: last attended visit with Бари, master requested
NEWCOMER = "79990001122"
BARI, ARTYOM, IGOR = 3413963, 3413964, 3413966
HAIRCUT, BEARD = 18356010, 18356020


@pytest.fixture
async def h(redis: AsyncRedis, keys: Keys) -> AsyncIterator[Harness]:
    async with engine_harness(redis, keys, OfflineFiller(), START) as harness:
        yield harness


def created(h: Harness) -> list[tuple[int, str, tuple[int, ...]]]:
    """Records our bot made in the sandbox: (staff_id, local start, services)."""
    return [
        (r.staff_id, r.start.strftime("%Y-%m-%d %H:%M"), r.service_ids)
        for r in h.sandbox.salon.records.values()
        if r.api_id and not r.deleted
    ]


async def test_the_log_conversation_books_bari_tomorrow_at_18(h: Harness) -> None:
    replies = await h.turn(
        NEWCOMER,
        "Запишите на стрижку меня",
        "На завтра",
        "В 18:00",
        "К Бари",
        gap_s=4,
        pushname="Николай",
    )
    assert len(replies) == 1  # four pieces, one turn, one answer
    assert "Бари" in replies[0] and "18:00" in replies[0] and "24 июля" in replies[0]
    assert "1800" in replies[0]  # the summary carries the price
    c = await h.conversation(NEWCOMER)
    assert c.state == "confirming"
    assert c.slots.as_dict() == {
        "service_ids": [HAIRCUT],
        "staff_id": BARI,
        "date": "2025-07-24",
        "time": "18:00",
    }
    assert created(h) == []  # nothing is written to YClients before the client says yes

    replies = await h.turn(NEWCOMER, "да")
    assert len(replies) == 1 and "записаны" in replies[0] and "Пятницкая" in replies[0]
    assert created(h) == [(BARI, "2025-07-24 18:00", (HAIRCUT,))]
    [sent] = h.sandbox.control.calls("book_record", "POST")
    appointment = sent.json["appointments"][0]
    assert type(appointment["staff_id"]) is int and appointment["staff_id"] == BARI
    assert appointment["datetime"] == "2025-07-24T18:00:00+03:00"
    assert sent.json["phone"] == NEWCOMER and sent.json["fullname"] == "Николай"
    c = await h.conversation(NEWCOMER)
    assert c.state == "booked" and c.booking is not None


async def test_same_master_as_last_time_books_the_master_of_the_last_visit(h: Harness) -> None:
    replies = await h.turn(
        NIKOLAI, "Здравствуйте, запишите на стрижку к тому же мастеру завтра в 12"
    )
    c = await h.conversation(NIKOLAI)
    assert c.slots.staff_id == BARI and c.slot_sources["staff_id"] == "history:last_master"
    assert c.state == "confirming" and "Бари" in replies[-1]
    assert c.client_name == "Николай"  # taken from YClients: no push name was given
    await h.turn(NIKOLAI, "Да, подтверждаю")
    assert created(h) == [(BARI, "2025-07-24 12:00", (HAIRCUT,))]


async def test_taken_slot_offers_alternatives_and_a_pick_books_it(h: Harness) -> None:
    # Артём is busy tomorrow at 18:00.
    replies = await h.turn(NEWCOMER, "Стрижка к Артёму завтра в 18:00", pushname="Ира")
    c = await h.conversation(NEWCOMER)
    assert c.state == "suggesting" and 1 < len(c.offered) <= 5
    assert "занято" in replies[0] and "1." in replies[0]
    assert c.slots.time == "18:00"  # the requested time stays while alternatives are shown
    pick = c.offered[1]
    await h.turn(NEWCOMER, "2")
    c = await h.conversation(NEWCOMER)
    assert c.state == "confirming" and (c.slots.staff_id, c.slots.time) == (
        pick.staff_id,
        pick.time,
    )
    await h.turn(NEWCOMER, "да")
    assert created(h) == [(pick.staff_id, f"{pick.date} {pick.time}", (HAIRCUT,))]


async def test_422_at_book_record_is_a_friendly_answer_not_a_false_confirmation(
    h: Harness,
) -> None:
    await h.turn(NEWCOMER, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    h.sandbox.control.add_fault(
        Fault(
            endpoint="book_record",
            status=422,
            json={"success": False, "data": None, "meta": {"message": "Сотрудник не найден."}},
        )
    )
    replies = await h.turn(NEWCOMER, "да")
    assert len(replies) == 1
    assert "записаны" not in replies[0] and "Салон не принял запись" in replies[0]
    assert "Сотрудник не найден" in replies[0]
    c = await h.conversation(NEWCOMER)
    assert c.state in ("collecting", "suggesting") and c.booking is None
    assert created(h) == []


async def test_433_at_booking_offers_alternatives(h: Harness) -> None:
    await h.turn(NEWCOMER, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    h.sandbox.control.add_fault(
        Fault(
            endpoint="book_check",
            status=422,
            json={"errors": {"code": 433, "id": 1, "message": "Время занято"}},
        )
    )
    replies = await h.turn(NEWCOMER, "да")
    assert "записаны" not in replies[0] and "занято" in replies[0]
    c = await h.conversation(NEWCOMER)
    assert c.state == "suggesting" and c.offered
    await h.turn(NEWCOMER, "1")
    await h.turn(NEWCOMER, "да")
    assert len(created(h)) == 1


async def test_schedule_down_is_said_honestly(h: Harness) -> None:
    await h.turn(NEWCOMER, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    h.sandbox.control.add_fault(Fault(endpoint="book_check", status=503, count=-1))
    replies = await h.turn(NEWCOMER, "да")
    assert "не удалось связаться с расписанием" in replies[0].lower()
    assert "записаны" not in replies[0]
    c = await h.conversation(NEWCOMER)
    assert c.state == "collecting" and c.booking is None and created(h) == []


async def test_correction_while_confirming(h: Harness) -> None:
    await h.turn(NEWCOMER, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    replies = await h.turn(NEWCOMER, "нет, давайте в 19")
    c = await h.conversation(NEWCOMER)
    assert c.state == "confirming" and c.slots.time == "19:00" and "19:00" in replies[0]
    await h.turn(NEWCOMER, "лучше к Артёму")
    c = await h.conversation(NEWCOMER)
    assert c.slots.staff_id == ARTYOM and c.state == "confirming"
    await h.turn(NEWCOMER, "да")
    assert created(h) == [(ARTYOM, "2025-07-24 19:00", (HAIRCUT,))]


async def test_one_question_at_a_time(h: Harness) -> None:
    first = await h.turn(NEWCOMER, "Здравствуйте", pushname="Ира")
    assert "услугу" in first[0]
    second = await h.turn(NEWCOMER, "на стрижку")
    assert "мастер" in second[0].lower()
    third = await h.turn(NEWCOMER, "к любому")
    assert "день" in third[0]
    fourth = await h.turn(NEWCOMER, "завтра")
    c = await h.conversation(NEWCOMER)
    assert c.state == "suggesting" and "1." in fourth[0]
    await h.turn(NEWCOMER, "1")
    c = await h.conversation(NEWCOMER)
    # "Any master" became a concrete master who is free at that time.
    assert c.state == "confirming" and c.slots.staff_id in (BARI, ARTYOM, IGOR)
    assert c.slot_sources["staff_id"] == "any:first_free"


async def test_master_who_does_not_do_the_service(h: Harness) -> None:
    replies = await h.turn(NEWCOMER, "Маникюр к Бари завтра в 12", pushname="Ира")
    assert "Бари не делает" in replies[0] and "Снежана" in replies[0]
    c = await h.conversation(NEWCOMER)
    assert c.state == "collecting" and c.slots.staff_id is None


async def test_cancel_an_upcoming_booking(h: Harness) -> None:
    pavel = "79035556677"  # has a visit in two days
    replies = await h.turn(pavel, "Отмените мою запись пожалуйста")
    assert "Отменить" in replies[0]
    c = await h.conversation(pavel)
    assert c.state == "cancelling" and c.booking is not None
    record_id = c.booking.record_id
    replies = await h.turn(pavel, "да")
    assert "отменена" in replies[0]
    assert h.sandbox.salon.records[record_id].deleted
    assert (await h.conversation(pavel)).state == "idle"


async def test_reschedule_an_upcoming_booking(h: Harness) -> None:
    pavel = "79035556677"  # Артём, in two days at 19:00
    replies = await h.turn(pavel, "Перенесите мою запись на завтра в 12:00")
    c = await h.conversation(pavel)
    assert c.state == "confirming" and c.mode == "reschedule" and "Перенести" in replies[0]
    record_id = c.booking.record_id if c.booking else 0
    replies = await h.turn(pavel, "да")
    assert "перенесена" in replies[0]
    record = h.sandbox.salon.records[record_id]
    assert record.start.strftime("%Y-%m-%d %H:%M") == "2025-07-24 12:00"


async def test_non_text_gets_a_polite_answer(h: Harness) -> None:
    await h.send(NEWCOMER, "", type_="ptt")
    await h.settle()
    [reply] = h.messenger.to(f"{NEWCOMER}@c.us")
    assert "текстов" in reply
    assert (await h.conversation(NEWCOMER)).state == "idle"


async def test_reprompt_ladder_offers_the_phone(h: Harness) -> None:
    await h.turn(NEWCOMER, "стрижка к Бари", pushname="Ира")
    first = await h.turn(NEWCOMER, "ну не знаю")
    assert not any("+7495" in r for r in first)
    second = await h.turn(NEWCOMER, "хм")
    assert any("+74951234567" in r for r in second)


async def test_no_name_is_asked_before_booking(h: Harness) -> None:
    await h.turn(NEWCOMER, "Стрижка к Бари завтра в 18:00")
    replies = await h.turn(NEWCOMER, "да")
    assert "имя" in replies[0] and created(h) == []
    replies = await h.turn(NEWCOMER, "Марина")
    assert "записаны" in replies[0]
    [sent] = h.sandbox.control.calls("book_record", "POST")
    assert sent.json["fullname"] == "Марина"


async def test_lid_sender_is_asked_for_a_phone(h: Harness) -> None:
    lid = "lid123456789012345"
    await h.send(lid, "Стрижка к Бари завтра в 18:00", chat="123456789012345@lid", pushname="Ира")
    await h.settle()
    await h.send(lid, "да", chat="123456789012345@lid")
    await h.settle()
    assert "номер телефона" in h.messenger.to("123456789012345@lid")[-1]
    await h.send(lid, "+7 916 555-44-33", chat="123456789012345@lid")
    await h.settle()
    assert "записаны" in h.messenger.to("123456789012345@lid")[-1]
    [sent] = h.sandbox.control.calls("book_record", "POST")
    assert sent.json["phone"] == "79165554433"
    # The visit's reminders live under the number it was booked with (the one the record
    # and its webhooks carry), not under the chat's lid, and each goes out in its time
    # (to that number's chat, as before).
    reminders = h.follow_up.tracker.reminders
    assert await reminders.reminders_of(lid) == []
    assert {r.kind for r in await reminders.reminders_of("79165554433")} == {"24h", "2h"}
    await h.run_until(START + timedelta(hours=30))
    assert all(r.status != "scheduled" for r in await reminders.reminders_of("79165554433"))
    told = h.messenger.to("79165554433@c.us")
    assert len(told) == 2 and all("Напоминаем о записи" in m for m in told)


async def test_english_client_gets_english(h: Harness) -> None:
    replies = await h.turn(
        NEWCOMER, "Hi, can I book a haircut with Bari tomorrow at 6pm?", pushname="John"
    )
    assert "Please check" in replies[0]
    replies = await h.turn(NEWCOMER, "yes")
    assert "booked" in replies[0]


async def test_retried_turn_after_booking_does_not_book_twice(h: Harness) -> None:
    await h.turn(NEWCOMER, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    # book_record creates the record but the answer is lost (502 after processing):
    # the client looks the booking up by api_id instead of booking again.
    h.sandbox.control.add_fault(Fault(endpoint="book_record", status=502, process=True))
    replies = await h.turn(NEWCOMER, "да")
    assert "записаны" in replies[0]
    assert len(created(h)) == 1


async def test_idle_conversation_expires_keeping_the_name(h: Harness) -> None:
    await h.turn(NEWCOMER, "Стрижка к Бари", pushname="Ира")
    h.clock.advance(timedelta(days=8).total_seconds())
    c = await h.conversation(NEWCOMER)
    assert c.state == "idle" and c.slots.service_ids is None and c.client_name == "Ира"


async def test_scripted_llm_fill_drives_the_same_engine(redis: AsyncRedis, keys: Keys) -> None:
    stub = OpenAIStub()
    stub.script(
        [
            # The LLM proposes words only (adapters/fillers/proposal.py); code resolves them.
            {
                "intent": "book",
                "service_phrases": ["подровнять бороду"],
                "master_choice": "named",
                "master": "Бари",
                "date_phrase": "завтра",
                "time_phrase": "в 5",
                "option": None,
                "client_name": None,
                "phone": None,
                "language": "ru",
            },
            StubError(500),  # the second turn falls back to the offline filler ("да")
        ]
    )
    async with stub as base_url:
        filler = OpenAIFiller(make_openai_client("test-key", base_url, max_retries=0), "stub")
        async with engine_harness(redis, keys, filler, START) as h:
            replies = await h.turn(
                NEWCOMER, "мне бы подровнять бороду завтра к Бари в 5", pushname="Олег"
            )
            c = await h.conversation(NEWCOMER)
            assert c.slots.as_dict() == {
                "service_ids": [BEARD],
                "staff_id": BARI,
                "date": "2025-07-24",
                "time": "17:00",
            }
            assert "Моделирование бороды" in replies[0]
            await h.turn(NEWCOMER, "да")
            assert created(h) == [(BARI, "2025-07-24 17:00", (BEARD,))]
            assert c.turns[-1]["llm_fill"]["source"] == "llm"


async def test_guard_past_time_today_offers_later_times(h: Harness) -> None:
    replies = await h.turn(NEWCOMER, "Стрижка к Бари сегодня в 11:00", pushname="Ира")
    assert "уже прошло" in replies[0]
    c = await h.conversation(NEWCOMER)
    assert c.state == "suggesting" and all(o.time > "15:00" for o in c.offered)
    assert any(g["guard"] == "time_not_past" and not g["ok"] for g in c.turns[-1]["guards"])


async def test_guard_past_date_asks_for_another_day(h: Harness) -> None:
    replies = await h.turn(NEWCOMER, "Стрижка к Бари 22.07.2025 в 12:00", pushname="Ира")
    c = await h.conversation(NEWCOMER)
    assert "уже прошло" in replies[0] and "день" in replies[0]
    assert c.state == "collecting" and c.slots.date is None and c.awaiting == "date"


async def test_guard_unknown_service_lists_what_there_is(h: Harness) -> None:
    replies = await h.turn(NEWCOMER, "Хочу записаться на массаж спины", pushname="Ира")
    c = await h.conversation(NEWCOMER)
    assert c.slots.service_ids is None and c.state == "collecting"
    assert "мужская стрижка" in replies[0].lower()


class BrokenFiller:
    """A slot filler with a bug in it: the turn must still answer the client."""

    async def fill(self, request: FillRequest) -> SlotFill:
        raise RuntimeError("a bug in the filler")


async def test_a_bug_in_a_turn_is_an_apology_not_silence(redis: AsyncRedis, keys: Keys) -> None:
    async with engine_harness(redis, keys, BrokenFiller(), START) as h:
        replies = await h.turn(NEWCOMER, "Стрижка к Бари завтра в 18:00", pushname="Ира")
        assert len(replies) == 1 and "позвоните нам: +74951234567" in replies[0]
        c = await h.conversation(NEWCOMER)
        assert c.state == "idle" and c.turns[-1]["guards"] == [
            {"guard": "turn_completed", "ok": False}
        ]
        stats = await h.batcher.stats()
        assert (stats.processed_batches, stats.failed_batches, stats.pending_batches) == (1, 0, 0)


async def test_thanks_after_booking_is_answered_with_the_visit(h: Harness) -> None:
    await h.turn(NEWCOMER, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    await h.turn(NEWCOMER, "да")
    replies = await h.turn(NEWCOMER, "Спасибо!")
    assert "Ждём вас" in replies[0] and "18:00" in replies[0] and "Бари" in replies[0]
    assert len(created(h)) == 1


async def test_without_a_user_token_history_and_changes_are_honest(
    redis: AsyncRedis, keys: Keys
) -> None:
    async with engine_harness(redis, keys, OfflineFiller(), START, with_user_token=False) as h:
        replies = await h.turn(NIKOLAI, "Стрижку к тому же мастеру завтра в 12", pushname="Коля")
        assert "К кому записать?" in replies[0]  # asked, not "could not reach the schedule"
        c = await h.conversation(NIKOLAI)
        assert c.slots.date == "2025-07-24" and c.slots.staff_id is None
        assert {"guard": "history_readable", "ok": False, "detail": "no user token"} in (
            c.turns[-1]["guards"]
        )
        replies = await h.turn("79035556677", "Отмените мою запись")
        assert "позвоните" in replies[0] and "+74951234567" in replies[0]
        assert (await h.conversation("79035556677")).state == "idle"
