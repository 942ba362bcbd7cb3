"""Work-arounds for known faults in libraries we depend on, each applied once, each explained."""

from __future__ import annotations

import functools
from typing import Any

import redis
import structlog
from kombu.transport import redis as kombu_redis

log = structlog.get_logger("eventwire.compat")


def tolerate_lost_broker() -> None:
    """Keep a worker alive when Redis goes away while it holds unacked messages.

    On connection loss Celery closes the channel, and kombu's Redis QoS then tries to reach Redis
    through a connection whose client is already gone, an ``AttributeError`` (seen with kombu 5.x
    when Redis is killed and restarted) that Celery treats as unrecoverable, so the worker exits or
    its consumer stops instead of reconnecting. Three places meet it: pushing the unacked messages back
    when the channel closes (``restore_unacked``), acknowledging a task that finished while the
    connection was down (``ack``), and requeueing one (``reject``: a batch's articles that met the
    outage are requeued by the main process, on the channel the outage closed). Skipping any is safe:
    the message stays in Redis's ``unacked`` hash and comes back after the visibility timeout, and
    every effect of a task is idempotent (published once, counted once). ``reject`` is skipped whole:
    its requeue failing must not be followed by its ack, which would drop the message.
    """
    _skip_when_broker_gone("restore_unacked", "broker.restore_skipped")
    _skip_when_broker_gone("ack", "broker.ack_skipped")
    _skip_when_broker_gone("reject", "broker.requeue_skipped")


def _skip_when_broker_gone(name: str, event: str) -> None:
    qos = kombu_redis.QoS
    original = getattr(qos, name)
    if getattr(original, "_eventwire_patched", False):
        return

    @functools.wraps(original)
    def tolerant(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        except (AttributeError, redis.ConnectionError) as error:
            log.warning(event, error=repr(error), note="unacked messages return after the visibility timeout")
            return None

    tolerant._eventwire_patched = True  # type: ignore[attr-defined]
    setattr(qos, name, tolerant)
