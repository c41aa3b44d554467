"""What every store the engine keeps in Redis holds: the client, the key layout, the clock,
and its Lua scripts (`engine/lua/`), each registered once, the first time it runs."""

from __future__ import annotations

import dataclasses

from redis.commands.core import AsyncScript

from engine.clock import Clock
from engine.keys import Keys
from engine.redis_conn import AsyncRedis, lua_script


@dataclasses.dataclass
class RedisStore:
    redis: AsyncRedis
    keys: Keys
    clock: Clock
    _scripts: dict[str, AsyncScript] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def script(self, name: str, *, prelude: str = "") -> AsyncScript:
        """`engine/lua/<name>.lua` (with `<prelude>.lua` in front), registered once."""
        found = self._scripts.get(name)
        if found is None:
            text = lua_script(f"{name}.lua")
            if prelude:
                text = f"{lua_script(f'{prelude}.lua')}\n{text}"
            found = self._scripts[name] = self.redis.register_script(text)
        return found
