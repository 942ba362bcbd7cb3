"""Fingerprints and the dedup index: exact and near duplicates, redelivery, hostile ids.

Behavioural tests run against both the Redis index (real private redis-server) and the in-memory
one; the race, expiry-in-Redis and key-layout tests are in test_dedup_redis.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
import syndication

from worker.config import Settings
from worker.core.dedup import (
    DedupIndex,
    DedupVerdict,
    MemoryDedupIndex,
    canonical_url,
    estimated_jaccard,
    fingerprint,
    near_similarity,
    shingles,
    text_hash,
)
from worker.state.dedup import RedisDedupIndex

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"
WIRE = (FIXTURES / "summit_wire.txt").read_text()
OTHER_REPORT = (FIXTURES / "summit_other_report.txt").read_text()
STRIKE = (FIXTURES / "port_strike.txt").read_text()


# ---------------------------------------------------------------- pure functions


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.Example.COM/news/story-1/", "example.com/news/story-1"),
    ("http://example.com/news/story-1?utm_source=x&utm_medium=y#comments",
     "example.com/news/story-1"),
    ("https://example.com:443/a?b=2&fbclid=abc&a=1&gclid=z", "example.com/a?a=1&b=2"),
    ("example.com/a/", "example.com/a"),
    ("https://example.com:8443/a", "example.com:8443/a"),
    ("https://example.com/Path/Case", "example.com/Path/Case"),
    ("https://example.com/a%20b", "example.com/a%20b"),
])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url", ["mailto:desk@example.com", "https:///path-only", ""])
def test_canonical_url_rejects_what_is_not_a_web_page(url: str) -> None:
    with pytest.raises(ValueError):
        canonical_url(url)


def test_text_hash_ignores_case_whitespace_and_punctuation() -> None:
    assert text_hash("The minister said: “No.”\n\nThen  left!") == text_hash(
        "the Minister said no then left")
    assert text_hash("The minister said no.") != text_hash("The minister said yes.")


def test_shingles_stay_inside_sentences_so_reordering_keeps_them() -> None:
    text = "Alpha beta gamma delta epsilon zeta. One two three four five six."
    swapped = "One two three four five six. Alpha beta gamma delta epsilon zeta."
    assert shingles(text, 5) == shingles(swapped, 5)
    assert b"alpha beta gamma delta epsilon" in shingles(text, 5)
    assert b"zeta one two three four" not in shingles(text, 5)


def test_fingerprint_is_deterministic_and_compact(settings: Settings) -> None:
    a = fingerprint("a", "s1", "https://example.com/x", WIRE, settings)
    b = fingerprint("a", "s1", "https://example.com/x", WIRE, settings)
    assert a == b
    assert len(a.signature) == 4 * settings.minhash_permutations
    assert a.shingle_count == len(shingles(WIRE, settings.shingle_size))
    assert a.url_key == "example.com/x"


def test_fingerprint_drops_an_unusable_url(settings: Settings) -> None:
    assert fingerprint("a", "s1", "not a url at all", WIRE, settings).url_key is None


def test_near_similarity_uses_containment_only_for_copies_of_comparable_size() -> None:
    # j = 0.6 between a set of 60 and one of 100 shingles: all 60 inside the 100.
    assert near_similarity(77, 128, 60, 100, 0.8) == pytest.approx(1.0, abs=0.01)
    assert near_similarity(16, 128, 20, 100, 0.8) is None  # far smaller: an excerpt, not a copy
    # 8-bit stored values agree by chance 1 time in 256: 110 equal of 128 is a Jaccard of 0.8588
    assert near_similarity(110, 128, 100, 100, 0.8) == pytest.approx(0.8588, abs=1e-4)
    assert near_similarity(40, 128, 100, 100, 0.8) is None


def test_chance_agreements_of_8_bit_values_are_taken_out_of_the_estimate() -> None:
    assert estimated_jaccard(128, 128) == 1.0
    assert estimated_jaccard(0, 128) == 0.0
    assert estimated_jaccard(1, 256) == 0.0  # two unrelated signatures: one chance agreement in 256


# ---------------------------------------------------------------- both index implementations


@pytest.fixture(params=["redis", "memory"])
def make_index(request: pytest.FixtureRequest, redis_client: redis.Redis
               ) -> Callable[[Settings], DedupIndex]:
    def make(settings: Settings) -> DedupIndex:
        if request.param == "redis":
            return RedisDedupIndex(redis_client, settings)
        return MemoryDedupIndex(settings)
    return make


@pytest.fixture
def index(make_index: Callable[[Settings], DedupIndex], settings: Settings) -> DedupIndex:
    return make_index(settings)


def check(index: DedupIndex, settings: Settings, article_id: str, text: str,
          url: str | None = None, submission: str | None = None) -> DedupVerdict:
    fp = fingerprint(article_id, submission or f"task-{article_id}", url, text, settings)
    return index.check_and_insert(fp)


def test_first_article_is_original(index: DedupIndex, settings: Settings) -> None:
    assert check(index, settings, "wire", WIRE) == DedupVerdict("original")


@pytest.mark.parametrize("variant", sorted(syndication.VARIANTS))
def test_syndication_variants_are_duplicates_of_the_wire_story(
        index: DedupIndex, settings: Settings, variant: str) -> None:
    check(index, settings, "wire", WIRE)
    copy = syndication.VARIANTS[variant](WIRE, random.Random(3))
    assert copy != WIRE
    verdict = check(index, settings, f"copy-{variant}", copy)
    assert verdict.kind in {"near", "exact"}
    assert verdict.duplicate_of == "wire"
    assert verdict.similarity is not None
    assert verdict.similarity >= settings.near_duplicate_threshold


def test_truncated_copy_is_caught_by_containment(index: DedupIndex, settings: Settings) -> None:
    check(index, settings, "wire", WIRE)
    truncated = syndication.drop_last_paragraphs(WIRE, 3)
    verdict = check(index, settings, "short", truncated)
    assert (verdict.kind, verdict.duplicate_of, verdict.matched_on) == ("near", "wire", "minhash")


def test_different_reports_of_the_same_summit_are_not_duplicates(
        index: DedupIndex, settings: Settings) -> None:
    assert check(index, settings, "wire", WIRE).kind == "original"
    assert check(index, settings, "other", OTHER_REPORT).kind == "original"
    assert check(index, settings, "strike", STRIKE).kind == "original"


def test_same_url_is_an_exact_duplicate(index: DedupIndex, settings: Settings) -> None:
    check(index, settings, "wire", WIRE, url="https://www.example.com/danube-summit/")
    verdict = check(index, settings, "other", OTHER_REPORT,
                    url="http://example.com/danube-summit?utm_campaign=rss#top")
    assert verdict == DedupVerdict("exact", "wire", 1.0, "url")


def test_same_normalized_text_is_an_exact_duplicate(index: DedupIndex, settings: Settings) -> None:
    check(index, settings, "wire", WIRE)
    shouted = WIRE.upper().replace("\n\n", "\n").replace(",", "")
    assert check(index, settings, "loud", shouted) == DedupVerdict("exact", "wire", 1.0, "text")


def test_redelivery_gets_the_identical_verdict(index: DedupIndex, settings: Settings) -> None:
    first = check(index, settings, "wire", WIRE, submission="task-1")
    assert check(index, settings, "wire", WIRE, submission="task-1") == first == DedupVerdict(
        "original")
    copy = syndication.copy_edit(WIRE, random.Random(1))
    near = check(index, settings, "copy", copy, submission="task-2")
    assert near.kind == "near"
    assert check(index, settings, "copy", copy, submission="task-2") == near


def test_resubmission_of_an_article_id_is_an_exact_duplicate(
        index: DedupIndex, settings: Settings) -> None:
    check(index, settings, "wire", WIRE, submission="task-1")
    resubmitted = check(index, settings, "wire", WIRE, submission="task-9")
    assert resubmitted == DedupVerdict("exact", "wire", 1.0, "id")
    # its own redelivery gets the same answer
    assert check(index, settings, "wire", WIRE, submission="task-9") == resubmitted


def test_resubmitted_duplicate_points_at_the_original(index: DedupIndex, settings: Settings) -> None:
    check(index, settings, "wire", WIRE)
    check(index, settings, "copy", syndication.add_footer(WIRE), submission="task-a")
    again = check(index, settings, "copy", syndication.add_footer(WIRE), submission="task-b")
    assert again == DedupVerdict("exact", "wire", 1.0, "id")


def test_duplicates_are_not_indexed_as_originals(index: DedupIndex, settings: Settings) -> None:
    check(index, settings, "wire", WIRE)
    check(index, settings, "copy", syndication.add_footer(WIRE))
    verdict = check(index, settings, "copy2", syndication.add_footer(WIRE))
    assert verdict.duplicate_of == "wire"


def test_hostile_ids_round_trip(index: DedupIndex, settings: Settings) -> None:
    hostile = "a:b{c}*\n../x \u2028 \ud800"
    check(index, settings, hostile, WIRE, submission=hostile)
    assert check(index, settings, "copy", syndication.add_footer(WIRE)).duplicate_of == hostile
    assert check(index, settings, hostile, WIRE, submission=hostile) == DedupVerdict("original")


def test_empty_text_only_matches_exactly(index: DedupIndex, settings: Settings) -> None:
    assert check(index, settings, "e1", "...").kind == "original"
    assert check(index, settings, "e2", "!!") == DedupVerdict("exact", "e1", 1.0, "text")


def test_expiry_in_memory_makes_the_article_new_again(settings: Settings) -> None:
    now = [1000.0]
    index = MemoryDedupIndex(settings.replace(dedup_window_seconds=60), clock=lambda: now[0])
    check(index, settings, "wire", WIRE, submission="task-1")
    now[0] += 59
    assert check(index, settings, "copy", syndication.add_footer(WIRE)).kind == "near"
    now[0] += 2
    assert check(index, settings, "wire", WIRE, submission="task-2") == DedupVerdict("original")


def test_in_memory_a_touch_does_not_refresh_the_original(settings: Settings) -> None:
    now = [1000.0]
    short = settings.replace(dedup_window_seconds=60)
    index = MemoryDedupIndex(short, clock=lambda: now[0])
    check(index, short, "wire", WIRE)
    now[0] += 50
    assert check(index, short, "copy", syndication.add_footer(WIRE)).duplicate_of == "wire"
    now[0] += 11  # 61 s after the original, 11 s after the touch
    assert check(index, short, "late", syndication.change_headline(WIRE)) == DedupVerdict("original")
