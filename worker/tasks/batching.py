"""Batched parsing: first deliveries gathered in the worker's main process and run together in one
child (``Pipeline.process_many``: one ``nlp.pipe`` over the originals), each message still acked or
requeued on its own.

How: the task's strategy is Celery's own (``celery.worker.strategy.default``: decoding, revokes,
ETAs, events, reserved-request bookkeeping), handed a consumer whose ``on_task_request`` is a
``Gatherer``. A request that is not a first delivery (redelivered, a retry, with its own time
limits) runs alone at once, as Celery would run it. The others wait in a buffer that goes to the
pool when it holds ``EVENTWIRE_BATCH_SIZE`` requests or ``EVENTWIRE_BATCH_WAIT_MS`` after its first
(a buffer of one runs alone). The child returns one verdict per request (``worker.tasks.process``:
``ACK`` once the article's outcome is published, else ``REQUEUE``) and the main process acks or
requeues each message. When the child dies or the batch passes its hard time limit, every message of
the batch is requeued. A requeued message comes back redelivered and so runs alone: a batch holding
an article that kills its child is split after one crash, and its other articles spend one extra
delivery, not their whole allowance.

Why not celery-batches, the maintained library for this: it supports Celery below 5.7 only; it acks
every request of a batch whose function raised and leaves a dead child's requests unacked (holding
prefetch slots until a restart); its batches run without time limits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import structlog
from celery.concurrency import prefork
from celery.worker import state as worker_state
from celery.worker.strategy import default as default_strategy

from worker.config import Settings

log = structlog.get_logger("eventwire.batching")

#: ``Strategy`` of the article task (Celery instantiates it per consumer start)
STRATEGY = "worker.tasks.batching:gathering_strategy"
ACK, REQUEUE = "ack", "requeue"

#: task name -> (settings, batch runner); filled by ``register_runner`` before the pool forks
_runners: dict[str, tuple[Settings, Callable[[Sequence[tuple[str, Any]]], list[str]]]] = {}


def register_runner(task_name: str, settings: Settings,
                    runner: Callable[[Sequence[tuple[str, Any]]], list[str]]) -> None:
    """Name the function a child runs for a batch of ``task_name`` (returns one verdict each)."""
    _runners[task_name] = (settings, runner)


def run_batch(task_name: str, items: list[tuple[str, Any]]) -> list[str]:
    """The pool's target (module level: the child finds it by name)."""
    return _runners[task_name][1](items)


def gathering_strategy(task: Any, app: Any, consumer: Any, **options: Any) -> Callable[..., Any]:
    """Celery's default strategy for ``task``, its runnable requests going through a ``Gatherer``
    (prefork pool only: the solo and threads pools have no time limits and share one runtime)."""
    settings, _ = _runners[task.name]
    if settings.batch_size <= 1 or not isinstance(consumer.pool, prefork.TaskPool):
        return default_strategy(task, app, consumer, **options)
    gatherer = Gatherer(consumer, task.name, settings)
    return default_strategy(task, app, _Handing(consumer, gatherer), **options)


class _Handing:
    """``consumer`` with another ``on_task_request``; everything else is the consumer's own."""

    def __init__(self, consumer: Any, on_task_request: Callable[[Any], Any]) -> None:
        self._consumer = consumer
        self.on_task_request = on_task_request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._consumer, name)


def is_first_delivery(request: Any) -> bool:
    """Batch only what has never been tried: a redelivery or retry may be the article that failed
    or killed the child, and runs alone under the full delivery policy."""
    return (not request.delivery_info.get("redelivered")
            and not request.request_dict.get("retries")
            and tuple(request.time_limits) == (None, None))


class Gatherer:
    """Buffers first deliveries and sends them to the pool as batches (runs in the main process)."""

    def __init__(self, consumer: Any, task_name: str, settings: Settings) -> None:
        self.run_alone: Callable[[Any], Any] = consumer.on_task_request
        self.pool = consumer.pool
        self.timer = consumer.timer
        self.task_name = task_name
        self.settings = settings
        self.size = settings.batch_size
        self.wait = settings.batch_wait_ms / 1000
        self.buffer: list[Any] = []
        self.flush_timer: Any = None
        self.lock = threading.Lock()  # in case the timer fires on a thread of its own

    def __call__(self, request: Any) -> None:
        if not is_first_delivery(request):
            self.run_alone(request)
            return
        with self.lock:
            self.buffer.append(request)
            full = len(self.buffer) >= self.size
            if not full and self.flush_timer is None:
                self.flush_timer = self.timer.call_after(self.wait, self.flush)
        if full:
            self.flush()

    def flush(self) -> None:
        """Send what is buffered: one request alone, several as a batch."""
        with self.lock:
            batch, self.buffer = self.buffer, []
            if self.flush_timer is not None:
                self.flush_timer.cancel()
                self.flush_timer = None
        batch = [request for request in batch if not request.revoked()]
        if len(batch) == 1:
            self.run_alone(batch[0])
        elif batch:
            try:
                self.pool.apply_async(
                    run_batch, args=(self.task_name, [(r.id, r.args[0]) for r in batch]),
                    accept_callback=partial(_accepted, batch),
                    callback=partial(_settle, batch),
                    error_callback=partial(_requeue_all, batch, self.settings),
                    soft_timeout=self.settings.task_soft_time_limit,
                    timeout=self.settings.task_time_limit)
            except Exception as error:  # the pool is closing (shutdown): the messages go back
                _requeue_all(batch, self.settings, error)


def _accepted(batch: list[Any], pid: int, time_accepted: float) -> None:
    for request in batch:
        request.on_accepted(pid, time_accepted)


def _settle(batch: list[Any], verdicts: list[str]) -> None:
    """Ack each request whose outcome was published; requeue the others."""
    for request, verdict in zip(batch, verdicts, strict=True):
        if verdict == ACK:  # Celery's own handler: bookkeeping, the ack, the task-succeeded event
            request.on_success((False, verdict, time.time() - (request.time_start or time.time())))
        else:
            worker_state.task_ready(request)
            request.reject(requeue=True)


def _requeue_all(batch: list[Any], settings: Settings, exc_info: Any) -> None:
    """The child died (killed, or past the hard time limit), or the pool refused the batch: nothing
    of it is known done."""
    error = getattr(exc_info, "exception", exc_info)
    error = getattr(error, "exc", error)  # billiard's ExceptionWithTraceback wraps it
    for request in batch:
        # the wording of Celery's own line for a request that passed the hard limit
        log.error(f"Hard time limit ({settings.task_time_limit}s) exceeded for "
                  f"{request.name}[{request.id}] (in a batch of {len(batch)}); requeued"
                  if "TimeLimitExceeded" in type(error).__name__ else "batch.requeued",
                  task_id=request.id, error=repr(error)[:300], batch=len(batch))
        worker_state.task_ready(request)
        request.reject(requeue=True)
