"""End to end with a real redis-server and a real Celery worker subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from support import WorkerProcess, article_outcomes, wait_for_outcomes

from worker.celery_app import TASK_NAME, make_celery
from worker.client import BrokerUnavailable, Producer
from worker.config import Settings
from worker.contract import validate_envelope
from worker.embedded import EmbeddedRedis, free_port

pytestmark = pytest.mark.integration

ARTICLES = [
    {"text": "Argentine President Javier Milei visited Madrid on Monday and met Spanish Prime "
             "Minister Pedro Sanchez at the Moncloa palace.", "source": "Iberia Desk",
     "published_at": "2024-06-19T10:00:00Z", "metadata": {"desk": "world"}},
    {"text": "Police arrested twelve protesters outside the parliament in Nairobi on Tuesday, "
             "Kenyan officials said.", "source": "Rift Post", "published_at": "2024-06-26T08:00:00Z"},
    {"text": "Japan and South Korea agreed on Friday to resume regular defence talks after a "
             "pause of five years.", "source": "Pacific Line", "published_at": "2024-07-05T06:00:00Z"},
]


@dataclass
class Service:
    settings: Settings
    client: redis.Redis
    worker: WorkerProcess
    producer: Producer


@pytest.fixture(scope="module")
def service(redis_server: EmbeddedRedis) -> Iterator[Service]:
    """One worker for the module, on a flushed private Redis."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    settings = Settings(redis_url=redis_server.url)
    worker = WorkerProcess(settings).start(client)
    producer = Producer(settings)
    yield Service(settings, client, worker, producer)
    producer.close()
    assert worker.stop() == 0, worker.tail()
    client.close()


def test_three_articles_flow_to_the_results_stream_and_match_the_schemas(service):
    ids = [service.producer.submit(a).article_id for a in ARTICLES]
    envelopes = wait_for_outcomes(service.client, service.settings, ids, worker=service.worker)
    mine = [e for e in envelopes if e["subject"] in ids or e["type"].startswith("event.")]
    for envelope in mine:
        validate_envelope(envelope)
    outcomes = {e["subject"]: e for e in mine if e["type"] == "article.processed"}
    assert set(outcomes) == set(ids)
    assert outcomes[ids[0]]["data"]["metadata"] == {"desk": "world"}
    assert any(e["type"] == "event.created" for e in mine)
    assert article_outcomes(envelopes)[ids[0]] == 1


INVALID = [
    ({"title": "no text"}, "invalid_field", "text"),
    ({"text": 17}, "invalid_field", "text"),
    ({"text": "Hello there.", "extra": 1}, "invalid_field", "extra"),
    ({"text": "  "}, "empty_text", "text"),
    ({"text": "y" * 100_001}, "payload_too_large", "text"),
    ({"text": "A minister spoke.", "published_at": "2024-13-45T99:00:00Z"}, "invalid_field",
     "published_at"),
    (["not", "an", "object"], "invalid_payload", "$"),
]


def test_invalid_input_is_rejected_precisely_and_the_worker_keeps_going(service):
    app = make_celery(service.settings)
    task_ids = []
    for number, (payload, _, _) in enumerate(INVALID):
        task_id = f"invalid-{number}"
        app.send_task(TASK_NAME, args=[payload], task_id=task_id)  # bypasses local validation
        task_ids.append(task_id)
    valid = service.producer.submit({"text": "French President Emmanuel Macron visited Dakar on "
                                             "Monday.", "published_at": "2024-05-01T09:00:00Z"})
    wait_for_outcomes(service.client, service.settings, [valid.article_id], worker=service.worker)
    entries = {f[b"submission_id"].decode(): f for _, f in
               service.client.xrange(service.settings.dlq_stream)}
    envelopes = [json.loads(f[b"envelope"]) for _, f in
                 service.client.xrange(service.settings.results_stream)]
    rejected = {e["subject"]: e for e in envelopes if e["type"] == "article.rejected"}
    for task_id, (_, reason, field) in zip(task_ids, INVALID, strict=True):
        envelope = rejected[f"submission:{task_id}"]
        validate_envelope(envelope)
        assert envelope["data"]["reason"] == reason
        assert field in {e["field"] for e in envelope["data"]["errors"]}
        assert entries[task_id][b"reason"].decode() == reason
    processed = [e for e in envelopes if e["subject"] == valid.article_id]
    assert [e["type"] for e in processed] == ["article.processed"]
    assert service.worker.process.poll() is None


def test_cli_submit_then_tail_with_a_consumer_group(service, tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps({**a, "text": a["text"].replace("on", "last", 1)})
                              for a in ARTICLES[:2]))
    env = {"EVENTWIRE_REDIS_URL": service.settings.redis_url}
    submitted = run_cli(["submit", str(path)], env)
    assert submitted.returncode == 0, submitted.stderr
    ids = submitted.stdout.split()
    assert len(ids) == 2
    wait_for_outcomes(service.client, service.settings, ids, worker=service.worker)
    tailed = run_cli(["tail", "--group", "t1", "--type", "article.processed"], env)
    assert tailed.returncode == 0, tailed.stderr
    subjects = [json.loads(line)["subject"] for line in tailed.stdout.splitlines()]
    assert set(ids) <= set(subjects)
    again = run_cli(["tail", "--group", "t1"], env)  # the group acked everything already
    assert again.stdout.strip() == ""
    assert service.client.xpending(service.settings.results_stream, "t1")["pending"] == 0


def test_cli_dlq_lists_reasons(service):
    listed = run_cli(["dlq", "--json"], {"EVENTWIRE_REDIS_URL": service.settings.redis_url})
    assert listed.returncode == 0
    reasons = {json.loads(line)["reason"] for line in listed.stdout.splitlines()}
    assert {"empty_text", "invalid_payload"} <= reasons


def test_client_reports_an_unreachable_broker_quickly():
    settings = Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0", connect_timeout=1.0)
    producer = Producer(settings)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable, match="unreachable"):
        producer.submit({"text": "Anything at all."})
    assert time.monotonic() - started < 30  # a clear error, not a hang


def run_cli(args: list[str], env: dict[str, str], timeout: float = 240,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "EVENTWIRE_LOG_FORMAT": "json", **env}
    return subprocess.run([sys.executable, "-m", "worker.cli", *args], env=full_env, text=True,
                          capture_output=True, timeout=timeout, input=stdin)
