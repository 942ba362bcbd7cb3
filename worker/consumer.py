"""Reading the results stream without losing an entry: a consumer-group helper for Python services.

    from worker.consumer import StreamConsumer

    consumer = StreamConsumer(client, "eventwire:results", group="billing", consumer="billing-1")
    consumer.consume(lambda delivery: store(delivery.envelope))   # runs until interrupted

Each entry is decoded and validated against the JSON Schemas (``schemas/``) and handed to the
handler; it is acknowledged (``XACK``) only after the handler returns a true value (``None`` counts
as true; ``False`` leaves it pending, unacknowledged). A handler that raises leaves its entry
pending and the exception propagates. Entries are read in this order:

1. the consumer's own pending entries (it crashed or stopped before acknowledging them);
2. entries left pending by any consumer for longer than ``claim_idle_ms`` (a dead consumer's),
   taken over with ``XAUTOCLAIM``;
3. new entries (``>``).

So with one stable consumer name per process, and a ``claim_idle_ms`` longer than a handler ever
takes, every entry is handled at least once; handlers should be idempotent (envelope ids are
stable). An entry that cannot be decoded or does not match the schemas goes to ``on_invalid``
(default: logged and acknowledged, since it will never become valid). ``lag`` reports each group's
pending count, how many entries it has not read yet, and whether ``MAXLEN`` trimming is about to
drop entries it has not acknowledged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis
import structlog
from jsonschema import ValidationError

from worker.core.contract import validate_envelope
from worker.core.publication import decode_envelope

log = structlog.get_logger("eventwire.consumer")

#: Trimming is reported as a risk once a group's unacknowledged backlog fills this share of MAXLEN.
TRIM_WARNING_SHARE = 0.9
_COUNT_PAGE = 10_000


@dataclass(frozen=True)
class Delivery:
    """One entry of the stream as read: its id and envelope, or why it cannot be used."""

    entry_id: str
    envelope: dict[str, Any] | None
    error: str | None = None


def decode_entry(entry_id: bytes | str, fields: dict[Any, Any] | None, *,
                 validate: bool = True) -> Delivery:
    """The delivery of one stream entry: decoded, and checked against the schemas if ``validate``."""
    ident = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    if not fields:
        return Delivery(ident, None, "the entry was trimmed from the stream before it was acknowledged")
    try:
        envelope = decode_envelope(fields)
        if validate:
            validate_envelope(envelope)
    except (ValueError, KeyError, TypeError) as error:  # JSONDecodeError is a ValueError
        return Delivery(ident, None, f"not an envelope: {error}"[:500])
    except ValidationError as error:
        return Delivery(ident, None, f"does not match the schemas: {error.message}"[:500])
    return Delivery(ident, envelope)


@dataclass(frozen=True)
class GroupLag:
    """Where one consumer group stands on the stream."""

    group: str
    consumers: int
    pending: int  # delivered to a consumer, not acknowledged
    lag: int | None  # entries not delivered to the group yet (None: could not be counted)
    lag_exact: bool  # False when counting stopped at the cap (lag is then a lower bound)
    last_delivered: str
    backlog: int  # entries from the oldest unacknowledged one to the end of the stream
    trimmed_pending: int  # pending entries already trimmed away (lost to this group)
    warning: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"group": self.group, "consumers": self.consumers, "pending": self.pending,
                "lag": self.lag, "lag_exact": self.lag_exact, "last_delivered": self.last_delivered,
                "backlog": self.backlog, "trimmed_pending": self.trimmed_pending,
                "warning": self.warning}


class StreamConsumer:
    """One consumer of one consumer group on a results stream (see the module docstring)."""

    def __init__(self, client: redis.Redis, stream: str, group: str, consumer: str, *,
                 claim_idle_ms: int = 60_000, validate: bool = True, create_at: str = "0",
                 on_invalid: Callable[[Delivery], bool] | None = None) -> None:
        self.client = client
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.claim_idle_ms = claim_idle_ms
        self.validate = validate
        self.create_at = create_at
        self.on_invalid = on_invalid or _log_invalid
        self._own_cursor: str | None = "0"  # reading our own pending entries; None when done
        self._claim_cursor = "0-0"
        self._held: set[str] = set()  # entries this process chose to leave pending
        self.ensure_group()

    def ensure_group(self) -> None:
        """Create the group (at ``create_at``: ``0`` reads the whole stream, ``$`` only new entries)."""
        with contextlib.suppress(redis.ResponseError):  # BUSYGROUP: it exists
            self.client.xgroup_create(self.stream, self.group, id=self.create_at, mkstream=True)

    def read(self, count: int = 100, block_ms: int | None = None) -> list[Delivery]:
        """Up to ``count`` entries: own pending first, then idle ones claimed, then new ones."""
        found = self._own_pending(count)
        if not found:
            found = self._claim_idle(count)
        if not found:
            found = self._new(count, block_ms)
        return found

    def ack(self, entry_ids: Iterable[str]) -> int:
        """Acknowledge entries; returns how many were pending."""
        ids = list(entry_ids)
        return int(self.client.xack(self.stream, self.group, *ids)) if ids else 0

    def handle(self, deliveries: list[Delivery], handler: Callable[[Delivery], bool | None]) -> int:
        """Pass each delivery to ``handler`` (``on_invalid`` for a bad one), acknowledging each as
        soon as its handler returns a true value or ``None``; returns how many were acknowledged."""
        acked = 0
        for delivery in deliveries:
            verdict = handler(delivery) if delivery.error is None else self.on_invalid(delivery)
            if verdict is None or verdict:
                acked += self.ack([delivery.entry_id])
            else:
                self._held.add(delivery.entry_id)
        return acked

    def consume(self, handler: Callable[[Delivery], bool | None], *, count: int = 100,
                block_ms: int = 1000, until: Callable[[], bool] | None = None) -> int:
        """Read and handle entries until ``until()`` is true (forever by default); returns how many
        were acknowledged. Waits up to ``block_ms`` for new entries between checks."""
        acked = 0
        while until is None or not until():
            acked += self.handle(self.read(count, block_ms), handler)
        return acked

    def lag(self, maxlen: int) -> GroupLag | None:
        """This group's pending count, lag and trim warning (``group_lag``) against ``maxlen``."""
        return next((row for row in group_lag(self.client, self.stream, maxlen) if row.group == self.group),
                    None)

    def _own_pending(self, count: int) -> list[Delivery]:
        while self._own_cursor is not None:
            batches = self.client.xreadgroup(self.group, self.consumer, {self.stream: self._own_cursor},
                                             count=count)
            entries = batches[0][1] if batches else []
            if not entries:
                self._own_cursor = None
                break
            self._own_cursor = _text(entries[-1][0])
            found = self._decode(entries)
            if found:
                return found
        return []

    def _claim_idle(self, count: int) -> list[Delivery]:
        """Entries idle past ``claim_idle_ms``, taken over; one pass of the pending list at most."""
        while True:
            reply = self.client.xautoclaim(self.stream, self.group, self.consumer, self.claim_idle_ms,
                                           start_id=self._claim_cursor, count=count)
            self._claim_cursor = _text(reply[0])
            found = self._decode(reply[1])
            if found or self._claim_cursor == "0-0":
                return found

    def _new(self, count: int, block_ms: int | None) -> list[Delivery]:
        batches = self.client.xreadgroup(self.group, self.consumer, {self.stream: ">"}, count=count,
                                         block=block_ms)
        return self._decode(batches[0][1] if batches else [])

    def _decode(self, entries: list[Any]) -> list[Delivery]:
        out = []
        for entry_id, fields in entries:
            delivery = decode_entry(entry_id, fields, validate=self.validate)
            if delivery.entry_id not in self._held:
                out.append(delivery)
        return out


