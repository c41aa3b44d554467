"""Tappable choices (issue 17): the menus a question carries, taps read by their ids
without the filler, and venom's numbered text — on the whole engine, virtual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from adapters.fillers import OfflineFiller
from adapters.messengers.cloud_interactive import interactive
from adapters.messengers.venom import VenomMessenger
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from states.menus import DESCRIPTION_CHARS, MAX_ROWS, TITLE_CHARS, Menu
from tests.support.graph_stub import HttpStub

PHONE = "79990001122"
CHAT = f"{PHONE}@c.us"
START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)  # Wednesday, 15:00 in Moscow


@pytest.fixture
async def h(redis: AsyncRedis, keys: Keys) -> AsyncIterator[Harness]:
    async with engine_harness(redis, keys, OfflineFiller(), START) as harness:
        yield harness


def last_menu(h: Harness) -> Menu:
    chat, menu = h.messenger.menus[-1]
    assert chat == CHAT and menu is not None
    return menu


def within_metas_limits(menu: Menu) -> None:
    assert 1 <= len(menu.items) <= MAX_ROWS
    assert len({item.id for item in menu.items}) == len(menu.items)
    for item in menu.items:
        assert 1 <= len(item.title) <= TITLE_CHARS and len(item.id) <= 200
        assert item.description is None or len(item.description) <= DESCRIPTION_CHARS


async def test_a_list_reply_picks_the_option_by_its_id_without_the_filler(h: Harness) -> None:
    [offer] = await h.turn(PHONE, "стрижка к Бари завтра", pushname="Ира")
    menu = last_menu(h)
    within_metas_limits(menu)
    third = menu.items[2]
    assert third.id == "o:2025-07-24|11:00|3413963" and third.title == "Чт 24.07 11:00"
    assert third.description == "Завтра, 24 июля (чт), Бари"
    tappable = interactive(offer, menu)
    assert tappable is not None and tappable["type"] == "list"
    assert "1. " not in tappable["body"]["text"]  # the rows show the choices
    await h.send(PHONE, third.title, choice=third.id)
    await h.settle()
    c = await h.conversation(PHONE)
    assert c.state == "confirming" and c.slots.time == "11:00"
    assert c.turns[-1]["llm_fill"]["source"] == "tapped"  # read by its id, not by the filler


async def test_a_button_reply_confirms_and_books(h: Harness) -> None:
    [summary] = await h.turn(PHONE, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    menu = last_menu(h)
    assert [item.title for item in menu.items] == ["Да", "Нет"]
    tappable = interactive(summary, menu)
    assert tappable is not None and tappable["type"] == "button"
    assert len(tappable["action"]["buttons"]) == 2
    await h.send(PHONE, "Да", choice=menu.items[0].id)
    await h.settle()
    c = await h.conversation(PHONE)
    assert c.turns[-1]["llm_fill"]["source"] == "tapped"
    assert c.state == "booked" and c.booking is not None
    assert "записаны" in h.messenger.to(CHAT)[-1]


async def test_an_old_summarys_yes_books_nothing(h: Harness) -> None:
    await h.turn(PHONE, "Стрижка к Бари завтра в 18:00", pushname="Ира")
    old_yes = last_menu(h).items[0]
    await h.turn(PHONE, "а давайте в 19:00")
    c = await h.conversation(PHONE)
    assert c.state == "confirming" and c.chosen is not None and c.chosen.time == "19:00"
    await h.send(PHONE, "Да", choice=old_yes.id)
    await h.settle()
    c = await h.conversation(PHONE)
    assert c.state == "confirming" and c.booking is None  # asked again, nothing booked


async def test_master_choices_go_out_as_a_menu(h: Harness) -> None:
    await h.turn(PHONE, "Стрижка", pushname="Ира")
    await h.turn(PHONE, "ммм")  # nothing usable: the master question comes with choices
    menu = last_menu(h)
    within_metas_limits(menu)
    assert any(item.id.startswith("c:master:") for item in menu.items)
    assert menu.items[-1].id == "c:any_master:"
    await h.send(PHONE, menu.items[0].title, choice=menu.items[0].id)
    await h.settle()
    c = await h.conversation(PHONE)
    assert c.slots.staff_id == int(menu.items[0].id.split(":")[2])


async def test_venom_keeps_the_numbered_text(h: Harness) -> None:
    """The venom gateway gets the question as it is, choices numbered in its text."""
    [offer] = await h.turn(PHONE, "стрижка к Бари завтра", pushname="Ира")
    async with HttpStub() as gateway, aiohttp.ClientSession() as session:
        await VenomMessenger(session, f"{gateway.url}/send").send(CHAT, offer, last_menu(h))
        [request] = gateway.requests
    assert request.json == {"to": CHAT, "text": offer}
    assert "3. завтра, 24 июля (чт) в 11:00, Бари" in offer


async def test_messages_are_marked_read_while_their_turn_runs(h: Harness) -> None:
    await h.send(PHONE, "Здравствуйте", pushname="Ира", msg_id="wamid.first")
    await h.send(PHONE, "Запишите на стрижку", msg_id="wamid.second")
    await h.settle()
    assert h.messenger.read == [(CHAT, "wamid.second")]  # the latest marks the rest read
    await h.takeover.pause(PHONE, 3600)
    await h.send(PHONE, "алло", msg_id="wamid.third")
    await h.settle()
    assert h.messenger.read == [(CHAT, "wamid.second")]  # a person reads those
