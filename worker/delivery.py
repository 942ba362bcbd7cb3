"""Delivery policy: count deliveries per submission, tell transient faults from permanent ones.

At-least-once delivery means a message can come back: after a crash (``task_reject_on_worker_lost``
requeues it at once) or after the visibility timeout. A message that kills its worker every time
would loop forever, so every delivery is counted in Redis and, past ``max_deliveries``, the
submission goes to the DLQ instead of the pipeline.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from celery.exceptions import SoftTimeLimitExceeded

from worker.config import Settings

T = TypeVar("T")

#: Faults worth retrying: the service behind them may come back (Redis restarting, a network blip).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, ConnectionError,
    TimeoutError, SoftTimeLimitExceeded,
)


def is_transient(error: BaseException) -> bool:
    """True for faults that a later attempt may not meet (connection lost, timeouts)."""
    if isinstance(error, redis.ResponseError):
        return str(error).startswith(("LOADING", "MASTERDOWN", "TRYAGAIN", "READONLY"))
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


class DeliveryCounter:
    """Counts deliveries of each submission in Redis (``<prefix>deliveries:<sha256>``)."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def key(self, submission_id: str) -> str:
        """Counter key of a submission (hashed: producer strings never become key fragments)."""
        return self.settings.hashed_key("deliveries", submission_id)

    def count(self, submission_id: str) -> int:
        """Record one more delivery of ``submission_id`` and return how many there have been."""
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(self.key(submission_id))
        pipe.expire(self.key(submission_id), self.settings.dedup_window_seconds)
        deliveries, _ = pipe.execute()
        return int(deliveries)
