"""Fingerprints of articles and the deduplication index (exact and near duplicates).

An article is a duplicate of an earlier one, in this order, when it has the same article id (another
submission of it), the same canonical URL, the same normalized text, or a MinHash signature whose
estimated Jaccard similarity -- or containment, for a truncated copy -- reaches the threshold.
Shingles are word n-grams taken inside sentences, so reordered sentences keep their shingles.

``worker.state.dedup.RedisDedupIndex`` runs the whole check-and-insert as one Lua script;
``MemoryDedupIndex`` here has the same semantics in process memory for ``eventwire extract``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Literal, Protocol
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import numpy as np
from datasketch import MinHash

from worker.config import Settings

# Index records are stamped with the time unit (window / INDEX_TIME_UNITS) they were written in and
# are stale once INDEX_TIME_UNITS units older: they outlive the window by at most a unit (the
# article record, which every hit is confirmed against, does not).
INDEX_TIME_UNITS = 16
# A truncated copy matches on containment only if it keeps at least this share of the original.
CONTAINMENT_MIN_SIZE_RATIO = 0.5
# Bounds on the work of one check: candidates verified, articles kept under one index entry.
MAX_CANDIDATES = 32
MAX_ARTICLES_PER_ENTRY = 8
# Stored signatures keep the low 8 bits of each MinHash value (b-bit MinHash, Li and König 2010):
# two different values then agree by chance with probability 1/256, which the estimate corrects
# (``estimated_jaccard``); 128 bytes a signature instead of 512.
STORED_SIGNATURE_DTYPE = np.dtype("u1")
CHANCE_MATCH = 1 / 256
SIGNATURE_DTYPE = np.dtype("<u4")

_WORD = re.compile(r"\w+")
# A break starts at the first of a run of . ! ? (the lookbehind) and never gives back what it took
# (possessive): linear on a 100k run of dots, where the naive pattern rescans the run from every dot.
_SENTENCE_BREAK = re.compile(r"(?<![.!?])[.!?]++[\"'”’)\]]*+\s+|\n")
_HOST = re.compile(r"[^\s/?#@:]+\.[^\s/?#@:]+|localhost|\[[0-9a-f:.]+\]")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


# ---------------------------------------------------------------- normalization and hashing


@functools.cache
def _tracking_params() -> tuple[tuple[str, ...], frozenset[str]]:
    raw = resources.files("worker.data").joinpath("url_tracking_params.json").read_text("utf-8")
    data = json.loads(raw)
    return tuple(data["prefixes"]), frozenset(data["names"])


def _is_tracking(name: str) -> bool:
    prefixes, names = _tracking_params()
    lowered = name.lower()
    return lowered in names or lowered.startswith(prefixes)


def canonical_url(url: str) -> str:
    """The URL reduced to what identifies the page: ``host/path?query``.

    Drops the scheme, user info, default port, a leading ``www.``, tracking parameters (see
    ``worker/data/url_tracking_params.json``), the fragment and a trailing slash; lower-cases the
    host and sorts the remaining query parameters. Raises ``ValueError`` for a URL without a host.
    """
    parts = urlsplit(url.strip())
    if parts.scheme and parts.scheme.lower() not in _DEFAULT_PORTS:
        raise ValueError(f"not a web URL: {url!r}")
    if not parts.scheme and not url.strip().startswith("//"):
        parts = urlsplit("//" + url.strip())
    host = (parts.hostname or "").rstrip(".").lower()
    if not _HOST.fullmatch(host):
        raise ValueError(f"URL without a valid host: {url!r}")
    host = host.removeprefix("www.")
    port = parts.port
    if port is not None and str(port) not in _DEFAULT_PORTS.values():
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/%:@!$&'()*+,;=-._~") .rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _is_tracking(k))
    return host + path + (f"?{urlencode(query)}" if query else "")


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def normalized_words(text: str) -> list[str]:
    """Words of ``text`` after Unicode (NFKC) and case folding; punctuation and spacing dropped."""
    return _WORD.findall(_normalize(text))


def _hash_words(words: list[str]) -> str:
    joined = " ".join(words)
    return hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def text_hash(cleaned_text: str) -> str:
    """Hash of the text with case, whitespace and punctuation normalized away (32 hex chars)."""
    return _hash_words(normalized_words(cleaned_text))


def _sentence_words(cleaned_text: str) -> list[list[str]]:
    """Normalized words of each sentence or line."""
    return [_WORD.findall(s) for s in _SENTENCE_BREAK.split(_normalize(cleaned_text))]


def _shingles_of(sentences: list[list[str]], size: int) -> set[bytes]:
    found: set[bytes] = set()
    for words in sentences:
        if len(words) <= size:
            if words:
                found.add(" ".join(words).encode("utf-8", "surrogatepass"))
            continue
        for i in range(len(words) - size + 1):
            found.add(" ".join(words[i:i + size]).encode("utf-8", "surrogatepass"))
    return found


def shingles(cleaned_text: str, size: int) -> set[bytes]:
    """Distinct word ``size``-grams taken inside each sentence or line (a shorter one is one shingle).

    Staying inside sentences makes a copy with reordered sentences keep every shingle.
    """
    return _shingles_of(_sentence_words(cleaned_text), size)


@functools.cache
def _permutations(num_perm: int) -> np.ndarray:
    """datasketch's permutation parameters for ``num_perm`` (seed 1), built once per process."""
    return MinHash(num_perm=num_perm).permutations


