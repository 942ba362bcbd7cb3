"""The broker edge: every message the worker cannot decode or route is dead-lettered, and it goes on.

A message pushed onto the queue around the client can be anything. Left to themselves, kombu and
Celery stop the worker on most such messages (README, "Guarantees"): kombu's Redis transport parses
the queue entry before anyone can catch a failure (not JSON, a JSON list or ``null``, a body that is
not base64, nesting deeper than the parser: "Unrecoverable error", the worker exits), and Celery's
consumer turns a ``KeyError`` from headers without ``id`` into "connection lost" and a reconnect loop
in which the message returns to the queue every time. Other cases (unknown task, undecodable body,
past ``expires``, wrong arguments) are dropped with only a log line.

Two hooks, each where Celery and kombu expect a custom one:

``EdgeTransport`` (``broker_transport``)
    kombu's Redis transport whose channel checks each raw queue entry before kombu builds a message
    of it: size, JSON, the envelope's shape, the body encoding. A bad one is dead-lettered; it was
    popped from the queue and never reached the unacked set, so it is gone once.

``EdgeConsumer`` (``worker_consumer``)
    Celery's consumer with a protocol check in front of the task strategy (headers ``id`` and
    ``task``, a known task, a decodable body of the right shape, the task's arguments, ``expires``,
    ``eta``, ``timelimit``, ``retries``), Celery's own hooks (``on_decode_error``,
    ``on_unknown_message``, ``on_unknown_task``, ``on_invalid_task``) dead-lettering instead of only
    logging, and a last guard around the strategy for anything the check missed. Each message is
    dead-lettered (once: a marker keyed by its delivery tag), then acknowledged.

Dead letters go through ``worker.state.quarantine`` (DLQ entry ``kind=message``: the raw bytes cut at
64 KiB, the reason, counted per reason). If even that write fails, the message is logged and dropped:
one bad message must never stop the worker.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from queue import Empty
from typing import Any

import redis
import structlog
from celery.utils.time import maybe_iso8601, maybe_make_aware
from celery.worker.consumer import Consumer
from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as kombu_redis
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads
from vine import promise

from worker.config import Settings
from worker.tasks.app import TASK_NAME

log = structlog.get_logger("eventwire.edge")

#: A record of one message: raw bytes, reason, detail; keyword ``delivery_tag``, ``submission_id``,
#: ``task``. Returns False when the message was dead-lettered before.
Quarantine = Callable[..., bool]

#: ``broker_transport``: an alias of ``EdgeTransport`` (the worker's banner shows it as the scheme)
EDGE_TRANSPORT = "eventwire-redis"
EDGE_CONSUMER = "worker.tasks.edge:EdgeConsumer"
TRANSPORT_ALIASES.setdefault(EDGE_TRANSPORT, "worker.tasks.edge:EdgeTransport")

#: Faults of the connection itself: these must reach kombu and Celery (reconnect), never the DLQ.
#: (kombu's Redis transport also lists ``KeyError`` as a connection error; it is not one here.)
CONNECTION_FAULTS: tuple[type[BaseException], ...] = (
    OSError, redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError,
)
MAX_ID_LENGTH = 256
#: Deeper headers or bodies are refused before Celery pickles them for the pool (which fails, in a
#: state that holds the pool's slot); an article's message nests about 6 levels.
MAX_NESTING = 64


@dataclass
class EdgeConfig:
    """What the edge needs to know; set once per worker process by ``configure``."""

    quarantine: Quarantine | None = None
    max_raw_bytes: int = 8_000_000
    tasks: frozenset[str] = frozenset({TASK_NAME})
    max_eta_ahead: float = 300.0
    max_time_limit: float = math.inf
    counts: dict[str, int] = field(default_factory=dict)


_config = EdgeConfig()

def configure(settings: Settings, quarantine: Quarantine | None) -> EdgeConfig:
    """Set the worker's edge: where dead letters go and the limits a message must keep."""
    global _config
    _config = EdgeConfig(
        quarantine=quarantine,
        # A payload the client accepts (max_payload_bytes of UTF-8 JSON) is at most ~4x that on
        # the queue: JSON escapes (\uXXXX), then base64. Anything bigger was not sent by it.
        max_raw_bytes=4 * settings.max_payload_bytes + 1_000_000,
        max_eta_ahead=float(settings.visibility_timeout),
        max_time_limit=float(settings.task_time_limit),
    )
    return _config


