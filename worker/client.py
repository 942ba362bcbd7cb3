"""Producer client: validate locally, assign ids, send ``process_article`` by name.

A producer needs only this module and the schemas: it never imports the pipeline, spaCy or the tasks.

    producer = Producer.from_env()
    article_id = producer.submit({"text": "...", "source": "Daily Planet"})
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import redis
from kombu.exceptions import OperationalError

from worker.config import Settings, mask_secrets
from worker.core.contract import derive_article_id, validate_article
from worker.state.connections import state_client
from worker.state.ledger import SubmissionLedger
from worker.state.lookup import Lookup
from worker.tasks.app import broker_loses_messages, make_celery, send_article


class BrokerUnavailable(ConnectionError):
    """The broker or the state Redis did not take the submission: unreachable within the connect
    timeout, timed out, or refused it (a Redis that is full, read-only or loading). Nothing was
    enqueued; the submission may be retried."""


@dataclass(frozen=True)
class Submission:
    """One enqueued article: its id and the submission (task) id that identifies this delivery."""

    article_id: str
    submission_id: str


class Producer:
    """Submits articles to the ``articles`` queue."""

    def __init__(self, settings: Settings) -> None:
        if not settings.effective_broker_url:
            raise BrokerUnavailable("no broker configured: set EVENTWIRE_REDIS_URL "
                                    "(or EVENTWIRE_BROKER_URL)")
        self.settings = settings
        self.app = make_celery(settings)
        self._checked = False
        state = state_client(settings) if settings.redis_url else None
        self.ledger = (SubmissionLedger(state or state_client(settings), settings)
                       if broker_loses_messages(settings) else None)
        # the article's status reads ``queued`` until its outcome is published
        self.lookup = Lookup(state, settings) if state is not None else None

    @classmethod
    def from_env(cls) -> Producer:
        """A producer configured from ``EVENTWIRE_*`` environment variables."""
        return cls(Settings.from_env())

    def submit(self, article: Mapping[str, Any]) -> Submission:
        """Validate ``article`` (raises ``InvalidArticle``), give it an id if it has none, enqueue it."""
        payload = dict(article)
        validate_article(payload, max_payload_bytes=self.settings.max_payload_bytes)
        payload.setdefault("id", derive_article_id(payload))
        self._ensure_broker()
        submission_id = str(uuid.uuid4())
        queued = False
        try:
            if self.lookup:
                queued = self.lookup.mark_queued(payload["id"])
            if self.ledger:  # before sending: a message lost in transit is re-sent from the ledger
                self.ledger.record(submission_id, payload)
        except (redis.RedisError, OSError) as exc:
            raise BrokerUnavailable(mask_secrets(
                f"Redis {self.settings.redis_url} did not take the submission: "
                f"{type(exc).__name__}: {exc}")) from exc
        try:
            send_article(self.app, self.settings, payload, submission_id)
        except (OperationalError, redis.RedisError, OSError) as exc:
            with contextlib.suppress(redis.RedisError, OSError):
                if self.ledger:
                    self.ledger.forget(submission_id)
                if queued and self.lookup:
                    self.lookup.unmark_queued(payload["id"])
            raise BrokerUnavailable(mask_secrets(
                f"broker {self.settings.effective_broker_url} did not take the submission: "
                f"{type(exc).__name__}: {exc}")) from exc
        return Submission(payload["id"], submission_id)

    def submit_many(self, articles: Iterable[Mapping[str, Any]]) -> list[Submission]:
        """Validate every article first, then enqueue them all (none is sent if one is invalid)."""
        payloads = [dict(a) for a in articles]
        for payload in payloads:
            validate_article(payload, max_payload_bytes=self.settings.max_payload_bytes)
        return [self.submit(p) for p in payloads]

    def _ensure_broker(self) -> None:
        if self._checked:
            return
        try:
            with self.app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, interval_start=0.2, interval_step=0.2,
                                       timeout=self.settings.connect_timeout)
        except (OperationalError, redis.RedisError, OSError) as exc:
            raise BrokerUnavailable(mask_secrets(
                f"broker {self.settings.effective_broker_url} unreachable: {exc}")) from exc
        self._checked = True

    def close(self) -> None:
        """Release the broker connection pool."""
        self.app.close()

