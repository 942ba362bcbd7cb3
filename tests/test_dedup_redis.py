"""The Redis dedup index specifically: races between processes, expiry, key layout and TTLs."""

from __future__ import annotations

import multiprocessing
import random
import re
from pathlib import Path

import numpy as np
import pytest
import redis
import syndication
from redis.crc import key_slot
from support import expiry_ms, redis_now_ms, wait_for_redis_clock, wait_until

from worker.config import Settings
from worker.core.dedup import (
    INDEX_GENERATIONS,
    MAX_ARTICLES_PER_ENTRY,
    DedupVerdict,
    Fingerprint,
    article_digest,
    fingerprint,
)
from worker.state.dedup import RedisDedupIndex
from worker.state.keys import Keys

WIRE = (Path(__file__).parent / "fixtures" / "dedup" / "summit_wire.txt").read_text()
HOSTILE = "a:b{c}*\n../x"
KEY_SHAPE = re.compile(rb"eventwire:\{eventwire:dedup\}:(d:[0-9a-f]{16}|x:\d+:(\d+|n|c|f))")


def copies_of(text: str, count: int, rng: random.Random) -> list[str]:
    """``count`` syndicated copies of ``text``, every pair of them a near or exact duplicate."""
    makers = [
        lambda t: t,
        syndication.add_footer,
        syndication.change_headline,
        lambda t: syndication.edit_words(t, rng, 3),
        lambda t: syndication.reorder_sentences(t, rng),
    ]
    return [makers[i % len(makers)](text) for i in range(count)]


def _race_worker(url: str, settings: Settings, fps: list[Fingerprint],
                 barrier: multiprocessing.synchronize.Barrier,
                 results: multiprocessing.Queue) -> None:
    client = redis.Redis.from_url(url)
    index = RedisDedupIndex(client, settings)
    index.client.ping()
    barrier.wait()
    results.put([(fp.article_id, index.check_and_insert(fp)) for fp in fps])
    client.close()


