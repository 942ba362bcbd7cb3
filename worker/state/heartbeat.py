"""Worker heartbeats in Redis: each worker's consumer loop records that it ran, every few seconds.

The beat is written from inside the consumer's event loop (``worker.tasks.beat``), not by a side
thread, so a worker whose loop is stuck (reconnecting forever, blocked) stops beating. A worker
that shuts down writes a last beat saying so. One key per worker name (``Keys.heartbeat``); value:
JSON ``{"at": <seconds since the epoch>, "state": "running" | "stopped", "pid": <main pid>}``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import redis

from worker.config import Settings
from worker.state.keys import Keys

HEARTBEAT_INTERVAL = 5.0
#: A beat outlives any sensible max age, so a dead worker reads as "last beat N s ago", not "never".
HEARTBEAT_TTL = 3600


@dataclass(frozen=True)
class Heartbeat:
    """One worker's last beat."""

    worker: str
    age: float  # seconds since the beat
    state: str  # "running" or "stopped"
    pid: int | None = None


def beat(client: redis.Redis, settings: Settings, worker: str, *, state: str = "running",
         pid: int | None = None) -> None:
    """Record that ``worker``'s consumer loop ran now (or, ``state="stopped"``, that it stopped)."""
    value = json.dumps({"worker": worker, "at": round(time.time(), 3), "state": state, "pid": pid})
    client.set(Keys(settings).heartbeat(worker), value, ex=HEARTBEAT_TTL)


def _parse(value: bytes | None, now: float) -> Heartbeat | None:
    try:
        data = json.loads(value or b"")
        return Heartbeat(str(data["worker"]), max(0.0, now - float(data["at"])), str(data["state"]),
                         data.get("pid"))
    except (ValueError, KeyError, TypeError):
        return None


def heartbeat_of(client: redis.Redis, settings: Settings, worker: str) -> Heartbeat | None:
    """The last beat of ``worker`` within ``HEARTBEAT_TTL``, or None."""
    return _parse(client.get(Keys(settings).heartbeat(worker)), time.time())
