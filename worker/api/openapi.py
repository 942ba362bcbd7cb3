"""The OpenAPI 3.1 document of the HTTP gateway, built from the JSON Schemas in ``schemas/``.

The request body and the envelopes are the very schema files the workers validate with (one source
of truth); only the gateway's own small response shapes are written here. OpenAPI 3.1 schema objects
are JSON Schema 2020-12, so the files are used as they are, except that ``$defs`` move to
``components/schemas`` (a ``#/$defs/...`` reference would otherwise point into this document's root).
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from worker.core.contract import ARTICLE_SCHEMA, ENVELOPE_SCHEMA, load_schema
from worker.state.lookup import STATUSES

EVENT_RECORD_SCHEMA = "event.created.v1.json"
ARTICLE_ID_PATTERN = load_schema(ARTICLE_SCHEMA)["properties"]["id"]["pattern"]
EVENT_ID_PATTERN = load_schema(EVENT_RECORD_SCHEMA)["properties"]["event_id"]["pattern"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _component(file_name: str, name: str, components: dict[str, Any]) -> None:
    """Add the schema file as ``name``, its ``$defs`` as ``<name>_<def>``, references rewritten."""
    schema = copy.deepcopy(load_schema(file_name))
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    defs = schema.pop("$defs", {})

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return {**node, "$ref": f"#/components/schemas/{name}_{ref.removeprefix('#/$defs/')}"}
            return {k: rewrite(v) for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    components[name] = rewrite(schema)
    for def_name, definition in defs.items():
        components[f"{name}_{def_name}"] = rewrite(definition)


def _error(*required: str, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "required": ["error", "message", *required],
            "properties": {"error": {"type": "string"}, "message": {"type": "string"}, **extra}}


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    _component(ARTICLE_SCHEMA, "Article", schemas)
    _component(ENVELOPE_SCHEMA, "Envelope", schemas)
    _component(EVENT_RECORD_SCHEMA, "EventRecord", schemas)
    field_error = {"type": "object", "required": ["field", "message"],
                   "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}
    schemas.update({
        "Submissions": {"type": "object", "required": ["submissions"], "properties": {"submissions": {
            "type": "array", "items": {
                "type": "object", "required": ["article_id", "submission_id"],
                "properties": {"article_id": {"type": "string"}, "submission_id": {"type": "string"}}}}}},
        "Error": _error(),
        "InvalidArticles": _error(articles={"type": "array", "items": {
            "type": "object", "required": ["index", "article_id", "reason", "errors"],
            "properties": {"index": {"type": "integer", "minimum": 0},
                           "article_id": {"type": ["string", "null"]},
                           "reason": {"type": "string"},
                           "errors": {"type": "array", "items": field_error}}}}),
        "Unavailable": _error(submissions={"type": "array", "description": "the articles of the "
                                           "request enqueued before the broker failed"}),
        "ArticleStatus": {
            "type": "object", "required": ["article_id", "status", "outcome", "event_ids"],
            "properties": {
                "article_id": {"type": "string"},
                "status": {"enum": list(STATUSES)},
                "outcome": {"description": "the outcome envelope (article.processed, .duplicate or "
                                           ".rejected); null while queued or once trimmed off the "
                                           "results stream",
                            "anyOf": [_ref("Envelope"), {"type": "null"}]},
                "event_ids": {"type": "array", "items": {"type": "string", "pattern": EVENT_ID_PATTERN}}}},
        "Event": {
            "type": "object", "required": ["event_id", "record", "mentions", "article_ids", "created_by"],
            "properties": {
                "event_id": {"type": "string"},
                "record": {"description": "the event.created data with the current mention counts",
                           "anyOf": [_ref("EventRecord"), {"type": "null"}]},
                "mentions": _ref("EventRecord_mentions"),
                "article_ids": {"type": "array", "items": {"type": "string"}},
                "created_by": {"type": ["string", "null"]}}},
        "Health": {"type": "object", "required": ["status", "redis"],
                   "properties": {"status": {"enum": ["ok", "unavailable"]},
                                  "redis": {"type": "boolean"}}},
    })
    return schemas


def _json(name: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}, **extra}


def _unavailable() -> dict[str, Any]:
    return _json("Unavailable", "Redis or the broker cannot be reached; retry after the delay",
                 headers={"Retry-After": {"schema": {"type": "integer"},
                                          "description": "seconds to wait before retrying"}})


def _id_parameter(name: str, pattern: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "string", "pattern": pattern, "maxLength": 200}}


def _lookup(summary: str, operation: str, parameter: str, pattern: str, schema: str, *, found: str,
            missing: str, unauthorized: dict[str, Any], security: dict[str, Any]) -> dict[str, Any]:
    """A GET by id: 200 with ``schema``, 400 for a malformed id, 404 when unknown, 503 when Redis is away."""
    noun = parameter.removesuffix("_id")
    return {
        "summary": summary,
        "operationId": operation,
        "parameters": [_id_parameter(parameter, pattern)],
        "responses": {"200": _json(schema, found),
                      "400": _json("Error", f"not a valid {noun} id"),
                      **unauthorized,
                      "404": _json("Error", missing),
                      "503": _unavailable()},
        **security,
    }


@functools.cache
def openapi_document(secured: bool, max_items: int) -> dict[str, Any]:
    """The document; with ``secured``, every ``/v1`` operation needs an API key (``X-API-Key``)."""
    unauthorized = {"401": _json("Error", "missing or unknown API key")} if secured else {}
    security = {"security": [{"ApiKey": []}]} if secured else {}
    submit = {
        "summary": "Submit one article or a list of them",
        "operationId": "submitArticles",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"anyOf": [
            _ref("Article"), {"type": "array", "items": _ref("Article"), "minItems": 1,
                              "maxItems": max_items}]}}}},
        "responses": {
            "202": _json("Submissions", "enqueued; ask GET /v1/articles/{article_id} for the outcome"),
            "400": _json("InvalidArticles", "not JSON, or invalid articles, each with its field errors "
                                            "in ``articles`` (nothing was enqueued)"),
            **unauthorized,
            "413": _json("Error", "the body is over EVENTWIRE_API_MAX_BODY_BYTES"),
            "415": _json("Error", "the body is not application/json"),
            "503": _unavailable()},
        **security,
    }
    lookup = functools.partial(_lookup, unauthorized=unauthorized, security=security)
    article = lookup("What became of an article", "getArticle", "article_id", ARTICLE_ID_PATTERN,
                     "ArticleStatus", found="the article's status",
                     missing="never seen, or expired (after the dedup window)")
    event = lookup("The current record of an event", "getEvent", "event_id", EVENT_ID_PATTERN,
                   "Event", found="the event record, mention counts, reporting articles",
                   missing="unknown, or expired (after the dedup window)")
    health = {"summary": "Liveness: does Redis answer", "operationId": "health",
              "responses": {"200": _json("Health", "Redis answers"),
                            "503": _json("Health", "Redis does not answer")}}
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "eventwire", "version": "1",
                 "description": "Submit news articles, ask what became of them, fetch their events."},
        "paths": {"/v1/articles": {"post": submit},
                  "/v1/articles/{article_id}": {"get": article},
                  "/v1/events/{event_id}": {"get": event},
                  "/healthz": {"get": health}},
        "components": {"schemas": _components()},
    }
    if secured:
        document["components"]["securitySchemes"] = {
            "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}
    return document
