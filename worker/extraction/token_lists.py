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
from dataclasses import dataclass
from itertools import accumulate
from typing import TypeVar

from spacy.attrs import DEP, ENT_TYPE, HEAD, IS_SPACE, IS_TITLE, LOWER, ORTH, POS, SPACY
from spacy.parts_of_speech import NAMES as POS_NAMES
from spacy.symbols import PROPN
from spacy.tokens import Doc, Token

T = TypeVar("T")


def kept(doc: Doc, key: str, build: Callable[[Doc], T]) -> T:
    """``build(doc)``, made on the first call for ``key`` and kept in the doc."""
    value = doc.user_data.get(key)
    if value is None:
        value = doc.user_data[key] = build(doc)
    return value


@dataclass(frozen=True)
class _Columns:
    """Token attributes of a doc, one list each, read in one ``Doc.to_array`` call."""

    texts: list[str]  # token.text
    lower: list[str]  # token.lower_
    pos: list[str]  # token.pos_
    deps: list[str]  # token.dep_
    entity_types: list[str]  # token.ent_type_
    spaces: list[str]  # token.whitespace_
    proper: list[bool]  # token.pos_ == "PROPN" and token.is_title
    blank: list[bool]  # token.is_space
    heads: list[int]  # token.head.i


def _columns(doc: Doc) -> _Columns:
    def build(d: Doc) -> _Columns:
        string = d.vocab.strings.__getitem__
        names = d.to_array([ORTH, LOWER, DEP, ENT_TYPE])
        # a head is stored as an offset, a negative one wrapped round in the unsigned array
        rows = d.to_array([POS, IS_TITLE, SPACY, HEAD, IS_SPACE]).astype("int64")
        orth, lower, dep, label = (names[:, k].tolist() for k in range(4))
        pos, title, space, offset, blank = (rows[:, k].tolist() for k in range(5))
        return _Columns(
            texts=list(map(string, orth)),
            lower=list(map(string, lower)),
            pos=[POS_NAMES[p] for p in pos],
            deps=list(map(string, dep)),
            entity_types=list(map(string, label)),
            spaces=[" " if s else "" for s in space],
            proper=[p == PROPN and bool(t) for p, t in zip(pos, title, strict=True)],
            heads=[i + o for i, o in enumerate(offset)],
            blank=[bool(b) for b in blank],
        )
    return kept(doc, "eventwire.columns", build)


def texts(doc: Doc) -> list[str]:
    """``token.text`` of every token."""
    return _columns(doc).texts


def lower_forms(doc: Doc) -> list[str]:
    """``token.lower_`` of every token."""
    return _columns(doc).lower


def pos_tags(doc: Doc) -> list[str]:
    """``token.pos_`` of every token."""
    return _columns(doc).pos


def dependencies(doc: Doc) -> list[str]:
    """``token.dep_`` of every token."""
    return _columns(doc).deps


def entity_types(doc: Doc) -> list[str]:
    """``token.ent_type_`` of every token."""
    return _columns(doc).entity_types


def whitespace(doc: Doc) -> list[str]:
    """``token.whitespace_`` of every token."""
    return _columns(doc).spaces


def proper_nouns(doc: Doc) -> list[bool]:
    """Whether each token is a capitalised proper noun (``pos_`` PROPN and ``is_title``)."""
    return _columns(doc).proper


def space_tokens(doc: Doc) -> list[bool]:
    """``token.is_space`` of every token."""
    return _columns(doc).blank


def heads(doc: Doc) -> list[int]:
    """``token.head.i`` of every token."""
    return _columns(doc).heads


def span_text(doc: Doc, start: int, end: int) -> str:
    """``doc[start:end].text`` (``start`` and ``end`` token indices, 0 <= start), from the text kept
    once per doc: ``Span.text`` joins its tokens anew on every call."""
    text, starts, ends = text_layout(doc)
    end = min(end, len(ends))
    return text[starts[start] : ends[end - 1]] if end > start else ""


def span_root(doc: Doc, start: int, end: int) -> Token:
    """``doc[start:end].root`` for a non-empty span; a one-token span's root is its token, found
    without building a Span (most names are one word)."""
    return doc[start] if end - start == 1 else doc[start:end].root


def text_layout(doc: Doc) -> tuple[str, list[int], list[int]]:
    """The doc's text and where each token's text starts (``token.idx``) and ends in it."""
    def build(d: Doc) -> tuple[str, list[int], list[int]]:
        words = texts(d)
        pieces = [word + space for word, space in zip(words, whitespace(d), strict=True)]
        starts = [0, *accumulate(len(piece) for piece in pieces)][:-1]
        return "".join(pieces), starts, [start + len(word) for start, word in zip(starts, words, strict=True)]
    return kept(doc, "eventwire.layout", build)


def children(doc: Doc) -> list[list[int]]:
    """The indices of every token's children, in text order (``[c.i for c in token.children]``)."""
    def build(d: Doc) -> list[list[int]]:
        found: list[list[int]] = [[] for _ in range(len(d))]
        for i, head in enumerate(heads(d)):
            if head != i:
                found[head].append(i)
        return found
    return kept(doc, "eventwire.children", build)


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) of the sentence of every token: ``doc[i].sent.start``, ``.end``."""
    return kept(doc, "eventwire.sentence_bounds",
                 lambda d: [(s.start, s.end) for s in d.sents for _ in range(s.start, s.end)])


def sentence_starts(doc: Doc) -> list[int]:
    """The first token of every sentence, in order."""
    return kept(doc, "eventwire.sentence_starts", lambda d: [s.start for s in d.sents])
