"""Plain lists of the token attributes that extraction reads across a whole document, made once per doc.

Each read of a spaCy token attribute builds a Token object and looks its string up (0.1-0.3 µs), and
``Token.sent`` finds the sentence anew on every call (about 7 µs): loops over every token of the
document, or a sentence looked up for each name, add up. Each list here is built on first use and kept
in ``doc.user_data``; only strings and ints are kept (no Token or Span, so no reference cycle through
``user_data``). Extraction changes no parse after :func:`worker.extraction.parse_repair.repair_parse`,
which runs before any of these is first read.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import accumulate
from typing import TypeVar

from spacy.tokens import Doc

T = TypeVar("T")


def kept(doc: Doc, key: str, build: Callable[[Doc], T]) -> T:
    """``build(doc)``, made on the first call for ``key`` and kept in the doc."""
    value = doc.user_data.get(key)
    if value is None:
        value = doc.user_data[key] = build(doc)
    return value


def texts(doc: Doc) -> list[str]:
    """``token.text`` of every token."""
    return kept(doc, "eventwire.texts", lambda d: [t.text for t in d])


def span_text(doc: Doc, start: int, end: int) -> str:
    """``doc[start:end].text`` (``start`` and ``end`` token indices, 0 <= start), from the text kept
    once per doc: ``Span.text`` joins its tokens anew on every call."""
    end = min(end, len(doc))
    if end <= start:
        return ""
    text, offsets = _layout(doc)
    return text[offsets[start] : offsets[end - 1] + len(texts(doc)[end - 1])]


def _layout(doc: Doc) -> tuple[str, list[int]]:
    """The doc's text and each token's character offset (``token.idx``)."""
    def build(d: Doc) -> tuple[str, list[int]]:
        pieces = [word + token.whitespace_ for word, token in zip(texts(d), d, strict=True)]
        return "".join(pieces), [0, *accumulate(len(piece) for piece in pieces)]
    return kept(doc, "eventwire.layout", build)


def lower_forms(doc: Doc) -> list[str]:
    """``token.lower_`` of every token."""
    return kept(doc, "eventwire.lower_forms", lambda d: [t.lower_ for t in d])


def proper_nouns(doc: Doc) -> list[bool]:
    """Whether each token is a capitalised proper noun (``pos_`` PROPN and ``is_title``)."""
    return kept(doc, "eventwire.proper_nouns", lambda d: [t.pos_ == "PROPN" and t.is_title for t in d])


def heads(doc: Doc) -> list[int]:
    """``token.head.i`` of every token."""
    return kept(doc, "eventwire.heads", lambda d: [t.head.i for t in d])


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) of the sentence of every token: ``doc[i].sent.start``, ``.end``."""
    return kept(doc, "eventwire.sentence_bounds",
                 lambda d: [(s.start, s.end) for s in d.sents for _ in range(s.start, s.end)])


def sentence_starts(doc: Doc) -> list[int]:
    """The first token of every sentence, in order."""
    return kept(doc, "eventwire.sentence_starts", lambda d: [s.start for s in d.sents])