def minhash_signature(shingle_set: set[bytes], num_perm: int) -> bytes:
    """The datasketch MinHash of a shingle set, as ``num_perm`` little-endian uint32 values."""
    sketch = MinHash(num_perm=num_perm, permutations=_permutations(num_perm))
    sketch.update_batch(shingle_set)
    return sketch.hashvalues.astype(SIGNATURE_DTYPE).tobytes()


def _digest(data: bytes, size: int) -> bytes:
    return hashlib.blake2b(data, digest_size=size).digest()


def article_digest(article_id: str) -> bytes:
    """8-byte hash of an article id: the only form in which an id reaches a key (two ids of the
    ~10 million a window may hold share one with probability ~3e-6)."""
    return _digest(b"article\x00" + article_id.encode("utf-8", "surrogatepass"), 8)


# ---------------------------------------------------------------- fingerprints and verdicts


@dataclass(frozen=True)
class Fingerprint:
    """What the index needs to know about one submitted article."""

    article_id: str
    submission_id: str
    url_key: str | None
    text_hash: str
    signature: bytes  # num_perm little-endian uint32 MinHash values
    shingle_count: int
    shingle_size: int = 5

    @property
    def values(self) -> np.ndarray:
        """The MinHash values as a uint32 array."""
        return np.frombuffer(self.signature, dtype=SIGNATURE_DTYPE)

    @property
    def stored_signature(self) -> bytes:
        """The signature as stored in the index: the low 8 bits of each value."""
        return (self.values & 0xFF).astype(STORED_SIGNATURE_DTYPE).tobytes()

    def band_entries(self, bands: int) -> list[bytes]:
        """One 6-byte digest per LSH band; equal digests mean the band's values are (almost
        certainly) all equal: a chance match only adds a candidate, whose signature is verified."""
        values = self.values
        rows = len(values) // bands
        tag = f"band/{len(values)}/{bands}/{self.shingle_size}/".encode()
        return [_digest(tag + bytes([i]) + values[i * rows:(i + 1) * rows].tobytes(), 6)
                for i in range(bands)]

    def url_entry(self) -> bytes | None:
        """9-byte digest of the canonical URL, or None without one (exact matches are not
        verified, so their digests are long enough never to meet by chance)."""
        if self.url_key is None:
            return None
        return _digest(b"url/" + self.url_key.encode("utf-8", "surrogatepass"), 9)

    def text_entry(self) -> bytes:
        """9-byte digest of the normalized-text hash."""
        return _digest(b"text/" + self.text_hash.encode(), 9)


def fingerprint(article_id: str, submission_id: str, url: str | None, cleaned_text: str,
                settings: Settings) -> Fingerprint:
    """Fingerprint a cleaned article: canonical URL, text hash, MinHash over word shingles."""
    url_key = None
    if url:
        try:
            url_key = canonical_url(url)
        except ValueError:
            url_key = None
    sentences = _sentence_words(cleaned_text)
    shingle_set = _shingles_of(sentences, settings.shingle_size)
    return Fingerprint(
        article_id=article_id,
        submission_id=submission_id,
        url_key=url_key,
        text_hash=_hash_words([w for words in sentences for w in words]),
        signature=minhash_signature(shingle_set, settings.minhash_permutations),
        shingle_count=len(shingle_set),
        shingle_size=settings.shingle_size,
    )


@dataclass(frozen=True)
class DedupVerdict:
    """The index's answer for one article."""

    kind: Literal["original", "exact", "near"]
    duplicate_of: str | None = None  # article id of the original
    similarity: float | None = None  # 1.0 for exact, estimated for near
    matched_on: str | None = None  # "id" | "url" | "text" | "minhash"


ORIGINAL = DedupVerdict("original")


def estimated_jaccard(matches: int, num_perm: int) -> float:
    """Jaccard similarity from ``matches`` equal stored (8-bit) values out of ``num_perm``, with the
    chance agreements of different values taken out: ``(m/n - 1/256) / (1 - 1/256)``."""
    return max(0.0, (matches / num_perm - CHANCE_MATCH) / (1 - CHANCE_MATCH))


