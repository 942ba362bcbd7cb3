"""Per-process runtime of a worker: the pipeline on Redis state, the publisher, the delivery counter.

The model is loaded once in the worker's main process before the pool forks, so every child starts
with it (no per-task load, and no child exceeds Celery's 4 s ``worker_process_init`` budget). Redis
connections are opened lazily in each child, never shared across a fork.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded

from worker.config import Settings
from worker.core.nlp import load_model
from worker.core.pipeline import Pipeline
from worker.state.connections import state_client
from worker.state.dedup import RedisDedupIndex
from worker.state.deliveries import DeliveryCounter
from worker.state.publisher import RedisPublisher
from worker.state.registry import RedisEventRegistry
from worker.tasks.app import broker_loses_messages
from worker.tasks.metrics import MeteredPublisher


@dataclass
class Runtime:
    """What a worker process needs to run tasks."""

    settings: Settings
    pipeline: Pipeline
    publisher: MeteredPublisher  # a RedisPublisher that counts what it publishes
    deliveries: DeliveryCounter


_runtime: Runtime | None = None
_runtime_pid: int | None = None


def build_runtime(settings: Settings) -> Runtime:
    """Connect to Redis and assemble the pipeline (the model comes from the process cache)."""
    client = state_client(settings)
    pipeline = Pipeline(settings, RedisDedupIndex(client, settings),
                        RedisEventRegistry(client, settings), load_model(settings.spacy_model),
                        interrupts=(SoftTimeLimitExceeded,))
    publisher = RedisPublisher(client, settings, ledger=broker_loses_messages(settings))
    return Runtime(settings, pipeline, MeteredPublisher(publisher, client, settings),
                   DeliveryCounter(client, settings))


def get_runtime(settings: Settings) -> Runtime:
    """This process's runtime, built on first use (and rebuilt after a fork)."""
    global _runtime, _runtime_pid
    if _runtime is None or _runtime_pid != os.getpid():
        _runtime = build_runtime(settings)
        _runtime_pid = os.getpid()
    return _runtime


def reset_runtime() -> None:
    """Forget this process's runtime (a forked child must not reuse its parent's sockets)."""
    global _runtime, _runtime_pid
    _runtime = None
    _runtime_pid = None
