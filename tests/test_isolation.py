"""Isolation by key prefix: two deployments on one Redis database never touch each other's data."""

from __future__ import annotations

import pytest
import redis
from newsgen import articles
from support import WorkerProcess, article_outcomes, read_envelopes, wait_for_outcomes

from worker.client import Producer
from worker.config import Settings
from worker.state.embedded import EmbeddedRedis
from worker.state.keys import Keys

pytestmark = pytest.mark.integration

PER_DEPLOYMENT = 12


def test_two_prefixes_share_one_redis_without_crossing(redis_server: EmbeddedRedis):
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    blue = Settings.from_env({"EVENTWIRE_REDIS_URL": redis_server.url, "EVENTWIRE_KEY_PREFIX": "blue:"})
    green = Settings.from_env({"EVENTWIRE_REDIS_URL": redis_server.url, "EVENTWIRE_KEY_PREFIX": "green:"})
    assert {blue.queue, green.queue} == {"blue:articles", "green:articles"}
    assert Keys(blue).dedup_tag != Keys(green).dedup_tag  # different cluster slots
    # The same texts go to both: each deployment has its own dedup index, so each sees originals.
    payloads = articles(PER_DEPLOYMENT, seed=11)
    workers = [WorkerProcess(s).start() for s in (blue, green)]
    try:
        submitted = {}
        for settings, name in ((blue, "blue"), (green, "green")):
            producer = Producer(settings)
            submitted[name] = [producer.submit({**p, "id": f"{name}-{n}"}).article_id
                               for n, p in enumerate(payloads)]
            producer.close()
        for settings, name, worker in ((blue, "blue", workers[0]), (green, "green", workers[1])):
            wait_for_outcomes(client, settings, submitted[name], timeout=240, worker=worker)
    finally:
        for worker in workers:
            worker.stop()
    for settings, name in ((blue, "blue"), (green, "green")):
        envelopes = read_envelopes(client, settings)
        outcomes = article_outcomes(envelopes)
        assert set(outcomes) == set(submitted[name])  # nothing of the other deployment's
        assert all(count == 1 for count in outcomes.values())  # each once
        kinds = [e["type"] for e in envelopes if e["type"].startswith("article.")]
        assert kinds.count("article.processed") == PER_DEPLOYMENT  # none is a duplicate of the other's
        assert client.llen(settings.queue) == 0 and client.hlen(Keys(settings).broker_unacked) == 0
    # Every key belongs to one deployment; kombu's own binding keys carry the prefixed queue or
    # exchange name, except its one bookkeeping zset of binding deadlines, whose members do.
    owned = ("blue:", "green:")
    stray = [key.decode() for key in client.scan_iter(count=1000)
             if not key.decode().removeprefix("_kombu.binding.").removeprefix("_kombu.binding_permanent.")
             .startswith(owned)]
    assert stray in ([], ["_kombu.binding_deadlines"]), stray
    deadlines = [m.decode() for m in client.zrange("_kombu.binding_deadlines", 0, -1)]
    assert all(any(name in m for name in owned) for m in deadlines), deadlines
    client.close()
