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
class PendingEvent:
    """An event envelope whose type is decided where the article is registered on the event.

    ``event.created`` goes to the article that registers the event first, ``event.mentioned`` (with
    the counts after this article) to every other; a copy found by dedup (``via`` "duplicate")
    only mentions events that exist. Where registration and publication are one atomic step
    (``lua/publish_once.lua``) the decision is made there, so no consumer can see
    ``event.mentioned`` for an event whose ``event.created`` was never published. Both envelopes
    have ``data.mentions`` as the last key of the last key, filled in by ``resolve``.
    """

    event_id: str
    article_id: str
    outlet: str | None
    via: str  # "extraction" | "duplicate"
    created: dict[str, Any] | None  # the event.created envelope (None for a duplicate's mention)
    mentioned: dict[str, Any]  # the event.mentioned envelope

    def resolve(self, created: bool, articles: int, outlets: int) -> dict[str, Any]:
        """The envelope to publish once registration answered ``created`` and the counts."""
        chosen = self.created if created and self.created is not None else self.mentioned
        return {**chosen, "data": {**chosen["data"],
                                   "mentions": {"articles": articles, "outlets": outlets}}}


@dataclass
class Publication:
    """Everything one submission publishes: envelopes for the results stream, maybe a DLQ entry,
    and events still to be registered and published in the same step (``PendingEvent``)."""

    submission_id: str
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    dlq: dict[str, str] | None = None
    events: list[PendingEvent] = field(default_factory=list)


class Publisher(Protocol):
    """Where publications go. ``publish`` returns False when this submission was published before."""

    def publish(self, publication: Publication) -> bool: ...


def decode_envelope(fields: dict[bytes | str, bytes | str]) -> dict[str, Any]:
    """The envelope stored in one results-stream entry."""
    raw = fields.get(b"envelope", fields.get("envelope"))
    if raw is None:
        raise ValueError("stream entry has no envelope field")
    return json.loads(raw)
