"""Publishing: CloudEvents envelopes, appended to the results stream exactly once per submission."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Protocol

import redis

from worker.config import Settings
from worker.ledger import ledger_keys

SCHEMA_BASE = "https://eventwire.dev/schemas/"
DLQ_PAYLOAD_LIMIT = 64 * 1024


def make_envelope(event_type: str, subject: str, data: dict[str, Any], *, source: str,
                  dedup_key: str) -> dict[str, Any]:
    """A CloudEvents 1.0 envelope; its ``id`` is derived from ``dedup_key`` so it is stable."""
    digest = hashlib.sha256(f"{event_type}\x1f{dedup_key}".encode()).hexdigest()[:32]
    return {
        "id": f"ew-{digest}",
        "source": source,
        "specversion": "1.0",
        "type": event_type,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "subject": subject,
        "datacontenttype": "application/json",
        "dataschema": f"{SCHEMA_BASE}{event_type}.v1.json",
        "data": data,
    }


def dlq_entry(*, reason: str, errors: list[dict[str, str]], payload: Any, article_id: str | None,
              submission_id: str, deliveries: int | None = None) -> dict[str, str]:
    """Fields of one DLQ stream entry: the payload (truncated past 64 KiB) and the precise reason."""
    text = _dump_payload(payload)
    entry = {
        "article_id": article_id or "",
        "submission_id": submission_id,
        "reason": reason,
        "errors": json.dumps(errors, ensure_ascii=False),
        "payload": text[:DLQ_PAYLOAD_LIMIT],
        "payload_truncated": "1" if len(text) > DLQ_PAYLOAD_LIMIT else "0",
        "time": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    if deliveries is not None:
        entry["deliveries"] = str(deliveries)
    return entry


def _dump_payload(payload: Any) -> str:
    try:
        return json.dumps(payload, ensure_ascii=True, default=repr)
    except (ValueError, RecursionError):
        return repr(payload)[: DLQ_PAYLOAD_LIMIT + 1]


@dataclass
class Publication:
    """Everything one submission publishes: envelopes for the results stream, maybe a DLQ entry."""

    submission_id: str
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    dlq: dict[str, str] | None = None


class Publisher(Protocol):
    """Where publications go. ``publish`` returns False when this submission was published before."""

    def publish(self, publication: Publication) -> bool: ...


class ListPublisher:
    """Keeps publications in memory (``eventwire extract`` and unit tests)."""

    def __init__(self) -> None:
        self.envelopes: list[dict[str, Any]] = []
        self.dlq: list[dict[str, str]] = []
        self._seen: set[str] = set()

    def publish(self, publication: Publication) -> bool:
        if publication.submission_id in self._seen:
            return False
        self._seen.add(publication.submission_id)
        self.envelopes.extend(publication.envelopes)
        if publication.dlq:
            self.dlq.append(publication.dlq)
        return True


@functools.cache
def _lua(name: str) -> str:
    return resources.files("worker.lua").joinpath(name).read_text("utf-8")


def marker_key(settings: Settings, submission_id: str) -> str:
    """Key recording that a submission's outcome was published (the id is hashed, never raw)."""
    return settings.hashed_key("published", submission_id)


class RedisPublisher:
    """Appends publications to the results and DLQ streams with one Lua script each (at most once)."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self._script = client.register_script(_lua("publish_once.lua"))

    def publish(self, publication: Publication) -> bool:
        s = self.settings
        args: list[Any] = [publication.submission_id, s.dedup_window_seconds, s.results_maxlen,
                           s.dlq_maxlen, len(publication.envelopes)]
        for envelope in publication.envelopes:
            args += [envelope["type"], envelope["subject"],
                     json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))]
        for name, value in (publication.dlq or {}).items():
            args += [name, value]
        keys = [marker_key(s, publication.submission_id), s.results_stream, s.dlq_stream,
                *ledger_keys(s)]
        return int(self._script(keys=keys, args=args)) >= 0


def decode_envelope(fields: dict[bytes | str, bytes | str]) -> dict[str, Any]:
    """The envelope stored in one results-stream entry."""
    raw = fields.get(b"envelope", fields.get("envelope"))
    if raw is None:
        raise ValueError("stream entry has no envelope field")
    return json.loads(raw)
