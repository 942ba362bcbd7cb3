"""The input contract: every kind of bad input is rejected with a precise reason and field."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, ValidationError

from worker.core import contract
from worker.core.contract import (
    EVENT_TYPES,
    InvalidArticle,
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


def test_missing_id_is_derived_from_the_url_else_the_text():
    # "a-" + the first 20 hex digits of sha256 over the URL when there is one, else over the text
    assert validate_article({"text": "Same words."}).id == "a-02e63b158e9ce00472cf"
    assert validate_article({"text": "Same words.", "url": "https://example.org/world/1"}).id \
        == "a-1910058c2d76a9c60303"
    assert validate_article({"text": "Other words."}).id != "a-02e63b158e9ce00472cf"


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
        ({"text": "x", "url": "javascript:alert(1)"}, "invalid_field", "url",
         "'javascript:alert(1)' does not match '^https?://[^\\\\s]+$'"),
        ({"text": "x", "language": "English"}, "invalid_field", "language",
         "'English' does not match '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$'"),
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


SCHEMA_FILES = ["article.v1.json", "envelope.v1.json", *(f"{t}.v1.json" for t in EVENT_TYPES)]


@pytest.fixture
def fresh_schema_cache() -> Iterator[None]:
    """Schemas are read once per process; a test that moves them starts and ends with a clean cache."""
    contract.load_schema.cache_clear()
    contract.validator.cache_clear()
    yield
    contract.load_schema.cache_clear()
    contract.validator.cache_clear()


def test_the_default_schema_dir_is_the_one_shipped_in_the_package(monkeypatch):
    monkeypatch.delenv("EVENTWIRE_SCHEMA_DIR", raising=False)
    packaged = resources.files("worker") / "schemas"
    assert schema_dir() == Path(str(packaged))
    for name in SCHEMA_FILES:
        schema = json.loads((packaged / name).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"https://eventwire.dev/schemas/{name}"


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_envelope_names_the_schema_file_its_data_is_validated_against(event_type):
    envelope = make_envelope(event_type, "s", {}, source="urn:test", dedup_key="k")
    data_schema = json.loads((schema_dir() / f"{event_type}.v1.json").read_text(encoding="utf-8"))
    assert envelope["dataschema"] == data_schema["$id"]
    envelope_schema = json.loads((schema_dir() / "envelope.v1.json").read_text(encoding="utf-8"))
    assert event_type in envelope_schema["properties"]["type"]["enum"]


def test_the_code_validates_against_the_files_in_the_schema_dir(tmp_path, monkeypatch,
                                                                fresh_schema_cache):
    shutil.copytree(schema_dir(), tmp_path, dirs_exist_ok=True)
    article = json.loads((tmp_path / "article.v1.json").read_text())
    article["properties"]["text"]["maxLength"] = 20
    (tmp_path / "article.v1.json").write_text(json.dumps(article))
    assert validate_article({"text": "x" * 21}).text == "x" * 21  # the shipped limit is 100,000
    contract.load_schema.cache_clear()
    contract.validator.cache_clear()
    monkeypatch.setenv("EVENTWIRE_SCHEMA_DIR", str(tmp_path))
    error = rejection({"text": "x" * 21})
    assert error.reason == "payload_too_large"
    assert error.errors[0].as_dict() == {"field": "text", "message": "is 21 characters, the limit is 20"}


def test_envelope_validation_checks_the_data_against_its_type_schema():
    good = make_envelope("article.duplicate", "a-2", {"article_id": "a-2", "duplicate_of": "a-1",
                                                      "kind": "exact", "similarity": 1.0,
                                                      "matched_on": "text"},
                         source="urn:test", dedup_key="k")
    validate_envelope(good)
    with pytest.raises(ValidationError) as caught:
        validate_envelope({**good, "data": {**good["data"], "kind": "fuzzy"}})
    assert caught.value.message == "'fuzzy' is not one of ['exact', 'near']"
    assert list(caught.value.absolute_path) == ["kind"]
    with pytest.raises(ValidationError) as caught:
        validate_envelope({k: v for k, v in good.items() if k != "specversion"})
    assert caught.value.message == "'specversion' is a required property"
    with pytest.raises(ValidationError) as caught:
        validate_envelope({**good, "data": {**good["data"], "similarity": 1.5}})
    assert caught.value.message == "1.5 is greater than the maximum of 1"
    assert list(caught.value.absolute_path) == ["similarity"]
