"""Failure paths with real worker processes: a pipeline that raises, time limits, the reconciler.

The worker is ``tests/crash_worker.py``: the production worker whose pipeline misbehaves on a marker
text. Every run submits the misbehaving article among good ones and then counts: exactly one
``article.*`` outcome per article, the good ones processed, one DLQ entry, the ledger empty.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import newsgen
import pytest
import redis
from support import WorkerProcess, article_outcomes, read_envelopes, wait_for_outcomes, wait_until

from worker.client import Producer
from worker.config import Settings
from worker.core.contract import validate_envelope
from worker.state.keys import Keys
from worker.state.ledger import SubmissionLedger

pytestmark = pytest.mark.integration

CRASH_WORKER = str(Path(__file__).with_name("crash_worker.py"))


@dataclass
class Run:
    settings: Settings
    bad_submission: str
    good_ids: list[str]
    envelopes: list[dict[str, Any]]
    dlq: list[dict[bytes, bytes]]
    log: str


def drained(client: redis.Redis, settings: Settings) -> bool:
    """Nothing queued and nothing held unacked: every delivery has run to its end."""
    return not client.llen(settings.queue) and not client.hlen("unacked")


def run_with(redis_server, client: redis.Redis, env: dict[str, str], marker: str,
             timeout: float = 90) -> Run:
    """Submit a misbehaving article among five good ones to a worker of ``crash_worker.py``."""
    settings = Settings.from_env({"EVENTWIRE_REDIS_URL": redis_server.url, **env})
    good = newsgen.articles(5, seed=len(marker))
    bad = {"id": "bad-1", "text": f"The minister spoke in the capital on Monday. {marker}",
           "source": "Test Wire"}
    producer = Producer(settings)
    try:
        submissions = [producer.submit(a) for a in [good[0], bad, *good[1:]]]
    finally:
        producer.close()
    worker = WorkerProcess(settings, concurrency=2, env=env, entry=[CRASH_WORKER]).start(client)
    try:
        wait_for_outcomes(client, settings, [s.article_id for s in submissions], timeout=timeout,
                          worker=worker)
        wait_until(lambda: drained(client, settings), 30, "queue and unacked drained")
    finally:
        assert worker.stop() == 0, worker.tail()
    return Run(settings, submissions[1].submission_id,
               [s.article_id for s in submissions if s.article_id != "bad-1"],
               read_envelopes(client, settings),
               [fields for _, fields in client.xrange(settings.dlq_stream)], worker.tail(500_000))


def log_events(run: Run, event: str, article_id: str = "bad-1") -> list[dict[str, Any]]:
    """The worker's JSON log records of ``event`` about ``article_id``."""
    records = []
    for line in run.log.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("event") == event and record.get("article_id") == article_id:
                records.append(record)
    return records


def assert_one_outcome_each_and_dead_lettered(run: Run, client: redis.Redis, reason: str,
                                              deliveries: int) -> dict[str, Any]:
    """Exactly one outcome per article, good ones processed, one DLQ entry; the rejection's data."""
    for envelope in run.envelopes:
        validate_envelope(envelope)
    outcomes = article_outcomes(run.envelopes)
    assert outcomes == {**dict.fromkeys(run.good_ids, 1), "bad-1": 1}, outcomes
    kinds = {e["subject"]: e["type"] for e in run.envelopes if e["type"].startswith("article.")}
    assert all(kinds[i] == "article.processed" for i in run.good_ids), kinds
    [rejected] = [e for e in run.envelopes if e["subject"] == "bad-1"]
    assert rejected["type"] == "article.rejected"
    assert rejected["data"]["reason"] == reason, rejected["data"]
    [entry] = run.dlq
    assert entry[b"reason"].decode() == reason
    assert entry[b"submission_id"].decode() == run.bad_submission
    assert entry[b"article_id"] == b"bad-1"
    assert int(entry[b"deliveries"]) == deliveries
    assert json.loads(entry[b"payload"])["id"] == "bad-1"
    assert int(client.get(Keys(run.settings).deliveries(run.bad_submission))) == deliveries
    assert SubmissionLedger(client, run.settings).pending() == 0
    return rejected["data"]


def test_a_permanent_error_is_retried_as_new_deliveries_then_dead_lettered(redis_server, redis_client):
    env = {"EVENTWIRE_MAX_DELIVERIES": "3"}
    started = time.monotonic()
    run = run_with(redis_server, redis_client, env, "RAISE-ME")
    data = assert_one_outcome_each_and_dead_lettered(run, redis_client, "processing_failed", 3)
    assert data["errors"] == [{"field": "$", "message": "failed 3 times: ValueError: RAISE-ME: a bug "
                                                        "in the pipeline"}]
    # Each failure ended its delivery (task.retry), none was retried inside the task.
    assert [r["deliveries"] for r in log_events(run, "article.failed")] == [1, 2, 3]
    assert log_events(run, "transient.retry") == []
    assert time.monotonic() - started < 60


def test_a_soft_time_limit_fails_the_delivery_and_dead_letters_as_time_limit(redis_server, redis_client):
    # (2 s: the first article in a fresh child takes up to a second, loading extraction tables)
    env = {"EVENTWIRE_MAX_DELIVERIES": "3", "EVENTWIRE_TASK_SOFT_TIME_LIMIT": "2",
           "EVENTWIRE_TASK_TIME_LIMIT": "4", "EVENTWIRE_VISIBILITY_TIMEOUT": "60"}
    run = run_with(redis_server, redis_client, env, "SLOW-ME")
    data = assert_one_outcome_each_and_dead_lettered(run, redis_client, "time_limit", 3)
    [error] = data["errors"]
    assert error["field"] == "$" and error["message"].startswith("failed 3 times: SoftTimeLimitExceeded")
    # The soft limit ended each delivery: no in-task transient retry, no hard kill.
    assert [r["deliveries"] for r in log_events(run, "article.failed")] == [1, 2, 3]
    assert all("SoftTimeLimitExceeded" in r["exception"] for r in log_events(run, "article.failed"))
    assert log_events(run, "transient.retry") == []
    assert "Hard time limit" not in run.log


def test_a_hard_time_limit_kills_the_child_then_the_message_is_dead_lettered_as_poison(
        redis_server, redis_client):
    env = {"EVENTWIRE_MAX_DELIVERIES": "3", "EVENTWIRE_TASK_SOFT_TIME_LIMIT": "2",
           "EVENTWIRE_TASK_TIME_LIMIT": "3", "EVENTWIRE_VISIBILITY_TIMEOUT": "60"}
    run = run_with(redis_server, redis_client, env, "HANG-ME")
    # three deliveries killed by the hard limit; the fourth is past the limit
    data = assert_one_outcome_each_and_dead_lettered(run, redis_client, "poison_message", 4)
    assert data["errors"][0]["message"].startswith("delivered 4 times without completing")
    assert run.log.count(f"Hard time limit (3s) exceeded for eventwire.process_article"
                         f"[{run.bad_submission}]") == 3
    assert run.log.count("exited with 'signal 9 (SIGKILL)'") == 3  # the child, each time
    assert log_events(run, "article.failed") == []  # the task never got to handle the failure
