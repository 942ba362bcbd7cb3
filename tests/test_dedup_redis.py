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
    INDEX_TIME_UNITS,
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
KEY_SHAPE = re.compile(rb"eventwire:\{eventwire:dedup\}:(d:[0-9a-f]{16}|i:tables|i:\d+)")


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
        lifetime_ms = settings.dedup_window_seconds * 1000 * (1 + 1 / INDEX_TIME_UNITS)
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


def test_record_lives_exactly_the_window_and_the_index_at_most_one_unit_more(
        redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    window_ms = settings.dedup_window_seconds * 1000
    before = redis_now_ms(redis_client)
    index.check_and_insert(fingerprint("wire", "t1", "https://a.example/x", WIRE, settings))
    after = redis_now_ms(redis_client)
    record = index.record_key("wire")
    assert before + window_ms - 2 <= expiry_ms(redis_client, record) <= after + window_ms + 2
    index_keys = [k for k in redis_client.scan_iter(count=1000) if b":i:" in k]
    assert len(index_keys) == 2  # the list of tables and the one table
    for key in index_keys:
        assert before + window_ms - 2 <= expiry_ms(redis_client, key) \
            <= after + window_ms * (1 + 1 / INDEX_TIME_UNITS) + 2


def test_expiry_after_a_short_window(redis_client: redis.Redis, settings: Settings) -> None:
    short = settings.replace(dedup_window_seconds=1)
    index = RedisDedupIndex(redis_client, short)
    assert index.check_and_insert(fingerprint("wire", "t1", "https://a.example/x", WIRE,
                                              short)).kind == "original"
    copy = fingerprint("copy", "t2", None, syndication.add_footer(WIRE), short)
    assert index.check_and_insert(copy).duplicate_of == "wire"
    # the article record is gone after the window (index records may live a unit longer, but
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


def _tables(client: redis.Redis, settings: Settings) -> list[tuple[int, int, int]]:
    """The live lookup tables, newest first: (id, band buckets, looked into until)."""
    words = [int(w) for w in client.get(Keys(settings).dedup_base + "i:tables").split()]
    return [(words[i], words[i + 1], words[i + 2]) for i in range(0, len(words), 3)]


def _unit_ms(settings: Settings) -> int:
    """One time unit of the records' stamps: the window / INDEX_TIME_UNITS, rounded up."""
    return -(-settings.dedup_window_seconds * 1000 // INDEX_TIME_UNITS)


def _keep_ms(settings: Settings) -> int:
    """How long a table outlives its last write: the window and one time unit."""
    return settings.dedup_window_seconds * 1000 + _unit_ms(settings)


def _stamp(client: redis.Redis, settings: Settings, units_ago: int = 0) -> int:
    return (redis_now_ms(client) // _unit_ms(settings) - units_ago) % 256


def _place(client: redis.Redis, settings: Settings, entry: bytes,
           table: tuple[int, int, int] | None = None) -> tuple[str, str, bytes, int]:
    """(table key, bucket field, tag, record size) of an index entry in ``table`` (the newest by
    default), as the key layout at the top of the script defines them."""
    table_id, buckets, _ = table or _tables(client, settings)[0]
    prefix = int.from_bytes(entry[:3], "big")
    field = f"e{prefix % (buckets // 16)}" if len(entry) == 9 else str(prefix % buckets)
    return f"{Keys(settings).dedup_base}i:{table_id}", field, entry[3:], len(entry) - 3 + 1 + 8


def _records(bucket: bytes | None, size: int) -> list[tuple[bytes, int, bytes]]:
    """(tag, stamp, article digest) of each record of a bucket, in order."""
    bucket = bucket or b""
    assert len(bucket) % size == 0
    return [(bucket[i:i + size - 9], bucket[i + size - 9], bucket[i + size - 8:i + size])
            for i in range(0, len(bucket), size)]


def _entries(fp: Fingerprint, settings: Settings) -> list[bytes]:
    return [e for e in [fp.url_entry(), fp.text_entry(), *fp.band_entries(settings.minhash_bands)]
            if e is not None]


def test_every_entry_of_an_original_is_in_its_bucket_with_its_stamp(
        redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    generator = syndication.Generator(seed=11)
    fps = [fingerprint(f"o{n}", f"t{n}", f"https://o{n}.example/x", generator.article(), settings)
           for n in range(150)]  # 5,100 entries: many buckets written by several articles
    stamps = {_stamp(redis_client, settings)}
    assert {index.check_and_insert(fp).kind for fp in fps} == {"original"}
    stamps.add(_stamp(redis_client, settings))
    [table] = _tables(redis_client, settings)
    assert table[1:] == (16384, 0)
    for fp in fps:
        for entry in _entries(fp, settings):
            key, field, tag, size = _place(redis_client, settings, entry)
            records = _records(redis_client.hget(key, field), size)
            [stamp] = [s for t, s, d in records
                                 if t == tag and d == article_digest(fp.article_id)]
            assert stamp in stamps
    assert redis_client.pttl(key) > 0


def _overflow_buckets_of(client: redis.Redis, settings: Settings, fp: Fingerprint,
                         records: int) -> None:
    """Fill the newest table's buckets that ``fp`` will write with ``records`` fresh records of
    other articles each, as a table too small for its traffic has them."""
    rng = random.Random(3)
    stamp = _stamp(client, settings)
    for entry in _entries(fp, settings):
        key, field, _, size = _place(client, settings, entry)
        client.hset(key, field, b"".join(
            rng.randbytes(size - 9) + bytes([stamp]) + rng.randbytes(8) for _ in range(records)))


def test_a_table_whose_buckets_overflow_hands_the_inserts_to_one_four_times_larger(
        redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    assert index.check_and_insert(fingerprint("wire", "t1", "https://a.example/x", WIRE,
                                              settings)).kind == "original"
    [first] = _tables(redis_client, settings)
    busy = fingerprint("busy", "t2", None, syndication.Generator(seed=4).article(), settings)
    _overflow_buckets_of(redis_client, settings, busy, 70)  # more than 2 x 32 records a bucket
    before = redis_now_ms(redis_client)
    assert index.check_and_insert(busy).kind == "original"
    after = redis_now_ms(redis_client)
    newest, older = _tables(redis_client, settings)
    assert newest[1:] == (4 * 16384, 0)
    assert older[:2] == first[:2]
    assert before + _keep_ms(settings) <= older[2] <= after + _keep_ms(settings)
    # the older table is still looked into: copies of what it holds are found
    for article_id, text, url, matched_on in [
            ("same-url", syndication.change_headline(WIRE), "https://www.a.example/x/", "url"),
            ("same-text", WIRE.upper(), None, "text"),
            ("near", syndication.add_footer(WIRE), None, "minhash")]:
        verdict = index.check_and_insert(fingerprint(article_id, "t-" + article_id, url, text,
                                                     settings))
        assert (verdict.duplicate_of, verdict.matched_on) == ("wire", matched_on)
    # and the next original goes into the new table
    later = fingerprint("later", "t3", None, syndication.Generator(seed=5).article(), settings)
    assert index.check_and_insert(later).kind == "original"
    key, field, tag, size = _place(redis_client, settings, later.band_entries(32)[0])
    assert key.endswith(f"i:{newest[0]}")
    assert (tag, article_digest("later")) in [(t, d) for t, _, d in
                                              _records(redis_client.hget(key, field), size)]


def test_a_table_long_too_empty_hands_over_to_a_smaller_one(
        redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    tables_key = Keys(settings).dedup_base + "i:tables"
    window_ms = settings.dedup_window_seconds * 1000
    generator = syndication.Generator(seed=6)
    # a large table less than a window old keeps the inserts, however empty
    young = redis_now_ms(redis_client) - 1000
    redis_client.set(tables_key, f"{young} 65536 0", px=window_ms)
    assert index.check_and_insert(fingerprint("a", "t1", None, generator.article(),
                                              settings)).kind == "original"
    assert _tables(redis_client, settings) == [(young, 65536, 0)]
    # one older than a window whose buckets hold few records hands over to one of a quarter
    old = redis_now_ms(redis_client) - _keep_ms(settings) - 1000
    redis_client.set(tables_key, f"{old} 65536 0", px=window_ms)
    assert index.check_and_insert(fingerprint("b", "t2", None, generator.article(),
                                              settings)).kind == "original"
    newest, older = _tables(redis_client, settings)
    assert newest[1:] == (16384, 0) and older[:2] == (old, 65536)


def test_a_retired_table_is_not_looked_into_once_its_records_are_stale(
        redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    assert index.check_and_insert(fingerprint("wire", "t1", None, WIRE, settings)).kind == "original"
    [(table, buckets, _)] = _tables(redis_client, settings)
    tables_key = Keys(settings).dedup_base + "i:tables"
    now = redis_now_ms(redis_client)
    redis_client.set(tables_key, f"{now} {buckets} 0 {table} {buckets} {now - 1}", px=60_000)
    redis_client.config_resetstat()
    story = syndication.Generator(seed=7).article()
    assert index.check_and_insert(fingerprint("b", "t2", None, story, settings)).kind == "original"
    assert redis_client.info("commandstats")["cmdstat_hmget"]["calls"] == 1
    assert _tables(redis_client, settings) == [(now, buckets, 0)]


def _sharing_band_zero(article_id: str, seed: int, shared: np.ndarray) -> Fingerprint:
    """An article whose first LSH band (the first 4 MinHash values) is ``shared`` and whose other
    values are random: every pair of them shares one band entry and is no near duplicate."""
    values = np.random.default_rng(seed).integers(0, 2**32, 128, dtype=np.uint32)
    values[:4] = shared
    return Fingerprint(article_id, "task-" + article_id, None, f"text-{article_id}",
                       values.astype("<u4").tobytes(), shingle_count=100)


def test_a_rewritten_bucket_drops_the_stale_records_at_its_front(
        redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    shared = np.array([1, 2, 3, 4], dtype=np.uint32)
    first, second = (_sharing_band_zero(name, n, shared) for n, name in enumerate(["s0", "s1"]))
    assert index.check_and_insert(first).kind == "original"
    key, field, tag, size = _place(redis_client, settings, first.band_entries(32)[0])
    units = INDEX_TIME_UNITS
    # records are in time order: two stale (a unit past the window), then one as old as the window
    old = [b"abc" + bytes([_stamp(redis_client, settings, units + 1)]) + b"stale-%02d" % n
           for n in range(2)] + [b"abd" + bytes([_stamp(redis_client, settings, units)]) + b"window.."]
    redis_client.hset(key, field, b"".join(old) + redis_client.hget(key, field))
    assert index.check_and_insert(second).kind == "original"
    assert [(t, d) for t, _, d in _records(redis_client.hget(key, field), size)] == [
        (b"abd", b"window.."), (tag, article_digest("s0")), (tag, article_digest("s1"))]


def test_a_band_entry_keeps_every_article_up_to_the_cap_and_replaces_the_forgotten(
        redis_client: redis.Redis, settings: Settings) -> None:
    index = RedisDedupIndex(redis_client, settings)
    shared = np.array([7, 8, 9, 10], dtype=np.uint32)
    fps = [_sharing_band_zero(f"s{n}", n, shared) for n in range(MAX_ARTICLES_PER_ENTRY + 2)]
    for fp in fps[:MAX_ARTICLES_PER_ENTRY + 1]:
        assert index.check_and_insert(fp).kind == "original"
    key, field, tag, size = _place(redis_client, settings, fps[0].band_entries(32)[0])
    digests = [article_digest(fp.article_id) for fp in fps]

    def held() -> list[bytes]:
        return [d for t, _, d in _records(redis_client.hget(key, field), size) if t == tag]

    assert held() == digests[:MAX_ARTICLES_PER_ENTRY]  # in order; the one past the cap not kept
    assert index.forget("s2", "task-s2")
    assert index.check_and_insert(fps[-1]).kind == "original"
    assert held() == digests[:2] + digests[3:MAX_ARTICLES_PER_ENTRY] + digests[-1:]
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
    key, field, tag, size = _place(redis_client, settings, first.url_entry())
    assert [d for t, _, d in _records(redis_client.hget(key, field), size) if t == tag] == [
        article_digest("other")]
    copy = fingerprint("copy", "t3", url, syndication.Generator(seed=13).article(), settings)
    assert index.check_and_insert(copy) == DedupVerdict("exact", "other", 1.0, "url")
