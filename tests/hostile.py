"""Raw broker messages for the hostile-traffic tests: what a foreign producer could LPUSH onto the queue.

Each builder returns the exact bytes kombu's Redis transport reads from the queue list, so the tests go
around the client and the producer-side checks, as an attacker or a broken producer would.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

TASK = "eventwire.process_article"


def envelope(body: bytes | str, headers: dict[str, Any] | None, *, queue: str = "articles",
             body_encoding: str = "base64", delivery_tag: str | None = None) -> dict[str, Any]:
    """kombu's JSON envelope around ``body`` (already encoded as ``body_encoding`` when a str)."""
    if isinstance(body, bytes):
        body = base64.b64encode(body).decode()
    return {"body": body, "content-encoding": "utf-8", "content-type": "application/json",
            "headers": headers,
            "properties": {"correlation_id": headers.get("id") if isinstance(headers, dict) else None,
                           "reply_to": "",
                           "delivery_mode": 2,
                           "delivery_info": {"exchange": "", "routing_key": queue}, "priority": 0,
                           "body_encoding": body_encoding,
                           "delivery_tag": delivery_tag or str(uuid.uuid4())}}


def task_headers(task_id: str | None = None, *, task: str = TASK, **extra: Any) -> dict[str, Any]:
    """Celery protocol-2 headers as ``send_task`` writes them."""
    task_id = task_id or str(uuid.uuid4())
    return {"lang": "py", "task": task, "id": task_id, "shadow": None, "eta": None, "expires": None,
            "group": None, "retries": 0, "timelimit": [None, None], "root_id": task_id,
            "parent_id": None, "argsrepr": "", "kwargsrepr": "{}", "origin": "hostile", **extra}


def task_body(args: list[Any], kwargs: dict[str, Any] | None = None) -> bytes:
    """A protocol-2 body: ``[args, kwargs, embed]``."""
    embed = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}
    return json.dumps([args, kwargs or {}, embed]).encode()


def raw(message: Any) -> bytes:
    """The bytes as they sit in the queue list."""
    return message if isinstance(message, bytes) else json.dumps(message).encode()


def article(n: int) -> dict[str, Any]:
    return {"id": f"hostile-{n}", "text": f"Officials met in Geneva on Tuesday for talks number {n}."}


def deep(levels: int) -> list[Any]:
    """A list nested ``levels`` deep (within what the JSON parser reads: < 1000)."""
    root: list[Any] = []
    node = root
    for _ in range(levels):
        node.append([])
        node = node[0]
    return root


def hostile_messages() -> dict[str, tuple[str, bytes]]:
    """Each kind of raw message the worker can neither decode nor route: name -> (reason, bytes)."""
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    far = (datetime.now(UTC) + timedelta(days=365)).isoformat()
    nested = b"[" * 100_000 + b"]" * 100_000
    deep_body = b'[[{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}], {}, {}]"
    no_id = {k: v for k, v in task_headers().items() if k != "id"}
    return {
        # kombu cannot parse the queue entry (the transport)
        "not_json": ("not_json", b"this is not JSON \xff\xfe"),
        "json_list": ("invalid_envelope", b"[1, 2, 3]"),
        "json_null": ("invalid_envelope", b"null"),
        "json_string": ("invalid_envelope", b'"hello"'),
        "no_properties": ("invalid_envelope", raw({"body": "e30=", "headers": {}})),
        "bad_base64": ("invalid_envelope", raw(envelope("!!!not base64!!!", task_headers()))),
        "headers_not_object": ("invalid_envelope", raw(envelope(task_body([article(901)]), "x"))),  # type: ignore[arg-type]
        "deeply_nested_envelope": ("nested_too_deeply", nested),
        # Celery cannot route the message (the consumer)
        "headers_without_id": ("invalid_headers", raw(envelope(task_body([article(900)]), no_id))),
        "body_not_json": ("undecodable_body", raw(envelope(b"not json at all", task_headers()))),
        "body_deeply_nested": ("nested_too_deeply", raw(envelope(deep_body, task_headers()))),
        "body_not_a_triple": ("invalid_body", raw(envelope(b'{"a": 1}', task_headers()))),
        "argument_900_deep": ("nested_too_deeply", raw(envelope(
            task_body([{"text": "x", "metadata": {"k": deep(900)}}]), task_headers()))),
        "header_900_deep": ("nested_too_deeply", raw(envelope(task_body([article(913)]),
                                                              task_headers(stamps={"a": deep(900)})))),
        "pickle_content_type": ("undecodable_body", raw({**envelope(task_body([article(912)]),
                                                                     task_headers()),
                                                         "content-type": "application/x-python-serialize",
                                                         "content-encoding": "binary"})),
        "unknown_task": ("unknown_task", raw(envelope(task_body([article(902)]),
                                                      task_headers(task="evil.task")))),
        "builtin_task": ("unknown_task", raw(envelope(task_body([[]]),
                                                      task_headers(task="celery.chord_unlock")))),
        "no_arguments": ("invalid_arguments", raw(envelope(task_body([]), task_headers()))),
        "too_many_arguments": ("invalid_arguments", raw(envelope(task_body([article(903), 2]),
                                                                 task_headers()))),
        "unexpected_kwargs": ("invalid_arguments", raw(envelope(
            task_body([article(904)], {"evil": True}), task_headers()))),
        "expired": ("expired", raw(envelope(task_body([article(905)]), task_headers(expires=past)))),
        "bad_expires": ("invalid_headers", raw(envelope(task_body([article(906)]),
                                                        task_headers(expires="tomorrow")))),
        "bad_eta": ("invalid_headers", raw(envelope(task_body([article(907)]),
                                                    task_headers(eta="soon")))),
        "eta_a_year_ahead": ("invalid_headers", raw(envelope(task_body([article(909)]),
                                                             task_headers(eta=far)))),
        "longer_time_limit": ("invalid_headers", raw(envelope(task_body([article(910)]),
                                                              task_headers(timelimit=[9999, 9000])))),
        "bad_retries": ("invalid_headers", raw(envelope(task_body([article(911)]),
                                                        task_headers(retries="many")))),
        "proto1_without_id": ("invalid_headers", raw(envelope(
            json.dumps({"task": TASK, "args": [article(908)]}).encode(), {}))),
    }
