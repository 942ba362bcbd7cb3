"""Connections to the state Redis (dedup index, registry, ledger, results), with bounded timeouts."""

from __future__ import annotations

import redis

from worker.config import Settings


def state_client(settings: Settings) -> redis.Redis:
    """A client for ``EVENTWIRE_REDIS_URL`` that fails within the connect timeout, never hangs."""
    if not settings.redis_url:
        raise RuntimeError("EVENTWIRE_REDIS_URL is not set")
    return redis.Redis.from_url(settings.redis_url, socket_connect_timeout=settings.connect_timeout,
                                socket_timeout=max(settings.connect_timeout, 10.0),
                                health_check_interval=30, retry_on_timeout=True)
