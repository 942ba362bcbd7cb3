"""What became of an article, and the current record of an event: read from Redis.

Both are written by the publish script (``lua/publish_once.lua``, layout at its top) in the same
atomic step as the envelopes, so they never disagree with the results stream: an article's status
points at its outcome's entry on the stream, and an event's record is the ``event.created`` envelope
it published. Producers mark an article ``queued`` before they send it. Everything expires one
dedup window after it was last written; an outcome trimmed off the stream (``MAXLEN``) keeps its
status and event ids, with the outcome itself ``None``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import redis

from worker.config import Settings
from worker.core.publication import decode_envelope
from worker.state.keys import Keys

#: Statuses an article can have.
STATUSES = ("queued", "processed", "duplicate", "rejected")


@dataclass(frozen=True)
class ArticleStatus:
    """The latest known state of one article id."""

    article_id: str
    status: str  # one of STATUSES
    outcome: dict[str, Any] | None  # the outcome envelope, None while queued or once trimmed
    event_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "status": self.status, "outcome": self.outcome,
                "event_ids": self.event_ids}


@dataclass(frozen=True)
class EventRecord:
    """One event: its record as created, the current mention counts, the articles reporting it."""

    event_id: str
    record: dict[str, Any] | None  # event.created data with the current mentions (None: not kept)
    mentions: dict[str, int]
    article_ids: list[str]
    created_by: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "record": self.record, "mentions": self.mentions,
                "article_ids": self.article_ids, "created_by": self.created_by}


class Lookup:
    """Reads article statuses and event records; marks articles queued."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.keys = Keys(settings)
        self.window_ms = settings.dedup_window_seconds * 1000

    def mark_queued(self, article_id: str) -> bool:
        """Record that ``article_id`` was submitted, unless it has a status already; True if new."""
        key = self.keys.article_status(article_id)
        pipe = self.client.pipeline(transaction=True)
        pipe.hsetnx(key, "s", "queued")
        pipe.pexpire(key, self.window_ms)
        return bool(pipe.execute()[0])

    def unmark_queued(self, article_id: str) -> None:
        """Take back ``mark_queued`` after a send that failed (only while the status is queued)."""
        key = self.keys.article_status(article_id)
        with self.client.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(key)
                if pipe.hget(key, "s") != b"queued":
                    return
                pipe.multi()
                pipe.delete(key)
                pipe.execute()
            except redis.WatchError:
                return  # an outcome was published meanwhile: keep it

    def article(self, article_id: str) -> ArticleStatus | None:
        """The status of ``article_id``; None when it was never seen or has expired."""
        raw = self.client.hgetall(self.keys.article_status(article_id))
        status = raw.get(b"s")
        if status is None:
            return None
        outcome = None
        entry_id = raw.get(b"x")
        if entry_id:
            entries = self.client.xrange(self.keys.results_stream, entry_id, entry_id)
            outcome = decode_envelope(entries[0][1]) if entries else None
        event_ids = raw.get(b"e", b"").decode().split()
        return ArticleStatus(article_id, status.decode(), outcome, event_ids)

    def event(self, event_id: str) -> EventRecord | None:
        """The record of ``event_id``; None when unknown or expired."""
        raw = self.client.hgetall(self.keys.event(event_id))
        if b"n" not in raw:
            return None
        mentions = {"articles": int(raw[b"n"]), "outlets": int(raw.get(b"m", 0))}
        record = None
        if b"r" in raw:
            record = {**json.loads(raw[b"r"])["data"], "mentions": mentions}
        article_ids = sorted(value.decode("utf-8", "surrogateescape") for name, value in raw.items()
                             if name[:1] == b"a" and len(name) == 13)
        creator = raw.get(b"c")
        return EventRecord(event_id, record, mentions, article_ids,
                           creator.decode("utf-8", "surrogateescape") if creator else None)
