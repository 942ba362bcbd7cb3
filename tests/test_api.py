"""The HTTP gateway against a real redis-server (no worker: submissions stay queued here; the end
to end test with a worker is in test_service.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest
from fastapi.testclient import TestClient
from support import wait_until

from worker.api.app import MAX_ARTICLES_PER_REQUEST, create_app
from worker.api.openapi import openapi_document
from worker.client import Producer
from worker.config import Settings
from worker.core.contract import load_schema
from worker.state.embedded import free_port

ARTICLE = {"id": "api-1", "source": "Harbour Gazette", "published_at": "2024-05-16T08:30:00Z",
           "text": "Chilean President Tomas Ruiz visited Canberra on Wednesday."}


@pytest.fixture
def api(settings: Settings):
    producer = Producer(settings)
    with TestClient(create_app(settings, producer=producer)) as client:
        yield client
    producer.close()


def queued(redis_client, settings: Settings) -> int:
    return int(redis_client.llen(settings.queue))


def test_one_article_is_accepted_and_reads_queued(api, redis_client, settings):
    response = api.post("/v1/articles", json=ARTICLE)
    assert response.status_code == 202
    [submission] = response.json()["submissions"]
    assert submission["article_id"] == "api-1" and submission["submission_id"]
    assert queued(redis_client, settings) == 1
    status = api.get("/v1/articles/api-1")
    assert status.status_code == 200
    assert status.json() == {"article_id": "api-1", "status": "queued", "outcome": None, "event_ids": []}


def test_a_list_is_accepted_and_ids_are_assigned_as_the_client_does(api, redis_client, settings):
    response = api.post("/v1/articles", json=[ARTICLE, {"text": "Police arrested ten protesters."}])
    assert response.status_code == 202
    ids = [s["article_id"] for s in response.json()["submissions"]]
    assert ids[0] == "api-1" and ids[1].startswith("a-")
    assert queued(redis_client, settings) == 2


def test_invalid_articles_get_their_field_errors_and_nothing_is_enqueued(api, redis_client, settings):
    response = api.post("/v1/articles", json=[ARTICLE, {"id": "bad-1", "text": 17},
                                              {"text": "Hello.", "colour": "red"}])
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_articles"
    assert body["articles"] == [
        {"index": 1, "article_id": "bad-1", "reason": "invalid_field",
         "errors": [{"field": "text", "message": "must be of type string, got number"}]},
        {"index": 2, "article_id": None, "reason": "invalid_field",
         "errors": [{"field": "colour", "message": "unknown field (not in article.v1)"}]}]
    assert queued(redis_client, settings) == 0
    assert api.get("/v1/articles/api-1").status_code == 404


@pytest.mark.parametrize(("body", "error"), [(b"{oops", "invalid_json"), (b"[]", "invalid_json"),
                                             (b'{"text": NaN}', "invalid_json"),
                                             (b"\xff\xfe", "invalid_json"), (b"[" * 100_000, "invalid_json"),
                                             (json.dumps([ARTICLE] * (MAX_ARTICLES_PER_REQUEST + 1)).encode(),
                                              "too_many_articles")])
def test_bodies_that_are_not_articles(api, body, error):
    response = api.post("/v1/articles", content=body, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["error"]) == (400, error)


def test_the_body_limit_is_checked_before_parsing(settings, redis_client):
    small = settings.replace(api_max_body_bytes=1000)
    producer = Producer(small)
    with TestClient(create_app(small, producer=producer)) as client:
        declared = client.post("/v1/articles", content=b"x" * 1001,
                               headers={"content-type": "application/json"})
        assert (declared.status_code, declared.json()["error"]) == (413, "payload_too_large")
        streamed = client.post("/v1/articles", content=iter([b"[" + b" " * 600, b" " * 600]),
                               headers={"content-type": "application/json"})  # chunked, no length
        assert (streamed.status_code, streamed.json()["error"]) == (413, "payload_too_large")
        wrong_type = client.post("/v1/articles", content=b"text=1",
                                 headers={"content-type": "text/plain"})
        assert wrong_type.status_code == 415
    producer.close()


def test_unknown_and_malformed_ids(api):
    assert api.get("/v1/articles/never-seen").status_code == 404
    assert api.get("/v1/articles/-bad").status_code == 400
    assert api.get("/v1/events/ev_0123456789abcdef").status_code == 404
    assert api.get("/v1/events/ev_nothex").status_code == 400
    assert api.get("/healthz").json() == {"status": "ok", "redis": True}


def test_an_unreachable_broker_is_503_with_retry_after():
    dead = Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0", connect_timeout=0.5)
    producer = Producer(dead)
    with TestClient(create_app(dead, producer=producer)) as client:
        submitted = client.post("/v1/articles", json=ARTICLE)
        assert submitted.status_code == 503 and submitted.headers["retry-after"] == "5"
        assert submitted.json()["submissions"] == []
        looked_up = client.get("/v1/articles/api-1")
        assert looked_up.status_code == 503 and looked_up.headers["retry-after"] == "5"
        assert client.get("/healthz").status_code == 503


def test_api_keys_are_read_case_sensitively_and_never_shown():
    settings = Settings.from_env({"EVENTWIRE_API_KEYS": "k-Alpha, k-beta"})
    assert settings.api_keys == ("k-Alpha", "k-beta")
    assert "k-Alpha" not in repr(settings)


def test_api_keys_guard_the_v1_routes(settings):
    keyed = settings.replace(api_keys=("k-Alpha", "k-beta"))
    producer = Producer(keyed)
    with TestClient(create_app(keyed, producer=producer)) as client:
        assert client.post("/v1/articles", json=ARTICLE).status_code == 401
        assert client.get("/v1/articles/api-1", headers={"X-API-Key": "k-alpha"}).status_code == 401
        assert client.post("/v1/articles", json=ARTICLE, headers={"X-API-Key": "k-beta"}).status_code == 202
        assert client.get("/v1/articles/api-1", headers={"X-API-Key": "k-Alpha"}).status_code == 200
        assert client.get("/healthz").status_code == 200
        assert client.get("/openapi.json").json()["components"]["securitySchemes"]["ApiKey"]["name"] \
            == "X-API-Key"
    producer.close()


def test_the_openapi_document_uses_the_schema_files(api):
    document = api.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    article = {k: v for k, v in load_schema("article.v1.json").items() if k not in {"$schema", "$id"}}
    assert schemas["Article"] == article
    assert schemas["EventRecord_actor"] == load_schema("event.created.v1.json")["$defs"]["actor"]
    actor_ref = {"$ref": "#/components/schemas/EventRecord_actor"}
    assert schemas["EventRecord"]["properties"]["actor1"] == actor_ref
    assert document == openapi_document(False, MAX_ARTICLES_PER_REQUEST)
    assert "securitySchemes" not in document["components"]


def test_eventwire_api_serves_over_http(settings, redis_client):
    port = free_port()
    env = {**os.environ, "EVENTWIRE_REDIS_URL": settings.redis_url, "EVENTWIRE_LOG_FORMAT": "json"}
    server = subprocess.Popen([sys.executable, "-m", "worker.cli", "api", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                return False

        wait_until(healthy, 60, "eventwire api to answer")
        accepted = httpx.post(f"{base}/v1/articles", json=ARTICLE, timeout=10)
        assert accepted.status_code == 202
        assert httpx.get(f"{base}/v1/articles/api-1", timeout=10).json()["status"] == "queued"
    finally:
        server.terminate()
        server.wait(30)


def test_the_gateway_counts_its_requests_by_route_template_and_status(api):
    from prometheus_client.parser import text_string_to_metric_families

    def count(route: str, status: str) -> float:
        text = api.get("/metrics").text
        return sum(sample.value for family in text_string_to_metric_families(text)
                   for sample in family.samples
                   if sample.name == "eventwire_http_requests_total"
                   and sample.labels == {"route": route, "method": "GET", "status": status})

    before = count("/v1/articles/{article_id}", "404")
    assert api.get("/v1/articles/never-submitted-1").status_code == 404
    assert api.get("/v1/articles/never-submitted-2").status_code == 404
    assert count("/v1/articles/{article_id}", "404") == before + 2  # the template, not each id
