"""Per-process runtime of a worker: settings, the spaCy model, Redis, pipeline and publisher.

The model is loaded once in the worker's main process before the pool forks, so every child starts
with it (no per-task load, and no child exceeds Celery's 4 s ``worker_process_init`` budget). Redis
connections are opened lazily in each child, never shared across a fork.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import redis

from worker.config import Settings
from worker.connections import state_client
from worker.dedup import RedisDedupIndex
from worker.delivery import DeliveryCounter
from worker.nlp import load_model
from worker.pipeline import Pipeline
from worker.publishing import RedisPublisher
from worker.registry import RedisEventRegistry


@dataclass
class Runtime:
    """What a worker process needs to run tasks."""

    settings: Settings
    client: redis.Redis
    pipeline: Pipeline
    publisher: RedisPublisher
    deliveries: DeliveryCounter


_runtime: Runtime | None = None
_runtime_pid: int | None = None


def build_runtime(settings: Settings) -> Runtime:
    """Connect to Redis and assemble the pipeline (the model comes from the process cache)."""
    client = state_client(settings)
    pipeline = Pipeline(settings, RedisDedupIndex(client, settings),
                        RedisEventRegistry(client, settings), load_model(settings.spacy_model))
    return Runtime(settings, client, pipeline, RedisPublisher(client, settings),
                   DeliveryCounter(client, settings))


def get_runtime() -> Runtime:
    """This process's runtime, built on first use (and rebuilt after a fork)."""
    global _runtime, _runtime_pid
    if _runtime is None or _runtime_pid != os.getpid():
        _runtime = build_runtime(Settings.from_env())
        _runtime_pid = os.getpid()
    return _runtime


def reset_runtime() -> None:
    """Forget this process's runtime (a forked child must not reuse its parent's sockets)."""
    global _runtime, _runtime_pid
    _runtime = None
    _runtime_pid = None
