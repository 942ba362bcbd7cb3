"""Is this Redis set up the way the guarantees need it? (README, "What the guarantees depend on")

- ``maxmemory-policy`` must be ``noeviction``: an evicting Redis drops queue, dedup, registry and
  marker keys (observed: the results stream evicted, an event published as created twice). Workers
  refuse to start on such a Redis unless the operator opts out (``EVENTWIRE_ALLOW_EVICTING_REDIS``).
- Persistence: without AOF a restart loses the queue and every key; that is a loud warning, not a
  refusal (a cache-like deployment may accept it).
- A full Redis (``noeviction`` at ``maxmemory``) refuses writes: nothing can be processed until it
  has room; health reports it.

Read through ``INFO`` (allowed on managed services that disable ``CONFIG``); ``CONFIG GET save`` is
tried for the RDB schedule and may be refused.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import redis

SAFE_POLICY = "noeviction"


@dataclass
class RedisSetup:
    """What one Redis server says about itself, and what is wrong with it for eventwire."""

    policy: str | None = None
    persistence: str = "unknown"  # "aof", "rdb" (snapshots only), "none", "unknown"
    used_memory: int | None = None
    maxmemory: int | None = None
    refuses_writes: bool = False
    problems: list[str] = field(default_factory=list)  # the guarantees do not hold
    warnings: list[str] = field(default_factory=list)  # they hold, but not across a restart

    @property
    def evicts(self) -> bool:
        return self.policy is not None and self.policy != SAFE_POLICY


def inspect_redis(client: redis.Redis, *, name: str = "Redis", probe_key: str | None = None) -> RedisSetup:
    """Read the eviction policy, persistence and memory of ``client``'s server.

    With ``probe_key``, also try one small write (``SET probe_key EX 10``) to see whether the server
    refuses writes (out of memory, read-only replica). Connection errors propagate.
    """
    setup = RedisSetup()
    memory = client.info("memory")
    setup.policy = memory.get("maxmemory_policy")
    setup.used_memory = memory.get("used_memory")
    setup.maxmemory = memory.get("maxmemory")
    if setup.evicts:
        setup.problems.append(
            f"{name} has maxmemory-policy {setup.policy}: it may evict queue, dedup and marker keys "
            f"(messages lost, events published twice); set maxmemory-policy {SAFE_POLICY}")
    aof = bool(client.info("persistence").get("aof_enabled"))
    save = None
    with contextlib.suppress(redis.ResponseError):  # CONFIG disabled (managed services)
        save = (client.config_get("save") or {}).get("save")
    setup.persistence = "aof" if aof else ("unknown" if save is None else ("rdb" if save else "none"))
    if setup.persistence != "aof":
        detail = {"rdb": "only RDB snapshots: a restart loses the writes since the last one",
                  "none": "no AOF and no RDB: a restart loses the queue and all state",
                  "unknown": "AOF is off (RDB schedule unknown): a restart loses recent writes"}
        setup.warnings.append(f"{name} persistence is off ({detail[setup.persistence]}); "
                              f"set appendonly yes")
    if probe_key is not None:
        try:
            client.set(probe_key, "1", ex=10)
        except redis.ResponseError as error:  # OOM, READONLY
            setup.refuses_writes = True
            full = isinstance(error, redis.exceptions.OutOfMemoryError)
            setup.problems.append(f"{name} {'is full and ' if full else ''}refuses writes "
                                  f"({type(error).__name__}): {error}")
    if setup.maxmemory and setup.used_memory is not None and setup.used_memory >= setup.maxmemory \
            and not setup.refuses_writes:
        setup.problems.append(f"{name} is full: used_memory {setup.used_memory} of maxmemory "
                              f"{setup.maxmemory}")
    return setup
