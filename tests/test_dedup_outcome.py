"""Dedup follows the outcome: an article that ends rejected or dead-lettered is no original.

Its submission passed the dedup check and was indexed before it failed; the dead-letter path takes
the record back (``lua/dedup_forget.lua``, atomically), so a later copy is processed instead of
being called a duplicate of an article that never yielded events.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import WorkerProcess, wait_for_outcomes

from worker.client import Producer
from worker.config import Settings
from worker.core.dedup import MemoryDedupIndex, fingerprint
from worker.core.pipeline import Pipeline
from worker.state.dedup import RedisDedupIndex
from worker.tasks.delivery import dead_letter

FAILING_WORKER = str(Path(__file__).with_name("failing_worker.py"))
TEXT = ("Kenyan President Amara Otieno visited Ethiopia on Tuesday and met Ethiopian Prime Minister "
        "Dawit Bekele in Addis Ababa to discuss trade and regional security.")


def _fp(article_id: str, submission_id: str, text: str = TEXT, url: str | None = None):
    return fingerprint(article_id, submission_id, url, text, Settings())


@pytest.fixture(params=["memory", "redis"])
def index(request, redis_client, settings):
    if request.param == "memory":
        return MemoryDedupIndex(settings)
    return RedisDedupIndex(redis_client, settings)


def test_a_forgotten_original_is_no_original(index):
    assert index.check_and_insert(_fp("a1", "s1")).kind == "original"
    assert index.check_and_insert(_fp("a2", "s2")).duplicate_of == "a1"
    assert index.forget("a1", "s1")
    assert not index.forget("a1", "s1")  # idempotent
    assert index.check_and_insert(_fp("a3", "s3")).kind == "original"  # a copy after the failure
    assert index.check_and_insert(_fp("a1", "s4")).kind == "exact"  # its id again: a copy of a3
    assert index.check_and_insert(_fp("a1", "s4")).duplicate_of == "a3"


def test_only_the_submission_that_wrote_a_record_can_forget_it(index):
    assert index.check_and_insert(_fp("a1", "s1", url="https://news.example.org/a")).kind == "original"
    assert not index.forget("a1", "s2")  # a resubmission of the id does not take back the original
    assert index.check_and_insert(_fp("b1", "s3", text="Other words entirely here.",
                                      url="https://news.example.org/a")).matched_on == "url"


def test_the_same_article_id_resubmitted_after_a_dead_letter_is_processed(index):
    index.check_and_insert(_fp("a1", "s1"))
    index.forget("a1", "s1")
    assert index.check_and_insert(_fp("a1", "s2")).kind == "original"


def test_the_dead_letter_path_takes_the_record_back(settings):
    pipeline = Pipeline.in_memory(settings, nlp=object())  # the model is never used here
    payload = {"id": "a1", "text": TEXT}
    pipeline.dedup.check_and_insert(_fp("a1", "s1"))  # delivery 1 got past dedup, then failed
    result = dead_letter(pipeline, payload, "s1", reason="processing_failed", message="boom",
                         deliveries=3)
    assert result.outcome == "rejected"
    assert pipeline.dedup.check_and_insert(_fp("a2", "s2")).kind == "original"


@pytest.mark.faults
@pytest.mark.integration
@pytest.mark.timeout(240)
def test_a_copy_after_a_failure_is_processed_by_a_real_worker(redis_server, redis_client):
    env = {"EVENTWIRE_MAX_DELIVERIES": "2"}
    settings = Settings.from_env({"EVENTWIRE_REDIS_URL": redis_server.url, **env})
    url = "https://news.example.org/2024/otieno-visit"
    first = {"id": "first", "url": url, "text": TEXT + " FAIL-AFTER-DEDUP", "source": "Wire A"}
    copy = {"id": "copy", "url": url, "text": TEXT, "source": "Wire B"}
    worker = WorkerProcess(settings, concurrency=1, env=env, entry=[FAILING_WORKER]).start(redis_client)
    producer = Producer(settings)
    try:
        producer.submit(first)
        envelopes = wait_for_outcomes(redis_client, settings, ["first"], timeout=120, worker=worker)
        [outcome] = [e for e in envelopes if e["subject"] == "first"]
        assert (outcome["type"], outcome["data"]["reason"]) == ("article.rejected", "processing_failed")
        producer.submit(copy)  # same URL: was "article.duplicate of first" before
        envelopes = wait_for_outcomes(redis_client, settings, ["copy"], timeout=120, worker=worker)
    finally:
        producer.close()
        worker.stop()
    [outcome] = [e for e in envelopes if e["subject"] == "copy" and e["type"].startswith("article.")]
    assert outcome["type"] == "article.processed", outcome["data"]
    assert any(e["type"] == "event.created" for e in envelopes), "the copy's events are created"