def worker_celery_config(settings: Settings) -> dict[str, Any]:
    """The Celery settings that put the edge in place (worker only; producers do not need it)."""
    config: dict[str, Any] = {"worker_consumer": EDGE_CONSUMER}
    url = settings.effective_broker_url or ""
    scheme = url.split("://", 1)[0].lower()
    if scheme in {"redis", "rediss"}:
        config["broker_transport"] = EDGE_TRANSPORT
        if scheme == "rediss":
            # kombu picks TLS from the scheme name "rediss"; with a transport class it must be told.
            # Same default as kombu's (its warning applies): configure broker_use_ssl to verify.
            import ssl

            config["broker_use_ssl"] = {"ssl_cert_reqs": ssl.CERT_NONE}
    return config


def dead_letter(raw: bytes, reason: str, detail: str, **ids: str) -> None:
    """Dead-letter one message (never raises: the worker must go on)."""
    _config.counts[reason] = _config.counts.get(reason, 0) + 1
    log.error("message.dead_letter", reason=reason, detail=detail[:300], raw_bytes=len(raw),
              **{k: v for k, v in ids.items() if v})
    try:
        if _config.quarantine is None:
            raise RuntimeError("no dead-letter queue configured")
        _config.quarantine(raw, reason, detail, **ids)
    except Exception as error:  # the DLQ refused: log what we would have kept, then drop
        log.error("message.dead_letter_failed", reason=reason, error=repr(error),
                  raw=raw[:4096].decode("utf-8", "replace"))


# ---------------------------------------------------------------- the transport: raw queue entries


def envelope_problem(item: bytes, channel: Any) -> tuple[dict[str, Any] | None, tuple[str, str] | None]:
    """The kombu envelope in a raw queue entry, or the reason it is not one."""
    if len(item) > _config.max_raw_bytes:
        return None, ("message_too_large", f"{len(item)} bytes on the queue, the limit is "
                                            f"{_config.max_raw_bytes}")
    try:
        payload = loads(bytes_to_str(item))
    except RecursionError:
        return None, ("nested_too_deeply", "the message nests deeper than the JSON parser goes")
    except (ValueError, TypeError) as error:
        return None, ("not_json", f"not a JSON message: {type(error).__name__}: {error}"[:300])
    if not isinstance(payload, dict):
        return None, ("invalid_envelope", f"a JSON {_json_type(payload)}, not a kombu message object")
    properties = payload.get("properties")
    if not isinstance(properties, dict):
        return None, ("invalid_envelope", "no 'properties' object")
    tag = properties.get("delivery_tag")
    if not isinstance(tag, str) or not tag or len(tag) > MAX_ID_LENGTH:
        return None, ("invalid_envelope", "properties.delivery_tag must be a non-empty string")
    info = properties.get("delivery_info")
    if not isinstance(info, dict) or not isinstance(info.get("exchange"), str) \
            or not isinstance(info.get("routing_key"), str):
        return None, ("invalid_envelope", "properties.delivery_info needs exchange and routing_key")
    if not isinstance(payload.get("headers", {}) or {}, dict):
        return None, ("invalid_envelope", "'headers' is not an object")
    if not isinstance(payload.get("body", ""), str | None):
        return None, ("invalid_envelope", "'body' is not a string")
    try:
        channel.Message(payload, channel=channel)  # what kombu will do: decode the body encoding
    except Exception as error:
        return None, ("invalid_envelope", f"{type(error).__name__}: {error}"[:300])
    return payload, None


