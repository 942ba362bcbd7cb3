"""The input contract: every kind of bad input is rejected with a precise reason and field."""

from __future__ import annotations

import json

import pytest
from jsonschema import ValidationError

from worker.core.contract import (
    InvalidArticle,
    derive_article_id,
    load_schema,
    schema_dir,
    validate_article,
    validate_envelope,
)
from worker.core.publication import make_envelope

VALID = {"id": "wire-1", "text": "The minister met the envoy.", "source": "Wire",
         "published_at": "2024-03-14T10:00:00Z"}


def rejection(payload, **kwargs) -> InvalidArticle:
    with pytest.raises(InvalidArticle) as caught:
        validate_article(payload, **kwargs)
    return caught.value


def test_valid_article_is_parsed_with_aware_timestamp():
    article = validate_article(VALID)
    assert article.id == "wire-1"
    assert article.published_at is not None and article.published_at.utcoffset().total_seconds() == 0


def test_missing_id_is_derived_from_content_and_stable():
    first = validate_article({"text": "Same words."})
    second = validate_article({"text": "Same words."})
    assert first.id == second.id == derive_article_id({"text": "Same words."})
    assert validate_article({"text": "Other words."}).id != first.id


@pytest.mark.parametrize(
    ("payload", "reason", "field", "fragment"),
    [
        ({"title": "no body"}, "invalid_field", "text", "required"),
        ({"text": 42}, "invalid_field", "text", "type string"),
        ({"text": "x", "colour": "red"}, "invalid_field", "colour", "unknown field"),
        ({"text": ""}, "empty_text", "text", "empty"),
        ({"text": "   \n\t "}, "empty_text", "text", "empty"),
        ({"text": "x" * 100_001}, "payload_too_large", "text", "limit is 100000"),
        ({"text": "x", "published_at": "2024-02-30T10:00:00Z"}, "invalid_field", "published_at",
         "day is out of range"),
        ({"text": "x", "published_at": "10000-01-01T00:00:00Z"}, "invalid_field", "published_at",
         "RFC 3339"),
        ({"text": "x", "published_at": "yesterday"}, "invalid_field", "published_at", "RFC 3339"),
        ({"text": "x", "id": "../../etc/passwd"}, "invalid_field", "id", "letters, digits"),
        ({"text": "x", "id": "a{b}*:c"}, "invalid_field", "id", "letters, digits"),
        ({"text": "x", "metadata": {"a": {"b": {"c": 1}}}}, "invalid_field", "metadata.a", "nested"),
        ({"text": "bad \ud800 char"}, "invalid_field", "text", "lone surrogate"),
        ({"text": "PK\x03\x04\x00\x00binary"}, "invalid_field", "text", "control character"),
        ({"text": "x", "url": "javascript:alert(1)"}, "invalid_field", "url", ""),
    ],
)
def test_bad_input_has_precise_reason(payload, reason, field, fragment):
    error = rejection(payload)
    assert error.reason == reason
    fields = {e.field: e.message for e in error.errors}
    assert field in fields, fields
    assert fragment in fields[field]


@pytest.mark.parametrize("payload", [None, 3, "text", [{"text": "x"}], True])
def test_non_object_payload_is_invalid_payload(payload):
    error = rejection(payload)
    assert error.reason == "invalid_payload"
    assert error.errors[0].field == "$"


def test_payload_byte_limit_is_checked_before_the_schema():
    error = rejection({"text": "é" * 600}, max_payload_bytes=1000)
    assert error.reason == "payload_too_large"
    assert "limit is 1000" in error.errors[0].message


def test_rejection_keeps_a_valid_producer_id_but_never_an_invalid_one():
    assert rejection({"id": "ok-1", "text": ""}).article_id == "ok-1"
    assert rejection({"id": "bad id\n", "text": ""}).article_id is None


def test_code_validates_against_the_published_schema_files():
    on_disk = json.loads((schema_dir() / "article.v1.json").read_text())
    assert load_schema("article.v1.json") == on_disk
    assert on_disk["properties"]["text"]["maxLength"] == 100_000


def test_envelope_validation_checks_the_data_against_its_type_schema():
    good = make_envelope("article.duplicate", "a-2", {"article_id": "a-2", "duplicate_of": "a-1",
                                                      "kind": "exact", "similarity": 1.0,
                                                      "matched_on": "text"},
                         source="urn:test", dedup_key="k")
    validate_envelope(good)
    bad = {**good, "data": {**good["data"], "kind": "fuzzy"}}
    with pytest.raises(ValidationError):
        validate_envelope(bad)
