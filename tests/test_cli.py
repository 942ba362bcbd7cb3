"""CLI commands that need no long-running worker: extract, run (the demo) and the embedded default."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from worker.core.contract import validate_envelope
from worker.state.embedded import free_port, redis_answers

ARTICLE = {"id": "cli-1", "source": "Test Wire", "published_at": "2024-04-12T09:00:00Z",
           "text": "Indian Prime Minister Narendra Modi visited Nepal on Thursday and met Nepali "
                   "Prime Minister Pushpa Kamal Dahal in Kathmandu.\nSource link"}


def run_cli(args: list[str], env: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("EVENTWIRE_")}
    return subprocess.run([sys.executable, "-m", "worker.cli", *args], text=True, capture_output=True,
                          env={**base, "EVENTWIRE_LOG_FORMAT": "json", **(env or {})},
                          input=stdin, timeout=timeout)


def test_extract_prints_valid_envelopes_for_many_articles_and_bad_lines(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(ARTICLE) + "\n{oops\n" + json.dumps({**ARTICLE, "id": "cli-2"}) + "\n")
    result = run_cli(["extract", str(path)])
    assert result.returncode == 1, result.stderr  # a line was rejected
    envelopes = [json.loads(line) for line in result.stdout.splitlines()]
    for envelope in envelopes:
        validate_envelope(envelope)
    by_type = [(e["type"], e["subject"]) for e in envelopes if e["type"].startswith("article.")]
    assert by_type[0] == ("article.processed", "cli-1")
    assert by_type[1][0] == "article.rejected"
    assert envelopes[[e["type"] for e in envelopes].index("article.rejected")]["data"]["reason"] \
        == "invalid_json"
    assert by_type[2] == ("article.duplicate", "cli-2")  # same text, in-process dedup
    created = [e for e in envelopes if e["type"] == "event.created"]
    assert created and all(e["data"]["evidence"]["article_id"] == "cli-1" for e in created)


def test_extract_reads_plain_text_from_stdin():
    result = run_cli(["extract", "-"], stdin="Rebels attacked a police station in northern Mali "
                                             "on Sunday, officials said.")
    assert result.returncode == 0, result.stderr
    types = [json.loads(line)["type"] for line in result.stdout.splitlines()]
    assert types[0] == "article.processed"


@pytest.mark.integration
def test_run_starts_embedded_redis_when_none_answers_and_exits_zero():
    probe = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    result = run_cli(["run", "--format", "table"], env={"EVENTWIRE_EMBEDDED_PROBE_URL": probe})
    assert result.returncode == 0, result.stderr[-3000:]
    match = re.search(r"started a private redis-server at (\S+)", result.stderr)
    assert match, result.stderr[-2000:]
    processed = [line for line in result.stdout.splitlines() if line.startswith("article.processed")]
    assert len(processed) == 5  # every bundled sample
    assert not redis_answers(match.group(1))  # stopped on exit


@pytest.mark.integration
def test_worker_without_any_redis_fails_with_a_clear_message():
    probe = f"redis://127.0.0.1:{free_port()}/0"
    result = run_cli(["worker"], env={"EVENTWIRE_EMBEDDED_PROBE_URL": probe}, timeout=60)
    assert result.returncode == 3
    assert "no Redis configured" in result.stderr
