"""Slow and silent clients hold nothing (issue 11: half-sent headers were held for more
than 200 s). The real `ai-admin serve` with `HTTP_READ_TIMEOUT_S=1`, raw sockets that
send half a request head, trickle it byte by byte, send nothing, or never finish a body.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.support.raw_http import raw_request, request_head, seconds_until_closed
from tests.support.serve_process import ServeProcess

READ_TIMEOUT_S = 1
BOUND_S = READ_TIMEOUT_S + 3  # the timeout, plus room for a busy machine; waits stop at 10 s
HALF_HEAD = b"POST /webhook/whatsapp/batched HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def service(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServeProcess]:
    running = ServeProcess(
        tmp_path_factory.mktemp("slow-clients"), HTTP_READ_TIMEOUT_S=str(READ_TIMEOUT_S)
    )
    try:
        await running.start()
        yield running
    finally:
        await running.close()


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.mark.parametrize("data", [HALF_HEAD, b""], ids=["half-a-head", "nothing"])
async def test_a_connection_without_a_whole_request_head_is_closed(
    service: ServeProcess, data: bytes
) -> None:
    took = await seconds_until_closed(service.port, data, timeout_s=10)
    assert took is not None and took <= BOUND_S, f"held for {took} s"


async def test_a_head_trickled_byte_by_byte_is_closed_all_the_same(service: ServeProcess) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", service.port)
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def trickle() -> None:
        for byte in HALF_HEAD * 10:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.1)

    sender = asyncio.create_task(trickle())
    try:
        async with asyncio.timeout(10):
            while await reader.read(4096):
                pass
        took = loop.time() - started
    finally:
        sender.cancel()
        writer.close()
    assert took <= BOUND_S, f"held for {took:.1f} s while it trickled"


async def test_a_body_that_never_finishes_gets_408_and_the_service_keeps_answering(
    service: ServeProcess,
) -> None:
    head = request_head("POST", "/webhook/whatsapp/batched", [], body_length=500)
    status, body = await raw_request(service.port, head + b'{"id": "m1",', timeout_s=10)
    assert status == 408 and b"not received within 1 s" in body
    took = await seconds_until_closed(service.port, head + b'{"id": "m1",', timeout_s=10)
    assert took is not None and took <= BOUND_S + 2  # the answer, then at most 1 s lingering
    health, _ = await service.request("GET", "/healthz", timeout_s=5)
    assert health == 200
