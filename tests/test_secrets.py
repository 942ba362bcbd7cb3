"""The Redis password never appears in what eventwire prints, logs or raises.

Every command runs with a password in ``EVENTWIRE_REDIS_URL``, against a Redis that wants it and
against an address where nothing answers; its whole output (stdout and stderr, logs included) must
not contain the password.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import redis

from worker.config import mask_secrets
from worker.state.embedded import EmbeddedRedis

SECRET = "s3cret-Pa55"


@pytest.fixture(scope="module")
def locked_redis() -> Iterator[str]:
    """A private Redis that requires ``SECRET``; yields its URL with the password."""
    with EmbeddedRedis() as server:
        redis.Redis.from_url(server.url).config_set("requirepass", SECRET)
        yield f"redis://:{SECRET}@127.0.0.1:{server.port}/0"


DOWN = f"redis://:{SECRET}@127.0.0.1:1/0"


def run_cli(args: list[str], url: str, *, stdin: str = "", timeout: float = 120) -> str:
    env = {**os.environ, "EVENTWIRE_REDIS_URL": url, "EVENTWIRE_CONNECT_TIMEOUT": "1",
           "EVENTWIRE_LOG_FORMAT": "json"}
    done = subprocess.run([sys.executable, "-m", "worker.cli", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)
    return done.stdout + done.stderr


def run_until(args: list[str], url: str, marker: str, timeout: float = 120) -> str:
    """Start a long-running command, read its output until a line holds ``marker`` (or ``timeout``
    passes), then stop it (SIGTERM) and return everything it printed."""
    env = {**os.environ, "EVENTWIRE_REDIS_URL": url, "EVENTWIRE_CONNECT_TIMEOUT": "1",
           "EVENTWIRE_LOG_FORMAT": "json"}
    process = subprocess.Popen([sys.executable, "-m", "worker.cli", *args], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        line = process.stdout.readline() if ready else ""
        if ready and not line:
            break  # the command ended
        lines.append(line)
        if marker in line:
            break
    os.killpg(process.pid, signal.SIGTERM)
    try:
        rest, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        rest, _ = process.communicate()
    return "".join(lines) + rest


ARTICLE = json.dumps({"id": "secret-test-1", "text": "Kenyan President Amara Otieno visited Ethiopia "
                                                    "on Tuesday.", "source": "Wire"})


@pytest.mark.parametrize("url_kind", ["answering", "down"])
@pytest.mark.parametrize("args", [["health"], ["submit", "-"], ["tail", "--from-start", "--count", "1"],
                                  ["dlq"], ["run", "--timeout", "1", "-"]],
                         ids=["health", "submit", "tail", "dlq", "run"])
def test_no_command_prints_the_password(locked_redis, args, url_kind):
    url = locked_redis if url_kind == "answering" else DOWN
    if args[0] == "run" and url_kind == "answering":
        pytest.skip("the demo against a real Redis is test_run_and_extract_do_not_print_the_password (slow)")
    output = run_cli(args, url, stdin=ARTICLE)
    if url_kind == "down":
        assert output.strip(), "a failing command must say why"
    assert SECRET not in output, output[-3000:]


@pytest.mark.parametrize("url_kind", [pytest.param("answering", marks=pytest.mark.slow), "down"])
def test_the_worker_does_not_print_the_password(locked_redis, url_kind):
    output = run_until(["worker", "-c", "1", "--log-level", "INFO"],
                       locked_redis if url_kind == "answering" else DOWN, marker="redis://:**@127.0.0.1")
    assert "redis://:**@127.0.0.1" in output, output[-3000:]  # it did name the broker, masked
    assert SECRET not in output, output[-3000:]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_run_and_extract_do_not_print_the_password(locked_redis, tmp_path):
    path = tmp_path / "one.json"
    path.write_text(ARTICLE)
    output = run_cli(["run", "--timeout", "120", str(path)], locked_redis, timeout=240)
    assert "submitted 1 articles to redis://:***@" in output, output[-3000:]
    log = re.search(r"log (\S+\.log)\)", output)
    worker_log = open(log.group(1)).read() if log else ""  # noqa: SIM115
    assert SECRET not in output + worker_log, (output + worker_log)[-3000:]
    assert SECRET not in run_cli(["extract", str(path)], locked_redis)


@pytest.mark.parametrize("text,masked", [
    ("redis://:pw@h:6379/0", "redis://:***@h:6379/0"),
    ("redis://user:p@ss@h/0", "redis://user:***@h/0"),
    ("amqp://guest:guest@rabbit//", "amqp://guest:***@rabbit//"),
    ("rediss://token@h", "rediss://***@h"),
    ("redis://h/0?password=pw&db=1", "redis://h/0?password=***&db=1"),
    ("Redis at redis://:pw@h:1/0 does not answer", "Redis at redis://:***@h:1/0 does not answer"),
    ("redis://h:6379/0", "redis://h:6379/0"),
])
def test_one_masking_function(text, masked):
    assert mask_secrets(text) == masked
