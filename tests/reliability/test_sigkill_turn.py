"""SIGKILL the worker at each step of a turn; a clean worker then finishes the job.

The turn is the booking turn ("да") of a real conversation, run by a real worker process
(`tests.support.engine_worker`) against the sandbox salon and a recording venom gateway
served here. After the kill a client message arrives while no worker runs, then a clean
worker starts. Whatever the kill point: no message is lost (both batches run, in order),
the visit is booked exactly once, and the client is told "вы записаны".

The at-least-once boundary is the gateway call: a reply that reached the gateway but was
not yet marked sent in the outbox when the worker died is sent again by the retry (the
client sees the confirmation twice). A kill anywhere else sends every reply exactly once.
"""

from __future__ import annotations

import dataclasses

import pytest

from adapters.yclients.sandbox import RunningSandbox
from engine.batcher import Batcher
from engine.clock import VirtualClock
from engine.conversations import ConversationStore
from engine.redis_conn import AsyncRedis
from tests.reliability.conftest import START, bookings_made, client_message
from tests.support.gateway import RecordingGateway
from tests.support.processes import ChildProcesses
from tests.support.waiting import eventually

PHONE = "79990001122"
CHAT = f"{PHONE}@c.us"
WORKER = "tests.support.engine_worker"


@dataclasses.dataclass(frozen=True)
class KillCase:
    point: str
    booked_before_restart: int  # records in YClients when the worker lay dead
    confirmations_before_restart: int  # "записаны" replies the client had by then
    confirmations_in_the_end: int


CASES = [
    KillCase("claim", booked_before_restart=0, confirmations_before_restart=0,
             confirmations_in_the_end=1),
    KillCase("book", booked_before_restart=1, confirmations_before_restart=0,
             confirmations_in_the_end=1),
    # Delivered but still in the outbox: the one duplicate the design allows.
    KillCase("send", booked_before_restart=1, confirmations_before_restart=1,
             confirmations_in_the_end=2),
    KillCase("handled", booked_before_restart=1, confirmations_before_restart=1,
             confirmations_in_the_end=1),
]  # fmt: skip


def confirmations(gateway: RecordingGateway) -> int:
    return sum("записаны" in text for text in gateway.to(CHAT))


@pytest.mark.parametrize("case", CASES, ids=[c.point for c in CASES])
async def test_sigkill_at_each_step_loses_nothing_and_books_once(
    case: KillCase,
    redis_url: str,
    redis: AsyncRedis,
    batcher: Batcher,
    sandbox: RunningSandbox,
    gateway: RecordingGateway,
    children: ChildProcesses,
) -> None:
    args = [redis_url, batcher.keys.prefix, sandbox.base_url, gateway.url]
    doomed = await children.start(WORKER, *args, "--kill-at", case.point, "--arm-body", "да")
    # On the dialogue's frozen clock, as the worker sees it (else the turn looks years idle).
    store = ConversationStore(redis, batcher.keys, VirtualClock(START), idle_ttl_s=7 * 24 * 3600)

    await batcher.append(PHONE, client_message(PHONE, "m1", "Стрижка к Бари завтра в 18:00"))

    async def confirming() -> bool:
        return len(gateway.to(CHAT)) == 1 and (await store.load(PHONE)).state == "confirming"

    await eventually(confirming, 20, "the first turn asks to confirm")
    await batcher.append(PHONE, client_message(PHONE, "m2", "да"))
    assert await children.ended(doomed, timeout_s=20) == -9  # it died by SIGKILL, where told
    assert len(bookings_made(sandbox)) == case.booked_before_restart
    assert confirmations(gateway) == case.confirmations_before_restart

    # A client message while no worker is alive, then a clean worker.
    await batcher.append(PHONE, client_message(PHONE, "m3", "хочу ещё на бороду"))
    await children.start(WORKER, *args)

    async def all_processed() -> bool:
        stats = await batcher.stats()
        return stats.processed_messages == 3 and stats.pending_batches == 0

    await eventually(all_processed, 30, "every message processed")
    stats = await batcher.stats()
    assert (stats.pending_messages, stats.failed_batches) == (0, 0)
    conversation = await store.load(PHONE)
    turns = [(t["batch"], t["attempt"]) for t in conversation.turns]
    # In order, each batch once; the "да" batch was retried when its worker died before
    # saving its turn, and not re-run when the turn had been saved.
    retried_turn = 2 if case.point in ("claim", "book") else 1
    assert turns == [
        (["Стрижка к Бари завтра в 18:00"], 1), (["да"], retried_turn),
        (["хочу ещё на бороду"], 1),
    ]  # fmt: skip
    assert len(bookings_made(sandbox)) == 1  # booked exactly once, whatever the kill point
    assert confirmations(gateway) == case.confirmations_in_the_end
    assert conversation.booking is not None and conversation.state == "collecting"
    assert await redis.hlen(batcher.keys.phone_keys(PHONE).outbox) == 0  # nothing left unsent
    [record] = [r for r in sandbox.salon.records.values() if r.api_id]
    assert record.start.strftime("%Y-%m-%d %H:%M") == "2025-07-24 18:00"
