"""The dedup index in Redis, shared by every worker: one Lua script per check-and-insert.

The fingerprint and the verdict's meaning live in ``worker.core.dedup``; the key layout is
documented at the top of ``lua/dedup_check_and_insert.lua``.
"""

from __future__ import annotations

import redis

from worker.config import Settings
from worker.core.dedup import (
    CONTAINMENT_MIN_SIZE_RATIO,
    INDEX_TIME_UNITS,
    MAX_ARTICLES_PER_ENTRY,
    MAX_CANDIDATES,
    ORIGINAL,
    DedupVerdict,
    Fingerprint,
    article_digest,
)
from worker.state import scripts
from worker.state.keys import Keys, digest


class RedisDedupIndex:
    """The dedup index in Redis; ``check_and_insert`` is atomic across workers."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.keys = Keys(settings)
        self._script = scripts.register(client, scripts.DEDUP_CHECK_AND_INSERT)
        self._forget = scripts.register(client, scripts.DEDUP_FORGET)

    def record_key(self, article_id: str) -> str:
        """Key of the dedup record of ``article_id``."""
        return self.keys.dedup_record(article_digest(article_id))

    def check_and_insert(self, fp: Fingerprint) -> DedupVerdict:
        """Check ``fp`` against the index and insert it if original, atomically."""
        s = self.settings
        url_entry = fp.url_entry()
        args: list[bytes | str | int] = [
            self.keys.dedup_base,
            s.dedup_window_seconds * 1000,
            INDEX_TIME_UNITS,
            digest(b"submission", fp.submission_id, 12),
            fp.article_id.encode("utf-8", "surrogatepass"),
            article_digest(fp.article_id),
            fp.shingle_count,
            fp.stored_signature,
            repr(s.near_duplicate_threshold),
            repr(CONTAINMENT_MIN_SIZE_RATIO),
            MAX_CANDIDATES,
            MAX_ARTICLES_PER_ENTRY,
            url_entry or b"",
            fp.text_entry(),
        ]
        if fp.shingle_count:
            args += fp.band_entries(s.minhash_bands)
        kind, duplicate_of, similarity, matched_on = self._script(
            keys=[self.record_key(fp.article_id)], args=args)
        return _verdict(kind, duplicate_of, similarity, matched_on)

    def forget(self, article_id: str, submission_id: str) -> bool:
        """Take back the record ``submission_id`` wrote for ``article_id`` (its outcome was a
        rejection or a dead letter): a later copy is then no duplicate of it. Atomic; idempotent."""
        return bool(self._forget(keys=[self.record_key(article_id)],
                                 args=[digest(b"submission", submission_id, 12)]))


def _verdict(kind: bytes, duplicate_of: bytes, similarity: bytes, matched_on: bytes) -> DedupVerdict:
    if kind == b"original":
        return ORIGINAL
    return DedupVerdict(
        kind=kind.decode(),  # type: ignore[arg-type]
        duplicate_of=duplicate_of.decode("utf-8", "surrogatepass"),
        similarity=float(similarity),
        matched_on=matched_on.decode(),
    )