def _json_type(value: Any) -> str:
    names = {list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


class EdgeChannel(kombu_redis.Channel):
    """kombu's Redis channel that dead-letters a queue entry it cannot turn into a message.

    ``_brpop_read`` and ``_get`` are kombu 5.7's, with the parse of the entry checked
    (``envelope_problem``); ``tests/test_hostile.py`` pins the originals so that an upgrade which
    changes them is noticed.
    """

    def _brpop_read(self, **options: Any) -> bool:
        try:
            try:
                dest__item = self.client.parse_response(self.client.connection, "BRPOP", **options)
            except self.connection_errors:
                # if there's a ConnectionError, disconnect so the next
                # iteration will reconnect automatically.
                self.client.connection.disconnect()
                raise
            if dest__item:
                dest, item = dest__item
                dest = bytes_to_str(dest).rsplit(self.sep, 1)[0]
                self._queue_cycle.rotate(dest)
                self._deliver_checked(item, dest)
                return True
            raise Empty()
        finally:
            self._in_poll = None
            flush = getattr(self, "_flush_brpop_reauth", None)
            if flush is not None:
                flush()

    def _get(self, queue: str) -> dict[str, Any]:
        """``basic_get``: the next good entry (bad ones are dead-lettered on the way)."""
        with self.conn_or_acquire() as client:
            for pri in self.priority_steps:
                while item := client.rpop(self._q_for_pri(queue, pri)):
                    payload, problem = envelope_problem(item, self)
                    if problem is None:
                        self._maybe_update_queues_expire(client, queue)
                        return payload  # type: ignore[return-value]
                    dead_letter(item, *problem)
            self._maybe_update_queues_expire(client, queue)
            raise Empty()

    def _deliver_checked(self, item: bytes, dest: str) -> None:
        payload, problem = envelope_problem(item, self)
        if problem is not None:
            dead_letter(item, *problem)
            return
        self.connection._deliver(payload, dest)


class EdgeTransport(kombu_redis.Transport):
    """kombu's Redis transport with ``EdgeChannel``.

    A Redis at ``maxmemory`` (``noeviction``) refuses the writes kombu makes to deliver a message
    (``ZADD unacked_index``) or to declare the queue at start; kombu reports that as a channel error
    and Celery stops the worker (a restarted one dies at once). Here it is a connection error:
    Celery reconnects with backoff until Redis has room again. (The message being delivered at that
    moment was already popped and cannot be written back; a submission made through the client is
    re-sent from the ledger.)
    """

    Channel = EdgeChannel
    connection_errors = (*kombu_redis.Transport.connection_errors, redis.exceptions.OutOfMemoryError)


# ---------------------------------------------------------------- the consumer: Celery's protocol


def _when(value: Any, name: str) -> tuple[datetime | None, tuple[str, str] | None]:
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, ("invalid_headers", f"'{name}' must be an ISO 8601 string, got "
                                         f"{type(value).__name__}")
    try:
        parsed = maybe_iso8601(value)
    except (ValueError, TypeError, OverflowError) as error:
        return None, ("invalid_headers", f"'{name}' {value[:64]!r} is not a date: {error}")
    return (maybe_make_aware(parsed) if parsed else None), None


def protocol_problem(message: Any, now: datetime | None = None) -> tuple[str, str] | None:
    """Why Celery could not route ``message`` to a task of this worker, or None when it can."""
    headers = message.headers
    if not isinstance(headers, dict):
        return "invalid_headers", "headers are not an object"
    try:
        body = message.payload  # Celery's strategy decodes it here too (cached on the message)
    except RecursionError:
        return "nested_too_deeply", "the body nests deeper than the JSON parser goes"
    except Exception as error:  # DecodeError (wrapping what the decoder raised), ContentDisallowed
        if isinstance(error.__context__, RecursionError):
            return "nested_too_deeply", "the body nests deeper than the JSON parser goes"
        return "undecodable_body", f"{type(error).__name__}: {error}"[:300]
    if _nests_deeper(headers, MAX_NESTING) or _nests_deeper(body, MAX_NESTING):
        return "nested_too_deeply", f"headers or body nest more than {MAX_NESTING} levels"
    if "task" in headers:  # protocol 2: id and task in the headers, body [args, kwargs, embed]
        fields = headers
        if not (isinstance(body, list | tuple) and len(body) == 3):
            return "invalid_body", "a protocol 2 body must be [args, kwargs, embed]"
        args, kwargs = body[0], body[1]
    else:  # protocol 1: everything in the body
        if not isinstance(body, dict) or "task" not in body:
            return "invalid_headers", "no 'task' header (and no protocol 1 body naming a task)"
        fields = body
        args, kwargs = body.get("args", []), body.get("kwargs", {})
    task_id, name = fields.get("id"), fields.get("task")
    if not isinstance(task_id, str) or not task_id or len(task_id) > MAX_ID_LENGTH \
            or not task_id.isprintable() or any(0xD800 <= ord(c) <= 0xDFFF for c in task_id):
        return "invalid_headers", (f"'id' must be a printable string of 1 to {MAX_ID_LENGTH} "
                                   f"characters")
    if not isinstance(name, str):
        return "invalid_headers", "'task' must be a string"
    if name not in _config.tasks:
        return "unknown_task", f"no task named {name[:200]!r} runs here"
    if not isinstance(args, list | tuple) or not isinstance(kwargs, dict):
        return "invalid_arguments", "args must be a list and kwargs an object"
    if len(args) != 1 or kwargs:
        return "invalid_arguments", (f"{name} takes exactly one positional argument (the article); "
                                     f"got {len(args)} and keywords {sorted(map(str, kwargs))[:10]}")
    now = now or datetime.now(UTC)
    expires, problem = _when(fields.get("expires"), "expires")
    if problem:
        return problem
    if expires is not None and expires < now:
        return "expired", f"expired at {expires.isoformat()}"
    eta, problem = _when(fields.get("eta"), "eta")
    if problem:
        return problem
    if eta is not None and eta > now + timedelta(seconds=_config.max_eta_ahead):
        return "invalid_headers", (f"eta {eta.isoformat()} is more than {_config.max_eta_ahead:.0f} s "
                                   f"ahead (the visibility timeout)")
    retries = fields.get("retries", 0)
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        return "invalid_headers", "'retries' must be a non-negative integer"
    limits = fields.get("timelimit")
    if limits is not None:
        if not (isinstance(limits, list | tuple) and len(limits) == 2 and all(
                v is None or (isinstance(v, int | float) and not isinstance(v, bool) and v > 0)
                for v in limits)):
            return "invalid_headers", "'timelimit' must be [hard, soft] seconds or nulls"
        if any(v is not None and v > _config.max_time_limit for v in limits):
            return "invalid_headers", (f"'timelimit' {limits} is above the worker's limit "
                                       f"({_config.max_time_limit:.0f} s)")
    return None


def _nests_deeper(value: Any, limit: int) -> bool:
    """True when ``value`` has containers nested more than ``limit`` deep (iterative, no recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)
    return False


def raw_bytes(message: Any) -> bytes:
    """The message as it sat on the queue (kombu's envelope for Redis; rebuilt for others)."""
    raw = getattr(message, "_raw", None)
    if raw is None:
        body = message.body
        raw = {"headers": message.headers, "properties": message.properties,
               "body": body.decode("utf-8", "replace") if isinstance(body, bytes) else body}
    try:
        return json.dumps(raw, default=repr).encode("utf-8", "surrogatepass")
    except (RecursionError, ValueError):
        return repr(raw)[:70_000].encode("utf-8", "replace")


def _ids(message: Any) -> dict[str, str]:
    headers = message.headers if isinstance(message.headers, dict) else {}
    task_id, name = headers.get("id"), headers.get("task")
    tag = getattr(message, "delivery_tag", None)
    return {"submission_id": task_id if isinstance(task_id, str) else "",
            "task": name if isinstance(name, str) else "",
            "delivery_tag": str(tag) if tag is not None else ""}


class EdgeConsumer(Consumer):
    """Celery's consumer that dead-letters what it cannot route instead of dying or only logging."""

    def dead_letter_message(self, message: Any, reason: str, detail: str) -> None:
        """Dead-letter ``message`` once, then acknowledge it."""
        dead_letter(raw_bytes(message), reason, detail, **_ids(message))
        message.ack_log_error(log, self.connection_errors)

    # Celery's hooks: the same outcome for what its own checks find.
    def on_decode_error(self, message: Any, exc: Exception) -> None:
        self.dead_letter_message(message, "undecodable_body", f"{type(exc).__name__}: {exc}"[:300])

    def on_unknown_message(self, body: Any, message: Any) -> None:
        self.dead_letter_message(message, "invalid_headers", "not a Celery task message")

    def on_unknown_task(self, body: Any, message: Any, exc: Exception) -> None:
        self.dead_letter_message(message, "unknown_task", f"unknown task: {exc}"[:300])

    def on_invalid_task(self, body: Any, message: Any, exc: Exception) -> None:
        self.dead_letter_message(message, "invalid_headers", f"{type(exc).__name__}: {exc}"[:300])

    def create_task_handler(self, promise: Any = promise) -> Callable[[Any], Any]:
        handler = super().create_task_handler(promise)

        def on_task_received(message: Any) -> Any:
            problem = protocol_problem(message)
            if problem is not None:
                return self.dead_letter_message(message, *problem)
            try:
                return handler(message)
            except CONNECTION_FAULTS:
                raise
            except Exception as error:  # what the check missed must not reach the event loop
                if message.acknowledged:
                    log.exception("message.failed_after_ack", **_ids(message))
                    return None
                return self.dead_letter_message(message, "invalid_message",
                                                f"{type(error).__name__}: {error}"[:300])

        return on_task_received
