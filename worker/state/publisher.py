"""Publication in Redis: a submission's envelopes (and DLQ entry) appended at most once.

One Lua script checks the submission's marker and appends everything in one atomic step (keys and
arguments documented in ``lua/publish_once.lua``). Where the broker loses messages in transit
(kombu's Redis transport), the same step strikes the submission off the ledger.
"""

from __future__ import annotations

import json
from typing import Any

import redis

from worker.config import Settings
from worker.core.publication import Publication
from worker.state import scripts
from worker.state.keys import Keys


class RedisPublisher:
    """Appends publications to the results and DLQ streams, at most once per submission."""

    def __init__(self, client: redis.Redis, settings: Settings, *, ledger: bool) -> None:
        self.client = client
        self.settings = settings
        self.keys = Keys(settings)
        self.ledger = ledger
        self._script = scripts.register(client, scripts.PUBLISH_ONCE)

    def publish(self, publication: Publication) -> bool:
        """Append ``publication``; False when this submission was published before."""
        s = self.settings
        args: list[Any] = [publication.submission_id, s.dedup_window_seconds, s.results_maxlen,
                           s.dlq_maxlen, len(publication.envelopes)]
        for envelope in publication.envelopes:
            args += [envelope["type"], envelope["subject"],
                     json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))]
        for name, value in (publication.dlq or {}).items():
            args += [name, value]
        keys = [self.keys.published(publication.submission_id), self.keys.results_stream,
                self.keys.dlq_stream]
        if self.ledger:
            keys += [self.keys.ledger_index, self.keys.ledger_payload]
        return int(self._script(keys=keys, args=args)) >= 0
