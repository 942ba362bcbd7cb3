"""Where an event happened: the place of the event's own clause, else the dateline, else the article's
focus; and which place a name stands for, chosen by the article's evidence.

A place's name is resolved with what the article says: a qualifier after it ("Springfield, Ill.",
"KINGSTON, Ontario —") decides; else the dateline's country and the countries the article is about
come first; else the most populous namesake wins (:mod:`worker.extraction.gazetteer`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from worker.extraction.actors import Profile
from worker.extraction.entities import PLACE_LABELS, EntityTable, Mention
from worker.extraction.gazetteer import (
    Place,
    Region,
    country_place,
    is_never_a_place,
    lookup_place,
    qualifier,
)
from worker.extraction.tables import word_class

PLACE_KINDS = frozenset({"place", "seat", "country"})
# "ATHENS, Ga. (WXIA) —", "NAIROBI, Kenya (Reuters) —", "KINGSTON, Ontario —": a city of up to three
# words, an optional region or country qualifier, an optional agency, a dash.
_DATELINE = re.compile(
    r"^\s*(?P<city>[A-Z][A-Za-z'.-]+(?: [A-Z][A-Za-z'.-]+){0,2})"
    r"(?:,\s*(?P<qualifier>[A-Z][A-Za-z.]*(?: [A-Za-z][A-Za-z.]*){0,3}?))?\s*(?:\([^)]{1,40}\)\s*)?"
    r"[-—–]{1,2}\s"
)
#: An article's dateline opens one of its first lines (a headline or byline may come before it).
DATELINE_LINES = 3
# Finer places first when a clause names several at the same distance ("in Syria's Aleppo province").
_PRECISION_RANK = {"city": 0, "region": 1, "country": 2}
# Dependencies through which a place name modifies the noun it names the place of: "the Aziziyah
# district", "Syria's Aleppo province", "a Lahore church", "the Manbij campaign".
_MODIFIER_DEPS = frozenset({"compound", "poss", "amod", "nmod", "npadvmod"})
_OBJECT_DEPS = frozenset({"dobj", "nsubjpass"})


@dataclass(frozen=True)
class Dateline:
    """An opening dateline: where it ends in its line and the place it names."""

    end: int
    place: Place


def read_dateline(line: str) -> Dateline | None:
    """The dateline opening ``line`` ("NAIROBI, Kenya (Reuters) — ..."), if any: the city, chosen
    within its qualifier's region or country. A town the gazetteer does not know still counts when a
    known region or country qualifies it ("SMALLVILLE, Kan. —")."""
    match = _DATELINE.match(line)
    if match is None:
        return None
    city = _city_name(match.group("city"))
    within = qualifier(match.group("qualifier")) if match.group("qualifier") else None
    if match.group("qualifier") and within is None:
        return None
    place = lookup_place(city, within=within)
    if place is None and within is not None:
        place = Place(city, within.country, None, None, None, "city")
    return None if place is None else Dateline(match.end(), place)


def dateline_end(text: str) -> int | None:
    """Where an opening dateline of ``text`` ends (after its dash), if it has one."""
    found = read_dateline(text)
    return None if found is None else found.end


def _city_name(city: str) -> str:
    return city.title() if city.isupper() else city


def dateline_place(text: str) -> Place | None:
    """The place of the dateline that opens ``text`` or one of its first ``DATELINE_LINES`` lines."""
    for line in text.lstrip().split("\n", DATELINE_LINES)[:DATELINE_LINES]:
        found = read_dateline(line[:300])
        if found is not None:
            return found.place
    return None


def document_dateline(doc: Doc) -> Place | None:
    """Dateline place of the document text."""
    return dateline_place(doc.text[:1000])


def _path_to_root(token: Token) -> list[Token]:
    path = [token]
    while path[-1].head.i != path[-1].i and len(path) < 40:
        path.append(path[-1].head)
    return path


# Subordinate clauses that belong to the event's own clause: "killed while planting a bomb in Taji",
# "killed when fighters attacked a centre in Piranshahr". A place reached through one is farther.
_SUBORDINATE_DEPS = frozenset({"advcl", "xcomp", "acl", "relcl", "pcomp"})
_SUBORDINATE_STEPS = 4


def attachment_distance(word: Token, anchors: list[Token], *,
                        through_subordinate: bool = False) -> int | None:
    """Dependency steps from ``word`` up to the nearest anchor's clause; None when the path
    enters another clause (a verb that is not an anchor) first. With ``through_subordinate``, the path
    may pass through subordinate clauses of the anchor (each costs ``_SUBORDINATE_STEPS``)."""
    anchor_steps = [{t.i: n for n, t in enumerate(_path_to_root(a))} for a in anchors]
    extra = 0
    for steps, node in enumerate(_path_to_root(word)):
        for path in anchor_steps:
            if node.i in path:
                return steps + path[node.i] + extra
        if steps > 0 and node.pos_ in ("VERB", "AUX"):
            if not through_subordinate or node.dep_ not in _SUBORDINATE_DEPS:
                return None
            extra += _SUBORDINATE_STEPS
    return None


def _noun_of(place_root: Token) -> Token:
    """The noun a place name gives the place of: "Aleppo" in "Syria's Aleppo province" → province."""
    node = place_root
    for _ in range(3):
        if node.dep_ not in _MODIFIER_DEPS or node.head.pos_ not in ("NOUN", "PROPN"):
            break
        node = node.head
    return node


def _attachment(mention_root: Token, anchors: list[Token], allow_destination: bool,
                known: bool) -> tuple[int, int, int] | None:
    """How a place attaches to the event, as a rank (closest first, then the most specific: through
    more "of" phrases, not a possessor), for a locative phrase ("in Kampala", "on the outskirts of
    Goma", "in the Aziziyah district", "in Baghdad's district of Saiydiah") or, for a place the
    gazetteer ``known`` or a name with a locality noun, the event's own object ("captured Huddur",
    "patrolled Grozny's streets", "liberated the village of Abu Allaj"); None for anything else."""
    node = _noun_of(mention_root)
    possessor, step = 0, mention_root
    while step.i != node.i:  # "Baghdad" in "Baghdad's district of Saiydiah" holds the place
        possessor |= step.dep_ == "poss"
        step = step.head
    for hops in range(3):
        if node.dep_ in _OBJECT_DEPS and any(node.head.i == a.i for a in anchors):
            return (1, -hops, possessor) if known else None
        if node.dep_ != "pobj":
            return None
        prep = node.head
        word = prep.lower_
        if word == "of" and prep.head.pos_ in ("NOUN", "PROPN"):  # "the city of", "the outskirts of"
            node = _noun_of(prep.head)
            continue
        destination = allow_destination and word in word_class("destination_prep")
        if word not in word_class("locative_prep") and not destination:
            return None
        distance = attachment_distance(prep, anchors, through_subordinate=True)
        return None if distance is None else (distance, -hops, possessor)
    return None


def _names_a_locality(root: Token) -> bool:
    """The name goes with a locality noun: "the Khanasir town", "the towns of Tel Hamis"."""
    localities = word_class("locality_noun")
    if root.dep_ in _MODIFIER_DEPS and root.head.lemma_.lower() in localities:
        return True
    return (root.dep_ == "pobj" and root.head.lower_ == "of"
            and root.head.head.lemma_.lower() in localities)


def _is_place_candidate(doc: Doc, mention: Mention) -> bool:
    """A mention that may name where something happened: a place, or any name but a known person's
    that goes with a locality noun or that the gazetteer knows and a locative preposition governs."""
    entity = mention.entity
    if entity is None:
        return False
    if entity.kind in PLACE_KINDS or mention.label in PLACE_LABELS:
        return True
    if entity.kind == "person" and not entity.profile.is_empty:
        return False
    root = doc[mention.end - 1]
    if _names_a_locality(root):
        return True
    governed = root.dep_ == "pobj" and root.head.lower_ in word_class("locative_prep")
    known = lookup_place(doc[mention.start : mention.end].text) is not None
    return governed and entity.kind != "person" and known


def _inline_qualifier(doc: Doc, end: int) -> Region | None:
    """A region or country written after a place name: "Springfield, Ill.," "Kingston, Ontario"."""
    if end + 1 >= len(doc) or doc[end].text != ",":
        return None
    for size in (3, 2, 1):
        words = doc[end + 1 : min(end + 1 + size, len(doc))]
        if words.text and words[0].text[:1].isupper():
            found = qualifier(words.text)
            if found is not None:
                return found
    return None


def resolve_mention(doc: Doc, mention: Mention, prefer: Sequence[str] = ()) -> tuple[Place, bool] | None:
    """The place a place-name mention stands for, and whether the gazetteer knows it: within its inline
    qualifier, else in the first ``prefer`` country that has one so called, else the most populous; a
    name the gazetteer does not know is still a place (in the first ``prefer`` country) when the parser
    labelled it one."""
    text = doc[mention.start : mention.end].text
    if is_never_a_place(text.removeprefix("the ").removeprefix("The ")):
        return None
    within = _inline_qualifier(doc, mention.end)
    place = lookup_place(text, prefer, within) or (lookup_place(text, prefer) if within else None)
    if place is not None:
        return place, True
    if mention.label not in PLACE_LABELS and not _names_a_locality(doc[mention.end - 1]):
        return None
    country = within.country if within else (prefer[0] if prefer else None)
    name = text[4:] if text.lower().startswith("the ") else text
    return Place(name, country, None, None, None, "region" if mention.label == "LOC" else "city"), False


def sentence_place(
    sent: Span,
    table: EntityTable,
    anchors: list[Token],
    excluded: set[int],
    allow_destination: bool,
    prefer: tuple[str, ...] = (),
) -> tuple[Place, Mention] | None:
    """The place the sentence attaches the action to: closest attachment first, then the finer place
    ("Aleppo" before "Syria"). Places that are actors of the event (``excluded`` token indices) are
    not locations."""
    best: tuple[tuple[int, int, int, int, int], Place, Mention] | None = None
    for mention in table.mentions_in(sent.start, sent.end):
        entity = mention.entity
        if entity is None or not _is_place_candidate(sent.doc, mention):
            continue
        if any(i in excluded for i in mention.tokens()):
            continue
        root = sent.doc[mention.end - 1]
        if entity.kind == "country" and root.dep_ != "poss" and _noun_of(root).i != root.i:
            continue  # "a US air strike", "near a U.S. patrol": a nationality, not where
        resolved = resolve_mention(sent.doc, mention, prefer)
        if resolved is None:
            continue
        place, known = resolved
        attached = _attachment(root, anchors, allow_destination, known or _names_a_locality(root))
        if attached is None:
            continue
        rank = (*attached, _PRECISION_RANK.get(place.precision, 3), mention.start)
        if best is None or rank < best[0]:
            best = (rank, place, mention)
    return None if best is None else (best[1], best[2])


def _preferred_countries(dateline: Place | None, focus: tuple[str, ...]) -> tuple[str, ...]:
    """Where a shared place name is looked for first: the dateline's country, then the focus."""
    return tuple(dict.fromkeys([*([dateline.country] if dateline and dateline.country else []), *focus]))


