"""Reading articles from files for the CLI: JSON (one article or a list), JSON Lines, plain text.

Every item is yielded with where it came from; a line or file that is not valid JSON becomes an
``InputItem`` with an error instead of stopping the run, so nothing is silently dropped.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from worker.cli.output import report_bad_input
from worker.core.contract import InvalidArticle

if TYPE_CHECKING:
    from worker.client import Producer, Submission


@dataclass(frozen=True)
class InputItem:
    """One article read from input, or the reason it could not be read."""

    origin: str
    payload: Any = None
    error: str | None = None


def read_inputs(paths: list[str]) -> Iterator[InputItem]:
    """Articles from each path (``-`` is standard input), in order."""
    for path in paths or ["-"]:
        if path == "-":
            yield from parse_text(sys.stdin.read(), "<stdin>", suffix="")
            continue
        file = Path(path)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            yield InputItem(path, error=f"cannot read: {exc.strerror or exc}")
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield InputItem(path, error=f"not UTF-8: byte {exc.start} is 0x{raw[exc.start]:02x}")
            continue
        yield from parse_text(text, path, suffix=file.suffix.lower())


def parse_text(text: str, origin: str, *, suffix: str) -> Iterator[InputItem]:
    """Articles in ``text``; the format comes from the suffix, or from the content for stdin."""
    stripped = text.lstrip("\ufeff").strip()
    if suffix == ".txt" or (suffix not in {".json", ".jsonl", ".ndjson"}
                            and not stripped.startswith(("{", "["))):
        yield InputItem(origin, {"text": text})
        return
    if suffix in {".jsonl", ".ndjson"}:
        yield from _json_lines(stripped, origin)
        return
    try:
        value = _loads(stripped)
    except ValueError as exc:
        if suffix == "" and stripped.startswith("{"):
            yield from _json_lines(stripped, origin)  # stdin may carry JSON Lines
            return
        yield InputItem(origin, error=f"invalid JSON: {exc}")
        return
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        yield InputItem(f"{origin}[{index}]" if isinstance(value, list) else origin, item)


def _json_lines(text: str, origin: str) -> Iterator[InputItem]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield InputItem(f"{origin}:{number}", _loads(line))
        except ValueError as exc:
            yield InputItem(f"{origin}:{number}", error=f"invalid JSON: {exc}")


def _loads(text: str) -> Any:
    """``json.loads`` that reports absurd nesting as a ``ValueError`` instead of crashing."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def submit_each(
    producer: Producer, items: Iterable[InputItem]
) -> Iterator[tuple[InputItem, Submission | None]]:
    """Submit each input in turn: (item, its submission), or (item, None) for an input that could not
    be read or is not a valid article (reported on stderr, one line; the others go on)."""
    for item in items:
        if item.error:
            report_bad_input(item.origin, item.error)
            yield item, None
            continue
        try:
            submission = producer.submit(item.payload)
        except InvalidArticle as exc:
            report_bad_input(item.origin, str(exc))
            yield item, None
            continue
        yield item, submission
