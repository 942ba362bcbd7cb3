"""Fault injection with real processes: every submitted article gets exactly one outcome.

Faults: SIGKILL of the whole worker tree at random moments, a Redis restart (AOF on), SIGTERM during
work, and a poison message that kills its worker on every delivery. After each run the results
stream is counted: ``lost`` = articles without an ``article.*`` outcome, ``doubled`` = articles with
more than one, plus event ids published twice as ``event.created``.

The fast variants run in ``make test``; ``make faults`` runs all of them (the ``slow`` ones too).
"""

from __future__ import annotations

import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import newsgen
import pytest
import redis
from support import WorkerProcess, article_outcomes, read_envelopes, wait_for_outcomes

from worker.client import Producer
from worker.config import Settings
from worker.core.contract import validate_envelope
from worker.state.embedded import EmbeddedRedis
from worker.state.keys import Keys
from worker.state.ledger import SubmissionLedger

pytestmark = [pytest.mark.faults, pytest.mark.integration]

# Short timeouts so redelivery after a crash takes seconds, not the production 300 s.
FAULT_ENV = {"EVENTWIRE_VISIBILITY_TIMEOUT": "20", "EVENTWIRE_TASK_TIME_LIMIT": "15",
             "EVENTWIRE_TASK_SOFT_TIME_LIMIT": "12", "EVENTWIRE_MAX_DELIVERIES": "6"}
CRASH_WORKER = str(Path(__file__).with_name("crash_worker.py"))


@pytest.fixture
def aof_redis(tmp_path) -> Iterator[EmbeddedRedis]:
    """A private Redis with AOF (fsync always), so a restart keeps queue and state."""
    server = EmbeddedRedis(appendonly=True, data_dir=tmp_path / "redis").start()
    yield server
    server.close()


def fault_settings(server: EmbeddedRedis) -> Settings:
    return Settings.from_env({"EVENTWIRE_REDIS_URL": server.url, **FAULT_ENV})


def submit_all(settings: Settings, payloads: list[dict]) -> list[str]:
    producer = Producer(settings)
    try:
        return [producer.submit(p).article_id for p in payloads]
    finally:
        producer.close()


