"""Liveness: Redis answers, the broker answers, and a worker heartbeat is fresh.

Each worker's main process beats every few seconds (``worker.state.heartbeat``); ``eventwire health``
reads the beats and probes both services.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import redis
from kombu import Connection

from worker.config import Settings
from worker.state.heartbeat import freshest_heartbeat_age


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
    try:
        with Connection(settings.effective_broker_url or "", connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception as exc:  # kombu raises transport-specific errors
        errors.append(f"broker: {exc}")
        return False
