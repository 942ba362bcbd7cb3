"""User errors end in one line on stderr and a documented exit code, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.test_cli import ARTICLE, run_cli
from worker.state.embedded import free_port


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("eventwire:")]
    assert lines, result.stderr[-2000:]
    return "\n".join(lines)


@pytest.mark.parametrize(("env", "expected"), [
    ({"EVENTWIRE_LOG_LEVEL": "LOUD"}, "EVENTWIRE_LOG_LEVEL='LOUD': must be one of DEBUG"),
    ({"EVENTWIRE_REDIS_URL": "localhost:6391"},
     "EVENTWIRE_REDIS_URL='localhost:6391': not a Redis URL; write it as redis://localhost:6391/0"),
    ({"EVENTWIRE_TASK_TIME_LIMIT": "900"},
     "need EVENTWIRE_TASK_SOFT_TIME_LIMIT (90) < EVENTWIRE_TASK_TIME_LIMIT (900) < "
     "EVENTWIRE_VISIBILITY_TIMEOUT (300)"),
])
def test_bad_settings_are_one_line_each_and_exit_2(env, expected):
    result = run_cli(["submit", "-"], env=env, stdin="{}", timeout=60)
    assert result.returncode == 2
    assert f"eventwire: bad setting: {expected}" in one_line_error(result)


def test_two_bad_settings_give_two_lines():
    result = run_cli(["dlq"], env={"EVENTWIRE_LOG_LEVEL": "LOUD", "EVENTWIRE_CONCURRENCY": "0"}, timeout=60)
    assert result.returncode == 2
    assert len(one_line_error(result).splitlines()) == 2


def test_a_bad_log_level_option_is_a_usage_error():
    result = run_cli(["worker", "--log-level", "LOUD"], timeout=60)
    assert result.returncode == 2
    assert "'LOUD' is not one of DEBUG" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["extract", "-"], ["worker"]])
def test_a_missing_model_is_named_with_how_to_install_it(command):
    probe = f"redis://127.0.0.1:{free_port()}/0"
    result = run_cli(command, env={"EVENTWIRE_SPACY_MODEL": "en_no_such_model",
                                   "EVENTWIRE_EMBEDDED_PROBE_URL": probe}, stdin="text", timeout=60)
    assert result.returncode == 3
    assert "spaCy model 'en_no_such_model' (EVENTWIRE_SPACY_MODEL) is not installed" in one_line_error(result)


def test_a_misspelt_variable_is_warned_about_and_the_command_still_runs():
    probe = f"redis://127.0.0.1:{free_port()}/0"
    result = run_cli(["dlq"], env={"EVENTWIRE_REDIS_URI": "redis://h/0",
                                   "EVENTWIRE_EMBEDDED_PROBE_URL": probe}, timeout=60)
    assert "eventwire: warning: unknown setting EVENTWIRE_REDIS_URI is ignored (did you mean " \
           "EVENTWIRE_REDIS_URL?)" in result.stderr
    assert result.returncode == 3  # ran: no Redis configured (the misspelt one was not used)
    assert "no Redis configured" in one_line_error(result)


def test_a_reader_that_leaves_early_ends_the_output_quietly(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({**ARTICLE, "id": f"pipe-{n}", "text": f"{ARTICLE['text']} {n}"})
                            + "\n" for n in range(40)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTWIRE_")}
    pipeline = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m worker.cli extract "{path}" | head -n 1;'
                       ' echo "status=${PIPESTATUS[0]}" >&2'],
        text=True, capture_output=True, env={**env, "EVENTWIRE_LOG_FORMAT": "json"}, timeout=300)
    assert len(pipeline.stdout.splitlines()) == 1
    assert "Traceback" not in pipeline.stderr and "BrokenPipe" not in pipeline.stderr, pipeline.stderr[-2000:]
    assert "status=141" in pipeline.stderr
