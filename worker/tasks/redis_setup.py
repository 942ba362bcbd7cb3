"""The Redis set-up check a worker runs before it consumes (README, "Guarantees").

An evicting Redis (``maxmemory-policy`` other than ``noeviction``) breaks every guarantee: the worker
refuses to start, with the reason, unless ``EVENTWIRE_ALLOW_EVICTING_REDIS`` is set (then it starts
and says so loudly). Redis without AOF is a loud warning. Both the state Redis and a Redis broker are
checked; a Redis that does not answer yet is left to the connection retries (health reports it).
"""

from __future__ import annotations

import redis
import structlog

from worker.config import Settings
from worker.config import mask_secrets as mask_url
from worker.state.keys import Keys
from worker.state.redis_config import RedisSetup, inspect_redis
from worker.tasks.app import broker_loses_messages

log = structlog.get_logger("eventwire.redis_setup")


class UnsafeRedis(RuntimeError):
    """Redis is set up so that the guarantees cannot hold; the worker does not start."""


def redis_urls(settings: Settings) -> dict[str, str]:
    """The Redis servers a worker depends on, by role (one entry when broker and state share it)."""
    urls = {"state Redis": settings.redis_url or ""}
    broker = settings.effective_broker_url or ""
    if broker_loses_messages(settings) and broker != urls["state Redis"]:
        urls["broker Redis"] = broker
    return {name: url for name, url in urls.items() if url}


def inspect_all(settings: Settings, *, probe: bool = False,
                skip_unreachable: bool = False) -> dict[str, RedisSetup]:
    """``inspect_redis`` for each Redis of the deployment. Connection errors propagate, or with
    ``skip_unreachable`` leave that Redis out (health reports it by its own probe)."""
    found = {}
    for name, url in redis_urls(settings).items():
        client = redis.Redis.from_url(url, socket_connect_timeout=settings.connect_timeout,
                                      socket_timeout=max(settings.connect_timeout, 5.0))
        try:
            probe_key = Keys(settings).health_probe if probe else None
            found[name] = inspect_redis(client, name=f"{name} at {mask_url(url)}", probe_key=probe_key)
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            if not skip_unreachable:
                raise
        finally:
            client.close()
    return found


def verify_redis_setup(settings: Settings) -> dict[str, RedisSetup]:
    """Log what is wrong with the Redis set-up; raise ``UnsafeRedis`` when a Redis may evict keys
    (unless allowed)."""
    try:
        found = inspect_all(settings)
    except (redis.RedisError, OSError) as error:
        log.warning("redis.setup_unchecked", error=mask_url(str(error)),
                    note="Redis does not answer yet; the worker retries, health reports it")
        return {}
    for setup in found.values():
        for warning in setup.warnings:
            log.warning("redis.persistence_off", problem=warning,
                        note="!!! a Redis restart loses accepted submissions; nothing is promised "
                             "across it !!!")
        evicting = [p for p in setup.problems if "maxmemory-policy" in p]
        if evicting and settings.allow_evicting_redis:
            for problem in evicting:
                log.error("redis.evicting", problem=problem,
                          note="!!! starting anyway: EVENTWIRE_ALLOW_EVICTING_REDIS is set; keys may "
                               "vanish, messages may be lost and events published twice !!!")
        elif evicting:
            raise UnsafeRedis("; ".join(evicting) + " (or set EVENTWIRE_ALLOW_EVICTING_REDIS=1 to "
                              "start anyway)")
    return found
