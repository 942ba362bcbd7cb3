"""Property-based tests of the HTTP gateway against its own OpenAPI document (schemathesis).

Requests are generated from the document, itself built from the JSON Schemas, and sent to the
application with a real Producer and Lookup on the private redis-server (no worker: accepted
articles stay queued). Every response must be documented: its status code, content type, headers
and body schema; no 5xx but the documented 503. Examples are limited to keep the run short.

``positive_data_acceptance`` is left out: the contract has rules JSON Schema cannot state (a
parseable date, no control characters in text), so a schema-valid article can rightly get 400.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from worker.api.app import create_app
from worker.client import Producer


@pytest.fixture
def api_schema(settings):
    producer = Producer(settings)
    yield schemathesis.openapi.from_asgi("/openapi.json", create_app(settings, producer=producer))
    producer.close()


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_response_is_documented(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 4
    for operation in operations:
        if mode == GenerationMode.NEGATIVE and operation.path == "/healthz":
            continue  # no input to get wrong

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def responses_are_documented(case) -> None:
            case.call_and_validate(checks=CHECKS)

        responses_are_documented()
