"""The pipeline: one submitted payload in, one publication out. No broker, no Celery.

Stages, in order: validate → clean → language → fingerprint → dedup (exact, near) → NLP → extract
events → register events (merge) → build envelopes. Dedup runs before NLP so that a duplicate costs
milliseconds. The stateful stages (dedup index, event registry) are passed in, in Redis for the
service and in memory for ``eventwire extract``; every one of them is idempotent per submission, so
running the pipeline again for a redelivered task gives the same publication.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from spacy.language import Language
from spacy.tokens import Doc

from worker.config import Settings
from worker.core import cleaning
from worker.core.contract import (
    Article,
    FieldError,
    InvalidArticle,
    max_text_chars,
    valid_id_or_none,
    validate_article,
)
from worker.core.dedup import DedupIndex, DedupVerdict, MemoryDedupIndex, fingerprint
from worker.core.language import Detection, article_language, detect_language
from worker.core.nlp import load_model
from worker.core.publication import PendingEvent, Publication, dlq_entry, make_envelope
from worker.core.registry import EventRegistry, MemoryEventRegistry, Registration
from worker.core.version import extractor_version
from worker.extraction import ArticleContext, Extraction, extract
from worker.logs import StageTimer

log = structlog.get_logger("eventwire.pipeline")


@dataclass
class Pipeline:
    """The stages' dependencies. ``nlp`` is loaded on first use when not given."""

    settings: Settings
    dedup: DedupIndex
    registry: EventRegistry
    nlp: Language | None = None
    extractor: Callable[[Any, ArticleContext], Extraction] = extract
    #: Exceptions that end a whole ``process_many`` call instead of one article's (a time limit:
    #: the batch's time is up, and parsing its texts one by one would only take longer).
    interrupts: tuple[type[BaseException], ...] = ()

    @classmethod
    def in_memory(cls, settings: Settings, nlp: Language | None = None) -> Pipeline:
        """A pipeline whose dedup index and event registry live in this process."""
        return cls(settings, MemoryDedupIndex(settings), MemoryEventRegistry(settings), nlp)

    def model(self) -> Language:
        """The spaCy model, loaded once."""
        if self.nlp is None:
            self.nlp = load_model(self.settings.spacy_model)
        return self.nlp

    def process(self, payload: Any, submission_id: str) -> Result:
        """Run every stage for one payload and return what must be published (a failure raises)."""
        outcome = self.process_many([(payload, submission_id)])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def process_many(self, items: Sequence[tuple[Any, str]]) -> list[Result | Exception]:
        """Several ``(payload, submission_id)`` at once, each with the outcome ``process`` gives it.

        Validation, cleaning and the dedup check run article by article, in order (a copy later in
        the batch is a duplicate of an original earlier in it); the originals are then parsed
        together by ``nlp.pipe`` and extracted one by one, and the copies' outcomes are built last.
        A failure belongs to its article: it is returned in that article's place, so it never
        fails the others. Publish the outcomes in the order given.
        """
        outcomes: list[Result | Exception | None] = [None] * len(items)
        originals: list[tuple[int, _Original]] = []
        copies: list[tuple[int, Article, str, DedupVerdict, StageTimer]] = []
        for number, (payload, submission_id) in enumerate(items):
            timer = StageTimer()
            try:
                with timer.stage("validate"):
                    article = validate_article(payload,
                                               max_payload_bytes=self.settings.max_payload_bytes)
                with timer.stage("clean"):
                    article, page = self._clean(article)
                with timer.stage("language"):
                    language, detection = self._language(article, page.text)
                with timer.stage("dedup"):
                    verdict = self.dedup.check_and_insert(
                        fingerprint(article.id, submission_id, article.url, page.text, self.settings))
                if verdict.kind == "original":
                    originals.append((number, _Original(payload, article, submission_id, page, timer,
                                                        language, detection)))
                else:
                    copies.append((number, article, submission_id, verdict, timer))
            except InvalidArticle as invalid:
                outcomes[number] = self.reject(payload, submission_id, invalid, timer)
            except Exception as error:
                outcomes[number] = self._own(error)
        extractions = self._parse_and_extract([original for _, original in originals])
        for (number, original), extraction in zip(originals, extractions, strict=True):
            try:
                if isinstance(extraction, Exception):
                    raise extraction
                with original.timer.stage("merge"):
                    outcomes[number] = self._processed(original, extraction)
            except InvalidArticle as invalid:
                outcomes[number] = self.reject(original.payload, original.submission_id, invalid,
                                               original.timer)
            except Exception as error:
                outcomes[number] = self._own(error)
        # copies last: one whose original is in this batch mentions the events it just recorded,
        # as it would had the original been processed before it
        for number, article, submission_id, verdict, timer in copies:
            try:
                with timer.stage("merge"):
                    outcomes[number] = self._duplicate(article, submission_id, verdict, timer)
            except Exception as error:
                outcomes[number] = self._own(error)
        assert all(outcome is not None for outcome in outcomes)
        return outcomes  # type: ignore[return-value]

    def _parse_and_extract(self, originals: list[_Original]) -> list[Extraction | Exception]:
        """Parse the texts together (``nlp.pipe``) and extract each; each article's share of the
        batch's parse time is its ``nlp`` stage. If the parse of a batch of several fails, each text
        is parsed alone, so only the article that fails gets the error; a batch of one gets it as is."""
        if not originals:
            return []
        nlp = self.model()
        results: list[Extraction | Exception] = []
        # Strings and lexemes the parse adds (names, numbers) are freed when the zone closes,
        # so a long-running worker's vocabulary stays the size it had at start; no Doc may
        # outlive the zone, and the extraction keeps plain Python values only.
        with nlp.memory_zone():
            started = time.perf_counter()
            try:
                docs: list[Doc | Exception] = list(nlp.pipe(original.page.text for original in originals))
            except Exception as error:
                self._own(error)
                if len(originals) == 1:  # nothing to tell apart (and a time limit must not parse again)
                    docs = [error]
                else:
                    docs = [self._parse_alone(nlp, original.page.text) for original in originals]
            share = (time.perf_counter() - started) / len(originals)
            for original, doc in zip(originals, docs, strict=True):
                original.timer.record("nlp", share)
                if isinstance(doc, Exception):
                    results.append(self._own(doc))
                    continue
                try:
                    with original.timer.stage("extract"):
                        results.append(self.extractor(doc, _context(original.article)))
                except Exception as error:
                    results.append(self._own(error))
        return results

    def _own(self, error: Exception) -> Exception:
        """``error`` as one article's failure; an interrupt is raised for the whole call."""
        if isinstance(error, self.interrupts):
            raise error
        return error

    @staticmethod
    def _parse_alone(nlp: Language, text: str) -> Doc | Exception:
        try:
            return nlp(text)
        except Exception as error:
            return error

    def _clean(self, article: Article) -> tuple[Article, cleaning.Page]:
        """The cleaned text, and the article with the page's own title, date and author where the
        producer gave none (``metadata.author``)."""
        body = "html" if article.is_html else "text"
        try:
            page = cleaning.clean_page(article.text, is_html=article.is_html, max_chars=max_text_chars())
        except cleaning.TextTooLong as error:
            raise InvalidArticle("payload_too_large", [FieldError(
                body, f"the cleaned text is more than {error.limit} characters (Unicode "
                      f"normalisation and HTML included); the limit is {error.limit}")],
                article.id) from error
        if not page.text:
            message = ("no article text in the HTML (only markup, scripts, navigation, comments or "
                       "boilerplate)" if page.cleaner
                       else "no text left after cleaning")
            raise InvalidArticle("empty_text", [FieldError(body, message)], article.id)
        return _with_page_metadata(article, page), page

    def _language(self, article: Article, text: str) -> tuple[str, Detection]:
        """The language the article is handled as (the producer's tag unless the detector is sure
        of another), and what the detector said; ``UnsupportedLanguage`` when it is not accepted."""
        detection = detect_language(text, self.settings.languages)
        language = article_language(article.language, detection) or "und"
        if language.split("-")[0].lower() not in self.settings.languages:  # BCP 47: any case
            raise UnsupportedLanguage(language, detection, self.settings.languages, article.id)
        return language, detection

    def _processed(self, original: _Original, extraction: Extraction) -> Result:
        article, submission_id, page, timer = (original.article, original.submission_id, original.page,
                                               original.timer)
        event_ids = [record["event_id"] for record in extraction.events]
        pending = [self._pending(record["event_id"], article, "extraction", record)
                   for record in extraction.events]
        self.registry.record_article_events(article.id, event_ids)
        data = {
            "article_id": article.id,
            "title": article.title,
            "source": article.source,
            "url": article.url,
            "published_at": article.published_at_text,
            "language": original.language,
            "language_detected": original.detection.language,
            "language_confidence": original.detection.confidence,
            "text_chars": len(page.text),
            "cleaner": page.cleaner,
            "entities": extraction.entities,
            "event_ids": event_ids,
            "metadata": article.metadata,
            "extractor": dict(extractor_version()),
        }
        head = self._envelope("article.processed", article.id, data, submission_id)
        return Result("processed", article.id, self._publication(submission_id, head, pending),
                      timer.timings)

    def _duplicate(self, article: Article, submission_id: str, verdict: DedupVerdict,
                   timer: StageTimer) -> Result:
        data = {
            "article_id": article.id,
            "duplicate_of": verdict.duplicate_of,
            "kind": verdict.kind,
            "similarity": round(verdict.similarity if verdict.similarity is not None else 1.0, 4),
            "matched_on": verdict.matched_on,
            "source": article.source,
            "url": article.url,
        }
        head = self._envelope("article.duplicate", article.id, data, submission_id)
        pending = []
        if verdict.matched_on != "id":  # a resubmitted id is the same article, not a new report
            pending = [self._pending(event_id, article, "duplicate")
                       for event_id in self.registry.events_of(verdict.duplicate_of or "")]
        return Result(verdict.kind + "_duplicate", article.id,
                      self._publication(submission_id, head, pending), timer.timings)

    def reject(self, payload: Any, submission_id: str, invalid: InvalidArticle,
               timer: StageTimer | None = None) -> Result:
        """The publication for input that breaks the contract: ``article.rejected`` and a DLQ entry.
        An article in a language the service does not extract is an outcome, not a fault: it is
        rejected with the detected language, and no operator needs to see it in the DLQ."""
        errors = [e.as_dict() for e in invalid.errors]
        data = {"article_id": invalid.article_id, "reason": invalid.reason, "errors": errors}
        entry = None
        if isinstance(invalid, UnsupportedLanguage):
            data |= {"language": invalid.language, "language_detected": invalid.detection.language,
                     "language_confidence": invalid.detection.confidence}
        else:
            entry = dlq_entry(reason=invalid.reason, errors=errors, payload=payload,
                              article_id=invalid.article_id, submission_id=submission_id)
        subject = invalid.article_id or f"submission:{submission_id}"
        envelope = self._envelope("article.rejected", subject, data, submission_id)
        return Result("rejected", invalid.article_id, Publication(submission_id, [envelope], entry),
                      timer.timings if timer else {}, reason=invalid.reason)

    def forget(self, payload: Any, submission_id: str) -> bool:
        """Take back what this submission put in the dedup index: it ends rejected or dead-lettered,
        so it is nobody's original (README, "What counts as a duplicate"). Idempotent."""
        try:
            article = validate_article(payload, max_payload_bytes=self.settings.max_payload_bytes)
        except InvalidArticle:
            return False  # never got as far as the dedup check
        return self.dedup.forget(article.id, submission_id)

    def dead_letter(self, payload: Any, submission_id: str, *, reason: str, message: str) -> Result:
        """The publication for a submission that could not be processed: rejected, DLQ."""
        article_id = valid_id_or_none(payload.get("id")) if isinstance(payload, dict) else None
        return self.reject(payload, submission_id,
                           InvalidArticle(reason, [FieldError("$", message)], article_id))

    def _pending(self, event_id: str, article: Article, via: str,
                 record: dict[str, Any] | None = None) -> PendingEvent:
        """The event's envelopes, both ways, until registration decides (``mentions`` last)."""
        created = None
        if record is not None:
            data = ({k: v for k, v in record.items() if k != "mentions"}
                    | {"extractor": dict(extractor_version()), "mentions": None})
            created = self._envelope("event.created", event_id, data, event_id)
        data = {"event_id": event_id, "article_id": article.id, "source": article.source,
                "via": via, "mentions": None}
        mentioned = self._envelope("event.mentioned", event_id, data, f"{event_id}\x1f{article.id}")
        return PendingEvent(event_id, article.id, article.source, via, created, mentioned)

    def _publication(self, submission_id: str, head: dict[str, Any],
                     pending: list[PendingEvent]) -> Publication:
        """The publication; events registered now, or left to the publication step."""
        if self.registry.registers_at_publication:
            return Publication(submission_id, [head], events=pending)
        envelopes = [head]
        for event in pending:
            registration = self._register(event)
            if registration is not None:
                envelopes.append(event.resolve(registration.created and event.via == "extraction",
                                               registration.articles, registration.outlets))
        return Publication(submission_id, envelopes)

    def _register(self, event: PendingEvent) -> Registration | None:
        return self.registry.register(event.event_id, event.article_id, event.outlet)

    def _envelope(self, event_type: str, subject: str, data: dict[str, Any],
                  dedup_key: str) -> dict[str, Any]:
        return make_envelope(event_type, subject, data, source=self.settings.event_source,
                             dedup_key=dedup_key)


