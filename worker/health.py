"""Liveness: Redis answers, the broker answers, and a worker heartbeat is fresh.

Each worker's main process writes ``<prefix>heartbeat:<hostname>`` (the Unix time) every few seconds
with a short TTL; ``eventwire health`` and the tests read it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field

import redis

from worker.config import Settings
from worker.periodic import run_every

HEARTBEAT_INTERVAL = 5.0
HEARTBEAT_TTL = 60


def heartbeat_key(settings: Settings, hostname: str) -> str:
    """Key of one worker's heartbeat (the hostname is hashed, never used raw)."""
    return settings.hashed_key("heartbeat", hostname)


def beat(client: redis.Redis, settings: Settings, hostname: str) -> None:
    """Record that ``hostname`` is alive now."""
    client.set(heartbeat_key(settings, hostname), f"{time.time():.3f} {hostname}", ex=HEARTBEAT_TTL)


def start_heartbeat(client: redis.Redis, settings: Settings, hostname: str,
                    interval: float = HEARTBEAT_INTERVAL) -> threading.Event:
    """Beat from a daemon thread until the returned event is set; Redis errors are retried."""
    return run_every(interval, lambda: beat(client, settings, hostname), "heartbeat")


def freshest_heartbeat_age(client: redis.Redis, settings: Settings) -> float | None:
    """Seconds since the most recent heartbeat of any worker, or None when there is none."""
    newest = None
    for key in client.scan_iter(settings.key("heartbeat", "*"), count=100):
        value = client.get(key)
        if value:
            stamp = float(value.split(b" ", 1)[0])
            newest = stamp if newest is None else max(newest, stamp)
    return None if newest is None else max(0.0, time.time() - newest)


@dataclass
class HealthReport:
    """What ``eventwire health`` found."""

    redis: bool = False
    broker: bool = False
    worker_heartbeat_age: float | None = None
    max_age: float = 60.0
    errors: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        age = self.worker_heartbeat_age
        return self.redis and self.broker and age is not None and age <= self.max_age

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "healthy": self.healthy}


def check_health(settings: Settings, *, max_age: float = 60.0) -> HealthReport:
    """Probe Redis, the broker and the worker heartbeats, each with a short timeout."""
    report = HealthReport(max_age=max_age)
    client = redis.Redis.from_url(settings.redis_url or "", socket_connect_timeout=2, socket_timeout=2)
    try:
        report.redis = bool(client.ping())
        report.worker_heartbeat_age = freshest_heartbeat_age(client, settings)
    except (redis.RedisError, OSError) as exc:
        report.errors.append(f"redis: {exc}")
    finally:
        client.close()
    report.broker = _broker_answers(settings, report.errors)
    return report


def _broker_answers(settings: Settings, errors: list[str]) -> bool:
    from kombu import Connection

    try:
        with Connection(settings.effective_broker_url or "", connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception as exc:  # kombu raises transport-specific errors
        errors.append(f"broker: {exc}")
        return False
