"""Where an event happened: the place the sentence puts the action in, else the dateline."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from worker.extraction.entities import PLACE_LABELS, EntityTable, Mention
from worker.extraction.gazetteer import Place, lookup_place
from worker.extraction.tables import word_class

PLACE_KINDS = frozenset({"place", "seat", "country"})
_DATELINE = re.compile(
    r"^\s*(?P<city>[A-Z][A-Za-z'.-]+(?: [A-Z][A-Za-z'.-]+){0,2})"
    r"(?:,\s*[A-Z][A-Za-z .]+?)?\s*(?:\([^)]{1,40}\)\s*)?[-—–]{1,2}\s"
)


def dateline_end(text: str) -> int | None:
    """Where an opening dateline of ``text`` ends (after its dash), if it has one."""
    match = _DATELINE.match(text)
    if match is None or lookup_place(_city_name(match.group("city"))) is None:
        return None
    return match.end()


def _city_name(city: str) -> str:
    return city.title() if city.isupper() else city


def dateline_place(text: str) -> Place | None:
    """The city of an opening dateline ("NAIROBI, Kenya (Reuters) — ..."), if any."""
    match = _DATELINE.match(text)
    if match is None:
        return None
    return lookup_place(_city_name(match.group("city")))


def _path_to_root(token: Token) -> list[Token]:
    path = [token]
    while path[-1].head.i != path[-1].i and len(path) < 40:
        path.append(path[-1].head)
    return path


def attachment_distance(word: Token, anchors: list[Token]) -> int | None:
    """Dependency steps from ``word`` up to the nearest anchor's clause; None when the path
    enters another clause (a verb that is not an anchor) first."""
    anchor_steps = [{t.i: n for n, t in enumerate(_path_to_root(a))} for a in anchors]
    for steps, node in enumerate(_path_to_root(word)):
        for path in anchor_steps:
            if node.i in path:
                return steps + path[node.i]
        if steps > 0 and node.pos_ in ("VERB", "AUX"):
            return None
    return None


def _preposition_of(mention_root: Token) -> Token | None:
    """The preposition governing a place, seen through "the city of X" and "X's region"."""
    if mention_root.dep_ in ("poss", "compound") and mention_root.head.dep_ == "pobj":
        mention_root = mention_root.head
    if mention_root.dep_ != "pobj":
        return None
    prep = mention_root.head
    noun = prep.head
    if prep.lower_ == "of" and noun.dep_ == "pobj" and noun.lemma_.lower() in word_class("place_noun"):
        return noun.head
    return prep


def sentence_place(
    sent: Span,
    table: EntityTable,
    anchors: list[Token],
    excluded: set[int],
    allow_destination: bool,
    prefer: tuple[str, ...] = (),
) -> tuple[Place, Mention] | None:
    """The place the sentence attaches the action to, closest attachment first. Places that
    are actors of the event (``excluded`` token indices) are not locations."""
    best: tuple[int, Place, Mention] | None = None
    for mention in table.mentions_in(sent.start, sent.end):
        entity = mention.entity
        if entity is None or (entity.kind not in PLACE_KINDS and mention.label not in PLACE_LABELS):
            continue
        if any(i in excluded for i in mention.tokens()):
            continue
        root = sent.doc[mention.end - 1]
        prep = _preposition_of(root)
        if prep is None:
            continue
        destination = allow_destination and prep.lower_ in word_class("destination_prep")
        if prep.lower_ not in word_class("locative_prep") and not destination:
            continue
        distance = attachment_distance(prep, anchors)
        if distance is None:
            continue
        place = lookup_place(sent.doc[mention.start : mention.end].text, prefer)
        if place is None:
            continue
        if best is None or distance < best[0]:
            best = (distance, place, mention)
    return None if best is None else (best[1], best[2])


def document_dateline(doc: Doc) -> Place | None:
    """Dateline place of the document text."""
    return dateline_place(doc.text[:120])
