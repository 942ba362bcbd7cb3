"""Work-arounds for known faults in libraries we depend on, each applied once, each explained."""

from __future__ import annotations

import functools
from typing import Any

import redis
import structlog
from kombu.transport import redis as kombu_redis

log = structlog.get_logger("eventwire.compat")


def tolerate_lost_broker_on_restore() -> None:
    """Keep a worker alive when Redis goes away while it holds unacked messages.

    On connection loss Celery closes the channel, and kombu's Redis QoS then tries to push the
    worker's unacked messages back through a connection whose client is already gone: an
    ``AttributeError`` (seen with kombu 5.7 when Redis is killed and restarted) that Celery treats as
    unrecoverable, so the worker exits instead of reconnecting. Skipping that restore is safe: the
    messages stay in Redis's ``unacked`` hash and come back after the visibility timeout, and every
    effect of a task is idempotent.
    """
    qos = kombu_redis.QoS
    if getattr(qos.restore_unacked, "_eventwire_patched", False):
        return
    original = qos.restore_unacked

    @functools.wraps(original)
    def restore_unacked(self: Any, client: Any = None) -> Any:
        try:
            return original(self, client)
        except (AttributeError, redis.ConnectionError) as error:
            log.warning("broker.restore_skipped", error=repr(error),
                        note="unacked messages return after the visibility timeout")
            return None

    restore_unacked._eventwire_patched = True  # type: ignore[attr-defined]
    qos.restore_unacked = restore_unacked
