"""Helpers for integration and fault tests: real worker processes and reading the results stream."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import redis

from worker.cli.processes import stop_process
from worker.config import Settings
from worker.core.publication import decode_envelope
from worker.state.heartbeat import heartbeat_of

_STARTED: list[WorkerProcess] = []
T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float, what: str = "the condition",
               interval: float = 0.05) -> T:
    """Poll ``predicate`` until it returns something truthy (returned) or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not met within {timeout}s")
        time.sleep(interval)


@atexit.register
def _kill_leftover_workers() -> None:
    """A failed or timed-out test must not leave a worker running after the session."""
    for worker in _STARTED:
        worker.signal(signal.SIGKILL)


def redis_now_ms(client: redis.Redis) -> int:
    """The Redis server's clock in milliseconds (the clock its key expiry runs on)."""
    seconds, micros = client.time()
    return seconds * 1000 + micros // 1000


def expiry_ms(client: redis.Redis, key: str | bytes) -> int:
    """When ``key`` expires on the server's clock (ms), read in one transaction with that clock.

    Accurate to about 2 ms. Raises ``AssertionError`` for a missing key or one without a TTL.
    """
    pipe = client.pipeline(transaction=True)
    pipe.time()
    pipe.pttl(key)
    (seconds, micros), ttl = pipe.execute()
    assert ttl >= 0, f"{key!r} has no TTL ({ttl})"
    return seconds * 1000 + micros // 1000 + ttl


def wait_for_redis_clock(client: redis.Redis, at_least_ms: int, timeout: float = 10.0) -> None:
    """Wait until the server's clock reads ``at_least_ms`` (a wait on Redis time, not a sleep)."""
    wait_until(lambda: redis_now_ms(client) >= at_least_ms, timeout, "the Redis clock", interval=0.01)


class WorkerProcess:
    """``eventwire worker`` in a subprocess (its own process group, so the tree can be killed)."""

    def __init__(self, settings: Settings, *, concurrency: int = 1, env: dict[str, str] | None = None,
                 pool: str = "prefork", entry: list[str] | None = None) -> None:
        self.settings = settings
        self.entry = entry or ["-m", "worker.cli", "worker"]
        self.concurrency = concurrency
        self.pool = pool
        self.name = f"test-worker-{uuid.uuid4().hex[:12]}"  # its heartbeat's name
        self.env = {**os.environ, "EVENTWIRE_REDIS_URL": settings.redis_url or "",
                    "EVENTWIRE_WORKER_NAME": self.name,
                    "EVENTWIRE_KEY_PREFIX": settings.key_prefix,
                    "EVENTWIRE_RESULTS_STREAM": settings.results_stream,
                    "EVENTWIRE_DLQ_STREAM": settings.dlq_stream,
                    "EVENTWIRE_LOG_FORMAT": "json", **(env or {})}
        self.log = Path(tempfile.mkstemp(prefix="eventwire-worker-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, client: redis.Redis | None = None, timeout: float = 60.0) -> WorkerProcess:
        """Start the worker; with ``client``, wait until its heartbeat appears."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, *self.entry, "--concurrency", str(self.concurrency),
                 "--pool", self.pool, "--log-level", "INFO"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _STARTED.append(self)
        if client is not None:
            self.wait_ready(client, timeout)
        return self

    def wait_ready(self, client: redis.Redis, timeout: float = 60.0) -> None:
        """Block until its own fresh heartbeat shows the worker is consuming."""
        deadline = time.monotonic() + timeout
        since = time.time()
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.tail()}")
            with contextlib.suppress(redis.RedisError):
                own = heartbeat_of(client, self.settings, self.name)
                if own is not None and own.state == "running" and time.time() - own.age >= since - 1:
                    return
            time.sleep(0.2)
        raise TimeoutError(f"worker not ready in {timeout}s:\n{self.tail()}")

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the worker's whole process group."""
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL the worker and its children at once (a crash: nothing is acked)."""
        self.signal(signal.SIGKILL)
        if self.process:
            self.process.wait(30)

    def stop(self, timeout: float = 60.0) -> int | None:
        """Warm shutdown as ``eventwire run`` does it (``worker.cli.processes.stop_process``)."""
        return stop_process(self.process, timeout) if self.process else None

    def tail(self, chars: int = 4000) -> str:
        """The end of the worker's log."""
        return self.log.read_text(errors="replace")[-chars:]


def read_envelopes(client: redis.Redis, settings: Settings) -> list[dict[str, Any]]:
    """Every envelope on the results stream, oldest first."""
    return [decode_envelope(fields) for _, fields in client.xrange(settings.results_stream)]


def article_outcomes(envelopes: list[dict[str, Any]]) -> Counter[str]:
    """How many ``article.*`` outcomes each article id has."""
    return Counter(e["subject"] for e in envelopes if e["type"].startswith("article."))


def wait_for_outcomes(client: redis.Redis, settings: Settings, article_ids: list[str],
                      timeout: float = 120.0, worker: WorkerProcess | None = None
                      ) -> list[dict[str, Any]]:
    """Poll the results stream until every id has an ``article.*`` outcome; return all envelopes."""
    deadline = time.monotonic() + timeout
    wanted = set(article_ids)
    while True:
        envelopes = read_envelopes(client, settings)
        missing = wanted - set(article_outcomes(envelopes))
        if not missing:
            return envelopes
        if time.monotonic() > deadline:
            log = worker.tail() if worker else ""
            raise TimeoutError(f"{len(missing)} articles without outcome, e.g. "
                               f"{sorted(missing)[:5]}\n{log}")
        time.sleep(0.2)
