"""The event registry: creation, merging, idempotency, races, expiry and key safety.

Behavioural tests run against the Redis registry (real private redis-server) and the in-memory one.
"""

from __future__ import annotations

import multiprocessing
import re
import threading
from collections.abc import Callable

import pytest
import redis
from support import expiry_ms, redis_now_ms, wait_for_redis_clock, wait_until

from worker.config import Settings
from worker.core.registry import EventRegistry, MemoryEventRegistry, Registration, normalize_outlet
from worker.state.keys import Keys
from worker.state.registry import RedisEventRegistry

HOSTILE = "a:b{c}*\n../x"


@pytest.fixture(params=["redis", "memory"])
def make_registry(request: pytest.FixtureRequest, redis_client: redis.Redis
                  ) -> Callable[[Settings], EventRegistry]:
    def make(settings: Settings) -> EventRegistry:
        if request.param == "redis":
            return RedisEventRegistry(redis_client, settings)
        return MemoryEventRegistry(settings)
    return make


@pytest.fixture
def registry(make_registry: Callable[[Settings], EventRegistry],
             settings: Settings) -> EventRegistry:
    return make_registry(settings)


def test_two_outlets_reporting_one_event_merge(registry: EventRegistry) -> None:
    first = registry.register("ev_1", "art-a", "Danube Herald")
    second = registry.register("ev_1", "art-b", "River Post")
    assert first == Registration("ev_1", created=True, articles=1, outlets=1)
    assert second == Registration("ev_1", created=False, articles=2, outlets=2)


def test_register_is_idempotent_per_article(registry: EventRegistry) -> None:
    registry.register("ev_1", "art-a", "Danube Herald")
    registry.register("ev_1", "art-b", "River Post")
    assert registry.register("ev_1", "art-a", "Danube Herald") == Registration("ev_1", True, 2, 2)
    assert registry.register("ev_1", "art-b", "River Post") == Registration("ev_1", False, 2, 2)
    # a repeated call with another outlet does not count that outlet: the article was counted
    assert registry.register("ev_1", "art-b", "Third Outlet") == Registration("ev_1", False, 2, 2)


def test_outlets_are_counted_by_normalized_name(registry: EventRegistry) -> None:
    registry.register("ev_1", "art-a", "Danube  Herald")
    assert registry.register("ev_1", "art-b", " danube herald ").outlets == 1
    assert registry.register("ev_1", "art-c", "www.riverpost.example").outlets == 2
    assert registry.register("ev_1", "art-d", "RiverPost.example").outlets == 2


def test_an_article_without_outlet_counts_as_article_only(registry: EventRegistry) -> None:
    assert registry.register("ev_1", "art-a", None) == Registration("ev_1", True, 1, 0)
    assert registry.register("ev_1", "art-b", "") == Registration("ev_1", False, 2, 0)
    assert registry.register("ev_1", "art-c", "Wire") == Registration("ev_1", False, 3, 1)


def test_events_are_independent(registry: EventRegistry) -> None:
    registry.register("ev_1", "art-a", "A")
    assert registry.register("ev_2", "art-b", "B") == Registration("ev_2", True, 1, 1)
    assert registry.register("ev_2", "art-a", "A") == Registration("ev_2", False, 2, 2)


def test_article_events_round_trip(registry: EventRegistry) -> None:
    assert registry.events_of("art-a") == []
    registry.record_article_events("art-a", ["ev_2", "ev_1"])
    assert registry.events_of("art-a") == ["ev_2", "ev_1"]
    registry.record_article_events("art-a", ["ev_2", "ev_1"])  # redelivery
    assert registry.events_of("art-a") == ["ev_2", "ev_1"]
    registry.record_article_events("art-b", [])
    assert registry.events_of("art-b") == []


def test_hostile_ids_round_trip(registry: EventRegistry) -> None:
    assert registry.register(HOSTILE, HOSTILE, HOSTILE).created
    assert not registry.register(HOSTILE, "other", None).created
    assert registry.register(HOSTILE, HOSTILE, HOSTILE) == Registration(HOSTILE, True, 2, 1)
    registry.record_article_events(HOSTILE, [HOSTILE, "ev \ud800"])
    assert registry.events_of(HOSTILE) == [HOSTILE, "ev \ud800"]


