"""VenomMessenger over real HTTP against a local venom gateway stub."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from adapters.messengers.venom import VenomMessenger
from states.ports import DeliveryError
from tests.support.graph_stub import HttpStub, Reply


@pytest.fixture
async def gateway() -> AsyncIterator[HttpStub]:
    async with HttpStub() as running:
        yield running


def messenger(session: aiohttp.ClientSession, gateway: HttpStub) -> VenomMessenger:
    return VenomMessenger(session, gateway.url + "/send", timeout_s=5.0)


async def test_posts_to_and_text(session: aiohttp.ClientSession, gateway: HttpStub) -> None:
    await messenger(session, gateway).send("79161234567@c.us", "Вы записаны ✂️")
    [request] = gateway.requests
    assert (request.method, request.path) == ("POST", "/send")
    assert request.json == {"to": "79161234567@c.us", "text": "Вы записаны ✂️"}


@pytest.mark.parametrize("status", [200, 201, 204])
async def test_any_2xx_means_sent(
    session: aiohttp.ClientSession, gateway: HttpStub, status: int
) -> None:
    gateway.script(Reply(status, ""))
    await messenger(session, gateway).send("79161234567@c.us", "hi")
    assert len(gateway.requests) == 1


async def test_server_error_is_retryable(session: aiohttp.ClientSession, gateway: HttpStub) -> None:
    gateway.script(Reply(500, "browser crashed"))
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, gateway).send("79161234567@c.us", "hi")
    assert caught.value.retryable is True
    assert "500" in str(caught.value) and "browser crashed" in str(caught.value)


async def test_not_found_is_final(session: aiohttp.ClientSession, gateway: HttpStub) -> None:
    gateway.script(Reply(404, "no such chat"))
    with pytest.raises(DeliveryError) as caught:
        await messenger(session, gateway).send("79161234567@c.us", "hi")
    assert caught.value.retryable is False
    assert "404" in str(caught.value)


async def test_timeout_is_retryable(session: aiohttp.ClientSession, gateway: HttpStub) -> None:
    gateway.script(Reply(200, "", delay_s=0.5))
    slow = VenomMessenger(session, gateway.url + "/send", timeout_s=0.1)
    with pytest.raises(DeliveryError) as caught:
        await slow.send("79161234567@c.us", "hi")
    assert caught.value.retryable is True


async def test_unreachable_is_retryable(session: aiohttp.ClientSession) -> None:
    dead = VenomMessenger(session, "http://127.0.0.1:1/send", timeout_s=2.0)
    with pytest.raises(DeliveryError) as caught:
        await dead.send("79161234567@c.us", "hi")
    assert caught.value.retryable is True
    assert "unreachable" in str(caught.value)
