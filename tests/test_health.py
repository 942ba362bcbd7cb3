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
    report = check_health(settings, worker="worker-a")
    assert (report.redis, report.broker, report.errors) == (True, True, [])
    assert report.worker_heartbeat_age is not None and report.healthy


def test_unhealthy_when_the_broker_is_down_although_redis_and_the_worker_are_up(
        redis_client: redis.Redis, settings: Settings) -> None:
    beat(redis_client, settings, "worker-a")  # everything else is fine
    port = free_port()  # nothing listens there
    down = settings.replace(broker_url=f"redis://127.0.0.1:{port}/0")
    started = time.monotonic()
    report = check_health(down, worker="worker-a")
    assert time.monotonic() - started < 10  # the probe has a 2 s timeout, not kombu's retries
    assert report.redis is True
    assert report.broker is False
    assert report.worker_heartbeat_age is not None
    assert report.healthy is False
    [error] = report.errors
    assert error.startswith("broker: ") and str(port) in error, error
    assert report.as_dict()["healthy"] is False


def test_unhealthy_without_a_fresh_heartbeat(redis_client: redis.Redis, settings: Settings) -> None:
    report = check_health(settings, worker="worker-a")
    assert (report.redis, report.broker, report.worker_heartbeat_age) == (True, True, None)
    assert not report.healthy
    assert report.errors == ["worker 'worker-a': no heartbeat in Redis within 3600 s (not started, gone "
                             "for longer, or running under another EVENTWIRE_WORKER_NAME)"]
    beat(redis_client, settings, "worker-a")
    assert not check_health(settings, worker="worker-a", max_age=-1).healthy  # older than max_age: stale


def test_a_stopped_worker_is_named_as_stopped(redis_client: redis.Redis, settings: Settings) -> None:
    beat(redis_client, settings, "worker-a", state="stopped")
    report = check_health(settings, worker="worker-a")
    assert not report.healthy and report.worker_state == "stopped"
    assert report.errors[0].startswith("worker 'worker-a' stopped ")


def test_another_workers_beat_does_not_make_this_one_healthy(redis_client: redis.Redis,
                                                            settings: Settings) -> None:
    beat(redis_client, settings, "worker-b")
    assert not check_health(settings, worker="worker-a").healthy
    assert check_health(settings, worker="worker-b").healthy


def test_readiness_checks_the_services_and_no_worker(redis_client: redis.Redis, settings: Settings) -> None:
    report = check_health(settings, worker="nobody", probe="readiness")
    assert report.healthy and report.worker_heartbeat_age is None
