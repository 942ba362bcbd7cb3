"""Publication that cannot half-happen.

- What cannot be encoded is rejected before anything is recorded (a lone surrogate in ``metadata``
  used to fail the publish with ``UnicodeEncodeError``, outside the task's handling, and the message
  was lost); the publisher encodes everything before its script runs.
- An article is registered on its events by the publish script itself, so an event exists only
  with the ``event.created`` that made it: no consumer sees ``event.mentioned`` for an event whose
  creation was never published.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

import pytest
from support import WorkerProcess, read_envelopes, wait_for_outcomes
from two_reports import PUBLISHED, REPORT_A, REPORT_B

from worker.client import Producer
from worker.core.contract import validate_envelope
from worker.core.publication import Publication, make_envelope
from worker.core.registry import Registration
from worker.state.keys import Keys
from worker.state.publisher import UnencodablePublication
from worker.state.registry import RedisEventRegistry
from worker.tasks.app import make_celery, send_article


def article(article_id: str, text: str, source: str, **extra) -> dict:
    return {"id": article_id, "text": text, "source": source, "published_at": PUBLISHED, **extra}


def assert_every_event_created_before_it_is_mentioned(envelopes: list[dict]) -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for envelope in envelopes:
        validate_envelope(envelope)
        if envelope["type"].startswith("event."):
            seen[envelope["subject"]].append(envelope["type"])
    for event_id, types in seen.items():
        assert types[0] == "event.created" and types.count("event.created") == 1, (event_id, types)


# ---------------------------------------------------------------- encoding


@pytest.mark.parametrize("metadata", [{"note": "bad \udc80 byte"}, {"tags": ["ok", "\ud800"]},
                                      {"k\udfff": "value"}])
def test_a_lone_surrogate_in_metadata_is_rejected_before_anything_is_recorded(
        pipeline, publisher, redis_client, settings, metadata):
    result = pipeline.process(article("meta-1", REPORT_A, "Wire", metadata=metadata), "s-meta")
    assert (result.outcome, result.reason) == ("rejected", "invalid_field")
    [error] = result.publication.envelopes[0]["data"]["errors"]
    assert error["field"].startswith("metadata.") and "lone surrogate" in error["message"]
    assert publisher.publish(result.publication)  # encodable: the rejection is published
    assert not redis_client.keys(Keys(settings).dedup_base + "*")  # nothing recorded before
    assert not redis_client.keys(f"{settings.key_prefix}ev:*")


def test_an_unknown_field_named_with_a_lone_surrogate_is_rejected_encodably(pipeline, publisher):
    result = pipeline.process({"text": REPORT_A, "\udc80": 1}, "s-unknown")
    assert result.reason == "invalid_field"
    assert result.publication.envelopes[0]["data"]["errors"][0]["field"] == "\\udc80"
    assert publisher.publish(result.publication)


def test_a_publication_that_cannot_be_encoded_changes_nothing(publisher, redis_client, settings):
    envelope = make_envelope("article.processed", "x", {"metadata": {"k": "\udc80"}},
                             source="test", dedup_key="s-bad")
    with pytest.raises(UnencodablePublication, match=r"article\.processed"):
        publisher.publish(Publication("s-bad", [envelope]))
    assert redis_client.dbsize() == 0


# ---------------------------------------------------------------- registration is publication


def visit_event(envelopes: list[dict]) -> str:
    return next(e["subject"] for e in envelopes if e["type"] == "event.created"
                and e["data"]["actor1"]["code"] == "KENGOV" and e["data"]["action"]["cameo_root"] == "04")


def test_the_first_outcome_published_creates_the_event_whoever_parsed_it_first(
        pipeline, publisher, redis_client, settings):
    first = pipeline.process(article("a", REPORT_A, "Nairobi Star"), "s-a")  # parsed, not published
    second = pipeline.process(article("b", REPORT_B, "Addis Post"), "s-b")
    assert first.publication.events and second.publication.events
    assert publisher.publish(second.publication)
    assert publisher.publish(first.publication)
    envelopes = read_envelopes(redis_client, settings)
    assert_every_event_created_before_it_is_mentioned(envelopes)
    event_id = visit_event(envelopes)
    created = next(e for e in envelopes if e["subject"] == event_id)
    assert created["data"]["evidence"]["article_id"] == "b"
    assert created["data"]["mentions"] == {"articles": 1, "outlets": 1}
    mention = next(e for e in envelopes if e["subject"] == event_id and e["type"] == "event.mentioned")
    assert mention["data"] == {"event_id": event_id, "article_id": "a", "source": "Nairobi Star",
                               "via": "extraction", "mentions": {"articles": 2, "outlets": 2}}


def test_an_event_of_an_article_that_is_never_published_is_created_by_the_next_report(
        pipeline, publisher, redis_client, settings):
    pipeline.process(article("lost", REPORT_A, "Nairobi Star"), "s-lost")  # dead-lettered later
    later = pipeline.process(article("later", REPORT_B, "Addis Post"), "s-later")
    publisher.publish(later.publication)
    envelopes = read_envelopes(redis_client, settings)
    assert_every_event_created_before_it_is_mentioned(envelopes)
    assert [e["type"] for e in envelopes if e["subject"] == visit_event(envelopes)] == ["event.created"]


def test_a_copy_published_before_its_original_mentions_no_event_that_does_not_exist(
        pipeline, publisher, redis_client, settings):
    original = pipeline.process(article("orig", REPORT_A, "Wire"), "s-orig")
    copy = pipeline.process(article("copy", REPORT_A, "Reprint Daily"), "s-copy")
    assert copy.outcome == "exact_duplicate"
    publisher.publish(copy.publication)  # the original's events are not registered yet
    publisher.publish(original.publication)
    envelopes = read_envelopes(redis_client, settings)
    assert_every_event_created_before_it_is_mentioned(envelopes)
    # and a copy published after its original mentions them
    later = pipeline.process(article("copy2", REPORT_A, "Third Paper"), "s-copy2")
    publisher.publish(later.publication)
    envelopes = read_envelopes(redis_client, settings)
    assert_every_event_created_before_it_is_mentioned(envelopes)
    assert any(e["type"] == "event.mentioned" and e["data"]["article_id"] == "copy2"
               and e["data"]["via"] == "duplicate" for e in envelopes)


def test_publishing_again_registers_nothing_again(pipeline, publisher, redis_client, settings):
    result = pipeline.process(article("a", REPORT_A, "Wire"), "s-a")
    assert publisher.publish(result.publication)
    event_id = visit_event(read_envelopes(redis_client, settings))
    state = redis_client.hgetall(Keys(settings).event(event_id))
    assert not publisher.publish(result.publication)
    assert redis_client.hgetall(Keys(settings).event(event_id)) == state
    # the publish script and registry_register.lua keep the same books
    registry = RedisEventRegistry(redis_client, settings)
    assert registry.register(event_id, "a", "Wire") == Registration(event_id, True, 1, 1)
    assert registry.register(event_id, "z", "Other") == Registration(event_id, False, 2, 2)


# ---------------------------------------------------------------- a real worker


@pytest.mark.faults
@pytest.mark.integration
@pytest.mark.timeout(240)
def test_a_raw_message_with_a_lone_surrogate_is_rejected_and_the_next_report_creates_the_event(
        redis_server, redis_client, settings):
    worker = WorkerProcess(settings, concurrency=1).start(redis_client)
    app = make_celery(settings)
    try:
        # around the client (which would refuse it): a raw send_task, not in the ledger
        bad = article("surrogate", REPORT_A, "Nairobi Star", metadata={"note": "bad \udc80"})
        send_article(app, settings, bad, str(uuid.uuid4()))
        wait_for_outcomes(redis_client, settings, ["surrogate"], timeout=120, worker=worker)
        producer = Producer(settings)
        try:
            producer.submit(article("next", REPORT_B, "Addis Post"))
        finally:
            producer.close()
        envelopes = wait_for_outcomes(redis_client, settings, ["next"], timeout=120, worker=worker)
    finally:
        app.close()
        worker.stop()
    [rejected] = [e for e in envelopes if e["subject"] == "surrogate"]
    assert (rejected["type"], rejected["data"]["reason"]) == ("article.rejected", "invalid_field")
    assert rejected["data"]["errors"][0]["field"] == "metadata.note"
    assert_every_event_created_before_it_is_mentioned(envelopes)
    assert any(e["type"] == "event.created" and e["data"]["evidence"]["article_id"] == "next"
               for e in envelopes)
