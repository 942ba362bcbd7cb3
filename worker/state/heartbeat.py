"""Worker heartbeats in Redis: each worker's main process records the time every few seconds."""

from __future__ import annotations

import time

import redis

from worker.config import Settings
from worker.state.keys import Keys

HEARTBEAT_INTERVAL = 5.0
HEARTBEAT_TTL = 60


def beat(client: redis.Redis, settings: Settings, hostname: str) -> None:
    """Record that ``hostname`` is alive now."""
    client.set(Keys(settings).heartbeat(hostname), f"{time.time():.3f} {hostname}", ex=HEARTBEAT_TTL)


def freshest_heartbeat_age(client: redis.Redis, settings: Settings) -> float | None:
    """Seconds since the most recent heartbeat of any worker, or None when there is none."""
    newest = None
    for key in client.scan_iter(Keys(settings).pattern("heartbeat"), count=100):
        value = client.get(key)
        if value:
            stamp = float(value.split(b" ", 1)[0])
            newest = stamp if newest is None else max(newest, stamp)
    return None if newest is None else max(0.0, time.time() - newest)
