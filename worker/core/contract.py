"""The public contract: JSON Schemas in ``schemas/`` and the checks that use them.

Input is validated against the very files the project publishes, so the rules cannot drift. Checks a
schema cannot state (payload size in bytes, a parseable timestamp, invalid UTF-8, control characters)
follow it here, each with a precise reason.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

SCHEMA_DIR_ENV = "EVENTWIRE_SCHEMA_DIR"
ARTICLE_SCHEMA = "article.v1.json"
ENVELOPE_SCHEMA = "envelope.v1.json"
EVENT_TYPES = ("article.processed", "article.duplicate", "article.rejected",
               "event.created", "event.mentioned")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def schema_dir() -> Path:
    """Directory of the schema files: ``EVENTWIRE_SCHEMA_DIR``, else ``worker/schemas`` (the
    repository's ``schemas/``, shipped inside the wheel)."""
    configured = os.environ.get(SCHEMA_DIR_ENV)
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / "schemas"


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """One schema file, parsed."""
    return json.loads((schema_dir() / name).read_text(encoding="utf-8"))


def ecma_pattern(pattern: str) -> str:
    """A JSON Schema (ECMA 262) pattern for Python's ``re``: ``$`` becomes ``\\Z``.

    In ECMA 262 ``$`` matches only at the end of the input; in Python it also matches before a
    final newline, so ``^[A-Za-z0-9]+$`` let the id ``"idnl\\n"`` through. ``$`` inside a class or
    escaped is left alone.
    """
    out, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append("\\Z")
            continue
        out.append(char)
    return "".join(out)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_pattern(pattern))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


#: Draft 2020-12 with ECMA 262 semantics for ``pattern`` (see ``ecma_pattern``).
SchemaValidator = validators.extend(Draft202012Validator, {"pattern": _pattern})


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A compiled validator for one schema file."""
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return SchemaValidator(schema)


def max_text_chars() -> int:
    """The most characters of text an article may have, raw or cleaned (``text.maxLength``)."""
    return int(load_schema(ARTICLE_SCHEMA)["properties"]["text"]["maxLength"])


def data_schema_name(event_type: str) -> str:
    """Schema file of the ``data`` of an envelope of ``event_type``."""
    return f"{event_type}.v1.json"


@dataclass(frozen=True)
class FieldError:
    """One precise problem with one field of the input.

    Field names and messages may quote the input; a lone surrogate in them is written as its
    escape (``\\udc80``), so a rejection can always be encoded and published.
    """

    field: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "field", _encodable(self.field))
        object.__setattr__(self, "message", _encodable(self.message))

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class InvalidArticle(ValueError):
    """The input breaks the contract; ``reason`` is the machine-readable cause."""

    def __init__(self, reason: str, errors: list[FieldError], article_id: str | None = None):
        self.reason = reason
        self.errors = errors
        self.article_id = article_id
        super().__init__(f"{reason}: " + "; ".join(f"{e.field}: {e.message}" for e in errors))


@dataclass(frozen=True)
class Article:
    """A validated article. ``text`` is the raw text (or HTML) before cleaning."""

    id: str
    text: str
    is_html: bool
    url: str | None = None
    title: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    published_at_text: str | None = None
    language: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def derive_article_id(payload: Mapping[str, Any]) -> str:
    """A stable id from the content, for articles submitted without one."""
    basis = payload.get("url") or payload.get("text") or payload.get("html") or ""
    return "a-" + hashlib.sha256(str(basis).encode("utf-8", "surrogatepass")).hexdigest()[:20]


def validate_article(payload: Any, *, max_payload_bytes: int = 1_000_000) -> Article:
    """Check ``payload`` against ``article.v1.json`` and the extra rules; raise ``InvalidArticle``."""
    if not isinstance(payload, dict):
        raise InvalidArticle("invalid_payload", [FieldError("$", f"expected a JSON object, got "
                                                              f"{_json_type(payload)}")])
    article_id = valid_id_or_none(payload.get("id"))
    deep = _too_deep(payload)
    if deep is not None:
        raise InvalidArticle("invalid_payload", [FieldError(
            deep, f"nested more than {MAX_DEPTH} levels deep (an article is at most 3)")], article_id)
    size = _encoded_size(payload)
    if size > max_payload_bytes:
        raise InvalidArticle("payload_too_large", [FieldError(
            "$", f"payload is {size} bytes, the limit is {max_payload_bytes}")], article_id)
    errors = sorted(validator(ARTICLE_SCHEMA).iter_errors(payload), key=_error_order)
    if errors:
        unique = list(dict.fromkeys(_field_error(e) for e in errors))
        raise InvalidArticle(_reason_for(errors), unique, article_id)
    body_field = "text" if "text" in payload else "html"
    body = payload[body_field]
    _check_characters(body_field, body, article_id)
    for name in ("title", "source", "url"):
        if isinstance(payload.get(name), str):
            _check_characters(name, payload[name], article_id)
    _check_metadata(payload.get("metadata") or {}, article_id)
    published_at = _parse_timestamp(payload.get("published_at"), article_id)
    return Article(
        id=article_id or derive_article_id(payload),
        text=body,
        is_html=body_field == "html",
        url=payload.get("url"),
        title=payload.get("title"),
        source=payload.get("source"),
        published_at=published_at,
        published_at_text=payload.get("published_at"),
        language=payload.get("language"),
        metadata=dict(payload.get("metadata") or {}),
    )


def validate_envelope(envelope: Mapping[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``envelope`` and its ``data`` match the schemas."""
    validator(ENVELOPE_SCHEMA).validate(envelope)
    validator(data_schema_name(envelope["type"])).validate(envelope["data"])


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number" if isinstance(value, int | float) else type(value).__name__)


