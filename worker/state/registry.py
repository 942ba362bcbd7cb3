"""The event registry in Redis, shared by every worker; ``register`` is one Lua script.

Semantics in ``worker.core.registry``; key layout at the top of ``lua/registry_register.lua``.
"""

from __future__ import annotations

import json

import redis

from worker.config import Settings
from worker.core.registry import Registration, normalize_outlet
from worker.state import scripts
from worker.state.keys import Keys, digest


class RedisEventRegistry:
    """Mentions of events by articles, and the events of each article, in Redis.

    The service registers events in the publish script (``lua/publish_once.lua``), atomically with
    the envelopes; ``register`` (``lua/registry_register.lua``, the same steps) serves direct use.
    """

    registers_at_publication = True

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.keys = Keys(settings)
        self.window_ms = settings.dedup_window_seconds * 1000
        self._register = scripts.register(client, scripts.REGISTRY_REGISTER)

    def register(self, event_id: str, article_id: str, outlet: str | None) -> Registration:
        """Record that ``article_id`` (from ``outlet``) mentions ``event_id``."""
        name = normalize_outlet(outlet)
        created, articles, outlets = self._register(
            keys=[self.keys.event(event_id)],
            args=[article_id.encode("utf-8", "surrogatepass"),
                  digest(b"article", article_id, 12),
                  digest(b"outlet", name, 12) if name else b"",
                  self.window_ms])
        return Registration(event_id, bool(created), int(articles), int(outlets))

    def record_article_events(self, article_id: str, event_ids: list[str]) -> None:
        """Store the events an article reports (a repeated call overwrites with the same list)."""
        self.client.set(self.keys.article_events(article_id), json.dumps(event_ids), px=self.window_ms)

    def events_of(self, article_id: str) -> list[str]:
        """The events recorded for ``article_id`` (empty if unknown or expired)."""
        raw = self.client.get(self.keys.article_events(article_id))
        return list(json.loads(raw)) if raw else []
