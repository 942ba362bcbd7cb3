"""``eventwire tail`` and ``eventwire lag`` on a real redis-server: nothing printed is left
unacknowledged, nothing filtered out is acknowledged, and without a group tail starts at the end."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support import wait_until
from test_consumer import STREAM, write

from worker.cli.main import main
from worker.core.publication import make_envelope


@pytest.fixture
def env(monkeypatch, settings):
    monkeypatch.setenv("EVENTWIRE_REDIS_URL", settings.redis_url)
    monkeypatch.setenv("EVENTWIRE_RESULTS_STREAM", STREAM)
    monkeypatch.setenv("EVENTWIRE_LOG_FORMAT", "json")
    return {"EVENTWIRE_REDIS_URL": settings.redis_url, "EVENTWIRE_RESULTS_STREAM": STREAM}


def tail(capsys, *args: str) -> list[dict]:
    assert main(["tail", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def pending(client, group: str) -> int:
    return int(client.xpending(STREAM, group)["pending"])


def mixed(client, count: int) -> list[str]:
    """``count`` valid entries, every third an ``article.rejected`` (for --type); their subjects."""
    for number in range(count):
        if number % 3:
            write(client, 1, start=number)
            continue
        entry = make_envelope("article.rejected", f"art-{number}",
                              {"article_id": f"art-{number}", "reason": "empty_text",
                               "errors": [{"field": "text", "message": "is empty"}]},
                              source="urn:test", dedup_key=str(number))
        client.xadd(STREAM, {"type": entry["type"], "envelope": json.dumps(entry)})
    return [json.loads(f[b"envelope"])["subject"] for _, f in client.xrange(STREAM)]


def test_group_count_prints_and_acknowledges_exactly_count_entries_per_run(env, capsys, redis_client):
    subjects = mixed(redis_client, 28)
    printed = []
    for run in range(14):
        batch = tail(capsys, "--group", "g1", "--count", "2", "--consumer", f"run-{run}")
        assert len(batch) == 2
        assert pending(redis_client, "g1") == 0  # no entry read beyond what was printed
        printed += [e["subject"] for e in batch]
    assert sorted(printed) == sorted(subjects)
    assert tail(capsys, "--group", "g1", "--count", "2") == []


def test_group_type_filter_acknowledges_nothing_it_did_not_print(env, capsys, redis_client):
    subjects = mixed(redis_client, 28)
    processed = tail(capsys, "--group", "g2", "--type", "article.rejected")
    assert [e["type"] for e in processed] == ["article.rejected"] * 10
    assert pending(redis_client, "g2") == 18  # filtered out: left pending, not acknowledged
    rest = tail(capsys, "--group", "g2")  # the same consumer re-reads what it left pending
    assert sorted(e["subject"] for e in processed + rest) == sorted(subjects)
    assert pending(redis_client, "g2") == 0
    skipped = tail(capsys, "--group", "g3", "--type", "article.rejected", "--ack-skipped")
    assert len(skipped) == 10 and pending(redis_client, "g3") == 0


def test_without_a_group_last_and_from_start_read_history(env, capsys, redis_client):
    subjects = mixed(redis_client, 12)
    assert [e["subject"] for e in tail(capsys, "--last", "3")] == subjects[-3:]
    assert [e["subject"] for e in tail(capsys, "--from-start", "--count", "3")] == subjects[:3]
    assert [e["subject"] for e in tail(capsys, "--last", "2", "--type", "article.rejected")] == \
        [s for s in subjects if s in {e["subject"] for e in tail(capsys, "--from-start", "--type",
                                                                     "article.rejected")}][-2:]
    assert redis_client.xinfo_groups(STREAM) == []  # reading without a group creates none


def test_without_a_group_tail_starts_at_the_end_like_tail_f(env, redis_client):
    old = set(mixed(redis_client, 10))
    process = subprocess.Popen([sys.executable, "-m", "worker.cli", "tail", "--count", "3"],
                               env={**os.environ, **env}, stdout=subprocess.PIPE, text=True)
    counter = iter(range(1000, 2000))

    def finished() -> bool:
        write(redis_client, 1, start=next(counter))  # keep writing until tail has printed 3
        return process.poll() is not None

    wait_until(finished, 60, "tail --count 3 to print 3 new entries")
    printed = [json.loads(line)["subject"] for line in process.stdout.read().splitlines()]
    assert len(printed) == 3 and not set(printed) & old


def test_lag_reports_each_group_and_fails_when_trimming_threatens_unread_entries(
        env, capsys, redis_client, monkeypatch):
    write(redis_client, 30)
    tail(capsys, "--group", "fast")
    tail(capsys, "--group", "slow", "--count", "4")
    assert main(["lag", "--json"]) == 0
    rows = {r["group"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert (rows["fast"]["lag"], rows["fast"]["pending"]) == (0, 0)
    assert (rows["slow"]["lag"], rows["slow"]["backlog"]) == (26, 26)
    monkeypatch.setenv("EVENTWIRE_RESULTS_MAXLEN", "28")
    assert main(["lag"]) == 1
    captured = capsys.readouterr()
    assert "group slow" in captured.err and "trimming will drop" in captured.err
    assert "group fast" not in captured.err
