"""Delivery policy: which faults are retried in the task, and the one way a submission is dead-lettered.

At-least-once delivery means a message can come back: after a crash (``task_reject_on_worker_lost``
requeues it at once) or after the visibility timeout. Every delivery is counted
(``worker.state.deliveries``); past ``max_deliveries`` the submission is dead-lettered instead of
processed. Transient faults (Redis restarting) are retried inside the task with backoff and jitter;
anything else, a soft time limit included, fails that delivery.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
import structlog

from worker.core.pipeline import Pipeline, Result

T = TypeVar("T")
log = structlog.get_logger("eventwire.delivery")

#: Faults worth retrying: the service behind them may come back (Redis restarting, a network blip).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, ConnectionError,
    TimeoutError,
)


def is_transient(error: BaseException) -> bool:
    """True for faults that a later attempt may not meet (connection lost, timeouts, a Redis that
    refuses writes because it is full: it gets room when consumers trim or memory is added)."""
    if isinstance(error, redis.ResponseError):
        return str(error).startswith(("LOADING", "MASTERDOWN", "TRYAGAIN", "READONLY", "OOM"))
    return isinstance(error, TRANSIENT_ERRORS)


def backoff_delay(attempt: int, *, base: float = 0.5, cap: float = 30.0) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
    return random.uniform(0.0, min(cap, base * 2 ** attempt))


def retry_transient(operation: Callable[[], T], *, attempts: int, base: float = 0.5,
                    cap: float = 10.0, sleep: Callable[[float], None] = time.sleep,
                    on_retry: Callable[[int, BaseException], None] | None = None) -> T:
    """Run ``operation``; on a transient fault wait (backoff and jitter) and try again, ``attempts`` times.

    Safe only for idempotent operations: every pipeline effect is keyed by submission id.
    """
    for attempt in range(attempts):
        try:
            return operation()
        except Exception as error:
            if not is_transient(error) or attempt == attempts - 1:
                raise
            if on_retry:
                on_retry(attempt + 1, error)
            sleep(backoff_delay(attempt, base=base, cap=cap))
    raise AssertionError("unreachable")  # pragma: no cover


def dead_letter(pipeline: Pipeline, payload: Any, submission_id: str, *, reason: str, message: str,
                deliveries: int) -> Result:
    """The outcome that gives up on a submission: rejected with ``reason``, its payload on the DLQ
    with how often it was delivered. The one dead-letter path of the task and the reconciler.

    An earlier delivery may have passed the dedup check and indexed the article as an original:
    that record is taken back first (atomically), so a later copy is processed, not called a
    duplicate of an article that has no events. Then the outcome is published."""
    log.error("article.dead_letter", reason=reason, deliveries=deliveries, detail=message)
    pipeline.forget(payload, submission_id)
    result = pipeline.dead_letter(payload, submission_id, reason=reason, message=message)
    if result.publication.dlq is not None:
        result.publication.dlq["deliveries"] = str(deliveries)
    return result
