"""The dead-letter stream: reading entries, recording redrives, purging.

A redrive resubmits an entry's payload as a new submission. Each entry is redriven at most once:
before its payload is sent, its id is claimed in the ``dlq_redriven`` hash (``HSETNX``; key in
``worker.state.keys``), and the claim keeps the new submission's id. A failed send takes the claim
back. Purging an entry removes its claim too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import redis

from worker.config import Settings
from worker.state.keys import Keys

_PAGE = 500


@dataclass(frozen=True)
class DeadLetter:
    """One DLQ entry (fields decoded as UTF-8, bad bytes replaced)."""

    entry_id: str
    fields: dict[str, str]

    def payload(self) -> Any:
        """The dead-lettered article payload; ValueError when it cannot be resubmitted."""
        if self.fields.get("kind", "article") != "article":
            raise ValueError("a raw broker message, not an article: nothing to resubmit")
        if self.fields.get("payload_truncated") == "1":
            raise ValueError("the payload was cut at 64 KiB when it was dead-lettered")
        try:
            return json.loads(self.fields.get("payload", ""))
        except ValueError as exc:
            raise ValueError(f"the payload is not JSON: {exc}") from exc


class DeadLetters:
    """The DLQ stream of one deployment."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.stream = settings.dlq_stream
        self.redriven_key = Keys(settings).dlq_redriven

    def entries(self, ids: list[str] | None = None) -> Iterator[DeadLetter]:
        """The entries with ``ids`` (missing ones are skipped), else every entry, oldest first."""
        if ids is not None:
            for entry_id in ids:
                for found_id, raw in self.client.xrange(self.stream, entry_id, entry_id):
                    yield _entry(found_id, raw)
            return
        cursor = "-"
        while True:
            page = self.client.xrange(self.stream, min=cursor, count=_PAGE)
            yield from (_entry(entry_id, raw) for entry_id, raw in page)
            if len(page) < _PAGE:
                return
            cursor = f"({page[-1][0].decode()}"

    def claim(self, entry_id: str) -> bool:
        """Claim ``entry_id`` for a redrive; False when it was redriven (or claimed) before."""
        return bool(self.client.hsetnx(self.redriven_key, entry_id,
                                       json.dumps({"claimed_at": time.time()})))

    def record(self, entry_id: str, submission_id: str, article_id: str) -> None:
        """Note the submission a claimed entry was resubmitted as."""
        self.client.hset(self.redriven_key, entry_id, json.dumps(
            {"submission_id": submission_id, "article_id": article_id, "at": time.time()}))

    def release(self, entry_id: str) -> None:
        """Take back a claim whose resubmission failed."""
        self.client.hdel(self.redriven_key, entry_id)

    def redriven(self, entry_id: str) -> dict[str, Any] | None:
        """How ``entry_id`` was redriven, or None."""
        raw = self.client.hget(self.redriven_key, entry_id)
        return json.loads(raw) if raw else None

    def purge(self, ids: list[str]) -> int:
        """Delete entries by id (and their redrive records); returns how many existed."""
        if not ids:
            return 0
        pipe = self.client.pipeline(transaction=True)
        pipe.xdel(self.stream, *ids)
        pipe.hdel(self.redriven_key, *ids)
        return int(pipe.execute()[0])

    def purge_older_than(self, seconds: float) -> int:
        """Delete every entry added more than ``seconds`` ago (entry ids are times, so one exact
        ``XTRIM MINID``) and their redrive records; returns how many entries were deleted."""
        cutoff_ms = int((time.time() - seconds) * 1000)
        deleted = int(self.client.xtrim(self.stream, minid=f"{cutoff_ms}-0", approximate=False))
        old = [name for name in self.client.hkeys(self.redriven_key)
               if int(name.split(b"-")[0]) < cutoff_ms]
        if old:
            self.client.hdel(self.redriven_key, *old)
        return deleted

def _entry(entry_id: bytes, raw: dict[bytes, bytes]) -> DeadLetter:
    return DeadLetter(entry_id.decode(), {k.decode(): v.decode("utf-8", "replace") for k, v in raw.items()})
