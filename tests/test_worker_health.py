"""Per-worker health with real workers: a stopped or killed worker fails its own probe, and says why;
liveness needs no network."""

from __future__ import annotations

import json

import pytest
import redis
from support import WorkerProcess, wait_until
from test_cli import run_cli

from worker.config import Settings
from worker.state.embedded import EmbeddedRedis, free_port

pytestmark = pytest.mark.integration
MAX_AGE = 8.0


def health(settings: Settings, worker: WorkerProcess, *extra: str,
           redis_url: str | None = None) -> tuple[int, dict]:
    result = run_cli(["health", "--worker", worker.name, "--max-age", str(MAX_AGE), *extra],
                     {"EVENTWIRE_REDIS_URL": redis_url or settings.redis_url or ""}, timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_a_stopped_worker_fails_its_health_at_once_and_a_killed_one_within_max_age(
        redis_server: EmbeddedRedis):
    client = redis.Redis.from_url(redis_server.url)
    settings = Settings(redis_url=redis_server.url)
    first = WorkerProcess(settings).start(client)
    second = WorkerProcess(settings).start(client)
    try:
        assert health(settings, first)[0] == 0
        assert health(settings, second)[0] == 0
        nowhere = f"redis://127.0.0.1:{free_port()}/0"  # liveness needs no Redis
        assert health(settings, first, "--probe", "liveness", redis_url=nowhere)[0] == 0

        assert first.stop() == 0
        code, report = health(settings, first)
        assert code == 1 and report["worker_state"] == "stopped"
        assert report["errors"][0].startswith(f"worker '{first.name}' stopped ")
        assert health(settings, second)[0] == 0  # the other worker's beat does not stand in

        second.kill()  # no last beat: its heartbeat ages past the limit
        code, report = wait_until(lambda: (lambda r: r if r[0] == 1 else None)(health(settings, second)),
                                  MAX_AGE + 20, "the killed worker's health to fail", interval=1)
        assert report["worker_heartbeat_age"] >= MAX_AGE  # judged on the exact age, reported to 0.1 s
        assert "its consumer loop is not running" in report["errors"][0], report
        code, live = health(settings, second, "--probe", "liveness", redis_url=nowhere)
        assert code == 1 and "consumer loop is not running" in live["errors"][0]
    finally:
        first.kill()
        second.kill()
        client.close()


def test_readiness_fails_without_redis_and_names_it():
    code, report = health(Settings(), WorkerProcess(Settings()), "--probe", "readiness",
                          redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert code == 1
    assert report["errors"] and report["errors"][0].startswith("redis: ")
