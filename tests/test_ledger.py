"""The submission ledger: a message lost in transit is re-sent; a published one is struck off."""

from __future__ import annotations

import json
import time

import pytest
from support import WorkerProcess, article_outcomes, read_envelopes, wait_for_outcomes

from worker.client import Producer
from worker.config import Settings
from worker.core.contract import validate_envelope
from worker.core.pipeline import Pipeline
from worker.core.publication import Publication
from worker.state.keys import Keys
from worker.state.ledger import Overdue, SubmissionLedger, find_lost, reconcile, task_ids_in
from worker.state.publisher import RedisPublisher
from worker.tasks.delivery import dead_letter


def kombu_message(task_id: str) -> bytes:
    return json.dumps({"body": "e30=", "headers": {"id": task_id, "task": "x"}}).encode()


def test_publication_strikes_the_submission_off_the_ledger(redis_client, settings):
    ledger = SubmissionLedger(redis_client, settings)
    ledger.record("s-1", {"text": "a"})
    ledger.record("s-2", {"text": "b"})
    RedisPublisher(redis_client, settings, ledger=True).publish(Publication("s-1", []))
    assert ledger.pending() == 1
    assert [o.submission_id for o in ledger.overdue(older_than=-1)] == ["s-2"]


def test_task_ids_are_read_from_queue_and_unacked_entries():
    raw = [kombu_message("a"), json.dumps([json.loads(kombu_message("b")), "ex", "rk"]).encode(),
           b"not json", b'{"headers": {}}']
    assert task_ids_in(raw) == {"a", "b"}


def test_only_overdue_submissions_in_neither_queue_nor_unacked_are_lost(redis_client, settings):
    ledger = SubmissionLedger(redis_client, settings)
    for sid in ("queued", "held", "lost"):
        ledger.record(sid, {"text": sid})
    redis_client.lpush(settings.queue, kombu_message("queued"))
    unacked = Keys(settings).broker_unacked
    redis_client.hset(unacked, "tag-1", json.dumps([json.loads(kombu_message("held")), "", ""]))
    assert find_lost(ledger, redis_client, settings.queue, older_than=3600,
                     unacked=unacked) == []  # not overdue yet
    lost = find_lost(ledger, redis_client, settings.queue, older_than=-1, unacked=unacked)
    assert [o.submission_id for o in lost] == ["lost"]


def test_reconcile_resends_then_dead_letters_after_max_deliveries(redis_client, settings):
    settings = settings.replace(max_deliveries=2, visibility_timeout=30, task_time_limit=20,
                                task_soft_time_limit=10)
    ledger = SubmissionLedger(redis_client, settings)
    ledger.record("gone", {"text": "x"})
    redis_client.zadd(ledger.index, {"gone": time.time() - 3600})  # long overdue
    resent: list[Overdue] = []
    dead: list[Overdue] = []
    for _ in range(3):
        reconcile(ledger, redis_client, settings, resent.append, dead.append)
        redis_client.zadd(ledger.index, {"gone": time.time() - 3600}, xx=True)
    assert [o.resends for o in resent] == [0, 1]
    assert [o.submission_id for o in dead] == ["gone"] and ledger.pending() == 0


def test_reconcile_dead_letters_a_lost_submission_once_with_the_real_publication(redis_client, settings):
    settings = settings.replace(max_deliveries=2, visibility_timeout=30, task_time_limit=20,
                                task_soft_time_limit=10)
    ledger = SubmissionLedger(redis_client, settings)
    publisher = RedisPublisher(redis_client, settings, ledger=True)
    pipeline = Pipeline.in_memory(settings)  # dead-lettering needs neither the model nor state

    def give_up(item: Overdue) -> None:  # what the worker's reconciler does (tasks.lifecycle)
        publisher.publish(dead_letter(pipeline, item.payload, item.submission_id,
                                      reason="poison_message", deliveries=item.resends,
                                      message="never processed").publication)

    resent: list[str] = []
    ledger.record("sub-lost", {"id": "lost-1", "text": "The minister spoke."})
    for _ in range(4):  # lost again after every re-send; the fourth run finds nothing
        redis_client.zadd(ledger.index, {"sub-lost": time.time() - 3600}, xx=True)
        reconcile(ledger, redis_client, settings, lambda o: resent.append(o.submission_id), give_up)
    assert resent == ["sub-lost", "sub-lost"]
    [(_, fields)] = redis_client.xrange(settings.results_stream)
    envelope = json.loads(fields[b"envelope"])
    validate_envelope(envelope)
    assert (envelope["type"], envelope["subject"]) == ("article.rejected", "lost-1")
    assert envelope["data"]["reason"] == "poison_message"
    [(_, entry)] = redis_client.xrange(settings.dlq_stream)
    assert entry[b"reason"] == b"poison_message" and entry[b"deliveries"] == b"2"
    assert entry[b"submission_id"] == b"sub-lost" and b"lost-1" in entry[b"payload"]
    assert ledger.pending() == 0 and redis_client.hlen(ledger.payloads) == 0