@dataclass(frozen=True)
class Located:
    """Where an event happened and on what ground: ``clause`` (a place the event's own clause names),
    ``visited`` (the place the event was done to), ``dateline`` (the article's dateline) or ``focus``
    (the country the article is about; country precision). ``span``: characters of the place's name in
    the text, when the text names it."""

    place: Place
    basis: str
    span: tuple[int, int] | None = None

    def as_record(self) -> dict[str, object]:
        """The event record's ``location``: the place, its basis and span."""
        return self.place.as_record() | {"basis": self.basis,
                                         "span": list(self.span) if self.span else None}


def event_location(
    sent: Span,
    table: EntityTable,
    anchors: list[Token],
    excluded: set[int],
    *,
    allow_destination: bool,
    dateline: Place | None,
    focus: tuple[str, ...],
    visited: Place | None = None,
) -> Located | None:
    """Where the event anchored at ``anchors`` happened: the place of its own clause, else the place
    it was done to (``visited``), else the dateline, else the article's focus country."""
    prefer = _preferred_countries(dateline, focus)
    found = sentence_place(sent, table, anchors, excluded, allow_destination, prefer)
    if found is not None:
        place, mention = found
        doc = sent.doc
        return Located(place, "clause", (doc[mention.start].idx, doc[mention.end - 1].idx
                                         + len(doc[mention.end - 1].text)))
    if visited is not None:
        return Located(visited, "visited")
    if dateline is not None:
        return Located(dateline, "dateline")
    country = country_place(focus[0]) if focus else None
    return Located(country, "focus") if country is not None else None


