"""The pipeline in process (in-memory stores, the real spaCy model): the language gate."""

from __future__ import annotations

import pytest

from worker.config import Settings
from worker.core.contract import validate_envelope
from worker.core.nlp import load_model
from worker.core.pipeline import Pipeline

TEXT = ("Kenyan President Amara Otieno visited Ethiopia on Tuesday and met Ethiopian Prime Minister "
        "Dawit Bekele in Addis Ababa.")


@pytest.fixture
def pipeline() -> Pipeline:
    """A fresh pipeline (its own dedup index); the model is loaded once per process."""
    settings = Settings()
    return Pipeline.in_memory(settings, load_model(settings.spacy_model))


@pytest.mark.parametrize("tag", ["en", "en-GB", "EN-us", "en-Latn-GB"])
def test_english_language_tags_in_any_case_are_processed(pipeline: Pipeline, tag: str) -> None:
    result = pipeline.process({"id": f"lang-{tag}", "text": f"{TEXT} ({tag})", "language": tag},
                              f"s-{tag}")
    head = result.publication.envelopes[0]
    validate_envelope(head)
    assert (result.outcome, head["type"]) == ("processed", "article.processed"), head["data"]
    assert head["data"]["language"] == tag  # echoed as given


@pytest.mark.parametrize("tag", ["de-DE", "de", "fr-CA"])
def test_other_language_tags_are_rejected_as_unsupported(pipeline: Pipeline, tag: str) -> None:
    result = pipeline.process({"id": f"lang-{tag}", "text": f"{TEXT} ({tag})", "language": tag},
                              f"s-{tag}")
    [head] = result.publication.envelopes
    validate_envelope(head)
    assert head["type"] == "article.rejected"
    assert head["data"]["reason"] == "unsupported_language"
    assert head["data"]["errors"] == [{"field": "language",
                                       "message": f"{tag}: this service accepts en"}]
    assert result.publication.dlq is not None and result.publication.dlq["reason"] == "unsupported_language"
