"""Celery tasks: a thin adapter from a delivered message to ``Pipeline.process`` and the publisher."""

from __future__ import annotations

from typing import Any

import structlog
from celery import signals

from worker.celery_app import TASK_NAME, make_celery
from worker.config import Settings
from worker.health import start_heartbeat
from worker.logs import bound_to, configure_logging
from worker.nlp import load_model
from worker.runtime import get_runtime, redis_client, reset_runtime

settings = Settings.from_env()
app = make_celery(settings)
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
    start_heartbeat(redis_client(settings), settings, hostname)


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
        result = runtime.pipeline.process(payload, submission_id)
        published = runtime.publisher.publish(result.publication)
        log.info("article.done", outcome=result.outcome, reason=result.reason,
                 envelopes=len(result.publication.envelopes), published=published,
                 stage_ms=result.timings)
        return result.outcome
