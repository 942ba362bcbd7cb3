"""The worker process's life around the tasks: logging, model preload, fresh connections after a
fork, the heartbeat and the ledger reconciler. Kept apart so that ``worker.tasks`` stays a thin task.
"""

from __future__ import annotations

from typing import Any

import redis
import structlog
from celery import Celery, signals

from worker.client import send_article
from worker.compat import tolerate_lost_broker_on_restore
from worker.config import Settings
from worker.connections import state_client, uses_redis_broker
from worker.health import start_heartbeat
from worker.ledger import Overdue, SubmissionLedger, reconcile
from worker.logs import configure_logging
from worker.nlp import load_model
from worker.periodic import run_every
from worker.runtime import get_runtime, reset_runtime

log = structlog.get_logger("eventwire.lifecycle")


def install(app: Celery, settings: Settings) -> None:
    """Connect the worker signal handlers for ``app`` (call once, where the app is defined)."""
    tolerate_lost_broker_on_restore()

    def setup_logging(**_: Any) -> None:
        configure_logging(settings)

    def preload_model(**_: Any) -> None:
        """Load spaCy in the main process so forked children inherit it (no per-child load)."""
        load_model(settings.spacy_model)

    def fresh_connections(**_: Any) -> None:
        """A forked child must not reuse its parent's sockets."""
        reset_runtime()

    def background_jobs(sender: Any = None, **_: Any) -> None:
        """Heartbeat for ``eventwire health``; reconciler for messages lost in transit."""
        hostname = getattr(sender, "hostname", None) or "eventwire-worker"
        start_heartbeat(state_client(settings), settings, hostname)
        if uses_redis_broker(settings):
            start_reconciler(app, settings)

    signals.setup_logging.connect(setup_logging, weak=False)
    signals.worker_init.connect(preload_model, weak=False)
    signals.worker_process_init.connect(fresh_connections, weak=False)
    signals.worker_ready.connect(background_jobs, weak=False)


def start_reconciler(app: Celery, settings: Settings) -> None:
    """Every tenth of the visibility timeout, re-send or dead-letter lost submissions."""
    ledger = SubmissionLedger(state_client(settings), settings)
    broker = redis.Redis.from_url(settings.effective_broker_url or "", socket_timeout=10)

    def resend(item: Overdue) -> None:
        send_article(app, settings, item.payload, item.submission_id)

    def dead_letter(item: Overdue) -> None:
        runtime = get_runtime()
        result = runtime.pipeline.dead_letter(
            item.payload, item.submission_id, reason="poison_message", deliveries=item.resends,
            message=f"sent {item.resends + 1} times and never processed (lost in transit each time)")
        runtime.publisher.publish(result.publication)

    run_every(max(1, settings.visibility_timeout // 10),
              lambda: reconcile(ledger, broker, settings, resend, dead_letter), "reconciler")
