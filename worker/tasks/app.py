"""The Celery application: transport configuration and how a submission is sent, no task logic.

Delivery settings implement at-least-once delivery (README, "Guarantees"): late acks, requeue when a
child dies, one message prefetched per child (two batches' worth when batching), and a visibility
timeout well above the task time limit so a running task is never handed to a second worker.
Producers use ``make_celery`` and ``send_article`` only, so they need neither spaCy nor the task
module.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu import Queue

from worker.config import Settings
from worker.state.keys import Keys

TASK_NAME = "eventwire.process_article"


def broker_loses_messages(settings: Settings) -> bool:
    """True when the broker is Redis: kombu's Redis transport can lose a message between BRPOP and
    recording it as unacked, so submissions go through the ledger (``worker.state.ledger``)."""
    return (settings.effective_broker_url or "").startswith(("redis://", "rediss://", "redis+socket://"))


def celery_config(settings: Settings) -> dict[str, object]:
    """Celery settings derived from eventwire's settings."""
    keys = Keys(settings)
    transport = {"visibility_timeout": settings.visibility_timeout,
                 # kombu's own keys under the key prefix: deployments sharing a Redis stay apart
                 "unacked_key": keys.broker_unacked,
                 "unacked_index_key": keys.broker_unacked_index,
                 "unacked_mutex_key": keys.broker_unacked_mutex,
                 # kombu sweeps for expired unacked messages every interval * throttle seconds
                 # (default 100 s); sweep at a tenth of the timeout so redelivery stays bounded.
                 "unacked_restore_interval": max(1, settings.visibility_timeout // 10),
                 "unacked_restore_throttle": 1,
                 # The sweep holds a mutex that expires after 300 s by default: a worker killed
                 # while holding it would stop every redelivery for five minutes.
                 "unacked_mutex_expire": max(2, settings.visibility_timeout // 10),
                 "socket_connect_timeout": settings.connect_timeout,
                 "socket_timeout": max(settings.connect_timeout, 10.0),
                 "retry_on_timeout": True}
    return {
        "broker_url": settings.effective_broker_url,
        "broker_transport_options": transport,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": settings.connect_timeout,
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        "result_backend": None,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        # A task that fails without handling (e.g. Redis gone for longer than the in-task retries)
        # stays unacked and comes back after the visibility timeout instead of being lost.
        "task_acks_on_failure_or_timeout": False,
        # one message per child, or with batching (``worker.tasks.batching``) a batch running
        # and the next one gathered
        "worker_prefetch_multiplier": 1 if settings.batch_size <= 1 else 2 * settings.batch_size,
        "task_default_queue": settings.queue,
        # remote control and events under the prefix too: `celery inspect` of one deployment
        # does not reach the other's workers
        "control_exchange": f"{settings.key_prefix}celery",
        "event_exchange": f"{settings.key_prefix}celeryev",
        "task_queues": [Queue(settings.queue)],
        "task_routes": {TASK_NAME: {"queue": settings.queue}},
        "task_time_limit": settings.task_time_limit,
        "task_soft_time_limit": settings.task_soft_time_limit,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "worker_concurrency": settings.concurrency,
        # task events for Flower and Celery exporters (on the prefixed event exchange)
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "worker_enable_remote_control": True,
    }


def make_celery(settings: Settings) -> Celery:
    """A Celery app configured for ``settings``, without tasks (what a producer needs)."""
    app = Celery("eventwire", set_as_current=False)
    app.conf.update(celery_config(settings))
    return app


def send_article(app: Celery, settings: Settings, payload: Any, submission_id: str) -> None:
    """Send ``process_article`` by name; the submission id is the task id."""
    app.send_task(TASK_NAME, args=[payload], task_id=submission_id, queue=settings.queue,
                  retry=True, retry_policy={"max_retries": 2, "interval_start": 0.2,
                                            "interval_step": 0.5, "interval_max": 1.0})
