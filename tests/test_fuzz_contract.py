"""Property-based fuzzing of the input contract: any JSON value gives exactly one valid outcome."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worker.config import Settings
from worker.core.contract import validate_envelope
from worker.core.pipeline import Pipeline

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False,
                                                                      allow_infinity=False) | st.text()
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)
hostile_text = st.text(alphabet=st.characters(codec=None, categories=None), max_size=300)
articles = st.fixed_dictionaries({}, optional={
    "id": st.one_of(st.text(max_size=30), st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,20}",
                                                        fullmatch=True), json_values),
    "text": st.one_of(hostile_text, st.just("The president met the prime minister in Paris on Monday."),
                      json_values),
    "html": st.one_of(st.text(max_size=200), st.just("<p>Rebels attacked a town.</p><script>x</script>")),
    "url": st.one_of(st.text(max_size=40), st.just("https://example.org/a?utm_source=x")),
    "published_at": st.one_of(st.text(max_size=30), st.just("2024-02-29T12:00:00Z"),
                              st.just("10000-01-01T00:00:00Z")),
    "language": st.one_of(st.text(max_size=5), st.just("en"), st.just("fr")),
    "metadata": json_values,
    "source": json_values,
})


SUBMISSIONS = itertools.count()


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.in_memory(Settings())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.one_of(json_values, articles))
def test_any_json_value_gives_exactly_one_valid_outcome(pipeline, payload):
    payload = json.loads(json.dumps(payload))  # what arrives through the broker's JSON
    result = pipeline.process(payload, submission_id=f"fuzz-{next(SUBMISSIONS)}")
    envelopes = result.publication.envelopes
    heads = [e for e in envelopes if e["type"].startswith("article.")]
    assert len(heads) == 1
    for envelope in envelopes:
        validate_envelope(envelope)
        json.dumps(envelope).encode("utf-8")  # publishable: no lone surrogates
    if heads[0]["type"] == "article.rejected" and heads[0]["data"]["reason"] == "unsupported_language":
        assert result.publication.dlq is None  # an outcome, not a fault: nothing for an operator
    elif heads[0]["type"] == "article.rejected":
        assert result.publication.dlq is not None
        assert result.publication.dlq["reason"] == heads[0]["data"]["reason"]
