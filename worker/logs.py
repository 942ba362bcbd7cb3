"""structlog set-up: JSON lines in production, readable lines in a terminal.

Task code binds ``article_id`` and ``task_id`` with ``bound_to``; every line logged inside carries them.
``stage`` times one pipeline stage and logs it.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import structlog

from worker.config import Settings, mask_secrets

log = structlog.get_logger("eventwire")


def configure_logging(settings: Settings) -> None:
    """Route stdlib and structlog output through one renderer chosen by ``log_format``."""
    use_json = settings.log_format == "json" or (
        settings.log_format == "auto" and not sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (structlog.processors.JSONRenderer() if use_json
                     else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()))
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, mask_secrets_in_event, renderer],
    ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())


def mask_secrets_in_event(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """Mask URL passwords in every string of a log line, Celery's and tracebacks included."""
    return {key: mask_secrets(value) if isinstance(value, str) else value
            for key, value in event.items()}


@contextlib.contextmanager
def bound_to(**values: Any) -> Iterator[None]:
    """Bind ``values`` to every log line emitted inside the block (this thread/task only)."""
    with structlog.contextvars.bound_contextvars(**values):
        yield


#: Called with (stage, seconds) as each stage ends: how metrics see stage durations while the core
#: stays free of them (``worker.tasks.metrics`` adds its histogram here in a worker).
STAGE_OBSERVERS: list[Callable[[str, float], None]] = []


class StageTimer:
    """Collects how long each pipeline stage took, in milliseconds."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name`` and log it at debug level."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.record(name, time.perf_counter() - start)

    def record(self, name: str, seconds: float) -> None:
        """Record that stage ``name`` took ``seconds`` (a share of a batch's time, for one)."""
        elapsed = round(seconds * 1000, 2)
        self.timings[name] = elapsed
        log.debug("stage.done", stage=name, ms=elapsed)
        for observe in STAGE_OBSERVERS:
            observe(name, seconds)