def near_similarity(matches: int, num_perm: int, shingles_a: int, shingles_b: int,
                    threshold: float) -> float | None:
    """The similarity that makes two signatures near duplicates, or None if they are not.

    Estimated Jaccard ``j`` (``estimated_jaccard``) if it reaches ``threshold``; otherwise the
    estimated containment of the smaller shingle set in the larger, ``j (a + b) / ((1 + j) small)``,
    when the smaller keeps at least ``CONTAINMENT_MIN_SIZE_RATIO`` of the larger (a truncated copy).
    """
    j = estimated_jaccard(matches, num_perm)
    if j >= threshold:
        return j
    small, large = min(shingles_a, shingles_b), max(shingles_a, shingles_b)
    if small == 0 or small / large < CONTAINMENT_MIN_SIZE_RATIO:
        return None
    containment = min(1.0, j * (shingles_a + shingles_b) / ((1 + j) * small))
    return containment if containment >= threshold else None


class DedupIndex(Protocol):
    """Atomic check-and-insert of fingerprints, and taking back an article that did not make it.

    ``forget`` is called when a submission ends rejected or dead-lettered after its check: it was
    no original, and a later copy must be checked afresh (not called its duplicate). Only the
    submission that wrote a record can forget it.
    """

    def check_and_insert(self, fp: Fingerprint) -> DedupVerdict: ...

    def forget(self, article_id: str, submission_id: str) -> bool: ...


# ---------------------------------------------------------------- in memory


@dataclass
class _Record:
    submission_id: str
    verdict: DedupVerdict
    fp: Fingerprint
    expires: float


class MemoryDedupIndex:
    """The same check-and-insert in process memory (for ``eventwire extract``; thread-safe)."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.clock = clock
        self._records: dict[str, _Record] = {}
        self._entries: dict[bytes, list[str]] = {}  # url / text / band digest -> article ids
        self._lock = threading.Lock()

    def check_and_insert(self, fp: Fingerprint) -> DedupVerdict:
        """Check ``fp`` against the index and insert it if original."""
        with self._lock:
            now = self.clock()
            known = self._live(fp.article_id, now)
            if known is not None:
                if known.submission_id == fp.submission_id:
                    return known.verdict
                root = known.verdict.duplicate_of or known.fp.article_id
                return DedupVerdict("exact", root, 1.0, "id")
            verdict = self._match(fp, now)
            self._records[fp.article_id] = _Record(
                fp.submission_id, verdict, fp, now + self.settings.dedup_window_seconds)
            if verdict.kind == "original":
                for entry in self._index_entries(fp):
                    self._entries.setdefault(entry, []).append(fp.article_id)
            return verdict

    def forget(self, article_id: str, submission_id: str) -> bool:
        """Drop the record ``submission_id`` wrote for ``article_id``; its index entries are
        ignored from then on (every entry is confirmed against a live record)."""
        with self._lock:
            record = self._live(article_id, self.clock())
            if record is None or record.submission_id != submission_id:
                return False
            del self._records[article_id]
            return True

    def _live(self, article_id: str, now: float) -> _Record | None:
        record = self._records.get(article_id)
        if record is not None and record.expires <= now:
            del self._records[article_id]
            return None
        return record

    def _index_entries(self, fp: Fingerprint) -> list[bytes]:
        url = fp.url_entry()
        bands = fp.band_entries(self.settings.minhash_bands) if fp.shingle_count else []
        return [e for e in (url, fp.text_entry(), *bands) if e is not None]

    def _originals(self, entry: bytes | None, now: float) -> list[Fingerprint]:
        found = []
        for article_id in self._entries.get(entry, []) if entry else []:
            record = self._live(article_id, now)
            if record is not None and record.verdict.kind == "original":
                found.append(record.fp)
        return found

    def _match(self, fp: Fingerprint, now: float) -> DedupVerdict:
        for entry, matched_on in ((fp.url_entry(), "url"), (fp.text_entry(), "text")):
            for original in self._originals(entry, now):
                return DedupVerdict("exact", original.article_id, 1.0, matched_on)
        if not fp.shingle_count:
            return ORIGINAL
        best: tuple[float, str] | None = None
        stored = np.frombuffer(fp.stored_signature, dtype=STORED_SIGNATURE_DTYPE)
        for band in fp.band_entries(self.settings.minhash_bands):
            for original in self._originals(band, now):
                other = np.frombuffer(original.stored_signature, dtype=STORED_SIGNATURE_DTYPE)
                if len(other) != len(stored):
                    continue
                sim = near_similarity(int((other == stored).sum()), len(stored),
                                      fp.shingle_count, original.shingle_count,
                                      self.settings.near_duplicate_threshold)
                if sim is not None and (best is None or sim > best[0]):
                    best = (sim, original.article_id)
        if best is None:
            return ORIGINAL
        return DedupVerdict("near", best[1], round(best[0], 4), "minhash")
