"""Celery tasks: a thin adapter from a delivered message to ``Pipeline.process`` and the publisher.

Delivery policy (see ``worker.delivery``): each delivery is counted; past ``max_deliveries`` the
submission is dead-lettered. Transient faults are retried in the task with backoff and jitter; a
permanent error is retried as a new delivery until the limit, then dead-lettered.
"""

from __future__ import annotations

from typing import Any

import redis
import structlog
from celery import signals

from worker.celery_app import TASK_NAME, make_celery
from worker.client import send_article
from worker.compat import tolerate_lost_broker_on_restore
from worker.config import Settings
from worker.connections import state_client, uses_redis_broker
from worker.delivery import backoff_delay, is_transient, retry_transient
from worker.health import start_heartbeat
from worker.ledger import Overdue, SubmissionLedger, reconcile
from worker.logs import bound_to, configure_logging
from worker.nlp import load_model
from worker.periodic import run_every
from worker.pipeline import Result
from worker.runtime import Runtime, get_runtime, reset_runtime

settings = Settings.from_env()
app = make_celery(settings)
tolerate_lost_broker_on_restore()
log = structlog.get_logger("eventwire.task")


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    configure_logging(settings)


@signals.worker_init.connect
def _preload_model(**_: Any) -> None:
    """Load spaCy in the main process so forked children inherit it."""
    load_model(settings.spacy_model)


@signals.worker_ready.connect
def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    """Beat from the main process so ``eventwire health`` sees the worker alive."""
    hostname = getattr(sender, "hostname", None) or "eventwire-worker"
    start_heartbeat(state_client(settings), settings, hostname)


@signals.worker_ready.connect
def _start_reconciler(**_: Any) -> None:
    """Re-send submissions lost in transit (see ``worker.ledger``); Redis brokers only."""
    if not uses_redis_broker(settings):
        return
    ledger = SubmissionLedger(state_client(settings), settings)
    broker = redis.Redis.from_url(settings.effective_broker_url or "", socket_timeout=10)
    run_every(max(1, settings.visibility_timeout // 10),
              lambda: reconcile(ledger, broker, settings, _resend, _dead_letter_lost), "reconciler")


def _resend(item: Overdue) -> None:
    send_article(app, settings, item.payload, item.submission_id)


def _dead_letter_lost(item: Overdue) -> None:
    runtime = get_runtime()
    result = runtime.pipeline.dead_letter(
        item.payload, item.submission_id, reason="poison_message", deliveries=item.resends,
        message=f"sent {item.resends + 1} times and never processed (lost in transit each time)")
    runtime.publisher.publish(result.publication)


@signals.worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    reset_runtime()


@app.task(name=TASK_NAME, bind=True)
def process_article(self: Any, payload: Any) -> str:
    """Process one submitted article and publish its outcome (at most once per submission)."""
    submission_id = self.request.id
    article_id = payload.get("id") if isinstance(payload, dict) else None
    with bound_to(task_id=submission_id, article_id=article_id):
        runtime = get_runtime()
        deliveries = _transient(lambda: runtime.deliveries.count(submission_id))
        if deliveries > settings.max_deliveries:
            log.error("article.poison", deliveries=deliveries)
            result = runtime.pipeline.dead_letter(
                payload, submission_id, reason="poison_message", deliveries=deliveries,
                message=f"delivered {deliveries} times without completing "
                        f"(limit {settings.max_deliveries}); the worker crashed or the task failed")
        else:
            result = _process(self, runtime, payload, submission_id, deliveries)
        published = _transient(lambda: runtime.publisher.publish(result.publication))
        log.info("article.done", outcome=result.outcome, reason=result.reason, deliveries=deliveries,
                 envelopes=len(result.publication.envelopes), published=published,
                 stage_ms=result.timings)
        return result.outcome


def _process(task: Any, runtime: Runtime, payload: Any, submission_id: str, deliveries: int) -> Result:
    try:
        return _transient(lambda: runtime.pipeline.process(payload, submission_id))
    except Exception as error:
        if is_transient(error):
            raise  # unacked: redelivered after the visibility timeout, and counted again
        log.exception("article.failed", deliveries=deliveries)
        if deliveries < settings.max_deliveries:
            raise task.retry(exc=error, countdown=backoff_delay(deliveries, base=1.0, cap=30.0),
                             max_retries=None) from error
        return runtime.pipeline.dead_letter(
            payload, submission_id, reason="processing_failed", deliveries=deliveries,
            message=f"failed {deliveries} times: {type(error).__name__}: {error}"[:500])


def _transient(operation: Any) -> Any:
    return retry_transient(operation, attempts=settings.transient_retries, base=1.0, cap=15.0,
                           on_retry=lambda n, e: log.warning("transient.retry", attempt=n, error=str(e)))
