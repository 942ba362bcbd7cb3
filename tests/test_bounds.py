"""Bounded work per article: the pathological inputs of ``tests/bench/bench_worst_case.py`` finish
well inside the task time limit and give exactly one outcome.

Times are measured by ``make bench`` (``reports/bench-worst-case.json``), not asserted here: each test
has a generous timeout that the old, quadratic code ran far past. The fast cases run in ``make test``;
the ones that parse 100,000 characters with spaCy are ``slow`` (``make faults``).
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).with_name("bench")))

import bench_worst_case
from support import WorkerProcess, wait_for_outcomes

from worker.client import Producer
from worker.config import Settings
from worker.core import cleaning
from worker.core.contract import max_text_chars
from worker.core.dedup import _SENTENCE_BREAK, fingerprint
from worker.core.pipeline import Pipeline
from worker.state.keys import Keys


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.in_memory(Settings())


def run_case(pipeline: Pipeline, name: str):
    payload = {"id": f"bounds-{name}", **bench_worst_case.CASES[name]()}
    return pipeline.process(payload, f"bounds-{name}")


# ---------------------------------------------------------------- fingerprint


@pytest.mark.timeout(30)
def test_a_100k_run_of_dots_fingerprints_at_once():
    # was 270 s: the sentence-break regex rescanned the run from every dot
    fp = fingerprint("dots", "s", None, "a" + "." * 99_999, Settings())
    assert fp.shingle_count == 1


def test_the_linear_sentence_break_splits_exactly_as_the_old_one():
    old = re.compile(r"[.!?]+[\"'”’)\]]*\s+|\n")
    rng = random.Random(1)
    alphabet = ".!?\"'”’)] \n\tab"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert _SENTENCE_BREAK.split(text) == old.split(text), text


# ---------------------------------------------------------------- cleaning


@pytest.mark.timeout(30)
def test_text_that_nfkc_would_blow_past_the_limit_is_rejected(pipeline):
    # 55,000 x U+FDFA is 990,000 characters after NFKC (2.85 GB of parse before)
    result = run_case(pipeline, "nfkc_expansion")
    assert (result.outcome, result.reason) == ("rejected", "payload_too_large")
    [error] = result.publication.envelopes[0]["data"]["errors"]
    assert error["field"] == "text" and "100000 characters" in error["message"]


@pytest.mark.timeout(30)
def test_the_text_limit_applies_to_the_cleaned_html(pipeline):
    # 495 KB of ordinary paragraphs: the schema admits the html, its text is five times the limit
    result = run_case(pipeline, "html_page")
    assert (result.outcome, result.reason) == ("rejected", "payload_too_large")
    assert result.publication.envelopes[0]["data"]["errors"][0]["field"] == "html"


def test_cleaned_text_up_to_the_limit_passes():
    text = ("The minister spoke. " * 10_000)[: max_text_chars()]
    assert len(cleaning.clean_text(text, max_chars=max_text_chars())) == len(text.strip())
    with pytest.raises(cleaning.TextTooLong):
        cleaning.clean_text(text + " More.", max_chars=max_text_chars())


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["html_comments", "html_unfinished_tags"])
def test_html_that_never_closes_a_construct_is_rejected_at_once(pipeline, name):
    # 125,000 "<!--" took 297 s in HTMLParser; 166,000 "<a " would take hours. lxml is linear.
    result = run_case(pipeline, name)
    assert (result.outcome, result.reason) == ("rejected", "empty_text")
    assert "no article text in the HTML" in result.publication.envelopes[0]["data"]["errors"][0]["message"]


@pytest.mark.timeout(60)
def test_html_of_angle_brackets_finishes_with_one_outcome(pipeline):
    result = run_case(pipeline, "html_angles")
    assert len([e for e in result.publication.envelopes if e["type"].startswith("article.")]) == 1


@pytest.mark.parametrize("html", ["<![ x", "<![", "<!", "<!>", "a <![if !IE]> b", "<!--", "<a href='x"])
def test_malformed_declarations_do_not_raise(html):
    cleaning.html_to_text(html)  # "<![" raised AssertionError from Python's _markupbase


@pytest.mark.timeout(30)
def test_the_html_sniffer_is_linear_on_unfinished_tags():
    assert not cleaning.looks_like_html("<p " * 166_666)  # was minutes: [^>]* scanned to the end
    assert cleaning.looks_like_html("text <p class='a'>para</p>")


# ---------------------------------------------------------------- extraction


def test_date_entities_per_sentence_are_those_of_span_ents(pipeline):
    from worker.extraction.dates import _date_entities

    doc = pipeline.model()("On 3 May 2024 Kenya and Uganda met in Nairobi. Talks ended on Tuesday, "
                           "4 June. Nothing happened. The summit of 12 March and 13 March closed.")
    for sent in doc.sents:
        expected = [(e.start, e.end) for e in sent.ents if e.label_ == "DATE"]
        assert [(e.start, e.end) for e in _date_entities(sent)] == expected
        assert all(e.label_ == "DATE" for e in _date_entities(sent))


def test_the_dateline_splitter_starts_the_same_sentences_as_before(pipeline):
    from worker.extraction.places import dateline_end

    nlp = pipeline.model()
    text = ("NAIROBI, Kenya (Wire) — The minister met the envoy on Tuesday.\n"
            "Plain line without a dateline.\nGENEVA — Talks resumed.\n\nARUSHA — The summit opened.")
    doc = nlp(text)
    starts = {t.i for t in doc if t.is_sent_start}
    # the old algorithm, quadratic but plain
    expected = set()
    for start in [0] + [t.idx + len(t.text) for t in doc if "\n" in t.text]:
        end = dateline_end(doc.text[start:])
        if end is not None:
            first = next((t for t in doc if t.idx >= start + end and not t.is_space), None)
            if first is not None and first.i > 0:
                expected.add(first.i)
    assert expected and expected <= starts


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize("name", ["dots", "prose", "short_lines", "dateline_lines", "dense_dates"])
def test_the_slowest_valid_articles_finish_with_one_outcome(pipeline, name):
    # before: dots 272 s, dateline_lines 64 s, dense_dates 104 s; now about 10 s each (make bench)
    result = run_case(pipeline, name)
    assert result.outcome == "processed", result.reason
    assert [e["type"] for e in result.publication.envelopes].count("article.processed") == 1


@pytest.mark.slow
@pytest.mark.faults
@pytest.mark.integration
@pytest.mark.timeout(600)
def test_a_worker_gives_every_pathological_article_one_outcome_inside_the_time_limit(
        redis_server, redis_client, settings):
    names = list(bench_worst_case.CASES)
    payloads = [{"id": f"worst-{name}", **bench_worst_case.CASES[name]()} for name in names]
    worker = WorkerProcess(settings, concurrency=2).start(redis_client)
    producer = Producer(settings)
    try:
        ids = [producer.submit(p).article_id for p in payloads]
    finally:
        producer.close()
    envelopes = wait_for_outcomes(redis_client, settings, ids, timeout=480, worker=worker)
    assert worker.stop() == 0
    outcomes = [e for e in envelopes if e["type"].startswith("article.")]
    assert sorted(e["subject"] for e in outcomes) == sorted(ids)
    reasons = {e["subject"]: e["data"].get("reason") for e in outcomes}
    assert not {i for i, r in reasons.items() if r in {"time_limit", "poison_message",
                                                         "processing_failed"}}, reasons
    pattern = Keys(settings).pattern("deliveries")
    deliveries = [int(redis_client.get(k)) for k in redis_client.scan_iter(pattern)]
    assert deliveries == [1] * len(ids)  # none ran into a time limit and came back
