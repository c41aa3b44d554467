"""CloudMessenger over real HTTP against the local Graph API stub."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from adapters.messengers.cloud import MAX_TEXT_CHARS, CloudMessenger, split_text
from adapters.messengers.cloud_interactive import interactive
from states.menus import Menu, MenuItem
from states.ports import DeliveryError
from tests.support.graph_stub import HttpStub, Reply, graph_stub, meta_error

TOKEN = "EAAG-test-token-not-real"
NUMBER_ID = "106540352242922"


@pytest.fixture
async def stub() -> AsyncIterator[HttpStub]:
    async with graph_stub(TOKEN) as running:
        yield running


def messenger(
    session: aiohttp.ClientSession, stub: HttpStub, token: str = TOKEN, timeout_s: float = 5.0
) -> CloudMessenger:
    return CloudMessenger(session, stub.url + "/v20.0", NUMBER_ID, token, timeout_s=timeout_s)


async def test_payload_shape_and_bearer_token(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    await messenger(session, stub).send("79161234567@c.us", "Вы записаны на 14.03 в 15:00 ✂️")
    [request] = stub.requests
    assert request.method == "POST"
    assert request.path == f"/v20.0/{NUMBER_ID}/messages"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "79161234567",
        "type": "text",
        "text": {"preview_url": False, "body": "Вы записаны на 14.03 в 15:00 ✂️"},
    }


async def test_bare_digits_chat_is_accepted(session: aiohttp.ClientSession, stub: HttpStub) -> None:
    await messenger(session, stub).send("79035556677", "ok")
    assert stub.requests[0].json["to"] == "79035556677"


async def test_server_error_is_retryable(session: aiohttp.ClientSession, stub: HttpStub) -> None:
    stub.script(meta_error(500, "An unknown error occurred", 1, "OAuthException"))
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, stub).send("79161234567@c.us", "hi")
    assert caught.value.retryable is True
    assert "500" in str(caught.value)


async def test_rate_limit_is_retryable(session: aiohttp.ClientSession, stub: HttpStub) -> None:
    stub.script(Reply(429, "slow down"))
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, stub).send("79161234567@c.us", "hi")
    assert caught.value.retryable is True


async def test_throttling_code_on_400_is_retryable(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    stub.script(
        meta_error(
            400, "(#131056) (Business Account, Consumer Account) pair rate limit hit", 131056
        )
    )
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, stub).send("79161234567@c.us", "hi")
    assert caught.value.retryable is True
    assert "131056" in str(caught.value)


async def test_client_error_is_final_with_metas_message(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    message = "(#131047) Re-engagement message: more than 24 hours have passed"
    stub.script(meta_error(400, message, 131047, "OAuthException"))
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, stub).send("79161234567@c.us", "hi")
    assert caught.value.retryable is False
    assert message in str(caught.value)
    assert "400" in str(caught.value)


async def test_wrong_token_is_final_and_never_echoed(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    wrong = "EAAG-wrong-secret-token"
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, stub, token=wrong).send("79161234567@c.us", "hi")
    assert caught.value.retryable is False
    assert "Invalid OAuth access token" in str(caught.value)
    assert wrong not in str(caught.value) and TOKEN not in str(caught.value)
    assert wrong not in repr(messenger(session, stub, token=wrong))


async def test_timeout_is_retryable(session: aiohttp.ClientSession, stub: HttpStub) -> None:
    stub.script(Reply(200, {}, delay_s=0.5))
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, stub, timeout_s=0.1).send("79161234567@c.us", "hi")
    assert caught.value.retryable is True


async def test_unreachable_is_retryable(session: aiohttp.ClientSession) -> None:
    dead = CloudMessenger(session, "http://127.0.0.1:1/v20.0", NUMBER_ID, TOKEN, timeout_s=2)
    with pytest.raises(DeliveryError) as caught:
        await dead.send("79161234567@c.us", "hi")
    assert caught.value.retryable is True


async def test_lid_chat_is_refused_without_a_request(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, stub).send("123456789012345@lid", "hi")
    assert caught.value.retryable is False
    assert "123456789012345" not in str(caught.value)  # masked in the message
    assert stub.requests == []


async def test_long_text_is_split_on_paragraphs(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    first = "Абзац первый. " * 200  # 2800 characters
    second = "Второй абзац. " * 200
    third = "Третий."
    text = f"{first.strip()}\n\n{second.strip()}\n\n{third}"
    assert len(text) > MAX_TEXT_CHARS
    await messenger(session, stub).send("79161234567@c.us", text)
    bodies = [r.json["text"]["body"] for r in stub.requests]
    assert bodies == [first.strip(), f"{second.strip()}\n\n{third}"]
    assert all(len(b) <= MAX_TEXT_CHARS for b in bodies)


async def test_failure_of_a_later_piece_names_it(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    stub.script(Reply(200, {}), meta_error(503, "Service temporarily unavailable", 2))
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, stub).send("79161234567@c.us", "a" * 3000 + "\n" + "b" * 3000)
    assert caught.value.retryable is True
    assert "part 2/2" in str(caught.value)
    assert len(stub.requests) == 2


def test_split_text_prefers_lines_then_spaces_then_hard_cuts() -> None:
    assert split_text("short") == ["short"]
    assert split_text("aaa\nbbb ccc", limit=8) == ["aaa", "bbb ccc"]
    assert split_text("aaaa bbbb cccc", limit=9) == ["aaaa bbbb", "cccc"]
    assert split_text("x" * 10, limit=4) == ["xxxx", "xxxx", "xx"]
    pieces = split_text(("слово " * 2000).strip())
    assert all(len(p) <= MAX_TEXT_CHARS for p in pieces)
    assert " ".join(pieces) == ("слово " * 2000).strip()


# --- tappable choices and read receipts (issue 17) ---------------------------------------

OPTIONS = Menu(
    tuple(
        MenuItem(f"o:2025-07-24|{hour}:00|3413963", f"Чт 24.07 {hour}:00", "Завтра, Бари")
        for hour in range(10, 16)
    ),
    "Выбрать",
)
QUESTION = (
    "Завтра у Бари свободно:\n"
    + "\n".join(f"{n}. завтра в {hour}:00" for n, hour in enumerate(range(10, 16), start=1))
    + "\nВыберите номер или напишите другое время."
)


async def test_choices_go_out_as_a_list_message(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    await messenger(session, stub).send("79161234567@c.us", QUESTION, OPTIONS)
    [request] = stub.requests
    body = request.json
    assert body["type"] == "interactive" and body["to"] == "79161234567"
    tappable = body["interactive"]
    assert tappable["type"] == "list"
    assert tappable["body"]["text"] == (
        "Завтра у Бари свободно:\nВыберите номер или напишите другое время."
    )
    assert tappable["action"]["button"] == "Выбрать"
    [section] = tappable["action"]["sections"]
    assert [row["id"] for row in section["rows"]] == [item.id for item in OPTIONS.items]
    assert all(len(row["title"]) <= 24 for row in section["rows"])


async def test_a_yes_or_no_goes_out_as_reply_buttons(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    menu = Menu((MenuItem("yes:1a2b", "Да"), MenuItem("no:1a2b", "Нет")), "Выбрать")
    summary = "Стрижка у Бари завтра в 18:00, 1500 ₽. Записываю? (да/нет)"
    await messenger(session, stub).send("79161234567@c.us", summary, menu)
    tappable = stub.requests[0].json["interactive"]
    assert tappable == {
        "type": "button",
        "body": {"text": summary},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "yes:1a2b", "title": "Да"}},
                {"type": "reply", "reply": {"id": "no:1a2b", "title": "Нет"}},
            ]
        },
    }


@pytest.mark.parametrize(
    ("text", "menu"),
    [
        (QUESTION, Menu(OPTIONS.items * 2, "Выбрать")),  # 12 rows: more than a list holds
        ("Выберите:\n" + "x" * 1100, OPTIONS),  # a body past 1024 characters
        ("1. один\n2. два", OPTIONS),  # nothing but the choices: no body to show
        (QUESTION, Menu((MenuItem("o:1", "x" * 25),), "Выбрать")),  # a title past 24
    ],
)
def test_what_does_not_fit_goes_out_as_numbered_text(text: str, menu: Menu) -> None:
    assert interactive(text, menu) is None


async def test_plain_text_when_the_menu_does_not_fit(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    await messenger(session, stub).send("79161234567@c.us", QUESTION, Menu(OPTIONS.items * 2, "x"))
    assert stub.requests[0].json["type"] == "text"
    assert stub.requests[0].json["text"]["body"] == QUESTION


async def test_mark_read_shows_the_typing_indicator_and_never_raises(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    cloud = messenger(session, stub)
    await cloud.mark_read("79161234567@c.us", "wamid.HBgLNzkx")
    assert stub.requests[0].json == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.HBgLNzkx",
        "typing_indicator": {"type": "text"},
    }
    stub.script(meta_error(400, "Invalid parameter", 100))
    await cloud.mark_read("79161234567@c.us", "wamid.gone")  # refused: logged, not raised
    await CloudMessenger(session, "http://127.0.0.1:9/v20.0", NUMBER_ID, TOKEN).mark_read(
        "79161234567@c.us", "wamid.x"
    )  # unreachable: logged, not raised


TEMPLATE = {
    "name": "visit_reminder",
    "language": {"code": "ru"},
    "components": [{"type": "body", "parameters": [{"type": "text", "text": "завтра"}]}],
}


async def test_a_template_is_sent_as_meta_documents_it(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    await messenger(session, stub).send_template("79161234567@c.us", TEMPLATE)
    [request] = stub.requests
    assert request.path == f"/v20.0/{NUMBER_ID}/messages"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "79161234567",
        "type": "template",
        "template": TEMPLATE,
    }


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        (meta_error(404, "Template name does not exist in the translation", 132001), False),
        (meta_error(400, "Number of parameters does not match", 132000), False),
        (meta_error(500, "An unknown error occurred", 1), True),
        (meta_error(400, "Rate limit hit", 130429), True),
    ],
)
async def test_a_refused_template_says_whether_to_retry(
    session: aiohttp.ClientSession, stub: HttpStub, reply: Reply, retryable: bool
) -> None:
    stub.script(reply)
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, stub).send_template("79161234567@c.us", TEMPLATE)
    assert caught.value.retryable is retryable
    assert TOKEN not in str(caught.value)


async def test_a_template_needs_a_phone_number(
    session: aiohttp.ClientSession, stub: HttpStub
) -> None:
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, stub).send_template("123456789012345@lid", TEMPLATE)
    assert caught.value.retryable is False and stub.requests == []
