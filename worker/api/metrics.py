"""The gateway's own request metrics, on its ``/metrics`` route (one concern, one middleware).

- ``eventwire_http_requests_total{route,method,status}``: requests answered, by route template
  (``/v1/articles/{article_id}``, never the id itself) and status
- ``eventwire_http_request_duration_seconds{route,method}`` (histogram)

The gateway is one process (``eventwire api``), so the default registry is exact.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest

REQUESTS = Counter("eventwire_http_requests", "HTTP requests answered by the gateway",
                   ["route", "method", "status"])
DURATION = Histogram("eventwire_http_request_duration_seconds", "Time to answer an HTTP request",
                     ["route", "method"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))


def install_request_metrics(app: FastAPI) -> None:
    """Count and time every request of ``app``; serve the metrics on ``GET /metrics``."""

    @app.middleware("http")
    async def measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        DURATION.labels(route=route, method=request.method).observe(time.perf_counter() - start)
        REQUESTS.labels(route=route, method=request.method, status=str(response.status_code)).inc()
        return response

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
