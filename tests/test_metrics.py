"""Prometheus metrics from a real prefork worker, scraped and parsed as Prometheus would."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter

import pytest
import redis
from hostile import envelope
from prometheus_client.parser import text_string_to_metric_families
from support import WorkerProcess, article_outcomes, read_envelopes, wait_for_outcomes, wait_until

from worker.client import Producer
from worker.config import Settings
from worker.state.embedded import EmbeddedRedis, free_port
from worker.state.keys import Keys
from worker.tasks.app import make_celery, send_article

pytestmark = pytest.mark.integration

ARTICLES = [
    {"id": "m-1", "source": "Coast Wire", "published_at": "2024-06-19T10:00:00Z",
     "text": "Argentine President Javier Milei visited Madrid on Monday and met Spanish Prime Minister "
             "Pedro Sanchez at the Moncloa palace."},
    {"id": "m-2", "source": "Rift Post", "published_at": "2024-06-26T08:00:00Z",
     "text": "Police arrested twelve protesters outside the parliament in Nairobi on Tuesday, Kenyan "
             "officials said."},
    {"id": "m-3", "source": "Pacific Line", "published_at": "2024-07-05T06:00:00Z",
     "text": "Japan and South Korea agreed on Friday to resume regular defence talks after a pause of "
             "five years."},
]


def scrape(port: int) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """Every sample of the exposition: name -> {sorted labels: value}."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get(name, {}).get(tuple(sorted(labels.items())), 0.0)


def test_a_prefork_worker_exposes_its_counts_and_the_deployments_gauges(redis_server: EmbeddedRedis):
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    settings = Settings(redis_url=redis_server.url)
    port = free_port()
    worker = WorkerProcess(settings, concurrency=2, env={"EVENTWIRE_METRICS_PORT": str(port)})
    worker.start(client)
    try:
        client.xgroup_create(settings.results_stream, "dashboards", id="0", mkstream=True)
        producer = Producer(settings)
        ids = [producer.submit(a).article_id for a in ARTICLES]
        ids.append(producer.submit({**ARTICLES[0], "id": "m-copy"}).article_id)  # an exact duplicate
        producer.close()
        app = make_celery(settings)
        send_article(app, settings, {"id": "m-empty", "text": "   "}, "sub-empty")  # rejected in the task
        app.close()
        ids.append("m-empty")
        client.lpush(settings.queue, json.dumps(envelope(b"{}", None, queue=settings.queue)))  # edge DLQ
        wait_for_outcomes(client, settings, ids, worker=worker)
        wait_until(lambda: client.hlen(Keys(settings).rejected_messages), 60, "the edge's dead letter")
        samples = wait_until(lambda: (lambda s: s if value(s, "eventwire_articles_total",
                                                           outcome="processed") == 3 else None)(scrape(port)),
                             30, "the counts in the exposition")
    finally:
        worker.stop()
    envelopes = read_envelopes(client, settings)
    assert article_outcomes(envelopes) == Counter(dict.fromkeys(ids, 1))
    kinds = Counter(e["type"] for e in envelopes)
    assert value(samples, "eventwire_articles_total", outcome="exact_duplicate") == 1
    assert value(samples, "eventwire_articles_total", outcome="rejected") == 1
    assert value(samples, "eventwire_dedup_verdicts_total", kind="original") == 3
    assert value(samples, "eventwire_dedup_verdicts_total", kind="exact") == 1
    assert kinds["event.created"] > 0
    assert value(samples, "eventwire_events_total", type="created") == kinds["event.created"]
    assert value(samples, "eventwire_events_total", type="mentioned") == kinds["event.mentioned"]
    reasons = Counter(fields[b"reason"].decode() for _, fields in client.xrange(settings.dlq_stream))
    for reason, count in reasons.items():  # the task's and the edge's dead letters alike
        assert value(samples, "eventwire_dlq_entries_total", reason=reason) == count, reason
    assert value(samples, "eventwire_stage_duration_seconds_count", stage="nlp") == 3  # originals only
    assert value(samples, "eventwire_stage_duration_seconds_count", stage="validate") == 5
    assert value(samples, "eventwire_results_stream_length") == len(envelopes)
    assert value(samples, "eventwire_dlq_stream_length") == sum(reasons.values())
    assert value(samples, "eventwire_consumer_group_lag", group="dashboards") == len(envelopes)
    assert value(samples, "eventwire_consumer_group_pending", group="dashboards") == 0
    assert value(samples, "eventwire_queue_length", queue=settings.queue) == 0
    assert value(samples, "eventwire_redis_up") == 1
    client.close()
