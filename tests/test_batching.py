"""Batching with a real worker (``worker.tasks.batching``): first deliveries are parsed together, and
each message is still settled on its own.

The worker is ``tests/crash_worker.py`` (the production worker whose pipeline misbehaves on marker
texts); the articles are queued before it starts, so its first batch is the first four of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import newsgen
import pytest
import redis
from support import WorkerProcess, article_outcomes, wait_for_outcomes, wait_until

from worker.client import Producer
from worker.config import Settings
from worker.state.keys import Keys

pytestmark = pytest.mark.integration

CRASH_WORKER = str(Path(__file__).with_name("crash_worker.py"))
# a wait long enough that the first four queued messages always make one batch on a busy machine
ENV = {"EVENTWIRE_BATCH_SIZE": "4", "EVENTWIRE_BATCH_WAIT_MS": "1000",
       "EVENTWIRE_MAX_DELIVERIES": "3", "EVENTWIRE_TASK_SOFT_TIME_LIMIT": "30",
       "EVENTWIRE_TASK_TIME_LIMIT": "40", "EVENTWIRE_VISIBILITY_TIMEOUT": "60"}


def log_records(worker: WorkerProcess, event: str) -> list[dict]:
    records = (json.loads(line) for line in worker.tail(1_000_000).splitlines() if line.startswith("{"))
    return [r for r in records if r.get("event") == event]


def test_a_failing_article_fails_alone_and_its_batch_mates_are_processed_at_first_delivery(
        redis_server):
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    settings = Settings.from_env({"EVENTWIRE_REDIS_URL": redis_server.url, **ENV})
    good = newsgen.articles(5, seed=77)
    bad = {"id": "raise-1", "text": "The minister presented the budget on Monday. RAISE-ME",
           "source": "Test Wire"}
    producer = Producer(settings)
    try:
        submissions = {s.article_id: s.submission_id
                       for s in map(producer.submit, [good[0], bad, *good[1:]])}
    finally:
        producer.close()
    worker = WorkerProcess(settings, concurrency=1, env=ENV, entry=[CRASH_WORKER]).start(client)
    try:
        envelopes = wait_for_outcomes(client, settings, list(submissions), timeout=120, worker=worker)
        wait_until(lambda: not client.llen(settings.queue)
                   and not client.hlen(Keys(settings).broker_unacked), 30, "queue drained")
    finally:
        assert worker.stop() == 0, worker.tail()

    assert article_outcomes(envelopes) == dict.fromkeys(submissions, 1)
    kinds = {e["subject"]: e["type"] for e in envelopes if e["type"].startswith("article.")}
    assert kinds.pop("raise-1") == "article.rejected"
    assert set(kinds.values()) == {"article.processed"}
    deliveries = {aid: int(client.get(Keys(settings).deliveries(sid)))
                  for aid, sid in submissions.items()}
    # the good ones: one delivery each, the first three in one batch with the failing article
    assert {aid: n for aid, n in deliveries.items() if aid != "raise-1"} == dict.fromkeys(kinds, 1)
    done = {r["article_id"]: r.get("batch") for r in log_records(worker, "article.done")}
    assert [done[a["id"]] for a in good[:3]] == [4, 4, 4]
    # the failing one: its batched delivery failed, then it ran alone until the limit
    assert deliveries["raise-1"] == 3
    failures = [r for r in log_records(worker, "article.failed") if r["article_id"] == "raise-1"]
    assert [(r["deliveries"], r.get("batched", False)) for r in failures] \
        == [(1, True), (2, False), (3, False)]
    assert all("RAISE-ME" in r["exception"] for r in failures)


@pytest.mark.parametrize(("batch_size", "pool"), [("1", "prefork"), ("4", "solo")])
def test_with_batch_size_one_or_another_pool_than_prefork_every_article_runs_alone(
        redis_server, batch_size, pool):
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    env = {**ENV, "EVENTWIRE_BATCH_SIZE": batch_size}
    settings = Settings.from_env({"EVENTWIRE_REDIS_URL": redis_server.url, **env})
    articles = newsgen.articles(4, seed=78)
    producer = Producer(settings)
    try:
        ids = [producer.submit(a).article_id for a in articles]
    finally:
        producer.close()
    worker = WorkerProcess(settings, concurrency=1, env=env, pool=pool).start(client)
    try:
        envelopes = wait_for_outcomes(client, settings, ids, timeout=120, worker=worker)
    finally:
        assert worker.stop() == 0, worker.tail()
    assert article_outcomes(envelopes) == dict.fromkeys(ids, 1)
    assert [r.get("batch") for r in log_records(worker, "article.done")] == [None] * 4
