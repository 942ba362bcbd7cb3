"""The task: a thin adapter from delivered messages to ``Pipeline.process`` and the publisher.

A message runs alone (``process_article``) or with other first deliveries in a batch
(``worker.tasks.batching`` gathers them; ``run_batch`` here runs them in a child). Each delivery is
counted; past ``max_deliveries`` the submission is dead-lettered as a poison message. Alone,
transient faults are retried in the task (``worker.tasks.delivery``) and any other failure, a soft
time limit included, ends the delivery: retried as a new delivery until the limit, then
dead-lettered as ``processing_failed`` (``time_limit`` for a soft time limit). In a batch, an
article whose outcome was published is acknowledged and every other one is requeued: it comes back
redelivered, and a redelivery always runs alone, under the policy above.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import structlog
from celery import Celery, Task
from celery.exceptions import Reject, SoftTimeLimitExceeded

from worker.config import Settings
from worker.core.pipeline import Result
from worker.logs import bound_to
from worker.state.publisher import UnencodablePublication
from worker.tasks import batching
from worker.tasks.app import TASK_NAME
from worker.tasks.delivery import backoff_delay, dead_letter, is_transient, retry_transient
from worker.tasks.runtime import Runtime, get_runtime

log = structlog.get_logger("eventwire.task")
T = TypeVar("T")


def register_task(app: Celery, settings: Settings) -> Task:
    """Define ``process_article`` on ``app`` and its batch runner; returns the task."""

    def transient(operation: Callable[[], T]) -> T:
        return retry_transient(operation, attempts=settings.transient_retries, base=1.0, cap=15.0,
                               on_retry=lambda n, e: log.warning("transient.retry", attempt=n,
                                                                 error=str(e)))

    @app.task(name=TASK_NAME, bind=True, Strategy=batching.STRATEGY)
    def process_article(self: Task, payload: Any) -> str:
        """Process one submitted article and publish its outcome (at most once per submission).

        A transient fault that outlasts the in-task retries gives the message back to the broker
        (``Reject``, requeue) instead of failing the task: Celery would reject a failed task's
        message without requeueing, and a Redis that answers but refuses (full) would let it go.
        When even the requeue cannot be written, the message stays unacked and returns after the
        visibility timeout.
        """
        try:
            return _run(self, payload)
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("article.requeued", error=str(error)[:300], task_id=self.request.id)
            raise Reject(f"transient fault: {error}"[:300], requeue=True) from error

    def _run(self: Task, payload: Any) -> str:
        submission_id = self.request.id
        with bound_to(task_id=submission_id, article_id=_article_id(payload)):
            runtime = get_runtime(settings)
            deliveries = transient(lambda: runtime.deliveries.count(submission_id))
            if deliveries > settings.max_deliveries:
                result = _poison(runtime, payload, submission_id, deliveries, transient)
            else:
                result = _process(self, runtime, payload, submission_id, deliveries, transient)
            return _publish(runtime, result, payload, submission_id, deliveries, transient)

    def run_batch(items: Sequence[tuple[str, Any]]) -> list[str]:
        """Process first deliveries ``(submission_id, payload)`` together (one ``nlp.pipe``); one
        verdict each: ``ACK`` once its outcome is published, else ``REQUEUE``. A soft time limit
        or a fault that outlasts the retries ends the batch: what is not published is requeued."""
        with bound_to(batch=len(items)):
            return _run_batch(items)

    def _run_batch(items: Sequence[tuple[str, Any]]) -> list[str]:
        verdicts = [batching.REQUEUE] * len(items)
        ended: set[int] = set()  # published, or its failure logged: nothing more to say of it
        runtime = get_runtime(settings)
        batch: list[tuple[int, str, Any, int]] = []
        try:
            counts = transient(lambda: runtime.deliveries.count_many([sid for sid, _ in items]))
            batch = [(n, sid, payload, deliveries)
                     for n, ((sid, payload), deliveries) in enumerate(zip(items, counts, strict=True))]
            for n, sid, payload, deliveries in batch:
                if deliveries > settings.max_deliveries:
                    with bound_to(task_id=sid, article_id=_article_id(payload)):
                        result = _poison(runtime, payload, sid, deliveries, transient)
                        _publish(runtime, result, payload, sid, deliveries, transient)
                    verdicts[n] = batching.ACK
                    ended.add(n)
            pending = [entry for entry in batch if entry[0] not in ended]
            outcomes = runtime.pipeline.process_many([(payload, sid) for _, sid, payload, _ in pending])
            for (n, sid, payload, deliveries), outcome in zip(pending, outcomes, strict=True):
                with bound_to(task_id=sid, article_id=_article_id(payload)):
                    if isinstance(outcome, Exception):
                        _log_failure(outcome, deliveries)
                    else:
                        _publish(runtime, outcome, payload, sid, deliveries, transient)
                        verdicts[n] = batching.ACK
                ended.add(n)
        except Exception as error:  # SoftTimeLimitExceeded included: the rest is requeued
            for n, sid, payload, deliveries in batch:
                if n not in ended:
                    with bound_to(task_id=sid, article_id=_article_id(payload)):
                        _log_failure(error, deliveries)
        return verdicts

    batching.register_runner(TASK_NAME, settings, run_batch)
    return process_article


def _article_id(payload: Any) -> Any:
    return payload.get("id") if isinstance(payload, dict) else None


def _log_failure(error: BaseException, deliveries: int) -> None:
    """A batched article's delivery ended without an outcome: it is requeued."""
    if is_transient(error):
        log.warning("article.requeued", error=str(error)[:300], deliveries=deliveries)
    else:
        log.error("article.failed", deliveries=deliveries, batched=True, exc_info=error)


