"""The submission ledger: a record of every enqueued submission until its outcome is published.

Why: kombu's Redis transport pops a message (BRPOP) before it records it as unacked, so a worker
killed in that instant loses the message: no visibility timeout brings it back. The producer
therefore writes each submission to the ledger before sending it; the publish-once script strikes
it off atomically with the outcome; and a reconciler in every worker re-sends (same task id) any
submission that is overdue and is neither in the queue nor held unacked. Idempotent effects make a
needless re-send harmless; a submission re-sent ``max_deliveries`` times is dead-lettered
(``reconcile``; the worker's main process runs it periodically, see ``worker.tasks.lifecycle``).

Keys (``worker.state.keys``): the index (sorted set: submission id → last send time) and the
payloads (hash: submission id → JSON ``{"payload", "resends"}``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis
import structlog

from worker.config import Settings
from worker.state.keys import Keys

log = structlog.get_logger("eventwire.ledger")

#: Above this queue length the reconciler cannot cheaply tell queued from lost, and waits.
MAX_SCANNED_QUEUE = 10_000


@dataclass(frozen=True)
class Overdue:
    """A submission without an outcome past its deadline."""

    submission_id: str
    payload: Any
    resends: int


class SubmissionLedger:
    """Reads and writes the ledger in the state Redis."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        keys = Keys(settings)
        self.index, self.payloads = keys.ledger_index, keys.ledger_payload

    def record(self, submission_id: str, payload: Any, resends: int = 0) -> None:
        """Note a submission as sent now (before it is handed to the broker)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self.payloads, submission_id, json.dumps({"payload": payload, "resends": resends}))
        pipe.zadd(self.index, {submission_id: time.time()})
        pipe.execute()

    def forget(self, submission_id: str) -> None:
        """Strike a submission off (the publish script does this itself on publication)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.zrem(self.index, submission_id)
        pipe.hdel(self.payloads, submission_id)
        pipe.execute()

    def overdue(self, older_than: float, limit: int = 100) -> list[Overdue]:
        """Submissions last sent more than ``older_than`` seconds ago and still unpublished."""
        ids = self.client.zrangebyscore(self.index, "-inf", time.time() - older_than, start=0, num=limit)
        if not ids:
            return []
        found = []
        for sid, raw in zip(ids, self.client.hmget(self.payloads, ids), strict=True):
            if raw is not None:
                record = json.loads(raw)
                found.append(Overdue(sid.decode(), record["payload"], int(record["resends"])))
        return found

    def pending(self) -> int:
        """How many submissions await an outcome."""
        return int(self.client.zcard(self.index))


def task_ids_in(raw_messages: Iterable[bytes]) -> set[str]:
    """Celery task ids of kombu messages as stored in the queue list or the ``unacked`` hash."""
    ids = set()
    for raw in raw_messages:
        try:
            message = json.loads(raw)
            if isinstance(message, list):  # unacked entries are [message, exchange, routing_key]
                message = message[0]
            ids.add(message["headers"]["id"])
        except (ValueError, KeyError, TypeError, IndexError):
            continue
    return ids


def find_lost(ledger: SubmissionLedger, broker: redis.Redis, queue: str,
              older_than: float, unacked: str) -> list[Overdue] | None:
    """Overdue submissions that are neither queued nor held unacked: lost in transit.

    None when the queue is too long to scan (a backlog; try later). The queue is read before the
    unacked hash, so a message moving from one to the other between the reads is seen in one.
    """
    overdue = ledger.overdue(older_than)
    if not overdue:
        return []
    if broker.llen(queue) > MAX_SCANNED_QUEUE:
        return None
    queued = task_ids_in(broker.lrange(queue, 0, -1))
    held = task_ids_in(broker.hvals(unacked))
    return [o for o in overdue if o.submission_id not in queued | held]


def reconcile(ledger: SubmissionLedger, broker: redis.Redis, settings: Settings,
              resend: Callable[[Overdue], None], dead_letter: Callable[[Overdue], None]) -> int:
    """Re-send (or dead-letter) lost submissions once; returns how many were handled.

    One worker at a time: a short lock keeps two reconcilers from re-sending the same message.
    """
    lock = Keys(settings).ledger_lock
    if not ledger.client.set(lock, "1", nx=True, ex=max(5, settings.visibility_timeout // 10)):
        return 0
    try:
        lost = find_lost(ledger, broker, settings.queue, older_than=settings.visibility_timeout,
                         unacked=Keys(settings).broker_unacked)
        for item in lost or []:
            if ledger.client.zscore(ledger.index, item.submission_id) is None:
                continue  # published meanwhile
            if item.resends >= settings.max_deliveries:
                log.error("ledger.dead_letter", submission_id=item.submission_id, resends=item.resends)
                dead_letter(item)
                ledger.forget(item.submission_id)
            else:
                log.warning("ledger.resend", submission_id=item.submission_id, resends=item.resends + 1)
                ledger.record(item.submission_id, item.payload, item.resends + 1)
                resend(item)
        return len(lost or [])
    finally:
        ledger.client.delete(lock)
