"""Failure paths with a real worker: a pipeline that raises, the soft and the hard time limit.

The worker is ``tests/crash_worker.py``: the production worker whose pipeline misbehaves on a marker
text. One run (one worker, two children, small time limits) gets three misbehaving articles among
five good ones; the tests then count what it published: exactly one ``article.*`` outcome per
article, the good ones processed, one DLQ entry per misbehaving one, the ledger empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
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
from worker.state.embedded import EmbeddedRedis
from worker.state.keys import Keys
from worker.state.ledger import SubmissionLedger

pytestmark = pytest.mark.integration

CRASH_WORKER = str(Path(__file__).with_name("crash_worker.py"))
# Small limits: the worker (and crash_worker's warm-up) load everything before the fork, so a good
# article takes tens of milliseconds, far below the 2 s soft limit.
ENV = {"EVENTWIRE_MAX_DELIVERIES": "3", "EVENTWIRE_TASK_SOFT_TIME_LIMIT": "2",
       "EVENTWIRE_TASK_TIME_LIMIT": "3", "EVENTWIRE_VISIBILITY_TIMEOUT": "60"}
MARKERS = {"raise-1": "RAISE-ME", "slow-1": "SLOW-ME", "hang-1": "HANG-ME"}
# Each bad article its own text: they are three different articles, not near copies of one another.
BODIES = {"raise-1": "The finance minister presented the new budget to parliament on Monday.",
          "slow-1": "Farmers from the northern districts marched to the regional office on Tuesday.",
          "hang-1": "The port authority reopened the eastern harbour after a week of repairs."}


@dataclass
class Run:
    settings: Settings
    submissions: dict[str, str]  # article id -> submission id
    envelopes: list[dict[str, Any]]
    dlq: dict[str, dict[str, str]]  # article id -> DLQ entry
    deliveries: dict[str, int]  # article id -> deliveries counted
    ledger_pending: int
    log: str

    def rejection(self, article_id: str) -> dict[str, Any]:
        [envelope] = [e for e in self.envelopes if e["subject"] == article_id]
        assert envelope["type"] == "article.rejected", envelope
        return envelope["data"]

    def log_events(self, event: str, article_id: str) -> list[dict[str, Any]]:
        """The worker's JSON log records of ``event`` about ``article_id``."""
        records = (json.loads(line) for line in self.log.splitlines() if line.startswith("{"))
        return [r for r in records if r.get("event") == event and r.get("article_id") == article_id]


def drained(client: redis.Redis, settings: Settings) -> bool:
    """Nothing queued and nothing held unacked: every delivery has run to its end."""
    return not client.llen(settings.queue) and not client.hlen(Keys(settings).broker_unacked)


@pytest.fixture(scope="module")
def run(redis_server: EmbeddedRedis) -> Iterator[Run]:
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    settings = Settings.from_env({"EVENTWIRE_REDIS_URL": redis_server.url, **ENV})
    good = newsgen.articles(5, seed=41)
    bad = [{"id": aid, "text": f"{BODIES[aid]} {marker}", "source": "Test Wire"}
           for aid, marker in MARKERS.items()]
    producer = Producer(settings)
    try:
        submissions = {s.article_id: s.submission_id for s in map(
            producer.submit, [good[0], bad[0], good[1], bad[1], good[2], bad[2], *good[3:]])}
    finally:
        producer.close()
    worker = WorkerProcess(settings, concurrency=2, env=ENV, entry=[CRASH_WORKER]).start(client)
    try:
        wait_for_outcomes(client, settings, list(submissions), timeout=120, worker=worker)
        wait_until(lambda: drained(client, settings), 30, "queue and unacked drained")
    finally:
        assert worker.stop() == 0, worker.tail()
    dlq = {}
    for _, fields in client.xrange(settings.dlq_stream):
        entry = {k.decode(): v.decode() for k, v in fields.items()}
        dlq[entry["article_id"]] = entry
    keys = Keys(settings)
    yield Run(settings, submissions, read_envelopes(client, settings), dlq,
              {aid: int(client.get(keys.deliveries(sid)) or 0) for aid, sid in submissions.items()},
              SubmissionLedger(client, settings).pending(), worker.tail(1_000_000))
    client.close()