def race(url: str, settings: Settings, fps: list[Fingerprint], workers: int = 4
         ) -> list[tuple[str, DedupVerdict]]:
    """Check ``fps`` from ``workers`` processes, each with its own connection, started together."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers)
    results: multiprocessing.Queue = ctx.Queue()
    shares = [fps[i::workers] for i in range(workers)]
    procs = [ctx.Process(target=_race_worker, args=(url, settings, share, barrier, results))
             for share in shares]
    for p in procs:
        p.start()
    verdicts: list[tuple[str, DedupVerdict]] = []
    for _ in procs:
        verdicts += results.get(timeout=60)
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return verdicts


@pytest.mark.parametrize("round_number", range(3))
def test_fifty_copies_racing_on_four_processes_make_one_original(
        redis_client: redis.Redis, redis_server, settings: Settings, round_number: int) -> None:
    rng = random.Random(round_number)
    story = syndication.Generator(seed=round_number).article()
    fps = [fingerprint(f"copy-{round_number}-{i}", f"task-{i}", f"https://outlet{i}.example/s",
                       text, settings)
           for i, text in enumerate(copies_of(story, 50, rng))]
    verdicts = race(redis_server.url, settings, fps)
    originals = [aid for aid, v in verdicts if v.kind == "original"]
    assert len(verdicts) == 50
    assert len(originals) == 1
    duplicates = [v for _, v in verdicts if v.kind != "original"]
    assert len(duplicates) == 49
    assert {v.duplicate_of for v in duplicates} == set(originals)


def test_redelivered_submissions_racing_get_the_same_verdict(
        redis_server, redis_client: redis.Redis, settings: Settings) -> None:
    # the same task delivered to two workers at once (visibility timeout expired mid-run)
    fp = fingerprint("wire", "task-1", None, WIRE, settings)
    verdicts = race(redis_server.url, settings, [fp] * 8, workers=4)
    assert [v for _, v in verdicts] == [DedupVerdict("original")] * 8


def test_every_key_is_hashed_tagged_and_expiring(redis_client: redis.Redis,
                                                 settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    index.check_and_insert(fingerprint(HOSTILE, HOSTILE, "https://x.example/{a}*",
                                       WIRE, settings))
    index.check_and_insert(fingerprint("b\r\n*", "t2", None, syndication.add_footer(WIRE),
                                       settings))
    keys = list(redis_client.scan_iter(count=1000))
    assert keys
    for key in keys:
        assert KEY_SHAPE.fullmatch(key), key
        assert b"a:b" not in key and b".." not in key
        ttl_ms = redis_client.pttl(key)
        lifetime_ms = settings.dedup_window_seconds * 1000 * (1 + 1 / INDEX_GENERATIONS)
        assert 0 < ttl_ms <= lifetime_ms
    # one cluster slot for the whole index: the script may touch any of these keys atomically
    assert len({key_slot(k) for k in keys}) == 1
    assert redis_client.exists(index.record_key(HOSTILE))


def test_the_key_prefix_is_respected(redis_client: redis.Redis, settings: Settings) -> None:
    tenant = settings.replace(key_prefix="tenant7:")
    RedisDedupIndex(redis_client, tenant).check_and_insert(
        fingerprint("a", "t", None, WIRE, tenant))
    keys = list(redis_client.scan_iter())
    assert keys and all(k.startswith(b"tenant7:{tenant7:dedup}:") for k in keys)
    # and another prefix is another index
    other = RedisDedupIndex(redis_client, settings)
    assert other.check_and_insert(fingerprint("b", "t2", None, WIRE, settings)).kind == "original"


def test_record_lives_exactly_the_window_and_index_buckets_at_most_one_generation_more(
        redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    window_ms = settings.dedup_window_seconds * 1000
    before = redis_now_ms(redis_client)
    index.check_and_insert(fingerprint("wire", "t1", "https://a.example/x", WIRE, settings))
    after = redis_now_ms(redis_client)
    record = index.record_key("wire")
    assert before + window_ms - 2 <= expiry_ms(redis_client, record) <= after + window_ms + 2
    buckets = [k for k in redis_client.scan_iter(count=1000) if b":x:" in k]
    assert len(buckets) > 1
    for bucket in buckets:
        assert before + window_ms - 2 <= expiry_ms(redis_client, bucket) \
            <= after + window_ms * (1 + 1 / INDEX_GENERATIONS) + 2


def test_expiry_after_a_short_window(redis_client: redis.Redis, settings: Settings) -> None:
    short = settings.replace(dedup_window_seconds=1)
    index = RedisDedupIndex(redis_client, short)
    assert index.check_and_insert(fingerprint("wire", "t1", "https://a.example/x", WIRE,
                                              short)).kind == "original"
    copy = fingerprint("copy", "t2", None, syndication.add_footer(WIRE), short)
    assert index.check_and_insert(copy).duplicate_of == "wire"
    # the article record is gone after the window (index buckets may live a generation longer, but
    # every hit is confirmed against the record): the same article is processed again
    wait_until(lambda: not redis_client.exists(index.record_key("wire")), 10, "the record expired")
    again = fingerprint("wire", "t3", "https://a.example/x", WIRE, short)
    assert index.check_and_insert(again) == DedupVerdict("original")


def test_not_refreshed_on_touch(redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    index.check_and_insert(fingerprint("wire", "t1", None, WIRE, settings))
    record = index.record_key("wire")
    first = expiry_ms(redis_client, record)
    wait_for_redis_clock(redis_client, redis_now_ms(redis_client) + 50)
    copy = fingerprint("copy", "t2", None, syndication.add_footer(WIRE), settings)
    assert index.check_and_insert(copy).duplicate_of == "wire"  # a touch...
    assert abs(expiry_ms(redis_client, record) - first) <= 2  # ...not a refresh


def test_survives_a_script_cache_flush(redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    index.check_and_insert(fingerprint("wire", "t1", None, WIRE, settings))
    redis_client.script_flush()
    verdict = index.check_and_insert(fingerprint("copy", "t2", None, WIRE, settings))
    assert verdict == DedupVerdict("exact", "wire", 1.0, "text")


def _generation(client: redis.Redis, window_ms: int) -> int:
    return redis_now_ms(client) // (window_ms // INDEX_GENERATIONS)


def test_a_generation_is_sized_from_the_traffic_of_the_one_before(
        redis_client: redis.Redis, settings: Settings) -> None:
    short = settings.replace(dedup_window_seconds=8)  # generations of 2 s
    window_ms = short.dedup_window_seconds * 1000
    index = RedisDedupIndex(redis_client, short)
    base = Keys(short).dedup_base + "x:"
    gen = _generation(redis_client, window_ms)
    index.check_and_insert(fingerprint("quiet", "t1", None, WIRE, short))
    assert redis_client.get(f"{base}{gen}:n") == b"16384"  # the floor
    assert redis_client.get(f"{base}{gen}:c") == b"1"
    # a busy generation: 100,000 originals of 34 entries want 53,125 buckets of 64 entries
    redis_client.set(f"{base}{gen}:c", 100_000)
    wait_for_redis_clock(redis_client, (gen + 1) * (window_ms // INDEX_GENERATIONS))
    story = syndication.Generator(seed=3).article()
    index.check_and_insert(fingerprint("next", "t2", None, story, short))
    assert redis_client.get(f"{base}{gen + 1}:n") == b"65536"


def test_copies_are_found_across_generations_of_different_sizes(
        redis_client: redis.Redis, settings: Settings) -> None:
    short = settings.replace(dedup_window_seconds=8)
    window_ms = short.dedup_window_seconds * 1000
    index = RedisDedupIndex(redis_client, short)
    gen = _generation(redis_client, window_ms)
    assert index.check_and_insert(fingerprint("wire", "t1", "https://a.example/x", WIRE,
                                              short)).kind == "original"
    redis_client.set(f"{Keys(short).dedup_base}x:{gen}:c", 100_000)
    wait_for_redis_clock(redis_client, (gen + 1) * (window_ms // INDEX_GENERATIONS))
    assert index.check_and_insert(fingerprint("other", "t2", None, syndication.Generator(
        seed=4).article(), short)).kind == "original"  # opens the larger generation
    assert redis_client.get(f"{Keys(short).dedup_base}x:{gen + 1}:n") == b"65536"
    for article_id, text, url, matched_on in [
            ("same-url", syndication.change_headline(WIRE), "https://www.a.example/x/", "url"),
            ("same-text", WIRE.upper(), None, "text"),
            ("near", syndication.add_footer(WIRE), None, "minhash")]:
        verdict = index.check_and_insert(fingerprint(article_id, "t-" + article_id, url, text, short))
        assert (verdict.duplicate_of, verdict.matched_on) == ("wire", matched_on)


def test_a_generation_without_a_presence_filter_is_still_looked_into(
        redis_client: redis.Redis, settings: Settings) -> None:
    """A generation indexed before the filter existed (no ``x:<gen>:f``) has every entry looked up,
    and gets no filter that would hide the entries written before it."""
    index = RedisDedupIndex(redis_client, settings)
    assert index.check_and_insert(fingerprint("wire", "t1", "https://a.example/x", WIRE,
                                              settings)).kind == "original"
    [filter_key] = redis_client.scan_iter(match=f"{Keys(settings).dedup_base}x:*:f")
    redis_client.delete(filter_key)
    for article_id, text, url, matched_on in [
            ("same-url", syndication.change_headline(WIRE), "https://www.a.example/x/", "url"),
            ("same-text", WIRE.upper(), None, "text"),
            ("near", syndication.add_footer(WIRE), None, "minhash")]:
        verdict = index.check_and_insert(fingerprint(article_id, "t-" + article_id, url, text,
                                                     settings))
        assert (verdict.duplicate_of, verdict.matched_on) == ("wire", matched_on)
    story = syndication.Generator(seed=5).article()
    assert index.check_and_insert(fingerprint("other", "t2", None, story, settings)).kind == "original"
    assert not redis_client.exists(filter_key)


def test_the_presence_filter_spares_the_bucket_lookups_of_absent_entries(
        redis_client: redis.Redis, settings: Settings) -> None:
    """A fresh article in an index of many looks into few buckets: only where a filter bit is set."""
    index = RedisDedupIndex(redis_client, settings)
    generator = syndication.Generator(seed=6)
    for n in range(200):
        index.check_and_insert(fingerprint(f"a{n}", f"t{n}", None, generator.article(), settings))
    redis_client.config_resetstat()
    assert index.check_and_insert(fingerprint("fresh", "t-fresh", None, generator.article(),
                                              settings)).kind == "original"
    hgets = redis_client.info("commandstats").get("cmdstat_hget", {"calls": 0})["calls"]
    assert hgets < 10  # 33 without the filter: the text entry and 32 bands


def _sharing_band_zero(article_id: str, seed: int, shared: np.ndarray) -> Fingerprint:
    """An article whose first LSH band (the first 4 MinHash values) is ``shared`` and whose other
    values are random: every pair of them shares one band entry and is no near duplicate."""
    values = np.random.default_rng(seed).integers(0, 2**32, 128, dtype=np.uint32)
    values[:4] = shared
    return Fingerprint(article_id, "task-" + article_id, None, f"text-{article_id}",
                       values.astype("<u4").tobytes(), shingle_count=100)


def _entry_place(client: redis.Redis, settings: Settings, entry: bytes) -> tuple[str, bytes, int]:
    """(bucket key, field, filter bit) of an index entry in the current generation, as the key
    layout at the top of the script defines them."""
    base = Keys(settings).dedup_base + "x:"
    gen = _generation(client, settings.dedup_window_seconds * 1000)
    buckets = int(client.get(f"{base}{gen}:n"))
    bucket = int.from_bytes(entry[:3], "big") % buckets
    return f"{base}{gen}:{bucket}", entry[3:], bucket * 256 + entry[3]


def test_every_entry_of_an_original_is_in_its_bucket_with_its_filter_bit_and_expiry(
        redis_client: redis.Redis, settings: Settings) -> None:
    """The insert reads nothing before it writes (the filter and the lookup tell it what is
    there): every entry must still land in its bucket, set its bit, and every bucket expire."""
    index = RedisDedupIndex(redis_client, settings)
    generator = syndication.Generator(seed=11)
    fps = [fingerprint(f"o{n}", f"t{n}", f"https://o{n}.example/x", generator.article(), settings)
           for n in range(150)]  # 5,100 entries: many buckets written by several articles
    assert {index.check_and_insert(fp).kind for fp in fps} == {"original"}
    base = Keys(settings).dedup_base
    [filter_key] = redis_client.scan_iter(match=f"{base}x:*:f")
    for fp in fps:
        for entry in [fp.url_entry(), fp.text_entry(), *fp.band_entries(settings.minhash_bands)]:
            key, field, bit = _entry_place(redis_client, settings, entry)
            assert article_digest(fp.article_id) in redis_client.hget(key, field)
            assert redis_client.getbit(filter_key, bit) == 1
            assert redis_client.pttl(key) > 0


def test_a_band_entry_keeps_every_article_up_to_the_cap_and_replaces_the_forgotten(
        redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    shared = np.array([7, 8, 9, 10], dtype=np.uint32)
    fps = [_sharing_band_zero(f"s{n}", n, shared) for n in range(MAX_ARTICLES_PER_ENTRY + 2)]
    for fp in fps[:MAX_ARTICLES_PER_ENTRY + 1]:
        assert index.check_and_insert(fp).kind == "original"
    key, field, _ = _entry_place(redis_client, settings, fps[0].band_entries(32)[0])
    digests = [article_digest(fp.article_id) for fp in fps]
    # appended in order; the one past the cap is not kept
    assert redis_client.hget(key, field) == b"".join(digests[:MAX_ARTICLES_PER_ENTRY])
    assert index.forget("s2", "task-s2")
    assert index.check_and_insert(fps[-1]).kind == "original"
    kept = digests[:2] + digests[3:MAX_ARTICLES_PER_ENTRY] + digests[-1:]
    assert redis_client.hget(key, field) == b"".join(kept)
    assert redis_client.pttl(key) > 0


def test_a_url_entry_of_a_forgotten_original_is_taken_over(
        redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    url = "https://a.example/story"
    first = fingerprint("first", "t1", url, WIRE, settings)
    assert index.check_and_insert(first).kind == "original"
    assert index.forget("first", "t1")
    other = fingerprint("other", "t2", url, syndication.Generator(seed=12).article(), settings)
    assert index.check_and_insert(other).kind == "original"
    key, field, _ = _entry_place(redis_client, settings, first.url_entry())
    assert redis_client.hget(key, field) == article_digest("other")
    copy = fingerprint("copy", "t3", url, syndication.Generator(seed=13).article(), settings)
    assert index.check_and_insert(copy) == DedupVerdict("exact", "other", 1.0, "url")
