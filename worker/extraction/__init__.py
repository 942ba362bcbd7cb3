"""Event extraction: turn a parsed article into entities and GDELT-comparable event records.

The lead's pipeline calls :func:`extract` (or :func:`extract_text`); everything else is internal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import spacy
from spacy.language import Language

from worker.extraction import dictionary
from worker.extraction.context import country_focus
from worker.extraction.entities import build_entities
from worker.extraction.events import ArticleFacts, build_events
from worker.extraction.gazetteer import lookup_place
from worker.extraction.lexicon import noun_lexicon, verb_lexicon
from worker.extraction.parse_repair import repair_parse
from worker.extraction.places import document_dateline, settle_place_countries

__all__ = ["ArticleContext", "Extraction", "extract", "extract_text", "preload_tables"]


@dataclass(frozen=True)
class ArticleContext:
    """What the extractor needs to know about the article besides its text."""

    article_id: str
    published_at: datetime | None  # timezone-aware; None: only absolute date phrases resolve
    source: str | None = None  # outlet name
    title: str | None = None


@dataclass
class Extraction:
    """Resolved entities and event records of one article."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def extract(doc: spacy.tokens.Doc, context: ArticleContext) -> Extraction:
    """Extract entities and events from a doc parsed by the configured English pipeline.
    Known misparses of the doc are repaired in place first (see :mod:`parse_repair`)."""
    repair_parse(doc)
    table = build_entities(doc, context.published_at.date() if context.published_at else None)
    dateline = document_dateline(doc)
    facts = ArticleFacts(
        article_id=context.article_id,
        published=context.published_at,
        dateline=dateline,
        focus=country_focus(table, dateline, context.source),
    )
    settle_place_countries(table, dateline, facts.focus)
    events = build_events(doc, table, facts)
    return Extraction(
        entities=[entity.as_record(doc) for entity in table.entities],
        events=events,
    )


def extract_text(nlp: Language, text: str, context: ArticleContext) -> Extraction:
    """Parse ``text`` with ``nlp`` and extract from it."""
    return extract(nlp(text), context)


def preload_tables() -> None:
    """Read every table extraction uses (lexicons, the field's dictionaries, the gazetteer) now, not
    on the first article: a worker calls this before it forks, so its children share them."""
    dictionaries = dictionary.dictionaries()
    dictionaries.verb_lemmas()
    dictionaries.agent("police")
    dictionaries.actor_code("United Nations", date.today())
    dictionaries.discards_in("")
    verb_lexicon()
    noun_lexicon()
    lookup_place("Nairobi")
