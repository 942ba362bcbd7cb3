"""Prometheus metrics a worker records: one concern, kept out of the pipeline and the task.

Counted where an outcome becomes final, so a redelivery that publishes nothing new counts nothing:
``MeteredPublisher`` wraps the publisher and counts each publication the publish script accepted
(articles by outcome, dedup verdicts by kind, DLQ entries by reason, events created or mentioned);
stage durations come from ``worker.logs.STAGE_OBSERVERS``; dead letters at the broker edge from
``metered_quarantine``. Under the prefork pool each child writes its own files in the multiprocess
folder and the main process's exporter (``worker.tasks.exporter``) adds them up.

Names (the Grafana dashboard in ``deploy/grafana-dashboard.json`` uses them):

- ``eventwire_articles_total{outcome}``: processed, exact_duplicate, near_duplicate, rejected
- ``eventwire_dedup_verdicts_total{kind}``: original, exact, near
- ``eventwire_stage_duration_seconds{stage}`` (histogram): validate, clean, dedup, nlp, extract, merge
- ``eventwire_events_total{type}``: created, mentioned
- ``eventwire_dlq_entries_total{reason}``: dead letters, from tasks and from the broker edge
- gauges read from Redis at scrape time (``worker.tasks.exporter``): ``eventwire_queue_length``,
  ``eventwire_results_stream_length``, ``eventwire_dlq_stream_length``,
  ``eventwire_consumer_group_lag{group}``, ``eventwire_consumer_group_pending{group}``
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis
from prometheus_client import Counter, Histogram

from worker.config import Settings
from worker.core.publication import Publication
from worker.logs import STAGE_OBSERVERS
from worker.state.keys import Keys

ARTICLES = Counter("eventwire_articles", "Articles by final outcome", ["outcome"])
DEDUP_VERDICTS = Counter("eventwire_dedup_verdicts", "Dedup verdicts of valid articles", ["kind"])
STAGE_SECONDS = Histogram("eventwire_stage_duration_seconds", "Time spent in one pipeline stage",
                          ["stage"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                              1.0, 2.5, 5.0, 10.0, 30.0))
EVENTS = Counter("eventwire_events", "Event envelopes published", ["type"])
DLQ_ENTRIES = Counter("eventwire_dlq_entries", "Entries written to the dead-letter stream", ["reason"])


def observe_stage(stage: str, seconds: float) -> None:
    STAGE_SECONDS.labels(stage=stage).observe(seconds)


def install_stage_metrics() -> None:
    """Time every pipeline stage of this process into the histogram (once)."""
    if observe_stage not in STAGE_OBSERVERS:
        STAGE_OBSERVERS.append(observe_stage)


def count_publication(publication: Publication, created: int = 0, mentioned: int = 0) -> None:
    """Count one accepted publication and the events it created and mentioned."""
    outcome = publication.envelopes[0] if publication.envelopes else None
    if outcome is not None and outcome["type"].startswith("article."):
        kind = outcome["type"].removeprefix("article.")
        if kind == "duplicate":
            verdict = str(outcome["data"].get("kind", "exact"))
            ARTICLES.labels(outcome=f"{verdict}_duplicate").inc()
            DEDUP_VERDICTS.labels(kind=verdict).inc()
        else:
            ARTICLES.labels(outcome=kind).inc()
            if kind == "processed":
                DEDUP_VERDICTS.labels(kind="original").inc()
    if publication.dlq is not None:
        DLQ_ENTRIES.labels(reason=publication.dlq.get("reason", "unknown")).inc()
    if created:
        EVENTS.labels(type="created").inc(created)
    if mentioned:
        EVENTS.labels(type="mentioned").inc(mentioned)


class MeteredPublisher:
    """A publisher that counts what it published (the wrapped publisher does the work)."""

    def __init__(self, publisher: Any, client: redis.Redis, settings: Settings) -> None:
        self.publisher, self.client, self.keys = publisher, client, Keys(settings)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.publisher, name)

    def publish(self, publication: Publication) -> bool:
        published = bool(self.publisher.publish(publication))
        if published:
            count_publication(publication, *self._event_verdicts(publication))
        return published

    def _event_verdicts(self, publication: Publication) -> tuple[int, int]:
        """How many of the publication's events it created and mentioned. The publish script
        decided it; the events' creators, read in one round trip, tell (an event that does not
        exist was a duplicate's mention of an expired event: neither)."""
        if not publication.events:
            return 0, 0
        pipe = self.client.pipeline(transaction=False)
        for event in publication.events:
            pipe.hget(self.keys.event(event.event_id), "c")
        created = mentioned = 0
        for event, creator in zip(publication.events, pipe.execute(), strict=True):
            if creator is None:
                continue
            if event.created is not None and creator.decode("utf-8", "replace") == event.article_id:
                created += 1
            else:
                mentioned += 1
        return created, mentioned


def metered_quarantine(record: Callable[..., bool]) -> Callable[..., bool]:
    """The edge's dead-letter function, counting each new entry by reason."""
    def counted(raw: bytes, reason: str, detail: str, **ids: Any) -> bool:
        written = record(raw, reason, detail, **ids)
        if written:
            DLQ_ENTRIES.labels(reason=reason).inc()
        return written

    return counted
