"""The pipeline in process (in-memory stores, the real spaCy model): the language gate."""

from __future__ import annotations

import contextlib
import random
from typing import Any

import newsgen
import pytest
from spacy.language import Language

from worker.config import Settings
from worker.core.contract import validate_envelope
from worker.core.nlp import load_model
from worker.core.pipeline import Pipeline, Result
from worker.extraction import ArticleContext, Extraction, extract

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


def _story(number: int) -> str:
    return newsgen.long_article_text(random.Random(100 + number), number, 150)


def test_a_batch_gives_each_article_the_outcome_it_gets_alone(pipeline: Pipeline) -> None:
    settings = Settings()
    alone = Pipeline.in_memory(settings, pipeline.model())
    items = [({"id": "a", "text": _story(1)}, "s-a"),
             ({"id": "a-copy", "text": _story(1) + "\nShared by our partners."}, "s-a-copy"),
             ({"id": "bad", "text": ""}, "s-bad"),
             ({"id": "b", "text": _story(2)}, "s-b")]
    batch = pipeline.process_many(items)
    one_by_one = [alone.process(payload, submission) for payload, submission in items]
    assert [r.outcome for r in batch] == ["processed", "near_duplicate", "rejected", "processed"]
    for together, single in zip(batch, one_by_one, strict=True):
        assert isinstance(together, Result)
        assert together.outcome == single.outcome
        assert [e["id"] for e in together.publication.envelopes] == \
            [e["id"] for e in single.publication.envelopes]
        assert [e["data"] for e in together.publication.envelopes] == \
            [e["data"] for e in single.publication.envelopes]


def test_one_failing_article_never_fails_its_batch_mates(pipeline: Pipeline) -> None:
    def extract_or_fail(doc: Any, context: ArticleContext) -> Extraction:
        if context.article_id.startswith("poison"):
            raise RuntimeError("extraction broke on this one")
        return extract(doc, context)

    pipeline.extractor = extract_or_fail
    outcomes = pipeline.process_many([({"id": "x", "text": _story(3)}, "s-x"),
                                      ({"id": "poison", "text": _story(4)}, "s-p"),
                                      ({"id": "y", "text": _story(5)}, "s-y")])
    assert isinstance(outcomes[1], RuntimeError)
    assert [o.outcome for o in (outcomes[0], outcomes[2])] == ["processed", "processed"]
    with pytest.raises(RuntimeError, match="extraction broke"):  # alone, the failure is raised
        pipeline.process({"id": "poison-2", "text": _story(6)}, "s-p2")


class _PipeBreaks:
    """A model whose batch parse fails, and whose single parse fails on one text only."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp

    def memory_zone(self) -> contextlib.AbstractContextManager[None]:
        return self.nlp.memory_zone()

    def pipe(self, texts: Any) -> Any:
        raise ValueError("the batch broke")

    def __call__(self, text: str) -> Any:
        if "Record 8 " in text:
            raise ValueError("this text broke the parser")
        return self.nlp(text)


def test_a_broken_batch_parse_fails_only_the_article_that_breaks_alone(pipeline: Pipeline) -> None:
    pipeline.nlp = _PipeBreaks(pipeline.model())  # type: ignore[assignment]
    outcomes = pipeline.process_many([({"id": f"t{n}", "text": _story(n)}, f"s{n}") for n in (7, 8, 9)])
    assert isinstance(outcomes[1], ValueError) and "this text" in str(outcomes[1])
    assert [o.outcome for o in (outcomes[0], outcomes[2])] == ["processed", "processed"]


def test_an_article_alone_whose_parse_fails_is_parsed_once(pipeline: Pipeline) -> None:
    calls = []

    class _Fails(_PipeBreaks):
        def pipe(self, texts: Any) -> Any:
            calls.append("pipe")
            raise TimeoutError("the time limit hit the parse")

        def __call__(self, text: str) -> Any:
            calls.append("call")
            return self.nlp(text)

    pipeline.nlp = _Fails(pipeline.model())  # type: ignore[assignment]
    with pytest.raises(TimeoutError, match="time limit"):
        pipeline.process({"id": "slow", "text": _story(10)}, "s-slow")
    assert calls == ["pipe"]