def settle_place_countries(table: EntityTable, dateline: Place | None, focus: tuple[str, ...]) -> None:
    """Give every place entity (a city, a region) the country of the place its first mention stands
    for in this article's context (qualifier, dateline, focus), so the entity layer carries it. A
    capital's name that the dateline or a qualifier puts in another country is that place, not the
    capital's government ("ATHENS, Ga. — Athens police ..." are American police)."""
    prefer = _preferred_countries(dateline, focus)
    doc = table.doc
    for entity in table.entities:
        if not entity.mentions:
            continue
        if entity.kind == "seat" and not is_never_a_place(entity.name):
            elsewhere = _seat_elsewhere(doc, entity.mentions, entity.profile.country, dateline)
            if elsewhere is not None:
                entity.kind, entity.profile = "place", Profile(country=elsewhere)
            continue
        if entity.kind != "place" or entity.profile.country:
            continue
        resolved = resolve_mention(doc, entity.mentions[0], prefer)
        if resolved is not None and resolved[0].country:
            entity.profile = replace(entity.profile, country=resolved[0].country)


def _seat_elsewhere(doc: Doc, mentions: list[Mention], seat_country: str | None,
                    dateline: Place | None) -> str | None:
    """The other country a capital's name stands in: the dateline's, when the dateline names a city so
    called there, or an inline qualifier's."""
    name = _city_name(doc[mentions[0].start : mentions[0].end].text)
    if dateline is not None and dateline.name == name and dateline.country != seat_country:
        return dateline.country
    for mention in mentions:
        within = _inline_qualifier(doc, mention.end)
        if within is not None and within.country != seat_country:
            return within.country
    return None
