"""Dead letters for broker messages: what the worker could not decode or route goes to the DLQ.

A message pushed around the client (not JSON, not a kombu envelope, Celery headers without an id, an
unknown task, wrong arguments, past its ``expires``) is never an article: it is written to the DLQ
with its raw bytes (cut at 64 KiB) and the reason, counted by reason, and acknowledged. One Lua
script (``lua/quarantine.lua``) writes the entry, the counter and, for a message with a delivery
tag, a marker, so a message that comes back after a crash is not dead-lettered twice.
"""

from __future__ import annotations

import redis

from worker.config import Settings
from worker.core.publication import dead_message_entry
from worker.state import scripts
from worker.state.keys import Keys


class MessageQuarantine:
    """Writes broker-edge dead letters to the DLQ stream and counts them."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.keys = Keys(settings)
        self._script = scripts.register(client, scripts.QUARANTINE)

    def record(self, raw: bytes, reason: str, detail: str, *, delivery_tag: str | None = None,
               submission_id: str = "", task: str = "") -> bool:
        """Dead-letter one message; False when its delivery tag was dead-lettered before."""
        entry = dead_message_entry(reason=reason, detail=detail, raw=raw,
                                   submission_id=submission_id, task=task,
                                   queue=self.settings.queue)
        keys = [self.keys.dlq_stream, self.keys.rejected_messages]
        if delivery_tag:
            keys.append(self.keys.quarantined(delivery_tag))
        args: list[str | bytes | int] = [self.settings.dlq_maxlen, reason,
                                         self.settings.dedup_window_seconds]
        for name, value in entry.items():
            args += [name, value]
        return bool(self._script(keys=keys, args=args))

    def counts(self) -> dict[str, int]:
        """Messages dead-lettered at the edge so far, by reason."""
        return {k.decode(): int(v) for k, v in self.client.hgetall(self.keys.rejected_messages).items()}
