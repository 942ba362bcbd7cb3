"""Article status and event records: written by the publish step, read by ``worker.state.lookup``."""

from __future__ import annotations

from support import read_envelopes
from two_reports import PUBLISHED, REPORT_A

from worker.state.keys import Keys
from worker.state.lookup import Lookup


def article(article_id: str, source: str, text: str = REPORT_A) -> dict:
    return {"id": article_id, "text": text, "source": source, "published_at": PUBLISHED}


def test_a_processed_article_points_at_its_outcome_and_its_events(pipeline, publisher, redis_client,
                                                                      settings):
    result = pipeline.process(article("a", "Wire"), "s-a")
    assert publisher.publish(result.publication)
    head, *events = read_envelopes(redis_client, settings)
    status = Lookup(redis_client, settings).article("a")
    assert status is not None
    assert (status.status, status.outcome) == ("processed", head)
    assert status.event_ids == head["data"]["event_ids"] and status.event_ids
    created = next(e for e in events if e["type"] == "event.created")
    record = Lookup(redis_client, settings).event(created["subject"])
    assert record is not None
    assert record.record == created["data"]
    assert (record.article_ids, record.created_by) == (["a"], "a")
    assert record.mentions == {"articles": 1, "outlets": 1}


def test_a_copy_is_a_duplicate_with_the_originals_events_and_the_record_counts_it(
        pipeline, publisher, redis_client, settings):
    original = pipeline.process(article("a", "Wire"), "s-a")
    publisher.publish(original.publication)
    copy = pipeline.process(article("b", "Reprint Daily"), "s-b")
    publisher.publish(copy.publication)
    lookup = Lookup(redis_client, settings)
    first, second = lookup.article("a"), lookup.article("b")
    assert first is not None and second is not None
    assert second.status == "duplicate" and second.outcome is not None
    assert second.outcome["type"] == "article.duplicate"
    assert second.event_ids == first.event_ids
    for event_id in first.event_ids:
        record = lookup.event(event_id)
        assert record is not None and record.record is not None
        assert record.article_ids == ["a", "b"] and record.created_by == "a"
        assert record.mentions == record.record["mentions"] == {"articles": 2, "outlets": 2}
    mentioned = [e for e in read_envelopes(redis_client, settings) if e["type"] == "event.mentioned"]
    assert {e["subject"] for e in mentioned} == set(first.event_ids)


def test_the_same_id_submitted_again_keeps_its_own_outcome_and_events(pipeline, publisher,
                                                                     redis_client, settings):
    publisher.publish(pipeline.process(article("a", "Wire"), "s-a").publication)
    lookup = Lookup(redis_client, settings)
    before = lookup.article("a")
    again = pipeline.process(article("a", "Wire"), "s-a2")
    assert again.publication.envelopes[0]["data"]["matched_on"] == "id"
    publisher.publish(again.publication)  # article.duplicate of itself: on the stream, not the status
    assert lookup.article("a") == before and before is not None and before.status == "processed"


def test_a_rejection_records_the_status_of_a_named_article_only(pipeline, publisher, redis_client,
                                                                 settings):
    named = pipeline.process({"id": "bad-1", "text": "x", "title": 5}, "s-named")
    anonymous = pipeline.process({"text": 7}, "s-anonymous")
    publisher.publish(named.publication)
    publisher.publish(anonymous.publication)
    status = Lookup(redis_client, settings).article("bad-1")
    assert status is not None and status.status == "rejected" and status.event_ids == []
    assert status.outcome is not None and status.outcome["data"]["reason"] == "invalid_field"
    assert len(redis_client.keys(Keys(settings).pattern("st"))) == 1


def test_queued_until_the_outcome_is_published_and_never_back(pipeline, publisher, redis_client,
                                                               settings):
    lookup = Lookup(redis_client, settings)
    assert lookup.mark_queued("a")
    status = lookup.article("a")
    assert status is not None and (status.status, status.outcome, status.event_ids) == ("queued", None, [])
    publisher.publish(pipeline.process(article("a", "Wire"), "s-a").publication)
    assert not lookup.mark_queued("a")  # submitted again: the known outcome stays
    lookup.unmark_queued("a")  # and a failed send takes back only a queued mark
    status = lookup.article("a")
    assert status is not None and status.status == "processed"
    assert lookup.mark_queued("q")
    lookup.unmark_queued("q")
    assert lookup.article("q") is None


def test_a_redelivered_publication_changes_no_status(pipeline, publisher, redis_client, settings):
    result = pipeline.process(article("a", "Wire"), "s-a")
    publisher.publish(result.publication)
    key = Keys(settings).article_status("a")
    before = redis_client.hgetall(key)
    assert not publisher.publish(result.publication)
    assert redis_client.hgetall(key) == before


def test_unknown_ids_and_trimmed_outcomes(pipeline, publisher, redis_client, settings):
    lookup = Lookup(redis_client, settings)
    assert lookup.article("never") is None
    assert lookup.event("ev_0000000000000000") is None
    publisher.publish(pipeline.process(article("a", "Wire"), "s-a").publication)
    entry_id = redis_client.xrange(settings.results_stream, count=1)[0][0]
    redis_client.xdel(settings.results_stream, entry_id)  # as MAXLEN trimming would
    status = lookup.article("a")
    assert status is not None and status.status == "processed" and status.outcome is None
    assert status.event_ids


def test_status_and_records_expire_with_the_dedup_window(pipeline, publisher, redis_client, settings):
    publisher.publish(pipeline.process(article("a", "Wire"), "s-a").publication)
    keys = Keys(settings)
    window_ms = settings.dedup_window_seconds * 1000
    status = Lookup(redis_client, settings).article("a")
    assert status is not None
    for key in [keys.article_status("a"), *(keys.event(e) for e in status.event_ids)]:
        assert window_ms - 60_000 < redis_client.pttl(key) <= window_ms
