"""A CLI that explains itself: version, help with defaults, variables, an example and the exit codes;
readable tables or JSON; one exit code for rejected input across commands."""

from __future__ import annotations

import json

import pytest
from test_cli import ARTICLE, run_cli

from worker.cli.main import build_parser
from worker.cli.output import dead_letter_record, describe_dead_letter

COMMANDS = ["worker", "submit", "tail", "extract", "run", "dlq", "health"]


def test_version_names_the_installed_package():
    result = run_cli(["--version"], timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("eventwire 0.")


@pytest.mark.parametrize("command", COMMANDS)
def test_each_commands_help_has_an_example_and_the_exit_codes(command):
    text = _help(command)
    assert "example:\n  " in text and "exit codes:" in text and "141" in text


def _help(command: str) -> str:
    parser = build_parser()
    for action in parser._actions:
        if hasattr(action, "choices") and isinstance(action.choices, dict) and command in action.choices:
            return action.choices[command].format_help()
    raise AssertionError(command)


def test_options_name_the_variable_behind_them_and_the_default():
    text = " ".join(_help("worker").split())
    assert "(default: $EVENTWIRE_CONCURRENCY, else 2)" in text
    assert "(default: $EVENTWIRE_LOG_LEVEL, else INFO)" in text
    assert "(default: $EVENTWIRE_WORKER_NAME, else this host's name)" in " ".join(_help("health").split())


def test_extract_prints_a_readable_table_or_json_with_text_as_itself(tmp_path):
    path = tmp_path / "zurich.json"
    text = ("Swiss President Karin Keller-Sutter met German Chancellor Friedrich Merz in Zürich on "
            "Monday, officials said.")
    path.write_text(json.dumps({**ARTICLE, "id": "zurich-1", "text": text}, ensure_ascii=False))
    table = run_cli(["extract", "--format", "table", str(path)])
    assert table.returncode == 0, table.stderr
    first = table.stdout.splitlines()[0]
    assert first.startswith("article.processed") and "zurich-1" in first and "{" not in first
    as_json = run_cli(["extract", "--format", "json", str(path)])
    envelopes = json.loads(as_json.stdout)  # one array
    assert envelopes[0]["subject"] == "zurich-1"
    assert "Zürich" in as_json.stdout and "\\u00fc" not in as_json.stdout
    lines = run_cli(["extract", str(path)]).stdout.splitlines()  # piped: JSON Lines
    assert [json.loads(line)["type"] for line in lines] == [e["type"] for e in envelopes]


def test_a_long_article_gives_a_short_table(tmp_path):
    paragraph = ("Rebels attacked a police station in northern Mali on Sunday, officials said. "
                 "The army sent reinforcements to the region on Monday. ")
    path = tmp_path / "long.json"
    path.write_text(json.dumps({**ARTICLE, "id": "long-1", "text": paragraph * 300}))  # ~40k characters
    result = run_cli(["extract", "--format", "table", str(path)])
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("article.processed") and len(result.stdout) < 20_000


def test_a_dead_letter_reads_as_time_reason_and_the_payload_itself():
    record = dead_letter_record("1717000000000-0", {
        "reason": "empty_text", "article_id": "a-1", "errors": '[{"field": "text", "message": "is empty"}]',
        "payload": '{"id": "a-1", "text": "Москва  "}'})
    assert record["time"] == "2024-05-29T16:26:40Z"
    assert record["payload"] == {"id": "a-1", "text": "Москва  "} and record["errors"][0]["field"] == "text"
    line = describe_dead_letter(record)
    assert line.startswith("2024-05-29T16:26:40Z  1717000000000-0  a-1  empty_text  text: is empty")
    assert "Москва" in line and "\\u" not in line


@pytest.mark.integration
def test_run_exits_1_when_an_input_was_rejected(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.jsonl"
    good.write_text(json.dumps(ARTICLE))
    bad.write_text("{not json\n")
    result = run_cli(["run", "--embedded", "--format", "table", str(good), str(bad)])
    assert result.returncode == 1, result.stderr[-2000:]
    assert "bad.jsonl:1: rejected: invalid JSON" in result.stderr
    assert any(line.startswith("article.processed") for line in result.stdout.splitlines())
