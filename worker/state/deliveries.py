"""Delivery counts per submission, in Redis: how often a message came back.

At-least-once delivery means a message can return after a crash or the visibility timeout; a
message that kills its worker every time would loop forever. The Celery layer counts every delivery
here and dead-letters a submission past ``max_deliveries``.
"""

from __future__ import annotations

import redis

from worker.config import Settings
from worker.state.keys import Keys


class DeliveryCounter:
    """Counts deliveries of each submission (the key expires with the dedup window)."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.keys = Keys(settings)
        self.window = settings.dedup_window_seconds

    def count(self, submission_id: str) -> int:
        """Record one more delivery of ``submission_id`` and return how many there have been."""
        return self.count_many([submission_id])[0]

    def count_many(self, submission_ids: list[str]) -> list[int]:
        """``count`` for each of ``submission_ids``, in one round trip."""
        pipe = self.client.pipeline(transaction=True)
        for submission_id in submission_ids:
            key = self.keys.deliveries(submission_id)
            pipe.incr(key)
            pipe.expire(key, self.window)
        return [int(deliveries) for deliveries in pipe.execute()[::2]]
