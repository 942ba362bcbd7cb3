"""Publication in Redis: a submission's outcome published at most once, in one atomic step.

One Lua script (``lua/publish_once.lua``, keys and arguments at its top) checks the submission's
marker, registers the article on its events (so ``event.created`` and the registration that makes
an article the creator are one step), appends the envelopes and the DLQ entry, and, where the broker
loses messages in transit (kombu's Redis transport), strikes the submission off the ledger. The
same step records the article's status and the event records ``worker.state.lookup`` reads.

Everything is encoded to bytes before the script runs: a publication that cannot be encoded
(``UnencodablePublication``) changes nothing in Redis.
"""

from __future__ import annotations

import json
from typing import Any

import redis

from worker.config import Settings
from worker.core.publication import PendingEvent, Publication
from worker.core.registry import normalize_outlet
from worker.state import scripts
from worker.state.keys import Keys, digest

#: How a pending event's envelope JSON ends before the script writes the counts.
_OPEN_END = b'"mentions":null}}'


class UnencodablePublication(ValueError):
    """Part of a publication is not valid UTF-8 (a lone surrogate): nothing was published."""


def _json(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _open(envelope: dict[str, Any]) -> bytes:
    """The envelope JSON without its last bytes, ending at ``"mentions":``."""
    raw = _json(envelope)
    if not raw.endswith(_OPEN_END):
        raise ValueError(f"{envelope['type']}: data.mentions must be the envelope's last value")
    return raw[: -len(b'null}}')]


class RedisPublisher:
    """Appends publications to the results and DLQ streams, at most once per submission."""

    def __init__(self, client: redis.Redis, settings: Settings, *, ledger: bool) -> None:
        self.client = client
        self.settings = settings
        self.keys = Keys(settings)
        self.ledger = ledger
        self._script = scripts.register(client, scripts.PUBLISH_ONCE)

    def publish(self, publication: Publication) -> bool:
        """Publish ``publication``; False when this submission was published before."""
        keys, args = self.encode(publication)
        return int(self._script(keys=keys, args=args)) >= 0

    def encode(self, publication: Publication) -> tuple[list[str], list[bytes | int]]:
        """The script's keys and arguments, all encoded; raises ``UnencodablePublication``."""
        s = self.settings
        where = "the publication"
        article_id = outcome_article_id(publication)
        try:
            args: list[bytes | int] = [
                publication.submission_id.encode("utf-8"), s.dedup_window_seconds, s.results_maxlen,
                s.dlq_maxlen, int(self.ledger), s.dedup_window_seconds * 1000,
                len(publication.envelopes), len(publication.events), _status_mode(publication, article_id)]
            for envelope in publication.envelopes:
                where = f"{envelope['type']} {envelope['subject']!r}"
                args += [envelope["type"].encode(), envelope["subject"].encode("utf-8"), _json(envelope)]
            for event in publication.events:
                where = f"event {event.event_id!r}"
                args += self._event_args(event)
            for name, value in (publication.dlq or {}).items():
                where = f"DLQ field {name}"
                args += [name.encode(), value if isinstance(value, bytes) else value.encode("utf-8")]
        except UnicodeEncodeError as error:
            raise UnencodablePublication(f"{where}: {error}") from error
        keys = [self.keys.published(publication.submission_id), self.keys.results_stream,
                self.keys.dlq_stream, self.keys.article_status(article_id or "")]
        if self.ledger:
            keys += [self.keys.ledger_index, self.keys.ledger_payload]
        keys += [self.keys.event(event.event_id) for event in publication.events]
        return keys, args

    @staticmethod
    def _event_args(event: PendingEvent) -> list[bytes | int]:
        outlet = normalize_outlet(event.outlet)
        return [b"x" if event.via == "extraction" else b"d", event.event_id.encode("utf-8"),
                event.article_id.encode("utf-8"), digest(b"article", event.article_id, 12),
                digest(b"outlet", outlet, 12) if outlet else b"",
                _open(event.created) if event.created is not None else b"",
                _open(event.mentioned)]


def outcome_article_id(publication: Publication) -> str | None:
    """The article id of the publication's outcome (its first envelope), None when it names none
    (a rejection of input without a valid id): the article whose status the publication records."""
    if not publication.envelopes or not publication.envelopes[0]["type"].startswith("article."):
        return None
    article_id = publication.envelopes[0]["data"].get("article_id")
    return article_id if isinstance(article_id, str) else None


def _status_mode(publication: Publication, article_id: str | None) -> int:
    """How the publish script records the article status: 0 not at all (no article id), 2 only if the
    article has no outcome yet (its own id submitted again), else 1 (the outcome replaces the status)."""
    if article_id is None:
        return 0
    data = publication.envelopes[0]["data"]
    return 2 if data.get("matched_on") == "id" and data.get("duplicate_of") == article_id else 1