def test_every_article_has_exactly_one_valid_outcome_and_the_good_ones_are_processed(run):
    for envelope in run.envelopes:
        validate_envelope(envelope)
    assert article_outcomes(run.envelopes) == dict.fromkeys(run.submissions, 1)
    kinds = {e["subject"]: e["type"] for e in run.envelopes if e["type"].startswith("article.")}
    assert {aid for aid, kind in kinds.items() if kind == "article.processed"} \
        == set(run.submissions) - set(MARKERS)
    assert set(run.dlq) == set(MARKERS)
    assert run.ledger_pending == 0


def assert_dead_lettered(run: Run, article_id: str, reason: str, deliveries: int) -> dict[str, Any]:
    data = run.rejection(article_id)
    assert data["reason"] == reason, data
    entry = run.dlq[article_id]
    assert entry["reason"] == reason
    assert entry["submission_id"] == run.submissions[article_id]
    assert int(entry["deliveries"]) == deliveries == run.deliveries[article_id]
    assert json.loads(entry["payload"])["id"] == article_id
    return data


def test_a_permanent_error_is_retried_as_new_deliveries_then_dead_lettered(run):
    data = assert_dead_lettered(run, "raise-1", "processing_failed", 3)
    assert data["errors"] == [{"field": "$", "message": "failed 3 times: ValueError: RAISE-ME: a bug "
                                                        "in the pipeline"}]
    # Each failure ended its delivery (task.retry); none was retried inside the task.
    assert [r["deliveries"] for r in run.log_events("article.failed", "raise-1")] == [1, 2, 3]
    assert run.log_events("transient.retry", "raise-1") == []


def test_a_soft_time_limit_fails_the_delivery_and_dead_letters_as_time_limit(run):
    data = assert_dead_lettered(run, "slow-1", "time_limit", 3)
    [error] = data["errors"]
    assert error["field"] == "$" and error["message"].startswith("failed 3 times: SoftTimeLimitExceeded")
    # The soft limit ended each delivery: no in-task transient retry, no hard kill.
    failures = run.log_events("article.failed", "slow-1")
    assert [r["deliveries"] for r in failures] == [1, 2, 3]
    assert all("SoftTimeLimitExceeded" in r["exception"] for r in failures)
    assert run.log_events("transient.retry", "slow-1") == []
    assert f"Hard time limit (3s) exceeded for eventwire.process_article[{run.submissions['slow-1']}]" \
        not in run.log


def test_a_hard_time_limit_kills_the_child_then_the_message_is_dead_lettered_as_poison(run):
    # three deliveries killed by the hard limit; the fourth is past the limit
    data = assert_dead_lettered(run, "hang-1", "poison_message", 4)
    assert data["errors"][0]["message"].startswith("delivered 4 times without completing")
    assert run.log.count(f"Hard time limit (3s) exceeded for eventwire.process_article"
                         f"[{run.submissions['hang-1']}]") == 3
    assert run.log_events("article.failed", "hang-1") == []  # the task never got to handle it


def test_dead_letters_redriven_once_the_bug_is_fixed_are_processed_once(run, monkeypatch, capsys):
    from worker.cli.main import main
    from worker.state.lookup import Lookup

    for name, value in {"EVENTWIRE_REDIS_URL": run.settings.redis_url, **ENV}.items():
        monkeypatch.setenv(name, value)
    client = redis.Redis.from_url(run.settings.redis_url)
    assert main(["dlq", "--redrive", "--all"]) == 0
    assert main(["dlq", "--redrive", "--all"]) == 0  # recorded: nothing sent twice
    assert capsys.readouterr().out.count("redriven: article") == len(MARKERS)
    assert client.llen(run.settings.queue) == len(MARKERS)
    worker = WorkerProcess(run.settings, concurrency=1, env=ENV).start(client)  # the fixed pipeline
    lookup = Lookup(client, run.settings)
    try:
        wait_until(lambda: all((s := lookup.article(aid)) and s.status == "processed" for aid in MARKERS),
                   120, "the redriven articles processed")
        wait_until(lambda: drained(client, run.settings), 30, "queue and unacked drained")
    finally:
        assert worker.stop() == 0, worker.tail()
    outcomes = [(e["subject"], e["type"]) for e in read_envelopes(client, run.settings)
                if e["subject"] in MARKERS]
    assert sorted(outcomes) == sorted([(aid, "article.rejected") for aid in MARKERS]
                                      + [(aid, "article.processed") for aid in MARKERS])
    client.close()
