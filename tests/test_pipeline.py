"""The pipeline in process (in-memory stores, the real spaCy model): the language gate."""

from __future__ import annotations

import contextlib
import json
import random
from pathlib import Path
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


GERMAN = ("Der kenianische Präsident Amara Otieno besuchte am Dienstag Äthiopien und traf den "
          "äthiopischen Ministerpräsidenten in Addis Abeba.")
FRENCH = ("Le président kényan Amara Otieno a rencontré mardi le Premier ministre éthiopien à "
          "Addis-Abeba, et les deux dirigeants ont signé un accord commercial.")
SPANISH = ("El presidente keniano Amara Otieno visitó Etiopía el martes y se reunió con el primer "
           "ministro etíope en Adís Abeba.")


@pytest.mark.parametrize(("text", "tag", "detected"), [
    (GERMAN, "de-DE", "de"), (GERMAN, None, "de"), (FRENCH, "fr-CA", "fr"), (FRENCH, None, "fr"),
    (SPANISH, "en", "es"),  # a wrong tag does not send Spanish to the English model
    ("Die Polizei nahm zwei Männer fest.", None, "de"),  # short German is not English
])
def test_other_languages_are_rejected_as_unsupported_without_a_dlq_entry(
        pipeline: Pipeline, text: str, tag: str | None, detected: str) -> None:
    payload = {"id": f"lang-{detected}", "text": text} | ({"language": tag} if tag else {})
    result = pipeline.process(payload, f"s-{tag}")
    [head] = result.publication.envelopes
    validate_envelope(head)
    assert head["type"] == "article.rejected"
    data = head["data"]
    assert data["reason"] == "unsupported_language"
    assert data["language_detected"] == detected and data["language_confidence"] >= 0.9
    assert data["language"] == (tag if tag and tag != "en" else detected)
    assert data["errors"] == [{"field": "language",
                               "message": f"{data['language']}: this service accepts en"}]
    assert result.publication.dlq is None  # an outcome, not something an operator must act on


@pytest.mark.parametrize("text", [
    "Kenyan President William Ruto met Ugandan President Yoweri Museveni in Nakuru last month.",
    "Obama met Merkel in Berlin.",
    "Police arrested two men.",
])
def test_short_english_news_is_english(pipeline: Pipeline, text: str) -> None:
    result = pipeline.process({"id": "short", "text": text}, "s-short")
    head = result.publication.envelopes[0]
    validate_envelope(head)
    assert head["type"] == "article.processed", head["data"]
    assert head["data"]["language"] == "en" and head["data"]["language_detected"] == "en"


def test_a_language_tag_stands_when_the_detector_is_unsure(pipeline: Pipeline) -> None:
    result = pipeline.process({"id": "unsure", "text": "A minister spoke.", "language": "de"}, "s-unsure")
    [head] = result.publication.envelopes
    assert head["data"]["reason"] == "unsupported_language" and head["data"]["language"] == "de"


PAGE = (Path(__file__).parent / "fixtures" / "pages" / "nairobi_talks.html").read_text("utf-8")


def test_a_news_page_codes_its_article_only_and_keeps_its_own_metadata(pipeline: Pipeline) -> None:
    result = pipeline.process({"id": "page-1", "html": PAGE}, "s-page")
    head, *events = result.publication.envelopes
    validate_envelope(head)
    data = head["data"]
    assert (data["title"], data["published_at"]) == ("Kenya and Uganda sign border trade pact",
                                                      "2024-03-12T09:15:00+03:00")
    assert data["metadata"] == {"author": "Wanjiru Kamau"}
    assert data["cleaner"].startswith("trafilatura ")
    assert events, "the signing is an event"
    coded = json.dumps([e["data"] for e in events])
    assert "ETH" not in coded and "ASSAULT" not in coded  # a reader comment is not news
    assert all(e["data"]["event_date"] == "2024-03-12" for e in events)
    # the dateline is on the second line (after the headline): it places the events
    places = {e["data"]["location"]["name"] for e in events}
    assert "Nairobi" in places and places <= {"Nairobi", "Busia"}


def test_the_producers_metadata_wins_over_the_pages(pipeline: Pipeline) -> None:
    payload = {"id": "page-2", "html": PAGE, "title": "Trade pact", "published_at": "2024-03-13T00:00:00Z",
               "metadata": {"author": "Desk"}}
    data = pipeline.process(payload, "s-page-2").publication.envelopes[0]["data"]
    assert (data["title"], data["published_at"], data["metadata"]) == (
        "Trade pact", "2024-03-13T00:00:00Z", {"author": "Desk"})


def test_a_page_without_article_text_is_rejected_with_a_precise_reason(pipeline: Pipeline) -> None:
    result = pipeline.process({"id": "page-3", "html": "<html><body><figure><img src='a.jpg'></figure>"
                                                       "<script>track()</script></body></html>"}, "s-3")
    data = result.publication.envelopes[0]["data"]
    assert (data["reason"], data["errors"][0]["field"]) == ("empty_text", "html")
    assert data["errors"][0]["message"].startswith("no article text in the HTML")


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
