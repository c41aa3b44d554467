"""`ai-admin dead-letters [--requeue ID]`: failed batches listed with masked phones, one
requeued into its phone's queue; the dead lists stay bounded."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.batcher import Batcher, BatchPolicy
from engine.clock import VirtualClock
from engine.commands import dead_letters
from engine.dead_letters import LETTER_ID, DeadLetters
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.runtime import Overrides, open_runtime
from engine.settings import Settings
from tests.support.console import make_dead_letter

START = datetime(2025, 7, 23, 12, 0, tzinfo=UTC)
PHONE = "79161234567"


async def run(settings: Settings, requeue: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = await dead_letters(settings, requeue, out, err)
    return status, out.getvalue(), err.getvalue()


async def test_lists_failed_batches_masked_and_requeues_one(tmp_path: Path) -> None:
    # The command's own Redis: the embedded server under a data folder of this test.
    settings = Settings.from_mapping({"AI_ADMIN_DATA_DIR": str(tmp_path / "data")})
    clock = VirtualClock(START)
    async with open_runtime(settings, Overrides(clock=clock), worker=False) as runtime:
        await make_dead_letter(runtime.batcher, clock, PHONE, f"Запишите, мой номер {PHONE}")
        await make_dead_letter(runtime.batcher, clock, "79035556677", "Стрижка завтра")

    status, out, err = await run(settings)
    lines = out.splitlines()
    assert status == 0 and err == "" and len(lines) == 2
    assert PHONE not in out and "79035556677" not in out  # masked, in the text too
    assert "Запишите, мой номер" in lines[1] and "Стрижка завтра" in lines[0]  # newest first
    letter_id = lines[1].split()[0]
    assert LETTER_ID.fullmatch(letter_id)

    assert (await run(settings, letter_id))[:2] == (0, f"requeued {letter_id}\n")
    status, out, _ = await run(settings)
    assert status == 0 and len(out.splitlines()) == 1
    status, _, err = await run(settings, letter_id)
    assert status == 1 and err.count("\n") == 1 and letter_id in err
    async with open_runtime(settings, Overrides(clock=clock), worker=False) as runtime:
        assert (await runtime.batcher.pending_of(PHONE))[0] == 1  # back in its queue


async def test_none_is_said_on_stderr(tmp_path: Path) -> None:
    settings = Settings.from_mapping({"AI_ADMIN_DATA_DIR": str(tmp_path / "data")})
    assert await run(settings) == (0, "", "ai-admin: no failed batches\n")


@pytest.mark.parametrize(
    ("args", "status"),
    [(["--help"], 0), (["--requeue", "nonsense"], 2), (["--bogus"], 2), (["--requeue"], 2)],
)
def test_help_and_bad_flags(args: list[str], status: int) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "engine", "dead-letters", *args],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == status
    if status == 2:
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    else:
        assert "usage: ai-admin dead-letters" in result.stdout


async def test_the_dead_lists_keep_the_newest_letters(redis: AsyncRedis, keys: Keys) -> None:
    clock = VirtualClock(START)
    batcher = Batcher(redis, keys, BatchPolicy(dead_max=2), clock)
    letters = DeadLetters(redis, keys, clock)
    phone = "79990001122"  # one phone: one bucket, one list
    for n in range(3):
        await make_dead_letter(batcher, clock, phone, f"попытка {n}")
    assert await letters.count() == 2
    assert [m for letter in await letters.list(10) for m in letter.messages] == [
        "попытка 2",
        "попытка 1",
    ]
    assert (await batcher.stats()).failed_batches == 3  # the counter still counts every one
