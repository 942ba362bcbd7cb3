"""Shared fixtures: a private redis-server per test session, settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from worker.config import Settings
from worker.embedded import EmbeddedRedis


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis]:
    """A private redis-server on a free port, for the whole test session."""
    with EmbeddedRedis() as server:
        yield server


@pytest.fixture
def redis_client(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    """A client on the private server; the database is emptied before each test."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def settings(redis_server: EmbeddedRedis, redis_client: redis.Redis) -> Settings:
    """Settings aimed at the private server, on an emptied database."""
    return Settings(redis_url=redis_server.url, log_format="console")
