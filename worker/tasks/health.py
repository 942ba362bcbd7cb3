"""Liveness and readiness: Redis and the broker answer and are set up safely, Redis has room, and a
worker's consumer loop is running.

Each worker's main process beats every few seconds (``worker.state.heartbeat``) with the time its
consumer loop last ran; ``eventwire health`` reads the beats, probes both services, and checks the
Redis set-up (``worker.state.redis_config``). Unhealthy, with the reasons in ``problems``, when:
Redis or the broker does not answer; no worker beat within ``max_age``; the freshest worker's
consumer loop has not run within ``max_age`` (stuck reconnecting or blocked); a Redis may evict
keys (unless ``EVENTWIRE_ALLOW_EVICTING_REDIS``, then a warning); a Redis refuses writes (full,
read-only). Persistence off is a warning.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import redis
from kombu import Connection

from worker.config import Settings, mask_secrets
from worker.state.heartbeat import heartbeats
from worker.state.keys import Keys
from worker.tasks.redis_setup import inspect_all


@dataclass
class HealthReport:
    """What ``eventwire health`` found."""

    redis: bool = False
    broker: bool = False
    worker_heartbeat_age: float | None = None
    consumer_loop_age: float | None = None
    max_age: float = 60.0
    redis_policy: str | None = None
    redis_persistence: str | None = None
    redis_full: bool = False
    rejected_messages: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.redis and self.broker and not self.reasons

    @property
    def reasons(self) -> list[str]:
        """Why the deployment is unhealthy (empty when it is healthy)."""
        found = list(self.errors) + list(self.problems)
        age, loop = self.worker_heartbeat_age, self.consumer_loop_age
        if self.redis and (age is None or age > self.max_age):
            found.append("no worker heartbeat" if age is None
                         else f"freshest worker heartbeat is {age:.0f} s old (limit {self.max_age:.0f})")
        elif loop is not None and loop > self.max_age:
            found.append(f"the worker's consumer loop last ran {loop:.0f} s ago (limit "
                         f"{self.max_age:.0f}): it is alive but not consuming")
        return found

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "healthy": self.healthy, "reasons": self.reasons}


def check_health(settings: Settings, *, max_age: float = 60.0) -> HealthReport:
    """Probe Redis, the broker and the worker heartbeats, each with a short timeout."""
    report = HealthReport(max_age=max_age)
    client = redis.Redis.from_url(settings.redis_url or "", socket_connect_timeout=2, socket_timeout=2)
    try:
        report.redis = bool(client.ping())
        beats = heartbeats(client, settings)
        if beats:
            report.worker_heartbeat_age = beats[0].beat_age
            report.consumer_loop_age = beats[0].loop_age
        report.rejected_messages = {k.decode(): int(v) for k, v in
                                    client.hgetall(Keys(settings).rejected_messages).items()}
        _check_setup(settings, report)
    except (redis.RedisError, OSError) as exc:
        report.errors.append(mask_secrets(f"redis: {exc}"))
    finally:
        client.close()
    report.broker = _broker_answers(settings, report.errors)
    return report


def _check_setup(settings: Settings, report: HealthReport) -> None:
    for name, setup in inspect_all(settings, probe=True, skip_unreachable=True).items():
        if name == "state Redis":
            report.redis_policy, report.redis_persistence = setup.policy, setup.persistence
        report.redis_full = report.redis_full or setup.refuses_writes or any(
            "is full" in p for p in setup.problems)
        report.warnings += setup.warnings
        for problem in setup.problems:
            evicting = "maxmemory-policy" in problem
            if evicting and settings.allow_evicting_redis:
                report.warnings.append(problem + " (allowed by EVENTWIRE_ALLOW_EVICTING_REDIS)")
            else:
                report.problems.append(problem)


def _broker_answers(settings: Settings, errors: list[str]) -> bool:
    try:
        with Connection(settings.effective_broker_url or "", connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception as exc:  # kombu raises transport-specific errors
        errors.append(mask_secrets(f"broker: {exc}"))
        return False
