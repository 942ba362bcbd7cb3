"""``eventwire dlq --redrive`` and ``--purge`` against a real redis-server (no worker: a redriven
payload is counted on the queue)."""

from __future__ import annotations

import pytest

from worker.cli.main import main
from worker.core.publication import dead_message_entry, dlq_entry
from worker.state.dlq import DeadLetters

GOOD = {"id": "dl-1", "text": "Ghanaian President Kofi Mensah visited Lome on Monday.", "source": "Wire"}


@pytest.fixture
def env(monkeypatch, settings):
    monkeypatch.setenv("EVENTWIRE_REDIS_URL", settings.redis_url)
    monkeypatch.setenv("EVENTWIRE_LOG_FORMAT", "json")


def dead_letter(client, settings, payload, *, entry_id: str = "*", reason: str = "processing_failed") -> str:
    fields = dlq_entry(reason=reason, errors=[{"field": "$", "message": "failed 3 times"}],
                       payload=payload, article_id=payload.get("id") if isinstance(payload, dict) else None,
                       submission_id="s-old")
    return client.xadd(settings.dlq_stream, fields, id=entry_id).decode()


def queue_length(client, settings) -> int:
    return int(client.llen(settings.queue))


def test_redrive_resubmits_each_entry_once(env, capsys, redis_client, settings):
    first = dead_letter(redis_client, settings, GOOD)
    second = dead_letter(redis_client, settings, {**GOOD, "id": "dl-2"})
    assert main(["dlq", "--redrive", first]) == 0
    assert "redriven: article dl-1" in capsys.readouterr().out
    assert queue_length(redis_client, settings) == 1
    assert main(["dlq", "--redrive", first]) == 0  # recorded: not resubmitted again
    assert "already redriven" in capsys.readouterr().out
    assert queue_length(redis_client, settings) == 1
    assert main(["dlq", "--redrive", "--all"]) == 0  # only the one not redriven yet
    assert capsys.readouterr().out.count("redriven: article dl-2") == 1
    assert queue_length(redis_client, settings) == 2
    assert main(["dlq", "--redrive", "--all"]) == 0
    assert queue_length(redis_client, settings) == 2
    letters = DeadLetters(redis_client, settings)
    assert {letters.redriven(i)["article_id"] for i in (first, second)} == {"dl-1", "dl-2"}


def test_what_cannot_be_redriven_is_said_and_not_recorded(env, capsys, redis_client, settings):
    truncated = dlq_entry(reason="payload_too_large", errors=[], payload={"text": "x" * 70_000},
                          article_id=None, submission_id="s-big")
    big = redis_client.xadd(settings.dlq_stream, truncated).decode()
    invalid = dead_letter(redis_client, settings, {"id": "dl-bad", "text": "   "}, reason="empty_text")
    raw = redis_client.xadd(settings.dlq_stream, dead_message_entry(
        reason="undecodable", detail="not JSON", raw=b"\x00garbage")).decode()
    assert main(["dlq", "--redrive", big, invalid, raw, "999-0"]) == 1
    out = capsys.readouterr().out
    assert f"{big}  not redriven: the payload was cut at 64 KiB" in out
    assert f"{invalid}  not redriven: still invalid: empty_text" in out
    assert f"{raw}  not redriven: a raw broker message" in out
    assert "1 of the given ids are not on the DLQ" in out
    assert queue_length(redis_client, settings) == 0
    assert redis_client.hlen(DeadLetters(redis_client, settings).redriven_key) == 0


def test_purge_by_id_and_by_age(env, capsys, redis_client, settings):
    old = dead_letter(redis_client, settings, GOOD, entry_id="1000-0")  # 1970
    kept = dead_letter(redis_client, settings, {**GOOD, "id": "dl-2"})
    gone = dead_letter(redis_client, settings, {**GOOD, "id": "dl-3"})
    assert main(["dlq", "--redrive", old]) == 0
    assert main(["dlq", "--purge", gone]) == 0
    assert main(["dlq", "--purge", "--older-than", "30d"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["purged 1 entries", "purged 1 entries"]
    assert [i.decode() for i, _ in redis_client.xrange(settings.dlq_stream)] == [kept]
    assert redis_client.hlen(DeadLetters(redis_client, settings).redriven_key) == 0


@pytest.mark.parametrize("args", [["--redrive"], ["--redrive", "1-0", "--all"], ["--purge"],
                                  ["--all"], ["--purge", "1-0", "--older-than", "1d"]])
def test_incomplete_or_contradictory_options_are_usage_errors(env, capsys, args):
    assert main(["dlq", *args]) == 2
    assert capsys.readouterr().err.startswith("eventwire: ")