@pytest.mark.integration
def test_the_workers_reconciler_resends_one_lost_submission_and_dead_letters_another(
        redis_server, redis_client):
    env = {"EVENTWIRE_VISIBILITY_TIMEOUT": "4", "EVENTWIRE_TASK_TIME_LIMIT": "3",
           "EVENTWIRE_TASK_SOFT_TIME_LIMIT": "2", "EVENTWIRE_MAX_DELIVERIES": "3"}
    settings = Settings.from_env({"EVENTWIRE_REDIS_URL": redis_server.url, **env})
    ledger = SubmissionLedger(redis_client, settings)
    # Two submissions lost in transit long ago (in the ledger, neither queued nor unacked): one
    # never re-sent, one already re-sent max_deliveries times.
    ledger.record("sub-fresh", {"id": "fresh-1", "text": "Chilean police detained six protesters "
                                "in Santiago on Friday.", "published_at": "2024-04-12T18:00:00Z"})
    ledger.record("sub-spent", {"id": "spent-1", "text": "The minister spoke."}, resends=3)
    redis_client.zadd(ledger.index, {"sub-fresh": time.time() - 3600, "sub-spent": time.time() - 3600})
    worker = WorkerProcess(settings, env=env).start(redis_client)
    try:
        wait_for_outcomes(redis_client, settings, ["fresh-1", "spent-1"], timeout=60, worker=worker)
    finally:
        assert worker.stop() == 0, worker.tail()
    envelopes = read_envelopes(redis_client, settings)
    for envelope in envelopes:
        validate_envelope(envelope)
    assert article_outcomes(envelopes) == {"fresh-1": 1, "spent-1": 1}
    kinds = {e["subject"]: e for e in envelopes if e["type"].startswith("article.")}
    assert kinds["fresh-1"]["type"] == "article.processed"
    assert kinds["spent-1"]["type"] == "article.rejected"
    assert kinds["spent-1"]["data"]["reason"] == "poison_message"
    [(_, entry)] = redis_client.xrange(settings.dlq_stream)
    assert entry[b"submission_id"] == b"sub-spent" and entry[b"deliveries"] == b"3"
    assert ledger.pending() == 0


@pytest.mark.integration
def test_a_message_lost_between_pop_and_unacked_is_recovered(redis_server, redis_client):
    env = {"EVENTWIRE_VISIBILITY_TIMEOUT": "10", "EVENTWIRE_TASK_TIME_LIMIT": "8",
           "EVENTWIRE_TASK_SOFT_TIME_LIMIT": "6"}
    settings = Settings.from_env({"EVENTWIRE_REDIS_URL": redis_server.url, **env})
    producer = Producer(settings)
    submission = producer.submit({"text": "Chilean police detained six protesters in Santiago on "
                                          "Friday.", "published_at": "2024-04-12T18:00:00Z"})
    producer.close()
    # What kombu's BRPOP does before a worker dies in the gap: the message leaves the queue and is
    # never recorded as unacked, so no visibility timeout can bring it back.
    assert redis_client.rpop(settings.queue) is not None
    worker = WorkerProcess(settings, env=env).start(redis_client)
    try:
        envelopes = wait_for_outcomes(redis_client, settings, [submission.article_id], timeout=90,
                                      worker=worker)
    finally:
        worker.stop()
    assert article_outcomes(envelopes)[submission.article_id] == 1
    assert SubmissionLedger(redis_client, settings).pending() == 0
    assert "ledger.resend" in worker.tail(200_000)
