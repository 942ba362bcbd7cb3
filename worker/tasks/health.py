"""Health probes: per worker, and of the services a worker needs.

Three probes (``eventwire health --probe``), so that a deployment restarts only what is broken:

- ``liveness``: this worker's process only: its consumer loop touched the local beat file
  (``worker.tasks.beat``) within ``max_age``. No network: a Redis outage does not restart workers.
- ``readiness`` / ``startup``: Redis and the broker answer, and Redis is set up safely
  (``worker.state.redis_config``): it must not evict keys (unless ``EVENTWIRE_ALLOW_EVICTING_REDIS``,
  then a warning) and must accept writes; persistence off is a warning.
- ``worker`` (the default): both of the above over the network: the services, and the named worker's
  heartbeat in Redis (``worker.state.heartbeat``) within ``max_age``.

Unhealthy answers name every cause in ``errors``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import redis
from kombu import Connection

from worker.config import Settings, mask_secrets
from worker.state.heartbeat import HEARTBEAT_TTL, Heartbeat, heartbeat_of
from worker.state.keys import Keys
from worker.tasks.beat import beat_file, read_beat_file
from worker.tasks.redis_setup import inspect_all

PROBES = ("worker", "liveness", "readiness", "startup")


@dataclass
class HealthReport:
    """What ``eventwire health`` found."""

    probe: str = "worker"
    worker: str | None = None
    max_age: float = 60.0
    redis: bool | None = None  # None: not checked by this probe
    broker: bool | None = None
    worker_heartbeat_age: float | None = None
    worker_state: str | None = None
    redis_policy: str | None = None
    redis_persistence: str | None = None
    redis_full: bool = False
    rejected_messages: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.errors

    @property
    def reasons(self) -> list[str]:
        """Why the probe failed (empty when it passed)."""
        return list(self.errors)

    def as_dict(self) -> dict[str, object]:
        return {"healthy": self.healthy, **asdict(self)}


def check_health(settings: Settings, *, worker: str | None = None, max_age: float = 60.0,
                 probe: str = "worker") -> HealthReport:
    """Run ``probe`` (see the module docstring) with short timeouts; ``worker`` names the worker."""
    report = HealthReport(probe=probe, worker=worker, max_age=max_age)
    if probe == "liveness":
        _check_beat_file(settings, report)
        return report
    client = redis.Redis.from_url(settings.redis_url or "", socket_connect_timeout=2, socket_timeout=2)
    try:
        report.redis = bool(client.ping())
        if probe == "worker" and worker is not None:
            _judge_beat(report, heartbeat_of(client, settings, worker), "heartbeat in Redis")
        report.rejected_messages = {k.decode(): int(v) for k, v in
                                    client.hgetall(Keys(settings).rejected_messages).items()}
        _check_setup(settings, report)
    except (redis.RedisError, OSError) as exc:
        report.redis = False
        report.errors.append(mask_secrets(f"redis: {exc}"))
    finally:
        client.close()
    report.broker = _broker_answers(settings, report.errors)
    return report


def _check_beat_file(settings: Settings, report: HealthReport) -> None:
    path = beat_file(settings, report.worker or "")
    record = read_beat_file(path)
    if record is None:
        report.errors.append(f"worker {report.worker!r}: no beat file {path} (the worker is not running "
                             "in this container, or runs under another EVENTWIRE_WORKER_NAME)")
        return
    beat = Heartbeat(str(record.get("worker")), max(0.0, time.time() - float(record.get("at", 0))),
                     str(record.get("state")), record.get("pid"))
    _judge_beat(report, beat, "beat file")


def _judge_beat(report: HealthReport, beat: Heartbeat | None, where: str) -> None:
    name = report.worker
    if beat is None:
        report.errors.append(f"worker {name!r}: no {where} within {HEARTBEAT_TTL} s (not started, "
                             "gone for longer, or running under another EVENTWIRE_WORKER_NAME)")
        return
    report.worker_heartbeat_age, report.worker_state = round(beat.age, 1), beat.state
    if beat.state == "stopped":
        report.errors.append(f"worker {name!r} stopped {beat.age:.0f} s ago (it shut down)")
    elif beat.age > report.max_age:
        report.errors.append(f"worker {name!r}: last {where} {beat.age:.0f} s ago (limit "
                             f"{report.max_age:.0f} s): its consumer loop is not running (killed, "
                             "stuck, or cut off from Redis)")


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
                report.errors.append(problem)


def _broker_answers(settings: Settings, errors: list[str]) -> bool:
    try:
        with Connection(settings.effective_broker_url or "", connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception as exc:  # kombu raises transport-specific errors
        errors.append(mask_secrets(f"broker: {exc}"))
        return False
