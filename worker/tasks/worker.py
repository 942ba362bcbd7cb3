"""The worker's Celery app: the configured app, its task and the worker-lifecycle signals.

Built by a function, not at import time, so the settings a caller passes are the ones the worker
runs with (nothing reads the environment behind the caller's back).
"""

from __future__ import annotations

from celery import Celery

from worker.config import Settings
from worker.tasks.app import make_celery
from worker.tasks.lifecycle import install
from worker.tasks.process import register_task


def create_worker_app(settings: Settings) -> Celery:
    """A Celery app with ``process_article`` registered and the lifecycle handlers installed."""
    app = make_celery(settings)
    register_task(app, settings)
    install(app, settings)
    return app
