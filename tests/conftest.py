"""Shared fixtures: a private redis-server per test session, settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from worker.config import Settings
from worker.state.embedded import EmbeddedRedis


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


@pytest.fixture
def pipeline(redis_client: redis.Redis, settings: Settings):
    """The service's pipeline on the private server (dedup index and event registry in Redis)."""
    from worker.core.nlp import load_model
    from worker.core.pipeline import Pipeline
    from worker.state.dedup import RedisDedupIndex
    from worker.state.registry import RedisEventRegistry

    return Pipeline(settings, RedisDedupIndex(redis_client, settings),
                    RedisEventRegistry(redis_client, settings), load_model(settings.spacy_model))


@pytest.fixture
def publisher(redis_client: redis.Redis, settings: Settings):
    """The service's publisher on the private server (no ledger)."""
    from worker.state.publisher import RedisPublisher

    return RedisPublisher(redis_client, settings, ledger=False)


FAULT_ROWS: list[dict[str, object]] = []


@pytest.fixture(scope="session")
def fault_table() -> list[dict[str, object]]:
    """Rows of the fault table (fault, injected, submitted, outcomes, lost, doubled)."""
    return FAULT_ROWS


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the fault table and write it to reports/faults.json when fault tests ran."""
    if not FAULT_ROWS:
        return
    import json
    from pathlib import Path

    columns = ["fault", "injected", "submitted", "outcomes", "lost", "doubled", "redelivered",
               "held_at_kill", "seconds"]
    terminalreporter.section("fault table")
    for row in [dict(zip(columns, columns, strict=True)), *FAULT_ROWS]:
        terminalreporter.write_line("  ".join(
            f"{row.get(c, '-')!s:>12}" if c != "fault" else f"{row[c]!s:<28}" for c in columns))
    Path("reports").mkdir(exist_ok=True)
    Path("reports/faults.json").write_text(json.dumps(FAULT_ROWS, indent=2))
