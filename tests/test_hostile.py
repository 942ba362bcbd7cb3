"""Hostile traffic at the broker edge: raw messages pushed onto the queue around the client.

Each kind (``tests/hostile.py``) must be acknowledged once, written to the DLQ with its raw bytes and a
reason, counted, and the worker must go on: the articles around it are processed and its process is
the same one at the end.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import time
from collections import Counter

import newsgen
import pytest
from hostile import article, envelope, hostile_messages, raw, task_body, task_headers
from kombu import Connection
from kombu.transport import redis as kombu_redis
from support import WorkerProcess, article_outcomes, wait_for_outcomes, wait_until

from worker.client import Producer
from worker.core.publication import DLQ_PAYLOAD_LIMIT
from worker.state.keys import Keys
from worker.state.ledger import SubmissionLedger
from worker.state.quarantine import MessageQuarantine
from worker.tasks import edge

TRANSPORT_LEVEL = {"not_json", "json_list", "json_null", "json_string", "no_properties", "bad_base64",
                   "headers_not_object", "deeply_nested_envelope"}


@pytest.fixture
def quarantine(redis_client, settings):
    q = MessageQuarantine(redis_client, settings)
    edge.configure(settings, q.record)
    yield q
    edge.configure(settings, None)


def dlq_entries(client, settings) -> list[dict[bytes, bytes]]:
    return [fields for _, fields in client.xrange(settings.dlq_stream)]


# ---------------------------------------------------------------- the transport, without a worker


def test_kombus_brpop_read_and_get_are_the_ones_edge_channel_copies():
    # EdgeChannel re-implements these two with a check in the middle; a kombu upgrade that changes
    # them must be reviewed against worker/tasks/edge.py (then update the digests).
    digests = {name: hashlib.sha256(inspect.getsource(getattr(kombu_redis.Channel, name)).encode())
               .hexdigest() for name in ("_brpop_read", "_get")}
    assert digests == {
        "_brpop_read": "c42518699709f2df90f55a048fe6346612ae5527e5c4a6819f2c0920dc62088f",
        "_get": "be26a9f1eb4cf8da2aa65f4815a1709bf80b4434b064d3d7146872d318ad506c",
    }


def test_the_edge_channel_dead_letters_entries_kombu_cannot_parse(redis_client, settings, quarantine):
    bad = {name: message for name, (_, message) in hostile_messages().items()
           if name in TRANSPORT_LEVEL}
    good = raw(envelope(task_body([article(1)]), task_headers("good-1")))
    for message in bad.values():
        redis_client.lpush("edge-q", message)
    redis_client.lpush("edge-q", good)
    with Connection(settings.redis_url, transport=edge.EdgeTransport) as conn:
        channel = conn.channel()
        message = channel.basic_get("edge-q")
        assert message is not None and message.headers["id"] == "good-1"
        assert channel.basic_get("edge-q") is None
    entries = dlq_entries(redis_client, settings)
    assert [e[b"payload"] for e in entries] == [m[:DLQ_PAYLOAD_LIMIT] for m in bad.values()]
    assert {e[b"kind"] for e in entries} == {b"message"}
    expected = Counter(reason for name, (reason, _) in hostile_messages().items()
                       if name in TRANSPORT_LEVEL)
    assert quarantine.counts() == dict(expected)


def test_a_queue_entry_larger_than_any_client_message_is_not_parsed(redis_client, settings, quarantine):
    edge.configure(settings.replace(max_payload_bytes=1000), quarantine.record)  # limit 1,004,000
    redis_client.lpush("edge-q", b"[" * 1_100_000)
    with Connection(settings.redis_url, transport=edge.EdgeTransport) as conn:
        assert conn.channel().basic_get("edge-q") is None
    assert quarantine.counts() == {"message_too_large": 1}
    [entry] = dlq_entries(redis_client, settings)
    assert entry[b"raw_bytes"] == b"1100000" and entry[b"payload_truncated"] == b"1"


def test_a_dead_letter_is_written_once_per_delivery_tag(redis_client, settings, quarantine):
    assert quarantine.record(b"x", "unknown_task", "no such task", delivery_tag="tag-1")
    assert not quarantine.record(b"x", "unknown_task", "no such task", delivery_tag="tag-1")
    assert quarantine.record(b"y", "not_json", "not JSON")  # no tag: never seen again anyway
    assert len(dlq_entries(redis_client, settings)) == 2
    assert quarantine.counts() == {"unknown_task": 1, "not_json": 1}
    [first, _] = dlq_entries(redis_client, settings)
    assert json.loads(first[b"errors"]) == [{"field": "$message", "message": "no such task"}]
    assert first[b"raw_bytes"] == b"1" and first[b"payload_truncated"] == b"0"


def test_a_dead_letter_that_cannot_be_written_is_logged_and_dropped(settings):
    def refuse(*_args, **_kwargs):
        raise OSError("DLQ unreachable")

    edge.configure(settings, refuse)
    try:
        edge.dead_letter(b"garbage", "not_json", "not JSON")  # must not raise
    finally:
        edge.configure(settings, None)


# ---------------------------------------------------------------- Celery's protocol, without a worker


@pytest.mark.parametrize("name", sorted(set(hostile_messages()) - TRANSPORT_LEVEL))
def test_the_protocol_check_names_the_reason(name, settings):
    reason, message_bytes = hostile_messages()[name]
    edge.configure(settings, None)
    with Connection("memory://") as conn:
        channel = conn.channel()
        message = channel.Message(json.loads(message_bytes), channel=channel)
        message.accept = ["application/json"]
        assert edge.protocol_problem(message)[0] == reason


def test_the_protocol_check_passes_what_the_client_sends(settings):
    edge.configure(settings, None)
    with Connection("memory://") as conn:
        channel = conn.channel()
        message = channel.Message(json.loads(raw(envelope(task_body([article(1)]), task_headers()))),
                                  channel=channel)
        message.accept = ["application/json"]
        assert edge.protocol_problem(message) is None


def test_the_worker_app_uses_the_edge(settings):
    from worker.tasks.worker import create_worker_app

    app = create_worker_app(settings)
    assert app.conf.worker_consumer == edge.EDGE_CONSUMER
    assert app.conf.broker_transport == edge.EDGE_TRANSPORT
    with app.connection_for_read() as conn:
        assert isinstance(conn.default_channel, edge.EdgeChannel)


# ---------------------------------------------------------------- a real worker under hostile traffic


@pytest.mark.faults
@pytest.mark.integration
@pytest.mark.timeout(240)
def test_hostile_messages_among_articles_are_dead_lettered_once_and_the_worker_goes_on(
        redis_server, redis_client, settings, fault_table):
    started = time.monotonic()
    bad = hostile_messages()
    good = newsgen.articles(len(bad), seed=41)
    worker = WorkerProcess(settings, concurrency=2).start(redis_client)
    pid = worker.process.pid
    producer = Producer(settings)
    try:
        ids = []
        for (_, message), payload in zip(bad.values(), good, strict=True):
            redis_client.lpush(settings.queue, message)  # around the client, as kombu reads it
            ids.append(producer.submit(payload).article_id)
    finally:
        producer.close()
    envelopes = wait_for_outcomes(redis_client, settings, ids, timeout=180, worker=worker)
    wait_until(lambda: len(dlq_entries(redis_client, settings)) >= len(bad), 60, "dead letters")
    wait_until(lambda: not redis_client.llen(settings.queue) and not redis_client.hlen("unacked"), 60,
               "queue drained")
    assert worker.process.poll() is None and worker.process.pid == pid, worker.tail()
    log = worker.tail(2_000_000)
    assert "Unrecoverable error" not in log and "Connection to broker lost" not in log, log[-3000:]
    assert worker.stop() == 0

    outcomes = article_outcomes(envelopes)
    assert {i: outcomes[i] for i in ids} == dict.fromkeys(ids, 1)
    assert all(e["type"] == "article.processed" for e in envelopes
               if e["type"].startswith("article.")), Counter(e["type"] for e in envelopes)
    assert SubmissionLedger(redis_client, settings).pending() == 0

    entries = dlq_entries(redis_client, settings)
    assert len(entries) == len(bad)  # each once
    by_payload = {e[b"payload"]: e for e in entries}
    for name, (reason, message) in bad.items():
        entry = by_payload.get(message[:DLQ_PAYLOAD_LIMIT])
        assert entry is not None, f"{name} was not dead-lettered"
        assert entry[b"reason"].decode() == reason, (name, entry[b"errors"])
        assert entry[b"kind"] == b"message" and int(entry[b"raw_bytes"]) == len(message)
    counts = {k.decode(): int(v) for k, v in
              redis_client.hgetall(Keys(settings).rejected_messages).items()}
    assert counts == dict(Counter(reason for reason, _ in bad.values()))
    fault_table.append({"fault": f"raw hostile messages x{len(bad)}", "injected": len(bad),
                        "submitted": len(ids), "outcomes": sum(outcomes[i] for i in ids), "lost": 0,
                        "doubled": 0, "seconds": round(time.monotonic() - started, 1)})