def _poison(runtime: Runtime, payload: Any, submission_id: str, deliveries: int,
            transient: Callable[[Callable[[], Result]], Result]) -> Result:
    limit = runtime.settings.max_deliveries
    return transient(lambda: dead_letter(
        runtime.pipeline, payload, submission_id, reason="poison_message", deliveries=deliveries,
        message=f"delivered {deliveries} times without completing (limit {limit}); the worker "
                f"crashed or the task failed"))


def _publish(runtime: Runtime, result: Result, payload: Any, submission_id: str, deliveries: int,
             transient: Callable[[Callable[[], Any]], Any]) -> str:
    """Publish ``result`` (once per submission); returns its outcome."""
    try:
        published = transient(lambda: runtime.publisher.publish(result.publication))
    except UnencodablePublication as error:
        # Validation rejects what cannot be encoded; this is the net under it: nothing was
        # published or registered, so the outcome becomes a dead letter (encodable).
        message = f"the outcome cannot be encoded: {error}"[:500]
        result = transient(lambda: dead_letter(
            runtime.pipeline, payload, submission_id, reason="processing_failed",
            deliveries=deliveries, message=message))
        published = transient(lambda: runtime.publisher.publish(result.publication))
    log.info("article.done", outcome=result.outcome, reason=result.reason, deliveries=deliveries,
             envelopes=len(result.publication.envelopes), events=len(result.publication.events),
             published=published, stage_ms=result.timings)
    return result.outcome


def _process(task: Task, runtime: Runtime, payload: Any, submission_id: str, deliveries: int,
             transient: Callable[[Callable[[], Result]], Result]) -> Result:
    try:
        return transient(lambda: runtime.pipeline.process(payload, submission_id))
    except Exception as error:
        if is_transient(error):
            raise  # process_article gives the message back (Reject, requeue)
        log.exception("article.failed", deliveries=deliveries)
        if deliveries < runtime.settings.max_deliveries:
            try:
                raise task.retry(exc=error, countdown=backoff_delay(deliveries, base=1.0, cap=30.0),
                                 max_retries=None) from error
            except Reject as refused:
                # Celery could not send the retry (Reject, no requeue: the message would be
                # dropped); when the broker refused transiently, give the message back instead.
                cause = refused.reason
                if isinstance(cause, BaseException) and is_transient(cause):
                    raise cause from error
                raise
        reason = "time_limit" if isinstance(error, SoftTimeLimitExceeded) else "processing_failed"
        message = f"failed {deliveries} times: {type(error).__name__}: {error}"[:500]
        return transient(lambda: dead_letter(runtime.pipeline, payload, submission_id, reason=reason,
                                             deliveries=deliveries, message=message))