@dataclass
class _Original:
    """An article that passed the dedup check as original, waiting for its parse."""

    payload: Any
    article: Article
    submission_id: str
    page: cleaning.Page
    timer: StageTimer
    language: str
    detection: Detection


class UnsupportedLanguage(InvalidArticle):
    """The article is in a language the service does not extract (``und``: none it can tell)."""

    def __init__(self, language: str, detection: Detection, accepted: tuple[str, ...],
                 article_id: str | None):
        super().__init__("unsupported_language", [FieldError(
            "language", f"{language}: this service accepts {', '.join(accepted)}")], article_id)
        self.language = language
        self.detection = detection


@dataclass
class Result:
    """The outcome of one submission: its kind, the publication and the stage timings (ms)."""

    outcome: str
    article_id: str | None
    publication: Publication
    timings: dict[str, float] = field(default_factory=dict)
    reason: str | None = None


def _with_page_metadata(article: Article, page: cleaning.Page) -> Article:
    """``article`` with the page's title, publication date and author where the producer gave none."""
    changes: dict[str, Any] = {}
    if article.title is None and page.title:
        changes["title"] = page.title
    if article.published_at is None and page.date is not None:
        changes["published_at"] = page.date
        changes["published_at_text"] = page.date.isoformat()
    if page.author and "author" not in article.metadata:
        changes["metadata"] = {**article.metadata, "author": page.author}
    return dataclasses.replace(article, **changes) if changes else article


def _context(article: Article) -> ArticleContext:
    return ArticleContext(article_id=article.id, published_at=article.published_at,
                          source=article.source, title=article.title)
