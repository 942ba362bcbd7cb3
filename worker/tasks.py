"""Celery tasks: a thin adapter from a delivered message to ``Pipeline.process`` and the publisher.

Delivery policy (see ``worker.delivery``): each delivery is counted; past ``max_deliveries`` the
submission is dead-lettered. Transient faults are retried in the task with backoff and jitter; a
permanent error is retried as a new delivery until the limit, then dead-lettered.
"""

from __future__ import annotations

from typing import Any

import structlog

from worker.celery_app import TASK_NAME, make_celery
from worker.config import Settings
from worker.delivery import backoff_delay, is_transient, retry_transient
from worker.lifecycle import install
from worker.logs import bound_to
from worker.pipeline import Result
from worker.runtime import Runtime, get_runtime

settings = Settings.from_env()
app = make_celery(settings)
install(app, settings)
log = structlog.get_logger("eventwire.task")


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
