"""A Celery app for monitoring tools, configured from the environment like the workers:

    celery -A worker.tasks.monitor flower

Flower and Celery exporters then listen on this deployment's event exchange
(``<EVENTWIRE_KEY_PREFIX>celeryev``: task events are on, see ``worker.tasks.app``).
"""

from __future__ import annotations

from worker.config import Settings
from worker.tasks.app import make_celery

app = make_celery(Settings.from_env())
