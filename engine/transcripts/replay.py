"""`ai-admin replay PATH...`: run transcript files and folders, one line per transcript.

Redis is `REDIS_URL` when set, else an embedded server under a temporary folder; each
transcript runs under its own key prefix (they never see each other) and its keys are
deleted afterwards. Exit status 1 if any transcript failed or could not be read.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from engine.keys import Keys
from engine.redis_conn import AsyncRedis, open_redis
from engine.settings import Settings
from engine.transcripts.model import TranscriptError, load_transcript
from engine.transcripts.report import diff, error_line, one_line
from engine.transcripts.runner import run_transcript

SUFFIXES = (".yaml", ".yml")


def discover(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders searched recursively for *.yaml / *.yml, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        else:
            found.append(path)  # a missing file is reported as a FAIL line
    return found


@contextlib.asynccontextmanager
async def replay_redis(redis_url: str | None) -> AsyncIterator[AsyncRedis]:
    """REDIS_URL, else an embedded server whose file goes with a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="ai-admin-replay-") as folder:
        async with open_redis(redis_url, Path(folder)) as client:
            yield client


async def drop_keys(redis: AsyncRedis, keys: Keys) -> None:
    async for key in redis.scan_iter(match=f"{keys.prefix}:*", count=500):
        await redis.delete(key)


async def replay_one(path: Path, redis: AsyncRedis, out: TextIO, err: TextIO) -> bool:
    """Run one file; print its line (and the diff of a failure to `err`)."""
    try:
        transcript = load_transcript(path)
    except TranscriptError as error:
        print(error_line(path.stem, str(error)), file=out)
        return False
    keys = Keys(prefix=f"replay{uuid.uuid4().hex[:12]}")
    try:
        result = await run_transcript(transcript, redis, keys)
    except Exception as error:  # a crash of one transcript is its FAIL line, not a traceback
        print(error_line(transcript.name, f"error: {type(error).__name__}: {error}"), file=out)
        return False
    finally:
        await drop_keys(redis, keys)
    print(one_line(result), file=out, flush=True)
    if not result.passed:
        print(diff(result), file=err, flush=True)
    return result.passed


async def replay(
    settings: Settings, paths: Sequence[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    files = discover(Path(p) for p in paths)
    if not files:
        print("ai-admin: replay: no transcripts found", file=err)
        return 1
    failed = 0
    async with replay_redis(settings.redis_url) as redis:
        for path in files:
            if not await replay_one(path, redis, out, err):
                failed += 1
    if len(files) > 1:  # stdout stays one line per transcript
        print(f"{len(files) - failed} passed, {failed} failed", file=err)
    return 1 if failed else 0
