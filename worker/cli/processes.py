"""Process control for the demo (and the tests): a Redis to use, a worker subprocess, a clean stop."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from worker.cli.connect import resolve_redis_url
from worker.config import Settings, mask_secrets
from worker.state.embedded import EmbeddedRedis


@contextlib.contextmanager
def demo_redis(settings: Settings, *, force_embedded: bool = False) -> Iterator[str]:
    """The Redis URL for the demo; starts (and finally stops) a private server when needed."""
    url = None if force_embedded else resolve_redis_url(settings)
    if url:
        yield url
        return
    with EmbeddedRedis() as server:
        print(f"no Redis configured: started a private redis-server at {mask_secrets(server.url)}",
              file=sys.stderr)
        yield server.url


@contextlib.contextmanager
def running_worker(redis_url: str, concurrency: int = 1) -> Iterator[subprocess.Popen[bytes]]:
    """A worker subprocess on ``redis_url``, its output in a log file; stopped with SIGTERM."""
    env = {**os.environ, "EVENTWIRE_REDIS_URL": redis_url, "EVENTWIRE_BROKER_URL": redis_url}
    log_path = Path(tempfile.gettempdir()) / f"eventwire-run-{os.getpid()}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "worker.cli", "worker", "--concurrency",
                                    str(concurrency), "--log-level", "WARNING"], env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    print(f"worker started (pid {process.pid}, log {log_path})", file=sys.stderr)
    try:
        yield process
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30.0) -> int | None:
    """SIGTERM the main process (warm shutdown, as a container stop does: it tells its pool
    children to finish their tasks), then SIGKILL the group after ``timeout``.

    Returns the exit code, or None when the process had to be killed.
    """
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None