def wait_for_count(client: redis.Redis, settings: Settings, at_least: int, worker: WorkerProcess,
                   timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while len(article_outcomes(read_envelopes(client, settings))) < at_least:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {at_least} outcomes after {timeout}s\n{worker.tail()}")
        time.sleep(0.1)


def wait_until_drained(client: redis.Redis, settings: Settings, timeout: float = 120.0) -> None:
    """Queue empty and nothing unacked: every redelivery has run (and published nothing new)."""
    deadline = time.monotonic() + timeout
    while client.llen(settings.queue) or client.hlen(Keys(settings).broker_unacked):
        if time.monotonic() > deadline:
            raise TimeoutError("queue not drained")
        time.sleep(0.25)


def count(client: redis.Redis, settings: Settings, ids: list[str], fault: str, injected: int,
          started: float, table: list[dict[str, object]]) -> dict[str, object]:
    envelopes = read_envelopes(client, settings)
    for envelope in envelopes:
        validate_envelope(envelope)
    outcomes = article_outcomes(envelopes)
    created = Counter(e["subject"] for e in envelopes if e["type"] == "event.created")
    ledger_pending = SubmissionLedger(client, settings).pending()
    assert ledger_pending == 0, f"{ledger_pending} submissions never reached publication"
    row = {"fault": fault, "injected": injected, "submitted": len(ids),
           "outcomes": sum(outcomes[i] for i in ids),
           "lost": sum(1 for i in ids if outcomes[i] == 0),
           "doubled": sum(1 for i in ids if outcomes[i] > 1) + sum(1 for n in created.values() if n > 1),
           # submissions delivered more than once: evidence that the fault hit work in flight
           "redelivered": sum(1 for k in client.scan_iter(Keys(settings).pattern("deliveries"))
                              if int(client.get(k) or 0) > 1),
           "seconds": round(time.monotonic() - started, 1)}
    table.append(row)
    return row


def kill_run(server: EmbeddedRedis, table: list, *, articles: int, kills: int, seed: int) -> None:
    settings = fault_settings(server)
    client = redis.Redis.from_url(server.url)
    rng = random.Random(seed)
    started = time.monotonic()
    ids = submit_all(settings, newsgen.articles(articles, seed=seed, duplicate_share=1 / 3))
    worker = WorkerProcess(settings, concurrency=2, env=FAULT_ENV).start(client)
    # Marks in the first half, so that plenty of work is left when the kill lands.
    marks = sorted(rng.sample(range(articles // 10, articles // 2), kills))
    held_at_kill = 0
    for mark in marks:
        wait_for_count(client, settings, mark, worker)
        time.sleep(rng.uniform(0, 0.05))  # a random moment
        deadline = time.monotonic() + 10
        while not client.hlen(Keys(settings).broker_unacked) and time.monotonic() < deadline:
            time.sleep(0.005)  # ...at which the worker holds messages
        held_at_kill += client.hlen(Keys(settings).broker_unacked)
        worker.kill()
        worker = WorkerProcess(settings, concurrency=2, env=FAULT_ENV).start(client)
    wait_for_outcomes(client, settings, ids, timeout=300, worker=worker)
    wait_until_drained(client, settings)
    worker.stop()
    row = count(client, settings, ids, f"SIGKILL worker tree x{kills}", kills, started, table)
    row["held_at_kill"] = held_at_kill  # messages the killed workers held, each had to come back
    assert held_at_kill >= kills
    assert row["lost"] == 0 and row["doubled"] == 0, row


def test_sigkill_worker_fast(aof_redis, fault_table):
    kill_run(aof_redis, fault_table, articles=120, kills=1, seed=11)


@pytest.mark.slow
def test_sigkill_worker_three_times_300_articles(aof_redis, fault_table):
    kill_run(aof_redis, fault_table, articles=300, kills=3, seed=23)


def redis_restart_run(server: EmbeddedRedis, table: list, *, articles: int, restarts: int) -> None:
    settings = fault_settings(server)
    client = redis.Redis.from_url(server.url)
    started = time.monotonic()
    ids = submit_all(settings, newsgen.articles(articles, seed=5, duplicate_share=1 / 3))
    worker = WorkerProcess(settings, concurrency=2, env=FAULT_ENV).start(client)
    for number in range(restarts):
        wait_for_count(client, settings, articles * (number + 1) // (restarts + 2), worker)
        server.restart(signal.SIGKILL, down_for=1.0)  # a crash; AOF (fsync always) keeps the data
    wait_for_outcomes(client, settings, ids, timeout=300, worker=worker)
    wait_until_drained(client, settings)
    assert worker.process.poll() is None, "the worker should reconnect, not die"
    worker.stop()
    row = count(client, settings, ids, f"Redis SIGKILL+restart x{restarts}", restarts, started, table)
    assert row["lost"] == 0 and row["doubled"] == 0, row


def test_redis_restart_fast(aof_redis, fault_table):
    redis_restart_run(aof_redis, fault_table, articles=40, restarts=1)


@pytest.mark.slow
def test_redis_restart_twice_200_articles(aof_redis, fault_table):
    redis_restart_run(aof_redis, fault_table, articles=200, restarts=2)


def test_sigterm_lets_in_flight_articles_finish(aof_redis, fault_table):
    settings = fault_settings(aof_redis)
    client = redis.Redis.from_url(aof_redis.url)
    started = time.monotonic()
    ids = submit_all(settings, newsgen.articles(40, seed=3))
    worker = WorkerProcess(settings, concurrency=2, env=FAULT_ENV).start(client)
    wait_for_count(client, settings, 5, worker)
    assert worker.stop(timeout=60) == 0, worker.tail()
    # Everything the worker started was finished and acked; what it had not started is queued.
    assert client.hlen(Keys(settings).broker_unacked) == 0
    delivered = sum(1 for _ in client.scan_iter(Keys(settings).pattern("deliveries")))
    assert delivered == len(article_outcomes(read_envelopes(client, settings)))
    worker = WorkerProcess(settings, concurrency=2, env=FAULT_ENV).start(client)
    wait_for_outcomes(client, settings, ids, worker=worker)
    wait_until_drained(client, settings)
    worker.stop()
    row = count(client, settings, ids, "SIGTERM mid-run", 1, started, fault_table)
    assert row["lost"] == 0 and row["doubled"] == 0, row


def test_poison_message_is_dead_lettered_after_max_deliveries(aof_redis, fault_table):
    env = {**FAULT_ENV, "EVENTWIRE_MAX_DELIVERIES": "3"}
    settings = Settings.from_env({"EVENTWIRE_REDIS_URL": aof_redis.url, **env})
    client = redis.Redis.from_url(aof_redis.url)
    started = time.monotonic()
    good = newsgen.articles(10, seed=9)
    poison = {"id": "poison-1", "text": "The minister spoke. CRASH-ME", "source": "X"}
    ids = submit_all(settings, [good[0], poison, *good[1:]])
    worker = WorkerProcess(settings, concurrency=1, env=env, entry=[CRASH_WORKER]).start(client)
    envelopes = wait_for_outcomes(client, settings, ids, timeout=180, worker=worker)
    worker.stop()
    rejected = [e for e in envelopes if e["subject"] == "poison-1"]
    assert [e["type"] for e in rejected] == ["article.rejected"]
    assert rejected[0]["data"]["reason"] == "poison_message"
    [(_, entry)] = client.xrange(settings.dlq_stream)
    assert entry[b"reason"] == b"poison_message" and int(entry[b"deliveries"]) == 4
    assert b"CRASH-ME" in entry[b"payload"]
    # batched with it, the others spent one extra delivery at most (a redelivery runs alone)
    counts = sorted(int(client.get(key)) for key in client.scan_iter(Keys(settings).pattern("deliveries")))
    assert len(counts) == len(ids) and counts[-1] == 4 and counts[-2] <= 2, counts
    row = count(client, settings, ids, "poison (kills its worker)", 3, started, fault_table)
    assert row["lost"] == 0 and row["doubled"] == 0, row
