"""Every Redis key eventwire writes, named in one place.

Producer strings (article, submission and event ids, outlet names, hostnames) are hashed before they
reach a key, so no input can address another key. ``P`` is ``EVENTWIRE_KEY_PREFIX``.

==================================  ========  ==================================================
key                                 type      what, written by
==================================  ========  ==================================================
``P{Pdedup}:d:<hex16>``             string    dedup record of one article (``lua/dedup_check_and_insert.lua``;
                                              deleted by ``lua/dedup_forget.lua`` on a dead letter)
``P{Pdedup}:i:<id>``                hash      one dedup lookup table: bucket -> its records (same script;
                                              layout at its top)
``P{Pdedup}:i:tables``              string    the live lookup tables and their sizes (same script)
``Pev:<hex32>``                     hash      one event's mentions and record (``lua/publish_once.lua``)
``Pst:<hex32>``                     hash      an article's status: outcome, its stream entry, its events
                                              (``lua/publish_once.lua``; ``queued`` by ``state.lookup``)
``Part:<hex32>``                    string    JSON list of an article's event ids (``state.registry``)
``Ppublished:<hex32>``              string    a submission's outcome was published (``lua/publish_once.lua``)
``Pdeliveries:<hex32>``             string    deliveries of a submission (``state.deliveries``)
``Pheartbeat:<hex32>``              string    a worker's last beat (``state.heartbeat``)
``Pquarantined:<hex32>``            string    a broker message was dead-lettered (``lua/quarantine.lua``)
``Prejected_messages``              hash      dead-lettered broker messages by reason (same script)
``Pdlq_redriven``                   hash      DLQ entry id -> its redrive (``state.dlq``; purged with it)
``Phealth:probe``                   string    health's write probe, 10 s (``tasks.health``)
``P{Pledger}:index``                zset      unpublished submissions by send time (``state.ledger``)
``P{Pledger}:payload``              hash      their payloads (``state.ledger``)
``P{Pledger}:lock``                 string    one reconciler at a time (``tasks.reconciler``)
results stream, DLQ stream          stream    ``EVENTWIRE_RESULTS_STREAM``, ``EVENTWIRE_DLQ_STREAM``
==================================  ========  ==================================================

The hash tags carry the prefix, so on Redis Cluster two deployments' indexes are in different slots.
The streams and the Celery queue default to ``<P>results``, ``<P>dlq`` and ``<P>articles``
(``worker.config``). Keys owned by kombu's Redis transport (the queue list named ``EVENTWIRE_QUEUE``,
``Punacked``, ``Punacked_index``, ``Punacked_mutex``: named here, given to kombu by ``tasks.app``) are
read, never written, by ``state.ledger``. Every key but the streams, the ledger, ``dlq_redriven`` and
the ``rejected_messages`` counter expires after ``EVENTWIRE_DEDUP_WINDOW_SECONDS`` (heartbeats and the
health probe sooner).
"""

from __future__ import annotations

import hashlib

from worker.config import Settings


def digest(kind: bytes, text: str, size: int) -> bytes:
    """blake2b of ``text`` in the domain ``kind`` (ids are hashed before they reach a key)."""
    return hashlib.blake2b(kind + b"\x00" + text.encode("utf-8", "surrogatepass"),
                           digest_size=size).digest()


class Keys:
    """The key names of one deployment (one key prefix)."""

    def __init__(self, settings: Settings) -> None:
        self.prefix = settings.key_prefix
        # Redis Cluster hash tags: one slot per index and deployment (two prefixes, two slots)
        self.dedup_tag = "{" + settings.key_prefix + "dedup}"
        self.ledger_tag = "{" + settings.key_prefix + "ledger}"
        self.results_stream = settings.results_stream
        self.dlq_stream = settings.dlq_stream

    def key(self, *parts: str) -> str:
        """A key under the prefix (parts must already be safe)."""
        return self.prefix + ":".join(parts)

    def hashed(self, kind: str, raw: str) -> str:
        """``P<kind>:<hex32>``: the key of ``raw`` (an id, a hostname), hashed."""
        return self.key(kind, hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32])

    # ---------------------------------------------------------------- dedup index

    @property
    def dedup_base(self) -> str:
        """Base of every dedup key; the hash tag keeps the index in one cluster slot."""
        return self.key(self.dedup_tag, "")

    def dedup_record(self, article_digest: bytes) -> str:
        """The dedup record of an article (``article_digest`` is its 8-byte hash)."""
        return f"{self.dedup_base}d:{article_digest.hex()}"

    # ---------------------------------------------------------------- event registry

    def event(self, event_id: str) -> str:
        """The hash of one event's mentions."""
        return self.key("ev", digest(b"event", event_id, 16).hex())

    def article_status(self, article_id: str) -> str:
        """The status of an article: queued or its latest outcome (``state.lookup``)."""
        return self.key("st", digest(b"article", article_id, 16).hex())

    def article_events(self, article_id: str) -> str:
        """The list of an article's events."""
        return self.key("art", digest(b"article", article_id, 16).hex())

    # ---------------------------------------------------------------- delivery

    def published(self, submission_id: str) -> str:
        """Marker: this submission's outcome is on the results stream."""
        return self.hashed("published", submission_id)

    def deliveries(self, submission_id: str) -> str:
        """Counter of a submission's deliveries."""
        return self.hashed("deliveries", submission_id)

    def heartbeat(self, hostname: str) -> str:
        """A worker's heartbeat."""
        return self.hashed("heartbeat", hostname)

    def quarantined(self, identity: str) -> str:
        """Marker: the broker message ``identity`` (its delivery tag) is on the DLQ."""
        return self.hashed("quarantined", identity)

    @property
    def rejected_messages(self) -> str:
        """Counter of broker messages dead-lettered at the edge, one field per reason."""
        return self.key("rejected_messages")

    @property
    def dlq_redriven(self) -> str:
        """DLQ entries redriven so far (entry id -> the new submission), so none is redriven twice."""
        return self.key("dlq_redriven")

    @property
    def health_probe(self) -> str:
        """The key ``eventwire health`` writes to see whether Redis accepts writes."""
        return self.key("health:probe")

    def pattern(self, kind: str) -> str:
        """SCAN pattern of every hashed key of ``kind`` (``heartbeat``, ``deliveries`` …)."""
        return self.key(kind, "*")

    # ---------------------------------------------------------------- kombu's Redis transport

    @property
    def broker_unacked(self) -> str:
        """kombu's hash of delivered, unacknowledged messages (per deployment, not kombu's shared
        default ``unacked``, so one deployment never restores another's messages)."""
        return self.key("unacked")

    @property
    def broker_unacked_index(self) -> str:
        return self.key("unacked_index")

    @property
    def broker_unacked_mutex(self) -> str:
        return self.key("unacked_mutex")

    # ---------------------------------------------------------------- submission ledger

    @property
    def ledger_index(self) -> str:
        return self.key(self.ledger_tag, "index")

    @property
    def ledger_payload(self) -> str:
        return self.key(self.ledger_tag, "payload")

    @property
    def ledger_lock(self) -> str:
        return self.key(self.ledger_tag, "lock")
