"""End to end with a real redis-server and a real Celery worker subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from support import WorkerProcess, article_outcomes, read_envelopes, wait_for_outcomes, wait_until

from worker.client import BrokerUnavailable, Producer
from worker.config import Settings
from worker.core.contract import validate_envelope
from worker.state.embedded import EmbeddedRedis, free_port
from worker.tasks.app import TASK_NAME, make_celery

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
    submitted = run_cli(["submit", str(path)], env)  # piped: one JSON object per submission
    assert submitted.returncode == 0, submitted.stderr
    ids = [json.loads(line)["article_id"] for line in submitted.stdout.splitlines()]
    assert len(ids) == 2
    wait_for_outcomes(service.client, service.settings, ids, worker=service.worker)
    tailed = run_cli(["tail", "--group", "t1", "--type", "article.processed"], env)
    assert tailed.returncode == 0, tailed.stderr
    subjects = [json.loads(line)["subject"] for line in tailed.stdout.splitlines()]
    assert set(ids) <= set(subjects)
    # what --type filtered out was left pending: the next run (same consumer) prints it
    rest = [json.loads(line) for line in run_cli(["tail", "--group", "t1"], env).stdout.splitlines()]
    assert {e["type"] for e in rest} and "article.processed" not in {e["type"] for e in rest}
    assert len(subjects) + len(rest) == service.client.xlen(service.settings.results_stream)
    assert run_cli(["tail", "--group", "t1"], env).stdout.strip() == ""
    assert service.client.xpending(service.settings.results_stream, "t1")["pending"] == 0


def test_cli_dlq_lists_the_rejected_payloads_with_their_reasons(service):
    app = make_celery(service.settings)
    bad = {"dlq-empty": {"id": "dlq-1", "text": "   "}, "dlq-list": ["not", "an", "object"]}
    for task_id, payload in bad.items():
        app.send_task(TASK_NAME, args=[payload], task_id=task_id)  # bypasses local validation
    wait_for_outcomes(service.client, service.settings, ["dlq-1", "submission:dlq-list"],
                      worker=service.worker)
    env = {"EVENTWIRE_REDIS_URL": service.settings.redis_url}
    listed = run_cli(["dlq", "--json"], env)
    assert listed.returncode == 0, listed.stderr
    entries = {e["submission_id"]: e for e in map(json.loads, listed.stdout.splitlines())}
    assert entries["dlq-empty"]["reason"] == "empty_text"
    assert entries["dlq-empty"]["article_id"] == "dlq-1"
    assert entries["dlq-empty"]["payload"] == bad["dlq-empty"]  # JSON as JSON, not in a string
    assert entries["dlq-empty"]["errors"] == [{"field": "text", "message": "is empty or only whitespace"}]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entries["dlq-empty"]["time"])
    assert entries["dlq-list"]["reason"] == "invalid_payload"
    assert entries["dlq-list"]["article_id"] == ""
    assert entries["dlq-list"]["payload"] == ["not", "an", "object"]
    text = run_cli(["dlq", "--format", "table"], env)
    assert text.returncode == 0, text.stderr
    assert "dlq-1  empty_text  text: is empty or only whitespace" in text.stdout
    assert "-  invalid_payload  $: expected a JSON object, got array" in text.stdout


def test_resubmitting_an_article_id_is_an_id_duplicate_that_mentions_no_event(service):
    article = {"id": "resubmit-1", "source": "Atlantic Desk", "published_at": "2024-06-14T09:00:00Z",
               "text": "Brazilian President Carla Mendes visited Lisbon on Thursday and met Portuguese "
                       "Prime Minister Rui Tavares at the Belem palace."}
    first = service.producer.submit(article)
    wait_for_outcomes(service.client, service.settings, ["resubmit-1"], worker=service.worker)
    second = service.producer.submit(article)  # the producer sends the same article again
    assert second.submission_id != first.submission_id

    def both_outcomes():
        envelopes = read_envelopes(service.client, service.settings)
        return envelopes if article_outcomes(envelopes)["resubmit-1"] >= 2 else None

    envelopes = wait_until(both_outcomes, 60, "the resubmission's outcome")
    outcomes = [e for e in envelopes if e["subject"] == "resubmit-1"]
    assert [e["type"] for e in outcomes] == ["article.processed", "article.duplicate"]
    duplicate = outcomes[1]["data"]
    assert (duplicate["kind"], duplicate["matched_on"], duplicate["duplicate_of"]) == \
        ("exact", "id", "resubmit-1")
    created = [e for e in envelopes if e["type"] == "event.created"
               and e["data"]["evidence"]["article_id"] == "resubmit-1"]
    assert created  # there were events a mention could have counted
    assert not [e for e in envelopes if e["type"] == "event.mentioned"
                and e["data"]["article_id"] == "resubmit-1"]


def test_client_reports_an_unreachable_broker_quickly():
    settings = Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0", connect_timeout=1.0)
    producer = Producer(settings)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable, match="unreachable"):
        producer.submit({"text": "Anything at all."})
    # README: "within EVENTWIRE_CONNECT_TIMEOUT seconds" (a refused connection takes about 0.3 s:
    # two attempts 0.2 s apart); the slack is for a loaded machine.
    assert time.monotonic() - started < settings.connect_timeout + 0.5


def run_cli(args: list[str], env: dict[str, str], timeout: float = 240,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "EVENTWIRE_LOG_FORMAT": "json", **env}
    return subprocess.run([sys.executable, "-m", "worker.cli", *args], env=full_env, text=True,
                          capture_output=True, timeout=timeout, input=stdin)


HOSTILE = [
    ({"text": "Le gouvernement a annoncé mardi de nouvelles mesures pour les agriculteurs du pays et "
              "les syndicats ont appelé à une grève générale dans toute la région."},
     "unsupported_language", "language"),
    ({"text": "A minister spoke.", "language": "de"}, "unsupported_language", "language"),
    ({"text": "A minister spoke.", "published_at": "10000-01-01T00:00:00Z"}, "invalid_field",
     "published_at"),
    ({"id": "x}{*:..\\/etc", "text": "A minister spoke."}, "invalid_field", "id"),
    ({"text": "\x00\x01\x02\x89PNG\x1a garbage"}, "invalid_field", "text"),
    ({"text": "A minister spoke.", "metadata": {"a": [[["deep"]]]}}, "invalid_field", "metadata.a"),
    ({"html": "<script>while(1){}</script><style>p{}</style>"}, "empty_text", "html"),
    ({"text": "x" * 1_200_000}, "payload_too_large", "$"),
]


def test_hostile_input_gets_precise_rejections_and_no_state(service):
    app = make_celery(service.settings)
    before = set(service.client.keys(f"{service.settings.key_prefix}*"))
    subjects = []
    for number, (payload, _, _) in enumerate(HOSTILE):
        task_id = f"hostile-{number}"
        if "id" in payload:  # a hostile id is never echoed: the subject names the submission
            subjects.append(f"submission:{task_id}")
        else:
            payload = {**payload, "id": task_id}
            subjects.append(task_id)
        app.send_task(TASK_NAME, args=[payload], task_id=task_id)
    html = service.producer.submit({"id": "html-1", "html": "<p>Egyptian President Omar Nasser "
                                    "visited Sudan on Monday.</p><script>document.cookie</script>",
                                    "published_at": "2024-05-01T09:00:00Z"})
    envelopes = wait_for_outcomes(service.client, service.settings, [*subjects, html.article_id],
                                  worker=service.worker)
    rejected = {e["subject"]: e["data"] for e in envelopes if e["type"] == "article.rejected"}
    for subject, (_, reason, field) in zip(subjects, HOSTILE, strict=True):
        data = rejected[subject]
        assert data["reason"] == reason, (subject, data)
        assert field in {e["field"] for e in data["errors"]}, (subject, data)
    # An article in another language is an outcome, not a fault: nothing of it on the DLQ.
    dead = {f[b"submission_id"].decode() for _, f in service.client.xrange(service.settings.dlq_stream)}
    languages = [s for s, (_, reason, _) in zip(subjects, HOSTILE, strict=True)
                 if reason == "unsupported_language"]
    assert len(languages) == 2 and not dead & set(languages)
    assert rejected[languages[0]]["language_detected"] == "fr"
    processed = next(e for e in envelopes if e["subject"] == "html-1")
    assert processed["type"] == "article.processed"
    assert "cookie" not in json.dumps([e for e in envelopes if e["type"].startswith("event.")])
    # Producer strings never become key fragments: no hostile characters in any key name.
    keys = {k.decode() for k in service.client.keys("*")} - {k.decode() for k in before}
    assert keys and not [k for k in keys if any(bad in k for bad in ("..", "/", "*", "\\", "}{"))]
    assert service.worker.process.poll() is None


def test_health_is_zero_with_a_live_worker_and_non_zero_without(service, redis_server):
    healthy = run_cli(["health", "--worker", service.worker.name],
                      {"EVENTWIRE_REDIS_URL": service.settings.redis_url})
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert json.loads(healthy.stdout)["healthy"] is True
    with EmbeddedRedis() as empty:  # Redis answers, but no worker beats there
        lonely = run_cli(["health", "--worker", service.worker.name], {"EVENTWIRE_REDIS_URL": empty.url})
    assert lonely.returncode == 1
    assert json.loads(lonely.stdout)["worker_heartbeat_age"] is None
    down = run_cli(["health"], {"EVENTWIRE_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    assert down.returncode != 0


def test_a_service_that_speaks_only_http_submits_asks_and_fetches_its_events(service):
    from fastapi.testclient import TestClient

    from worker.api.app import create_app

    article = {"id": "http-1", "source": "Andes Courier", "published_at": "2024-06-19T10:00:00Z",
               "text": "Peruvian Foreign Minister Lucia Quispe visited Quito on Monday and met "
                       "Ecuadorian officials to discuss border trade."}
    copy = {**article, "id": "http-2", "source": "Coastal Times"}
    with TestClient(create_app(service.settings, producer=service.producer)) as http:
        accepted = http.post("/v1/articles", json=article)
        assert accepted.status_code == 202, accepted.text
        assert accepted.json()["submissions"][0]["article_id"] == "http-1"

        def status_of(article_id: str) -> dict:
            return http.get(f"/v1/articles/{article_id}").json()

        processed = wait_until(lambda: (s := status_of("http-1"))["status"] != "queued" and s, 120,
                               "http-1 processed")
        assert processed["status"] == "processed", service.worker.tail()
        assert processed["outcome"]["type"] == "article.processed"
        assert processed["event_ids"] == processed["outcome"]["data"]["event_ids"] != []
        assert http.post("/v1/articles", json=copy).status_code == 202
        duplicate = wait_until(lambda: (s := status_of("http-2"))["status"] != "queued" and s, 120,
                               "http-2 answered")
        assert duplicate["status"] == "duplicate" and duplicate["event_ids"] == processed["event_ids"]
        for event_id in processed["event_ids"]:
            event = http.get(f"/v1/events/{event_id}").json()
            assert event["article_ids"] == ["http-1", "http-2"] and event["created_by"] == "http-1"
            assert event["record"]["event_id"] == event_id
            assert event["record"]["mentions"] == event["mentions"] == {"articles": 2, "outlets": 2}
