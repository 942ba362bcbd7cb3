"""Worker heartbeats in Redis: each worker's main process records the time every few seconds.

A beat is written by a thread of the main process, so it says the process is alive, not that it is
consuming. It also carries the last time the consumer's event loop ran a tick (``loop``): a worker
whose beat is fresh but whose loop is stale is stuck (reconnecting forever, blocked), and health
reports it. Value: ``"<beat time> <hostname> <loop time>"`` (seconds since the epoch).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from worker.config import Settings
from worker.state.keys import Keys

HEARTBEAT_INTERVAL = 5.0
HEARTBEAT_TTL = 60


@dataclass(frozen=True)
class Heartbeat:
    """One worker's last beat."""

    hostname: str
    beat_age: float  # seconds since the beat
    loop_age: float | None  # seconds since its consumer loop last ran (None: not reported)


def beat(client: redis.Redis, settings: Settings, hostname: str, loop_at: float | None = None) -> None:
    """Record that ``hostname`` is alive now (and that its consumer loop ran at ``loop_at``)."""
    value = f"{time.time():.3f} {hostname}"
    if loop_at is not None:
        value += f" {loop_at:.3f}"
    client.set(Keys(settings).heartbeat(hostname), value, ex=HEARTBEAT_TTL)


def heartbeats(client: redis.Redis, settings: Settings) -> list[Heartbeat]:
    """Every worker's last beat (those of the last ``HEARTBEAT_TTL`` seconds), freshest first."""
    now = time.time()
    found = []
    for key in client.scan_iter(Keys(settings).pattern("heartbeat"), count=100):
        value = client.get(key)
        if not value:
            continue
        parts = value.decode("utf-8", "replace").split(" ")
        loop = float(parts[2]) if len(parts) > 2 else None
        found.append(Heartbeat(parts[1] if len(parts) > 1 else "", max(0.0, now - float(parts[0])),
                               None if loop is None else max(0.0, now - loop)))
    return sorted(found, key=lambda h: h.beat_age)


def freshest_heartbeat_age(client: redis.Redis, settings: Settings) -> float | None:
    """Seconds since the most recent heartbeat of any worker, or None when there is none."""
    beats = heartbeats(client, settings)
    return beats[0].beat_age if beats else None