def test_threads_racing_on_one_event_make_one_creator(registry: EventRegistry) -> None:
    results: list[Registration] = []
    barrier = threading.Barrier(8)

    def run(worker: int) -> None:
        barrier.wait()
        for i in range(worker, 80, 8):
            results.append(registry.register("ev_race", f"art-{i}", f"outlet-{i % 10}"))

    threads = [threading.Thread(target=run, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.created for r in results) == 1
    assert sorted(r.articles for r in results) == list(range(1, 81))
    assert registry.register("ev_race", "art-0", "outlet-0").outlets == 10


def test_normalize_outlet() -> None:
    assert normalize_outlet("  The   Danube HERALD ") == "the danube herald"
    assert normalize_outlet("www.Example.com") == "example.com"
    assert normalize_outlet("   ") is None
    assert normalize_outlet(None) is None


def test_memory_registry_expires_and_refreshes_on_touch() -> None:
    now = [0.0]
    registry = MemoryEventRegistry(Settings(dedup_window_seconds=10), clock=lambda: now[0])
    registry.register("ev_1", "art-a", "A")
    registry.record_article_events("art-a", ["ev_1"])
    now[0] = 8.0
    registry.register("ev_1", "art-b", "B")  # a new mention keeps the event alive
    now[0] = 16.0
    assert registry.register("ev_1", "art-c", "C") == Registration("ev_1", False, 3, 3)
    assert registry.events_of("art-a") == []
    now[0] = 27.0
    assert registry.register("ev_1", "art-d", "D") == Registration("ev_1", True, 1, 1)


# ---------------------------------------------------------------- Redis specifics


def _register_worker(url: str, settings: Settings, article_ids: list[str],
                     barrier: multiprocessing.synchronize.Barrier,
                     results: multiprocessing.Queue) -> None:
    client = redis.Redis.from_url(url)
    registry = RedisEventRegistry(client, settings)
    client.ping()
    barrier.wait()
    results.put([registry.register("ev_race", a, f"outlet-{a[-1]}") for a in article_ids])
    client.close()


def test_processes_racing_on_register_make_one_creator(redis_server, redis_client: redis.Redis,
                                                       settings: Settings) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(4)
    results: multiprocessing.Queue = ctx.Queue()
    ids = [f"art-{i}" for i in range(50)]
    # every article is registered twice, by two different processes (a redelivery race)
    shares = [ids[w::4] + ids[(w + 1) % 4::4] for w in range(4)]
    procs = [ctx.Process(target=_register_worker,
                         args=(redis_server.url, settings, share, barrier, results))
             for share in shares]
    for p in procs:
        p.start()
    registrations = [r for _ in procs for r in results.get(timeout=60)]
    for p in procs:
        p.join(timeout=30)
    creators = {r.event_id for r in registrations if r.created}
    assert len([r for r in registrations if r.created]) == 2  # the creator, on both deliveries
    assert creators == {"ev_race"}
    final = RedisEventRegistry(redis_client, settings).register("ev_race", "art-0", None)
    assert (final.articles, final.outlets) == (50, 10)
    assert max(r.articles for r in registrations) == 50


def test_redis_keys_are_hashed_and_expire(redis_client: redis.Redis, settings: Settings) -> None:
    registry = RedisEventRegistry(redis_client, settings)
    registry.register(HOSTILE, HOSTILE, "Outlet")
    registry.record_article_events(HOSTILE, [HOSTILE])
    keys = list(redis_client.scan_iter())
    assert len(keys) == 2
    for key in keys:
        assert re.fullmatch(rb"eventwire:(ev|art):[0-9a-f]{32}", key), key
        assert 0 < redis_client.pttl(key) <= settings.dedup_window_seconds * 1000


def test_redis_a_mention_refreshes_the_event_but_not_the_article_events(
        redis_client: redis.Redis, settings: Settings) -> None:
    registry = RedisEventRegistry(redis_client, settings)
    keys = Keys(settings)
    event_key, article_key = keys.event("ev_1"), keys.article_events("art-a")
    window_ms = settings.dedup_window_seconds * 1000
    before = redis_now_ms(redis_client)
    registry.register("ev_1", "art-a", "A")
    registry.record_article_events("art-a", ["ev_1"])
    created = expiry_ms(redis_client, event_key)
    article = expiry_ms(redis_client, article_key)
    assert before + window_ms - 2 <= created <= redis_now_ms(redis_client) + window_ms + 2
    wait_for_redis_clock(redis_client, redis_now_ms(redis_client) + 50)
    mentioned_at = redis_now_ms(redis_client)
    registry.register("ev_1", "art-b", "B")
    # the event lives one window after its last mention; the article's event list is not refreshed
    assert expiry_ms(redis_client, event_key) >= mentioned_at + window_ms - 2 >= created + 48
    assert abs(expiry_ms(redis_client, article_key) - article) <= 2


def test_redis_an_event_and_its_article_list_expire_after_the_window(
        redis_client: redis.Redis, settings: Settings) -> None:
    short = settings.replace(dedup_window_seconds=1)
    registry = RedisEventRegistry(redis_client, short)
    registry.register("ev_1", "art-a", "A")
    registry.register("ev_1", "art-b", "B")
    registry.record_article_events("art-a", ["ev_1"])
    keys = Keys(short)
    wait_until(lambda: not redis_client.exists(keys.event("ev_1"), keys.article_events("art-a")), 10,
               "the registry keys expired")
    assert registry.events_of("art-a") == []
    assert registry.register("ev_1", "art-c", "C") == Registration("ev_1", True, 1, 1)
