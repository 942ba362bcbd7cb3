"""The worker's heartbeat, written by its consuming loop: a Celery consumer bootstep.

Every ``HEARTBEAT_INTERVAL`` seconds the consumer's event loop (its timer runs in the loop, not in a
side thread) writes the beat twice: to a local file (``beat_file``; what the liveness probe reads,
so a Redis outage never restarts a worker) and to Redis under the worker's name (what ``eventwire
health --worker NAME`` reads). A loop that is stuck stops both. On shutdown the worker writes a last
beat saying it stopped, so health names the cause at once instead of waiting for the beat to age.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
import structlog
from celery import Celery, bootsteps, signals

from worker.config import Settings
from worker.state.heartbeat import HEARTBEAT_INTERVAL, beat

log = structlog.get_logger("eventwire.beat")


def worker_name(settings: Settings) -> str:
    """The name a worker beats under: ``EVENTWIRE_WORKER_NAME``, else the host name (a pod's)."""
    return settings.worker_name or socket.gethostname()


def beat_file(settings: Settings, name: str) -> Path:
    """The local file a worker's loop touches (in the temporary folder; one per prefix and name)."""
    digest = hashlib.sha256(f"{settings.key_prefix}\x00{name}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"eventwire-beat-{digest}.json"


def read_beat_file(path: Path) -> dict[str, Any] | None:
    """The last beat written to ``path``, or None when there is none (or it cannot be read)."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


class Beater:
    """Writes one worker's beats (file and Redis); never raises: a failed write is logged."""

    def __init__(self, settings: Settings, name: str) -> None:
        self.settings, self.name, self.path = settings, name, beat_file(settings, name)
        self.client = redis.Redis.from_url(settings.redis_url or "", socket_connect_timeout=1,
                                           socket_timeout=1)

    def __call__(self, state: str = "running") -> None:
        record = {"worker": self.name, "at": round(time.time(), 3), "state": state, "pid": os.getpid()}
        partial = self.path.with_suffix(".tmp")
        try:
            partial.write_text(json.dumps(record), "utf-8")
            partial.replace(self.path)
        except OSError as error:
            log.warning("beat.file_failed", path=str(self.path), error=str(error))
        try:
            beat(self.client, self.settings, self.name, state=state, pid=os.getpid())
        except (redis.RedisError, OSError) as error:
            log.warning("beat.redis_failed", error=str(error))


def install_heartbeat(app: Celery, settings: Settings) -> None:
    """Add the heartbeat bootstep to ``app``'s consumer, and the last beat at shutdown."""
    beater = Beater(settings, worker_name(settings))

    class Heartbeat(bootsteps.StartStopStep):
        """Beats from the consumer's event loop while the consumer runs."""

        requires = ("celery.worker.consumer.tasks:Tasks",)  # beats once it consumes

        def __init__(self, parent: Any, **kwargs: Any) -> None:
            super().__init__(parent, **kwargs)
            self.entry: Any = None

        def start(self, parent: Any) -> None:
            beater()
            self.entry = parent.timer.call_repeatedly(HEARTBEAT_INTERVAL, beater)

        def stop(self, parent: Any) -> None:
            if self.entry is not None:
                with contextlib.suppress(Exception):
                    self.entry.cancel()
                self.entry = None

    def last_beat(**_: Any) -> None:
        beater("stopped")

    app.steps["consumer"].add(Heartbeat)
    signals.worker_shutdown.connect(last_beat, weak=False)
