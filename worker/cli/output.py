"""How commands print: a readable table on a terminal, JSON when piped (``--format`` chooses), one
line per rejected input on stderr, readable envelopes and dead letters.

``Output`` takes records one by one: ``table`` prints each record's readable line, ``jsonl`` one
JSON object a line (streams well into ``jq`` or ``head``), ``json`` one JSON array at the end.
Non-ASCII text is printed as itself, never as ``\\u`` escapes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

FORMATS = ("table", "json", "jsonl")


def add_format_option(parser: argparse.ArgumentParser, piped: str = "jsonl", *,
                      json_alias: bool = False) -> None:
    """``--format``: ``table`` by default on a terminal, ``piped`` when the output is not one
    (``--json``, where a command had it, is ``--format jsonl``)."""
    parser.add_argument("--format", choices=FORMATS, help=(
        f"table (readable), json (one array) or jsonl (one object a line); default: table on a "
        f"terminal, {piped} when piped"))
    if json_alias:
        parser.add_argument("--json", dest="format", action="store_const", const="jsonl",
                            help="the same as --format jsonl")


def output_format(args: argparse.Namespace, piped: str = "jsonl") -> str:
    """The format to print in: ``--format``, else by whether stdout is a terminal."""
    chosen = getattr(args, "format", None) or ("jsonl" if getattr(args, "json", None) is True else None)
    return chosen or ("table" if sys.stdout.isatty() else piped)


def dumps(value: Any) -> str:
    """Compact JSON with text as itself (no ``\\u`` escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Output:
    """Prints records in one format; ``close`` ends a ``json`` array."""

    def __init__(self, fmt: str, line: Callable[[dict[str, Any]], str]) -> None:
        self.fmt, self.line, self.collected = fmt, line, []
        self.count = 0

    def __enter__(self) -> Output:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()

    def emit(self, record: dict[str, Any]) -> None:
        self.count += 1
        if self.fmt == "json":
            self.collected.append(record)
        else:
            print(self.line(record) if self.fmt == "table" else dumps(record), flush=True)

    def close(self) -> None:
        if self.fmt == "json":
            print(json.dumps(self.collected, ensure_ascii=False, indent=2), flush=True)
            self.collected = []


def report_bad_input(origin: str, message: str) -> int:
    """Say on stderr that the input at ``origin`` was rejected; returns 1 (one failure)."""
    print(f"{origin}: rejected: {message}", file=sys.stderr)
    return 1


def describe(envelope: dict[str, Any]) -> str:
    """One readable line for an envelope."""
    data, kind = envelope["data"], envelope["type"]
    if kind == "article.processed":
        detail = f"{len(data['entities'])} entities, {len(data['event_ids'])} events"
    elif kind == "article.duplicate":
        detail = f"{data['kind']} duplicate of {data['duplicate_of']} ({data['similarity']:.2f})"
    elif kind == "article.rejected":
        detail = f"{data['reason']}: " + "; ".join(e["message"] for e in data["errors"])
    elif kind == "event.created":
        action, a2, place = data["action"], data["actor2"], data["location"]
        detail = (f"{data['actor1']['code'] or data['actor1']['name']} → "
                  f"{(a2['code'] or a2['name']) if a2 else '-'}  {action['cameo']} "
                  f"{action['plover'] or ''} ({action['text']})  "
                  f"{place['name'] if place else '-'}  {data['event_date'] or '-'}")
    else:
        detail = (f"{data['article_id']} mentions it: {data['mentions']['articles']} articles, "
                  f"{data['mentions']['outlets']} outlets")
    return f"{kind:<18} {envelope['subject']:<24} {detail}"


def describe_health(report: dict[str, Any]) -> str:
    """The readable health answer: the verdict, then each cause and warning on its own line."""
    named = report.get("worker") and report["probe"] in {"worker", "liveness"}
    subject = f" (worker {report['worker']})" if named else ""
    lines = [f"{report['probe']} probe{subject}: {'healthy' if report['healthy'] else 'UNHEALTHY'}"]
    lines += [f"  error: {e}" for e in report["errors"]] + [f"  warning: {w}" for w in report["warnings"]]
    return "\n".join(lines)


def dead_letter_record(entry_id: str, fields: dict[str, str]) -> dict[str, Any]:
    """A DLQ entry as a record: its time (from the entry id), and the JSON it carries as JSON
    (``errors`` as a list, ``payload`` as the object it was when it parses), not strings of JSON."""
    record: dict[str, Any] = {"entry": entry_id, "time": entry_time(entry_id)}
    for name, value in fields.items():
        record[name] = _parsed(value) if name in {"errors", "payload", "headers"} else value
    return record


def entry_time(entry_id: str) -> str:
    """The time a stream entry was written (its id's milliseconds), ISO 8601 in UTC."""
    millis = int(entry_id.split("-", 1)[0])
    return datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def describe_dead_letter(record: dict[str, Any], width: int = 200) -> str:
    """Two readable lines for a DLQ record: when, which, why; then the payload, shortened."""
    errors = record.get("errors")
    why = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors
                    if isinstance(e, dict)) if isinstance(errors, list) else str(errors or "")
    payload = record.get("payload", "")
    text = payload if isinstance(payload, str) else dumps(payload)
    if len(text) > width:
        text = text[:width] + f"… ({len(text)} characters)"
    return (f"{record['time']}  {record['entry']}  {record.get('article_id') or '-'}  "
            f"{record.get('reason', '-')}  {why}\n    payload: {text}")


def _parsed(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value
