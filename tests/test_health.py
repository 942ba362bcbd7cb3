"""The health check in process: each of Redis, the broker and the heartbeat decides on its own."""

from __future__ import annotations

import time

import redis

from worker.config import Settings
from worker.state.embedded import free_port
from worker.state.heartbeat import beat
from worker.tasks.health import check_health


def test_healthy_with_redis_the_broker_and_a_fresh_heartbeat(redis_client: redis.Redis,
                                                             settings: Settings) -> None:
    beat(redis_client, settings, "worker-a")
    report = check_health(settings)
    assert (report.redis, report.broker, report.errors) == (True, True, [])
    assert report.worker_heartbeat_age is not None and report.healthy


def test_unhealthy_when_the_broker_is_down_although_redis_and_the_worker_are_up(
        redis_client: redis.Redis, settings: Settings) -> None:
    beat(redis_client, settings, "worker-a")  # everything else is fine
    port = free_port()  # nothing listens there
    down = settings.replace(broker_url=f"redis://127.0.0.1:{port}/0")
    started = time.monotonic()
    report = check_health(down)
    assert time.monotonic() - started < 10  # the probe has a 2 s timeout, not kombu's retries
    assert report.redis is True
    assert report.broker is False
    assert report.worker_heartbeat_age is not None
    assert report.healthy is False
    [error] = report.errors
    assert error.startswith("broker: ") and str(port) in error, error
    assert report.as_dict()["healthy"] is False


def test_unhealthy_without_a_fresh_heartbeat(redis_client: redis.Redis, settings: Settings) -> None:
    report = check_health(settings)
    assert (report.redis, report.broker, report.worker_heartbeat_age) == (True, True, None)
    assert not report.healthy
    beat(redis_client, settings, "worker-a")
    assert not check_health(settings, max_age=-1).healthy  # a beat older than max_age is stale