def group_lag(client: redis.Redis, stream: str, maxlen: int, *, cap: int = 1_000_000) -> list[GroupLag]:
    """Each consumer group of ``stream``: pending, lag, and a warning when trimming to ``maxlen``
    (``MAXLEN ~``) would drop entries it has not acknowledged. Counting stops at ``cap`` entries."""
    try:
        groups = client.xinfo_groups(stream)
    except redis.ResponseError:  # no such stream
        return []
    first = client.xrange(stream, count=1)
    first_id = _text(first[0][0]) if first else None
    out = []
    for info in groups:
        name, last = _text(info["name"]), _text(info["last-delivered-id"])
        pending = int(info["pending"])
        lag, exact = _lag(client, stream, info, last, cap)
        oldest = _oldest_pending(client, stream, name) if pending else None
        trimmed = _count_pending_before(client, stream, name, first_id) if oldest and first_id else 0
        start = oldest if oldest is not None else last
        backlog = _count_from(client, stream, start, inclusive=oldest is not None, cap=cap)[0]
        warning = None
        if trimmed:
            warning = f"{trimmed} pending entries were trimmed before they were acknowledged"
        elif backlog >= TRIM_WARNING_SHARE * maxlen:
            warning = (f"{backlog} unacknowledged entries against MAXLEN {maxlen}: trimming will drop "
                       f"unread entries after about {max(maxlen - backlog, 0)} more")
        out.append(GroupLag(name, int(info["consumers"]), pending, lag, exact, last, backlog,
                            trimmed, warning))
    return out


def _lag(client: redis.Redis, stream: str, info: dict[Any, Any], last: str,
         cap: int) -> tuple[int | None, bool]:
    if info.get("lag") is not None:  # Redis 7 counts it
        return int(info["lag"]), True
    counted, exact = _count_from(client, stream, last, inclusive=False, cap=cap)
    return counted, exact


def _count_from(client: redis.Redis, stream: str, start: str, *, inclusive: bool,
                cap: int) -> tuple[int, bool]:
    """Entries from ``start`` to the end (``start`` itself if ``inclusive``), counted up to ``cap``."""
    counted, cursor = 0, start if inclusive else f"({start}"
    while counted < cap:
        page = client.xrange(stream, min=cursor, count=min(_COUNT_PAGE, cap - counted))
        if not page:
            return counted, True
        counted += len(page)
        cursor = f"({_text(page[-1][0])}"
    return counted, False


def _oldest_pending(client: redis.Redis, stream: str, group: str) -> str | None:
    summary = client.xpending(stream, group)
    return _text(summary["min"]) if summary.get("min") else None


def _count_pending_before(client: redis.Redis, stream: str, group: str, first_id: str) -> int:
    rows = client.xpending_range(stream, group, min="-", max=f"({first_id}", count=_COUNT_PAGE)
    return len(rows)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _log_invalid(delivery: Delivery) -> bool:
    log.warning("consumer.invalid_entry", entry_id=delivery.entry_id, error=delivery.error)
    return True

