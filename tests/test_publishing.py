"""Publishing to real Redis streams: once per submission, atomically, trimmed, with DLQ entries."""

import json

from worker.core.contract import validate_envelope
from worker.core.publication import Publication, decode_envelope, dlq_entry, make_envelope
from worker.state.publisher import RedisPublisher


def envelope(subject: str) -> dict:
    return make_envelope("article.rejected", subject,
                         {"article_id": subject, "reason": "empty_text",
                          "errors": [{"field": "text", "message": "is empty"}]},
                         source="urn:test", dedup_key=subject)


def test_publication_is_appended_once_even_when_published_again(redis_client, settings):
    publisher = RedisPublisher(redis_client, settings, ledger=False)
    entry = dlq_entry(reason="empty_text", errors=[], payload={"text": ""}, article_id="a1",
                      submission_id="s1")
    publication = Publication("s1", [envelope("a1")], entry)
    assert publisher.publish(publication) is True
    assert publisher.publish(publication) is False  # a redelivered task publishes nothing new
    results = redis_client.xrange(settings.results_stream)
    assert len(results) == 1
    stored = decode_envelope(results[0][1])
    validate_envelope(stored)
    assert stored["subject"] == "a1"
    dlq = redis_client.xrange(settings.dlq_stream)
    assert len(dlq) == 1 and dlq[0][1][b"reason"] == b"empty_text"
    assert json.loads(dlq[0][1][b"payload"]) == {"text": ""}


def test_marker_key_hashes_hostile_submission_ids(redis_client, settings):
    RedisPublisher(redis_client, settings, ledger=False).publish(Publication("x:{y}*\n../z", [envelope("a")]))
    keys = [k.decode() for k in redis_client.scan_iter(f"{settings.key_prefix}published:*")]
    assert len(keys) == 1 and "{" not in keys[0] and "\n" not in keys[0]


def test_results_stream_is_trimmed_approximately(redis_client, settings):
    small = settings.replace(results_maxlen=10)
    publisher = RedisPublisher(redis_client, small, ledger=False)
    for i in range(500):
        publisher.publish(Publication(f"s{i}", [envelope(f"a{i}")]))
    assert redis_client.xlen(small.results_stream) < 200


def test_envelope_ids_are_derived_from_type_and_key_only():
    # "ew-" + the first 32 hex digits of sha256("<type>\x1f<dedup key>"), computed once by hand
    assert envelope("a")["id"] == "ew-992dfd4d7c2be3b5a8851df7a6ba593d"
    assert envelope("b")["id"] == "ew-f79caefc2d123e24020cbcc2ca1396d2"
    other_data = make_envelope("article.rejected", "another subject", {"anything": 1},
                               source="urn:elsewhere", dedup_key="a")
    assert other_data["id"] == "ew-992dfd4d7c2be3b5a8851df7a6ba593d"
    processed = make_envelope("article.processed", "x", {}, source="urn:test", dedup_key="s-1")
    assert processed["id"] == "ew-3f05ea5229774ef8dcc880c8307015ec"


def test_oversized_payload_is_truncated_in_the_dlq_entry():
    entry = dlq_entry(reason="payload_too_large", errors=[], payload={"text": "x" * 200_000},
                      article_id=None, submission_id="s")
    assert entry["payload_truncated"] == "1" and len(entry["payload"]) == 64 * 1024
