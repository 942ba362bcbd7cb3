"""The worker's Celery app: the configured app, its task, the broker edge and the lifecycle signals.

Built by a function, not at import time, so the settings a caller passes are the ones the worker
runs with (nothing reads the environment behind the caller's back).
"""

from __future__ import annotations

from celery import Celery

from worker.config import Settings
from worker.state.connections import state_client
from worker.state.quarantine import MessageQuarantine
from worker.tasks import edge
from worker.tasks.app import make_celery
from worker.tasks.lifecycle import install
from worker.tasks.metrics import install_stage_metrics, metered_quarantine
from worker.tasks.process import register_task
from worker.tasks.redis_setup import verify_redis_setup


def create_worker_app(settings: Settings, *, check_redis: bool = True) -> Celery:
    """A Celery app with ``process_article`` registered, the broker edge (``worker.tasks.edge``)
    and the lifecycle handlers installed. With ``check_redis``, raises ``UnsafeRedis`` first when
    Redis may evict keys (``worker.tasks.redis_setup``)."""
    if check_redis:
        verify_redis_setup(settings)
    app = make_celery(settings)
    app.conf.update(edge.worker_celery_config(settings))
    register_task(app, settings)
    edge.configure(settings, metered_quarantine(MessageQuarantine(state_client(settings), settings).record))
    install_stage_metrics()
    install(app, settings)
    return app
