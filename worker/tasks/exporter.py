"""The worker's Prometheus endpoint (``EVENTWIRE_METRICS_PORT``), correct under the prefork pool.

prometheus-client's multiprocess mode: every process (the main one and each pool child) writes its
counters and histograms to files in one folder, and the main process's HTTP server adds them up at
scrape time. The folder must be known before prometheus-client is first imported, so the worker
command calls ``prepare_multiprocess_dir`` before it builds the app. Gauges that describe the
deployment, not this process (queue length, stream lengths, consumer-group lag), are read from
Redis at scrape time by ``RedisGauges``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import redis

from worker.config import Settings
from worker.state.connections import state_client
from worker.tasks.app import broker_loses_messages

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir() -> Path:
    """The folder of this worker's metric files: ``PROMETHEUS_MULTIPROC_DIR`` if set (emptied of
    an earlier run's files), else a fresh temporary one (then set in the environment)."""
    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink(missing_ok=True)
        return folder
    folder = Path(tempfile.mkdtemp(prefix="eventwire-metrics-"))
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


class RedisGauges:
    """A collector: the queue, the streams and the consumer groups as they are at scrape time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = state_client(settings.replace(connect_timeout=2.0))
        self.broker = (redis.Redis.from_url(settings.effective_broker_url or "", socket_timeout=2,
                                            socket_connect_timeout=2)
                       if broker_loses_messages(settings) else None)

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        s = self.settings
        up = GaugeMetricFamily("eventwire_redis_up", "1 when the state Redis answered the scrape")
        try:
            gauges = self._read()
        except (redis.RedisError, OSError):
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        if gauges["queue"] is not None:
            queue = GaugeMetricFamily("eventwire_queue_length", "Messages waiting in the Celery queue",
                                      labels=["queue"])
            queue.add_metric([s.queue], gauges["queue"])
            yield queue
        yield GaugeMetricFamily("eventwire_results_stream_length", "Entries in the results stream",
                                value=gauges["results"])
        yield GaugeMetricFamily("eventwire_dlq_stream_length", "Entries in the dead-letter stream",
                                value=gauges["dlq"])
        lag = GaugeMetricFamily("eventwire_consumer_group_lag",
                                "Results-stream entries not yet delivered to the group", labels=["group"])
        pending = GaugeMetricFamily("eventwire_consumer_group_pending",
                                    "Entries delivered to the group and not acknowledged", labels=["group"])
        for name, group_lag, group_pending in gauges["groups"]:
            if group_lag is not None:
                lag.add_metric([name], group_lag)
            pending.add_metric([name], group_pending)
        yield lag
        yield pending

    def _read(self) -> dict[str, Any]:
        s = self.settings
        groups = []
        infos = self.client.xinfo_groups(s.results_stream) if self.client.exists(s.results_stream) else []
        for info in infos:
            name = info["name"].decode() if isinstance(info["name"], bytes) else str(info["name"])
            groups.append((name, self._lag(info), int(info["pending"])))
        return {"queue": self.broker.llen(s.queue) if self.broker is not None else None,
                "results": self.client.xlen(s.results_stream), "dlq": self.client.xlen(s.dlq_stream),
                "groups": groups}

    def _lag(self, info: dict[str, Any], cap: int = 100_000) -> int | None:
        """Redis 7 reports the lag; before that, count the entries after the group's last one."""
        if info.get("lag") is not None:
            return int(info["lag"])
        last = info["last-delivered-id"]
        last = last.decode() if isinstance(last, bytes) else str(last)
        return len(self.client.xrange(self.settings.results_stream, f"({last}", "+", count=cap))


def start_exporter(settings: Settings) -> None:
    """Serve the metrics of every process of this worker on ``EVENTWIRE_METRICS_PORT``."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(RedisGauges(settings))  # type: ignore[arg-type]
    start_http_server(settings.metrics_port or 0, addr=settings.metrics_address, registry=registry)
