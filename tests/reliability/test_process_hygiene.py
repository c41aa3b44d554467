"""The real `ai-admin serve` process: its embedded Redis dies with it, and a stop is short.

Issue 11 found a SIGKILLed `serve` leaving its embedded redis-server running, and a stop
with turns in flight sometimes taking more than 10 s. Here a turn is kept in flight by a
slow OpenAI-compatible server (the real `openai` client waits on it); the stop must end
the process within 5 s and give the turn back to the queue, so the next start answers the
client at once instead of after the lease (60 s here) runs out.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.fillers.openai_stub import OpenAIStub, StubDelay
from engine.embedded_redis import embedded_pid
from tests.support.gateway import RecordingGateway
from tests.support.serve_process import ServeProcess
from tests.support.waiting import eventually

PHONE = "79990001122"
CHAT = f"{PHONE}@c.us"
STOP_BOUND_S = 5.0


@pytest.fixture
async def services() -> AsyncIterator[list[ServeProcess]]:
    started: list[ServeProcess] = []
    yield started
    for service in started:
        await service.close()


async def test_a_sigkilled_serve_takes_its_embedded_redis_with_it(
    tmp_path: Path, services: list[ServeProcess]
) -> None:
    service = ServeProcess(tmp_path)
    services.append(service)
    await service.start()
    redis_pid = embedded_pid(service.data_dir)
    assert redis_pid is not None
    try:
        await service.kill()  # SIGKILL: no cleanup code of ours runs

        async def redis_gone() -> bool:
            return embedded_pid(service.data_dir) is None

        await eventually(redis_gone, 5, "the embedded redis-server exited")
    finally:
        if embedded_pid(service.data_dir) is not None:  # what used to happen: clean up here
            with contextlib.suppress(ProcessLookupError):
                os.kill(redis_pid, signal.SIGTERM)
    again = ServeProcess(tmp_path)  # and the next start brings up its own, on the same data
    services.append(again)
    await again.start()
    assert embedded_pid(again.data_dir) not in (None, redis_pid)


async def test_a_stop_with_a_turn_in_flight_is_short_and_the_turn_is_retried_at_once(
    tmp_path: Path, services: list[ServeProcess], gateway: RecordingGateway
) -> None:
    common = {"VENOM_SEND_URL": gateway.url, "BATCH_TIMEOUT_MS": "200", "BATCH_LEASE_MS": "60000"}
    llm = OpenAIStub()
    llm.script([StubDelay(60)])
    async with llm as llm_url:
        first = ServeProcess(tmp_path, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=llm_url, **common)
        services.append(first)
        await first.start()
        message = {"id": "m1", "from": CHAT, "body": "Запишите на стрижку к Бари завтра в 18:00",
                   "sender": {"pushname": "Ира"}}  # fmt: skip
        status, _ = await first.request("POST", "/webhook/whatsapp/batched", message)
        assert status == 200

        async def in_flight() -> bool:
            return len(llm.requests) >= 1

        await eventually(in_flight, 20, "the turn waits on the slow LLM")
        took = await first.stop()
    assert took <= STOP_BOUND_S, f"the stop took {took:.1f} s"
    assert first.proc is not None and first.proc.returncode == 0
    assert gateway.to(CHAT) == []  # the turn was given back, not finished

    # Offline filler now; the lease (60 s) would still hold the batch had it not been given back.
    second = ServeProcess(tmp_path, **common)
    services.append(second)
    await second.start()

    async def answered() -> bool:
        return len(gateway.to(CHAT)) >= 1

    await eventually(answered, 15, "the given-back turn answered after the restart")
    status, view = await second.request("GET", f"/conversations/{PHONE}")
    assert status == 200 and view["last_turn"]["attempt"] == 2
    assert view["state"] == "confirming"
