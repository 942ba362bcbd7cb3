"""The worker process's life around the tasks: logging, model preload, fresh connections after a
fork, the heartbeat (``worker.tasks.beat``) and the ledger reconciler. Kept apart so that the task
module stays thin.
"""

from __future__ import annotations

import gc
from typing import Any

import redis
import structlog
from celery import Celery, signals

from worker.config import Settings
from worker.core.language import detector_codes, preload_detector
from worker.core.nlp import load_model
from worker.logs import configure_logging
from worker.state.connections import state_client
from worker.state.ledger import Overdue, SubmissionLedger, reconcile
from worker.tasks.app import broker_loses_messages, send_article
from worker.tasks.beat import install_heartbeat
from worker.tasks.compat import tolerate_lost_broker
from worker.tasks.delivery import dead_letter
from worker.tasks.exporter import start_exporter
from worker.tasks.periodic import run_every
from worker.tasks.runtime import get_runtime, reset_runtime

log = structlog.get_logger("eventwire.lifecycle")


def install(app: Celery, settings: Settings) -> None:
    """Connect the worker signal handlers for ``app`` (call once per process)."""
    tolerate_lost_broker()

    def setup_logging(**_: Any) -> None:
        configure_logging(settings)

    def preload_model(**_: Any) -> None:
        """Load spaCy and the language detector in the main process so forked children inherit
        them (no per-child load), say which languages are accepted, then move everything alive into
        the collector's permanent generation: a child's collections would otherwise write to every
        object's header and copy the model's pages into each child."""
        load_model(settings.spacy_model)
        preload_detector(settings.languages)
        log.info("worker.languages", accepted=list(settings.languages), model=settings.spacy_model,
                 detected=list(detector_codes(settings.languages)))
        gc.collect()
        gc.freeze()

    def fresh_connections(**_: Any) -> None:
        """A forked child must not reuse its parent's sockets."""
        reset_runtime()

    def background_jobs(**_: Any) -> None:
        """The reconciler for messages lost in transit (a Redis broker only); the metrics endpoint."""
        if broker_loses_messages(settings):
            start_reconciler(app, settings)
        if settings.metrics_port:
            start_exporter(settings)

    signals.setup_logging.connect(setup_logging, weak=False)
    signals.worker_init.connect(preload_model, weak=False)
    signals.worker_process_init.connect(fresh_connections, weak=False)
    signals.worker_ready.connect(background_jobs, weak=False)
    install_heartbeat(app, settings)


def start_reconciler(app: Celery, settings: Settings) -> None:
    """Every tenth of the visibility timeout, re-send or dead-letter lost submissions."""
    ledger = SubmissionLedger(state_client(settings), settings)
    broker = redis.Redis.from_url(settings.effective_broker_url or "", socket_timeout=10)

    def resend(item: Overdue) -> None:
        send_article(app, settings, item.payload, item.submission_id)

    def give_up(item: Overdue) -> None:
        runtime = get_runtime(settings)
        runtime.publisher.publish(dead_letter(
            runtime.pipeline, item.payload, item.submission_id, reason="poison_message",
            deliveries=item.resends,
            message=f"sent {item.resends + 1} times and never processed (lost in transit each time)"
        ).publication)

    run_every(max(1, settings.visibility_timeout // 10),
              lambda: reconcile(ledger, broker, settings, resend, give_up), "reconciler")
