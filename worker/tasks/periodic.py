"""Run a small job every few seconds from a daemon thread of the worker's main process."""

from __future__ import annotations

import threading
from collections.abc import Callable

import structlog

log = structlog.get_logger("eventwire.periodic")


def run_every(interval: float, job: Callable[[], object], name: str) -> threading.Event:
    """Call ``job`` every ``interval`` seconds until the returned event is set.

    A failing run is logged and the next one happens on schedule: these jobs (heartbeat, ledger
    reconciliation) must outlive a Redis restart.
    """
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                job()
            except Exception as error:  # keep beating through outages
                log.warning("periodic.failed", job=name, error=repr(error))
            stop.wait(interval)

    threading.Thread(target=loop, name=f"eventwire-{name}", daemon=True).start()
    return stop
