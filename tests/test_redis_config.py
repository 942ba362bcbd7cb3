"""A Redis set up wrong is noticed: workers refuse an evicting Redis, warn without persistence; health
reports eviction, a full Redis and a stuck consumer loop; producers get ``BrokerUnavailable`` for every
Redis-side refusal; a full Redis neither crashes workers nor loses submissions.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import newsgen
import pytest
import redis
from support import WorkerProcess, article_outcomes, read_envelopes, wait_for_outcomes, wait_until

from worker.client import BrokerUnavailable, Producer
from worker.config import Settings
from worker.state.embedded import EmbeddedRedis
from worker.state.heartbeat import beat
from worker.state.ledger import SubmissionLedger
from worker.state.redis_config import inspect_redis
from worker.tasks import edge
from worker.tasks.health import check_health
from worker.tasks.redis_setup import UnsafeRedis, verify_redis_setup

ARTICLE = {"text": "Kenyan President Amara Otieno visited Ethiopia on Tuesday.", "source": "Wire"}


@pytest.fixture
def own_redis() -> Iterator[EmbeddedRedis]:
    """A private Redis this test may misconfigure."""
    with EmbeddedRedis() as server:
        yield server


def client_of(server: EmbeddedRedis) -> redis.Redis:
    return redis.Redis.from_url(server.url)


def fill(client: redis.Redis) -> None:
    """Make Redis full: maxmemory well under what it uses, noeviction."""
    client.set("ballast", "x" * 200_000)
    client.config_set("maxmemory", str(int(client.info("memory")["used_memory"]) // 2))


# ---------------------------------------------------------------- the set-up itself


def test_an_evicting_policy_is_a_problem_and_no_aof_a_warning(own_redis):
    client = client_of(own_redis)
    setup = inspect_redis(client)
    assert setup.policy == "noeviction" and not setup.problems
    assert setup.persistence == "none" and "persistence is off" in setup.warnings[0]
    client.config_set("maxmemory-policy", "allkeys-lru")
    assert "maxmemory-policy allkeys-lru" in inspect_redis(client).problems[0]


def test_aof_is_persistence(tmp_path):
    with EmbeddedRedis(appendonly=True, data_dir=tmp_path) as server:
        setup = inspect_redis(client_of(server))
        assert setup.persistence == "aof" and not setup.warnings


def test_a_worker_refuses_an_evicting_redis_unless_allowed(own_redis):
    client_of(own_redis).config_set("maxmemory-policy", "volatile-lru")
    settings = Settings(redis_url=own_redis.url)
    with pytest.raises(UnsafeRedis, match="maxmemory-policy volatile-lru"):
        verify_redis_setup(settings)
    assert verify_redis_setup(settings.replace(allow_evicting_redis=True))


def test_eventwire_worker_exits_with_the_reason_on_an_evicting_redis(own_redis):
    client_of(own_redis).config_set("maxmemory-policy", "allkeys-lru")
    env = {**os.environ, "EVENTWIRE_REDIS_URL": own_redis.url}
    done = subprocess.run([sys.executable, "-m", "worker.cli", "worker"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "refusing to start" in done.stderr and "maxmemory-policy allkeys-lru" in done.stderr


def test_the_opt_out_setting_is_read_from_the_environment():
    assert Settings.from_env({"EVENTWIRE_ALLOW_EVICTING_REDIS": "1"}).allow_evicting_redis
    assert not Settings.from_env({}).allow_evicting_redis


# ---------------------------------------------------------------- health


def fresh_beat(server: EmbeddedRedis, settings: Settings) -> None:
    beat(client_of(server), settings, "w1")


def test_health_is_green_on_a_safe_redis_with_a_live_consumer(own_redis):
    settings = Settings(redis_url=own_redis.url)
    fresh_beat(own_redis, settings)
    report = check_health(settings, worker="w1")
    assert report.healthy, report.as_dict()
    assert report.redis_policy == "noeviction" and report.redis_persistence == "none"
    assert report.warnings  # persistence off: said, not fatal


def test_health_reports_an_evicting_redis(own_redis):
    settings = Settings(redis_url=own_redis.url)
    client_of(own_redis).config_set("maxmemory-policy", "allkeys-lru")
    fresh_beat(own_redis, settings)
    report = check_health(settings, worker="w1")
    assert not report.healthy and "maxmemory-policy allkeys-lru" in " ".join(report.reasons)
    allowed = check_health(settings.replace(allow_evicting_redis=True), worker="w1")
    assert allowed.healthy and "allkeys-lru" in " ".join(allowed.warnings)


def test_health_reports_a_full_redis(own_redis):
    settings = Settings(redis_url=own_redis.url)
    fresh_beat(own_redis, settings)
    fill(client_of(own_redis))
    report = check_health(settings, worker="w1")
    assert report.worker_state == "running"  # the worker is fine: Redis is the cause
    assert not report.healthy and report.redis_full
    assert "OOM" in " ".join(report.reasons) or "full" in " ".join(report.reasons)


def test_health_masks_the_password_in_its_errors():
    report = check_health(Settings(redis_url="redis://:s3cret@127.0.0.1:1/0"), max_age=1)
    assert not report.healthy and "s3cret" not in repr(report.as_dict())


# ---------------------------------------------------------------- producers


def test_a_full_redis_is_broker_unavailable_to_producers(own_redis):
    settings = Settings(redis_url=own_redis.url)
    producer = Producer(settings)
    try:
        fill(client_of(own_redis))
        with pytest.raises(BrokerUnavailable, match="OutOfMemoryError"):
            producer.submit(ARTICLE)
    finally:
        producer.close()


def test_a_redis_timeout_is_broker_unavailable_to_producers(own_redis, monkeypatch):
    producer = Producer(Settings(redis_url=own_redis.url))
    try:
        def timeout(*_args, **_kwargs):
            raise redis.TimeoutError("Timeout reading from socket")

        monkeypatch.setattr(producer.ledger, "record", timeout)
        with pytest.raises(BrokerUnavailable, match="TimeoutError"):
            producer.submit(ARTICLE)
    finally:
        producer.close()


def test_the_edge_transport_reconnects_on_a_full_broker_instead_of_stopping():
    assert redis.exceptions.OutOfMemoryError in edge.EdgeTransport.connection_errors


# ---------------------------------------------------------------- a full Redis under load


FAULT_ENV = {"EVENTWIRE_VISIBILITY_TIMEOUT": "20", "EVENTWIRE_TASK_TIME_LIMIT": "15",
             "EVENTWIRE_TASK_SOFT_TIME_LIMIT": "12", "EVENTWIRE_MAX_DELIVERIES": "6",
             "EVENTWIRE_TRANSIENT_RETRIES": "3"}


@pytest.mark.slow
@pytest.mark.faults
@pytest.mark.integration
@pytest.mark.timeout(600)
def test_a_full_redis_loses_nothing_crashes_no_worker_and_refuses_producers(own_redis, fault_table):
    started = time.monotonic()
    client = client_of(own_redis)
    settings = Settings.from_env({"EVENTWIRE_REDIS_URL": own_redis.url, **FAULT_ENV})
    producer = Producer(settings)
    payloads = newsgen.articles(30, seed=17)
    ids = [producer.submit(p).article_id for p in payloads]
    worker = WorkerProcess(settings, concurrency=2, env=FAULT_ENV).start(client)
    pid = worker.process.pid
    wait_until(lambda: len(article_outcomes(read_envelopes(client, settings))) >= 3, 120, "first outcomes")
    fill(client)  # full while work is in flight
    with pytest.raises(BrokerUnavailable):
        producer.submit({"text": "Another article while Redis is full.", "source": "Wire"})
    time.sleep(8)
    late = WorkerProcess(settings, concurrency=1, env=FAULT_ENV).start()  # a restart into a full Redis
    time.sleep(8)
    assert late.process.poll() is None, late.tail()
    assert worker.process.poll() is None and worker.process.pid == pid, worker.tail()
    assert not check_health(settings, probe="readiness").healthy
    client.config_set("maxmemory", "0")  # room again
    client.delete("ballast")
    envelopes = wait_for_outcomes(client, settings, ids, timeout=300, worker=worker)
    wait_until(lambda: SubmissionLedger(client, settings).pending() == 0, 120, "ledger empty")
    producer.close()
    assert worker.process.pid == pid and worker.process.poll() is None
    late.stop()
    worker.stop()
    outcomes = article_outcomes(read_envelopes(client, settings))
    assert {i: outcomes[i] for i in ids} == dict.fromkeys(ids, 1)
    created = Counter(e["subject"] for e in envelopes if e["type"] == "event.created")
    assert not [e for e, n in created.items() if n > 1]
    fault_table.append({"fault": "Redis full (noeviction) mid-run", "injected": 1, "submitted": len(ids),
                        "outcomes": sum(outcomes[i] for i in ids), "lost": 0, "doubled": 0,
                        "seconds": round(time.monotonic() - started, 1)})
