"""The pipeline in process (in-memory stores, the real spaCy model): the language gate."""

from __future__ import annotations

import random

import newsgen
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


def test_a_long_running_pipeline_keeps_no_strings_of_the_articles_it_parsed(pipeline: Pipeline) -> None:
    nlp = pipeline.model()
    pipeline.process({"id": "warm", "text": TEXT}, "warm")
    strings_before = len(nlp.vocab.strings)
    for number in range(5):
        story = newsgen.long_article_text(random.Random(number), number, 120)
        novel = f"Zorvathian envoy Qelmiraxo{number} met officials of Plinthuvar{number} in Ostrevka{number}."
        result = pipeline.process({"id": f"novel-{number}", "text": f"{TEXT} {novel}\n\n{story}"},
                                  f"s-{number}")
        assert result.outcome == "processed"
        # the envelopes were built from plain values, readable after the parse's memory is freed
        assert "Amara Otieno" in str(result.publication.envelopes[0]["data"]["entities"])
    assert f"Qelmiraxo{number}" not in nlp.vocab.strings
    assert f"Plinthuvar{number}" not in nlp.vocab  # no lexeme either (len(vocab) only counts up)
    assert len(nlp.vocab.strings) == strings_before