def valid_id_or_none(value: Any) -> str | None:
    """``value`` when it is a valid article id, else None (never echo a hostile id)."""
    if not isinstance(value, str):
        return None
    return value if not list(validator(ARTICLE_SCHEMA).descend(value, load_schema(ARTICLE_SCHEMA)
                                                               ["properties"]["id"])) else None


#: Nesting the contract can have is 3 (payload, metadata, a list); anything far deeper is refused
#: before the schema (whose validator recurses) or the size check (json.dumps) ever walk it.
MAX_DEPTH = 32


def _too_deep(payload: Any) -> str | None:
    """The path of the first value nested deeper than ``MAX_DEPTH``, or None (no recursion)."""
    stack: list[tuple[Any, str, int]] = [(payload, "$", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return path
        if isinstance(value, dict):
            stack.extend((v, f"{path}.{_encodable(str(k))[:50]}" if path != "$" else
                          _encodable(str(k))[:50], depth + 1) for k, v in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value))
    return None


def _encoded_size(payload: Any) -> int:
    try:
        return len(json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError, RecursionError):
        return 0  # not JSON-serialisable: the schema check names the field


def _error_order(error: ValidationError) -> tuple[str, str]:
    return (_path(error), error.validator)


def _path(error: ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "$"


def _reason_for(errors: list[ValidationError]) -> str:
    for error in errors:
        if _path(error) in {"text", "html"} and error.validator == "maxLength":
            return "payload_too_large"
        if _path(error) == "text" and error.validator in {"minLength", "pattern"}:
            return "empty_text"
    return "invalid_field"


def _field_error(error: ValidationError) -> FieldError:
    where = _path(error)
    kind = error.validator
    if kind == "additionalProperties" and where == "$":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return FieldError(", ".join(unknown) or "$", "unknown field (not in article.v1)")
    if kind == "anyOf" and where == "$":
        return FieldError("text", "required: give text (or html)")
    if kind == "type":
        return FieldError(where, f"must be of type {error.validator_value}, "
                                 f"got {_json_type(error.instance)}")
    if kind == "maxLength":
        return FieldError(where, f"is {len(error.instance)} characters, the limit is "
                                 f"{error.validator_value}")
    if where == "text" and kind in {"minLength", "pattern"}:
        return FieldError(where, "is empty or only whitespace")
    if where == "published_at" and kind == "pattern":
        return FieldError(where, "must be an RFC 3339 timestamp with offset, "
                                 "e.g. 2024-03-14T10:00:00Z")
    if where.startswith("metadata.") and kind == "anyOf":
        return FieldError(where, "must be a scalar or a list of scalars "
                                 "(nested objects are not allowed)")
    if where == "id" and kind == "pattern":
        return FieldError(where, "may contain only letters, digits and . _ : @ + - "
                                 "and must start with a letter or digit")
    return FieldError(where, error.message[:300])


def _encodable(text: str) -> str:
    """``text`` with lone surrogates written as escapes (everything else unchanged)."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _check_metadata(metadata: dict[str, Any], article_id: str | None) -> None:
    """Metadata is echoed back on ``article.processed``: a lone surrogate in a key or a value
    could not be encoded there, so it is rejected here, before anything is recorded."""
    for key, value in metadata.items():
        surrogate = _SURROGATE.search(key)
        if surrogate:
            raise InvalidArticle("invalid_field", [FieldError(
                f"metadata.{key}", f"invalid UTF-8: lone surrogate at character {surrogate.start()} "
                                   f"of the key")], article_id)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and _SURROGATE.search(item):
                _check_characters(f"metadata.{key}", item, article_id)


def _check_characters(name: str, value: str, article_id: str | None) -> None:
    surrogate = _SURROGATE.search(value)
    if surrogate:
        raise InvalidArticle("invalid_field", [FieldError(
            name, f"invalid UTF-8: lone surrogate at character {surrogate.start()}")], article_id)
    control = _CONTROL.search(value)
    if control:
        raise InvalidArticle("invalid_field", [FieldError(
            name, f"control character U+{ord(control.group()):04X} at character "
                  f"{control.start()} (binary data is not text)")], article_id)


def parse_timestamp(value: str) -> datetime:
    """An RFC 3339 timestamp as a datetime (``Z`` and lower-case ``t``/``z`` accepted); ValueError
    if it is not one. The one parser of timestamps in the project."""
    return datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))


def _parse_timestamp(value: str | None, article_id: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise InvalidArticle("invalid_field", [FieldError(
            "published_at", f"not a valid date and time: {exc}")], article_id) from exc
