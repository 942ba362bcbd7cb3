"""Event merging through the whole pipeline, on the real Redis dedup index and event registry."""

from __future__ import annotations

from collections import Counter

import pytest
import redis
from support import WorkerProcess, wait_for_outcomes
from two_reports import PUBLISHED, REPORT_A, REPORT_B

from worker.client import Producer
from worker.config import Settings
from worker.core.contract import validate_envelope
from worker.core.nlp import load_model
from worker.core.pipeline import Pipeline
from worker.core.publication import decode_envelope
from worker.state.dedup import RedisDedupIndex
from worker.state.publisher import RedisPublisher
from worker.state.registry import RedisEventRegistry


class Published(Pipeline):
    """The pipeline on Redis, each outcome published: event envelopes are decided by the publish
    script (registration and publication are one step), so they are read back from the stream."""

    client: redis.Redis

    def process(self, payload, submission_id):  # type: ignore[no-untyped-def]
        result = super().process(payload, submission_id)
        stream = self.settings.results_stream
        before = self.client.xrevrange(stream, count=1)
        RedisPublisher(self.client, self.settings, ledger=False).publish(result.publication)
        start = f"({before[0][0].decode()}" if before else "-"
        result.publication.envelopes = [decode_envelope(f) for _, f in self.client.xrange(stream, start)]
        return result


@pytest.fixture
def pipeline(redis_client: redis.Redis, settings: Settings) -> Pipeline:
    published = Published(settings, RedisDedupIndex(redis_client, settings),
                          RedisEventRegistry(redis_client, settings), load_model(settings.spacy_model))
    published.client = redis_client
    return published


def envelopes_of(result) -> list[dict]:
    for envelope in result.publication.envelopes:
        validate_envelope(envelope)
    return result.publication.envelopes


def visit_events(envelopes: list[dict]) -> list[dict]:
    return [e for e in envelopes if e["type"].startswith("event.")
            and e["subject"] in {x["data"]["event_id"] for x in envelopes if x["type"] == "event.created"
                                 and x["data"]["action"]["cameo_root"] == "04"}]


def test_two_reports_of_one_visit_make_one_event_and_one_mention(pipeline):
    first = envelopes_of(pipeline.process({"id": "a", "text": REPORT_A, "source": "Nairobi Star",
                                           "published_at": PUBLISHED}, "s-a"))
    second = envelopes_of(pipeline.process({"id": "b", "text": REPORT_B, "source": "Addis Post",
                                            "published_at": PUBLISHED}, "s-b"))
    visit = next(e for e in first if e["type"] == "event.created"
                 and e["data"]["actor1"]["code"] == "KENGOV" and e["data"]["actor2"]
                 and e["data"]["actor2"]["country"] == "ETH" and e["data"]["action"]["cameo_root"] == "04")
    event_id = visit["subject"]
    assert visit["data"]["mentions"] == {"articles": 1, "outlets": 1}
    assert [e["type"] for e in second if e["subject"] == event_id] == ["event.mentioned"]
    mention = next(e for e in second if e["subject"] == event_id)
    assert mention["data"] == {"event_id": event_id, "article_id": "b", "source": "Addis Post",
                               "via": "extraction", "mentions": {"articles": 2, "outlets": 2}}
    assert not [e for e in second if e["type"] == "event.created" and e["subject"] == event_id]


def test_a_near_duplicate_counts_as_a_mention_of_the_originals_events(pipeline):
    original = envelopes_of(pipeline.process({"id": "o", "text": REPORT_A, "source": "Wire",
                                              "published_at": PUBLISHED}, "s-o"))
    created = {e["subject"] for e in original if e["type"] == "event.created"}
    copy = REPORT_A.replace("Officials said the talks lasted four hours.",
                            "Officials said the talks lasted four hours. Read our full coverage online.")
    result = envelopes_of(pipeline.process({"id": "c", "text": "Otieno in Ethiopia\n" + copy,
                                            "source": "Reprint Daily", "published_at": PUBLISHED}, "s-c"))
    head = result[0]
    assert head["type"] == "article.duplicate" and head["data"]["duplicate_of"] == "o"
    mentions = {e["subject"]: e["data"] for e in result if e["type"] == "event.mentioned"}
    assert set(mentions) == created
    assert all(m["via"] == "duplicate" and m["mentions"] == {"articles": 2, "outlets": 2}
               for m in mentions.values())


def test_redelivered_submission_gives_the_same_publication(pipeline):
    payload = {"id": "r", "text": REPORT_A, "source": "Wire", "published_at": PUBLISHED}
    first = Pipeline.process(pipeline, payload, "s-r").publication
    again = Pipeline.process(pipeline, payload, "s-r").publication
    assert [(e["id"], e["type"]) for e in first.envelopes] == [(e["id"], e["type"]) for e in again.envelopes]
    assert [(e.event_id, e.via) for e in first.events] == [(e.event_id, e.via) for e in again.events]
    assert again.envelopes[0]["type"] == "article.processed"  # not a duplicate of itself
    publisher = RedisPublisher(pipeline.client, pipeline.settings, ledger=False)
    assert publisher.publish(first) and not publisher.publish(again)  # published once


def test_a_resubmitted_article_id_is_an_id_duplicate_without_mentions(pipeline):
    payload = {"id": "r1", "text": REPORT_A, "source": "Nairobi Star", "published_at": PUBLISHED}
    first = envelopes_of(pipeline.process(payload, "s-first"))
    created = {e["subject"] for e in first if e["type"] == "event.created"}
    assert created
    # A new submission of the same id, even with an edited text: the same article, not a new report.
    edited = {**payload, "text": REPORT_A + " Updated at 14:00."}
    again = envelopes_of(pipeline.process(edited, "s-second"))
    assert [e["type"] for e in again] == ["article.duplicate"]
    assert again[0]["data"] == {"article_id": "r1", "duplicate_of": "r1", "kind": "exact",
                                "similarity": 1.0, "matched_on": "id", "source": "Nairobi Star",
                                "url": None}
    # whereas the same text under another id is a new report of the same events
    copy = envelopes_of(pipeline.process({**payload, "id": "r2", "source": "Reprint Daily"}, "s-copy"))
    assert copy[0]["data"]["matched_on"] == "text"
    mentions = {e["subject"]: e["data"]["mentions"] for e in copy if e["type"] == "event.mentioned"}
    assert set(mentions) == created
    assert all(m == {"articles": 2, "outlets": 2} for m in mentions.values())  # r1 counted once


@pytest.mark.integration
def test_fifty_copies_at_once_through_four_worker_processes(redis_server, redis_client):
    settings = Settings(redis_url=redis_server.url)
    worker = WorkerProcess(settings, concurrency=4).start(redis_client)
    producer = Producer(settings)
    try:
        # Enqueue while the workers are busy, so the copies are processed concurrently.
        ids = [producer.submit({"id": f"copy-{n}", "text": REPORT_A, "source": f"Outlet {n}",
                                "published_at": PUBLISHED}).article_id for n in range(50)]
        envelopes = wait_for_outcomes(redis_client, settings, ids, worker=worker)
    finally:
        producer.close()
        worker.stop()
    kinds = Counter(e["type"] for e in envelopes if e["type"].startswith("article."))
    assert kinds == {"article.processed": 1, "article.duplicate": 49}
    created = Counter(e["subject"] for e in envelopes if e["type"] == "event.created")
    assert created and max(created.values()) == 1
