import redis

from worker.state.embedded import EmbeddedRedis, redis_answers


def test_embedded_redis_starts_restarts_and_stops_with_aof(tmp_path):
    server = EmbeddedRedis(appendonly=True, data_dir=tmp_path).start()
    try:
        client = redis.Redis.from_url(server.url)
        client.set("k", "v")
        server.restart()
        assert redis.Redis.from_url(server.url).get("k") == b"v"
    finally:
        server.close()
    assert not redis_answers(server.url)


def test_embedded_redis_never_evicts_and_frees_expired_keys_in_the_background(tmp_path):
    with EmbeddedRedis(data_dir=tmp_path) as server:
        client = redis.Redis.from_url(server.url)
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        # a retired dedup lookup table is one key of up to millions of fields
        assert client.config_get("lazyfree-lazy-expire") == {"lazyfree-lazy-expire": "yes"}
