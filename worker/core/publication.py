"""What a submission publishes: CloudEvents envelopes, maybe a DLQ entry, and where they go.

``worker.state.publisher.RedisPublisher`` appends a publication to the streams exactly once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

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
              submission_id: str) -> dict[str, str]:
    """Fields of one DLQ stream entry: the payload (truncated past 64 KiB) and the precise reason."""
    text = _dump_payload(payload)
    entry = {
        "kind": "article",
        "article_id": article_id or "",
        "submission_id": submission_id,
        "reason": reason,
        "errors": json.dumps(errors, ensure_ascii=False),
        "payload": text[:DLQ_PAYLOAD_LIMIT],
        "payload_truncated": "1" if len(text) > DLQ_PAYLOAD_LIMIT else "0",
        "time": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    return entry


def dead_message_entry(*, reason: str, detail: str, raw: bytes, submission_id: str = "",
                       task: str = "", queue: str = "") -> dict[str, str | bytes]:
    """Fields of a DLQ entry for a broker message that could not be decoded or routed.

    ``kind`` is ``message`` (article entries have ``kind`` ``article``); ``payload`` holds the raw
    bytes as they were read from the queue, cut at 64 KiB; ``raw_bytes`` is their full length.
    """
    return {
        "kind": "message",
        "article_id": "",
        "submission_id": submission_id,
        "reason": reason,
        "errors": json.dumps([{"field": "$message", "message": detail[:1000]}], ensure_ascii=False),
        "payload": raw[:DLQ_PAYLOAD_LIMIT],
        "payload_truncated": "1" if len(raw) > DLQ_PAYLOAD_LIMIT else "0",
        "raw_bytes": str(len(raw)),
        "task": task,
        "queue": queue,
        "time": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }


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


def decode_envelope(fields: dict[bytes | str, bytes | str]) -> dict[str, Any]:
    """The envelope stored in one results-stream entry."""
    raw = fields.get(b"envelope", fields.get("envelope"))
    if raw is None:
        raise ValueError("stream entry has no envelope field")
    return json.loads(raw)
