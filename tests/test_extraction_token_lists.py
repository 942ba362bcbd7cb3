"""The per-doc token lists extraction reads instead of spaCy attributes: the same values."""

from __future__ import annotations

from spacy.tokens import Doc

from worker.config import Settings
from worker.core.nlp import load_model
from worker.extraction.parse_repair import repair_parse
from worker.extraction.token_lists import (
    children,
    dependencies,
    entity_types,
    heads,
    lower_forms,
    pos_tags,
    proper_nouns,
    sentence_bounds,
    sentence_starts,
    space_tokens,
    span_root,
    span_text,
    texts,
    whitespace,
)

TEXT = (
    "NAIROBI — Kenyan President William Ruto hosted talks with  Ethiopia's prime minister on Monday.\n\n"
    "Police in the town of Kupiansk said   2 people were killed; ‘Al-Nur’ (the clinic) closed.\t"
    "Kenyan President William Ruto-hosted talks ended. "
)


def _doc() -> Doc:
    doc = load_model(Settings().spacy_model)(TEXT)
    repair_parse(doc)  # the lists are read after the repair, which changes heads, labels and tags
    return doc


def test_lists_hold_what_the_tokens_say() -> None:
    doc = _doc()
    assert texts(doc) == [t.text for t in doc]
    assert lower_forms(doc) == [t.lower_ for t in doc]
    assert whitespace(doc) == [t.whitespace_ for t in doc]
    assert pos_tags(doc) == [t.pos_ for t in doc]
    assert dependencies(doc) == [t.dep_ for t in doc]
    assert entity_types(doc) == [t.ent_type_ for t in doc]
    assert heads(doc) == [t.head.i for t in doc]
    assert children(doc) == [[c.i for c in t.children] for t in doc]
    assert space_tokens(doc) == [t.is_space for t in doc]
    assert proper_nouns(doc) == [t.pos_ == "PROPN" and t.is_title for t in doc]
    assert sentence_bounds(doc) == [(t.sent.start, t.sent.end) for t in doc]
    assert sentence_starts(doc) == [s.start for s in doc.sents]


def test_span_text_and_root_are_the_spans() -> None:
    doc = _doc()
    size = len(doc)
    for start in range(size):
        for end in range(start, size + 2):
            assert span_text(doc, start, end) == doc[start:end].text
            if start < end <= size:
                assert span_root(doc, start, end) == doc[start:end].root
    assert span_text(doc, size, size) == ""
