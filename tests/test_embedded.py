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
