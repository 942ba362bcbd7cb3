"""The event registry: which articles and outlets mention each event, and which article created it.

``register`` is atomic and idempotent per (event id, article id): the first article to register an
event is its creator (``created`` is true for it, and only for it, on every call), a repeated call
does not grow the counts. Outlets are counted by normalized name; an article without an outlet adds
to the article count only. Every key expires one window after it was last touched.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from worker.config import Settings
from worker.core.cleaning import strip_invisible

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Registration:
    """The state of an event after an article registered it."""

    event_id: str
    created: bool  # True iff this article is the event's first reporter
    articles: int  # distinct mentioning articles so far
    outlets: int  # distinct outlets so far


class EventRegistry(Protocol):
    """Mentions of events by articles, and the events of each article.

    ``registers_at_publication``: True when the registry is updated by the publication itself, in
    one atomic step with the envelopes (Redis); the pipeline then leaves its events pending.
    """

    registers_at_publication: bool

    def register(self, event_id: str, article_id: str, outlet: str | None) -> Registration: ...

    def record_article_events(self, article_id: str, event_ids: list[str]) -> None: ...

    def events_of(self, article_id: str) -> list[str]: ...


def normalize_outlet(outlet: str | None) -> str | None:
    """Outlet name compared case- and spacing-insensitively, without a leading ``www.``, invisible
    characters or bidirectional controls (``"reuters\u202e"`` is Reuters)."""
    if outlet is None:
        return None
    name = _SPACES.sub(" ", strip_invisible(unicodedata.normalize("NFKC", outlet)).casefold()).strip()
    name = name.removeprefix("www.")
    return name or None


@dataclass
class _Event:
    creator: str
    articles: set[str] = field(default_factory=set)
    outlets: set[str] = field(default_factory=set)
    expires: float = 0.0


class MemoryEventRegistry:
    """The same registry in process memory (for ``eventwire extract``; thread-safe)."""

    registers_at_publication = False  # in one process the pipeline's result is its publication

    def __init__(self, settings: Settings | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window = (settings or Settings()).dedup_window_seconds
        self.clock = clock
        self._events: dict[str, _Event] = {}
        self._article_events: dict[str, tuple[list[str], float]] = {}
        self._lock = threading.Lock()

    def register(self, event_id: str, article_id: str, outlet: str | None) -> Registration:
        """Record that ``article_id`` (from ``outlet``) mentions ``event_id``."""
        with self._lock:
            now = self.clock()
            event = self._events.get(event_id)
            if event is None or event.expires <= now:
                event = self._events[event_id] = _Event(creator=article_id)
            if article_id not in event.articles:
                event.articles.add(article_id)
                name = normalize_outlet(outlet)
                if name:
                    event.outlets.add(name)
            event.expires = now + self.window
            return Registration(event_id, event.creator == article_id, len(event.articles),
                                len(event.outlets))

    def record_article_events(self, article_id: str, event_ids: list[str]) -> None:
        """Store the events an article reports."""
        with self._lock:
            self._article_events[article_id] = (list(event_ids), self.clock() + self.window)

    def events_of(self, article_id: str) -> list[str]:
        """The events recorded for ``article_id`` (empty if unknown or expired)."""
        with self._lock:
            events, expires = self._article_events.get(article_id, ([], 0.0))
            return list(events) if expires > self.clock() else []
