"""The FastAPI application of the HTTP gateway (routes in README, "HTTP API").

Articles are validated exactly as the client and the CLI validate them
(``worker.core.contract.validate_article``, against ``schemas/article.v1.json``) and enqueued by
the producer client; status and events are read from the lookup state the publish step writes
(``worker.state.lookup``). The body is read up to ``EVENTWIRE_API_MAX_BODY_BYTES`` before anything
parses it. With ``EVENTWIRE_API_KEYS`` set, every ``/v1`` route needs one of the keys in the
``X-API-Key`` header, compared in constant time.
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

import redis
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from worker.api.metrics import install_request_metrics
from worker.api.openapi import ARTICLE_ID_PATTERN, EVENT_ID_PATTERN, openapi_document
from worker.client import BrokerUnavailable, Producer, Submission
from worker.config import Settings, mask_secrets
from worker.core.contract import InvalidArticle, ecma_pattern, validate_article
from worker.state.connections import state_client
from worker.state.lookup import Lookup

#: Seconds a client is told to wait when Redis or the broker is unreachable.
RETRY_AFTER_SECONDS = 5
#: Most articles in one request.
MAX_ARTICLES_PER_REQUEST = 1000
_ARTICLE_ID = re.compile(ecma_pattern(ARTICLE_ID_PATTERN))
_EVENT_ID = re.compile(ecma_pattern(EVENT_ID_PATTERN))


class _Refused(Exception):
    """A request answered with an error status and a JSON body."""

    def __init__(self, status: int, error: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.body = status, {"error": error, "message": message, **extra}


def create_app(settings: Settings, *, producer: Producer | None = None,
               lookup: Lookup | None = None) -> FastAPI:
    """The application; ``producer`` and ``lookup`` are built from ``settings`` when not given."""
    producer = producer or Producer(settings)
    lookup = lookup or Lookup(state_client(settings), settings)
    keys = [key.encode() for key in settings.api_keys]
    app = FastAPI(title="eventwire", docs_url="/docs", redoc_url=None)
    document = openapi_document(bool(keys), MAX_ARTICLES_PER_REQUEST)
    app.openapi = lambda: document  # type: ignore[method-assign]

    @app.exception_handler(_Refused)
    async def refused(_: Request, exc: _Refused) -> JSONResponse:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if exc.status == 503 else None
        return JSONResponse(exc.body, status_code=exc.status, headers=headers)

    @app.exception_handler(redis.RedisError)
    async def redis_down(_: Request, exc: redis.RedisError) -> JSONResponse:
        return JSONResponse({"error": "unavailable", "message": mask_secrets(f"Redis: {exc}")},
                            status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    def authorize(request: Request) -> None:
        if not keys:
            return
        given = request.headers.get("x-api-key", "").encode()
        if not any([hmac.compare_digest(given, key) for key in keys]):  # a list: compare with every key
            raise _Refused(401, "unauthorized", "missing or unknown API key (X-API-Key header)")

    @app.post("/v1/articles", status_code=202)
    async def submit_articles(request: Request) -> JSONResponse:
        authorize(request)
        articles = _parse_articles(await _read_body(request, settings.api_max_body_bytes))
        _validate_all(articles, settings.max_payload_bytes)
        done: list[Submission] = []
        try:
            for article in articles:
                done.append(await run_in_threadpool(producer.submit, article))
        except BrokerUnavailable as exc:
            raise _Refused(503, "unavailable", str(exc), submissions=_listed(done)) from exc
        except InvalidArticle as exc:  # validated above: only a changed limit gets here
            raise _Refused(400, "invalid_articles", str(exc)) from exc
        return JSONResponse({"submissions": _listed(done)}, status_code=202)

    @app.get("/v1/articles/{article_id}")
    async def get_article(article_id: str, request: Request) -> dict[str, Any]:
        authorize(request)
        if not _ARTICLE_ID.search(article_id) or len(article_id) > 200:
            raise _Refused(400, "invalid_id", "not an article id (letters, digits and . _ : @ + -)")
        status = await run_in_threadpool(lookup.article, article_id)
        if status is None:
            raise _Refused(404, "not_found", f"no article {article_id!r} was submitted in the dedup "
                                             f"window")
        return status.as_dict()

    @app.get("/v1/events/{event_id}")
    async def get_event(event_id: str, request: Request) -> dict[str, Any]:
        authorize(request)
        if not _EVENT_ID.search(event_id):
            raise _Refused(400, "invalid_id", "not an event id (ev_ and 16 hexadecimal digits)")
        record = await run_in_threadpool(lookup.event, event_id)
        if record is None:
            raise _Refused(404, "not_found", f"no event {event_id!r} in the dedup window")
        return record.as_dict()

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        try:
            await run_in_threadpool(lookup.client.ping)
        except (redis.RedisError, OSError):
            return JSONResponse({"status": "unavailable", "redis": False}, status_code=503)
        return JSONResponse({"status": "ok", "redis": True})

    install_request_metrics(app)
    return app


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to be over ``limit`` bytes (before any
    parsing: from ``Content-Length`` when given, else while it streams in)."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if content_type.lower() != "application/json" and not content_type.lower().endswith("+json"):
        raise _Refused(415, "unsupported_media_type", f"send application/json, not {content_type[:100]}")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _Refused(413, "payload_too_large", f"the body is {declared} bytes, the limit is {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _Refused(413, "payload_too_large", f"the body is over the limit of {limit} bytes")
    return bytes(body)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_articles(body: bytes) -> list[Any]:
    """The request's articles: one JSON object, or a list of up to ``MAX_ARTICLES_PER_REQUEST``."""
    try:
        parsed = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _Refused(400, "invalid_json", f"the body is not JSON: {str(exc)[:200]}") from exc
    if not isinstance(parsed, list):
        return [parsed]
    if not parsed:
        raise _Refused(400, "invalid_json", "an empty list: send one article or a list of them")
    if len(parsed) > MAX_ARTICLES_PER_REQUEST:
        raise _Refused(400, "too_many_articles", f"{len(parsed)} articles; at most "
                                                 f"{MAX_ARTICLES_PER_REQUEST} per request")
    return parsed


def _validate_all(articles: list[Any], max_payload_bytes: int) -> None:
    """Refuse the request (400) with every invalid article's field errors; enqueue nothing."""
    invalid = []
    for index, article in enumerate(articles):
        try:
            validate_article(article, max_payload_bytes=max_payload_bytes)
        except InvalidArticle as exc:
            invalid.append({"index": index, "article_id": exc.article_id, "reason": exc.reason,
                            "errors": [error.as_dict() for error in exc.errors]})
    if invalid:
        raise _Refused(400, "invalid_articles", f"{len(invalid)} of {len(articles)} articles are "
                                                f"invalid; nothing was enqueued", articles=invalid)


def _listed(submissions: list[Submission]) -> list[dict[str, str]]:
    return [{"article_id": s.article_id, "submission_id": s.submission_id} for s in submissions]
