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

from worker.extraction.actors import Profile, org_heads
from worker.extraction.entities import PLACE_LABELS, EntityTable, Mention
from worker.extraction.gazetteer import (
    Place,
    Region,
    country_code,
    country_place,
    is_never_a_place,
    lookup_place,
    qualifier,
)
from worker.extraction.tables import word_class
from worker.extraction.token_lists import (
    entity_types,
    lower_forms,
    pos_tags,
    sentence_bounds,
    span_root,
    span_text,
    texts,
    whitespace,
)

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
    return dateline_place(_text_start(doc, 1000))


def _text_start(doc: Doc, length: int) -> str:
    """``doc.text[:length]`` from the tokens it takes (``Doc.text`` joins every token)."""
    parts = []
    for token in doc:
        if token.idx >= length:
            break
        parts.append(token.text_with_ws)
    return "".join(parts)[:length]


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
                        through_subordinate: bool = False, below: bool = False) -> int | None:
    """Dependency steps from ``word`` up to the nearest anchor's clause; None when the path
    enters another clause (a verb that is not an anchor) first. With ``through_subordinate``, the path
    may pass through subordinate clauses of the anchor and verbs coordinated with it ("killed ... and
    others wounded in X"), each costing ``_SUBORDINATE_STEPS``, but not into a phrase of another time
    ("since ...") nor up to a verb of saying above the anchor. With ``below``, only a path that
    reaches an anchor itself counts (not a verb above it: the reporting verb of "police told X")."""
    anchor_steps = [{t.i: n for n, t in enumerate(_path_to_root(a))} for a in anchors]
    extra = 0
    passable = _SUBORDINATE_DEPS | {"conj"}
    for steps, node in enumerate(_path_to_root(word)):
        for path in anchor_steps:
            if node.i in path and (not below or path[node.i] == 0):
                if through_subordinate and path[node.i] > 0 and _reports(node):
                    return None  # where it was said: "told reporters in Kabul that gunmen killed five"
                return steps + path[node.i] + extra
        if through_subordinate and _another_time(node):
            return None  # "captured ... since bombers hit Istanbul in 2003"
        if steps > 0 and node.pos_ in ("VERB", "AUX"):
            if not through_subordinate or node.dep_ not in passable:
                return None
            extra += _SUBORDINATE_STEPS
    return None


# Words that open a phrase or clause of another time than the event's.
_OTHER_TIME = frozenset({"since", "until", "till", "before"})


def _another_time(node: Token) -> bool:
    """A phrase or clause of another time: "since the ceasefire", "since bombers hit Istanbul"."""
    return node.lower_ in _OTHER_TIME or any(c.dep_ == "mark" and c.lower_ in _OTHER_TIME
                                             for c in node.children)


def _reports(verb: Token) -> bool:
    """A verb of saying above the event: its places are where it was said."""
    return verb.pos_ in ("VERB", "AUX") and verb.lemma_.lower() in word_class("reporting_verb")


def _noun_of(place_root: Token) -> Token:
    """The noun a place name gives the place of: "Aleppo" in "Syria's Aleppo province" → province."""
    node = place_root
    for _ in range(3):
        head = node.head
        if node.dep_ not in _MODIFIER_DEPS or not (
                head.pos_ in ("NOUN", "PROPN") or (head.pos_ == "ADJ" and head.dep_ in _MODIFIER_DEPS)):
            break  # through an adjective only to its noun: "the Greek-Macedonian border"
        node = head
    return node


def _phrase_head(node: Token) -> tuple[Token, int]:
    """Where a name stands in its phrase: the first of coordinated names ("the towns of Tel Hamis and
    Tel Birak"), the noun a name is in apposition to ("the commercial capital, Abidjan"; one step more
    specific than that noun)."""
    extra = 0
    for _ in range(4):
        if node.dep_ == "conj" and (node.head.pos_ == "PROPN" or node.head.lemma_.lower()
                                    in word_class("locality_noun")):  # not "officers and Morton"
            node = node.head
        elif node.dep_ == "appos" and node.head.pos_ in ("NOUN", "PROPN") and node.head.i < node.i:
            # a name after a noun names it ("the capital, Abidjan"); after a name, it qualifies it
            node, extra = node.head, extra + (node.head.pos_ == "NOUN")
        else:
            break
    return node, extra


@dataclass(frozen=True)
class _Reach:
    """What a candidate name may attach to the event through: ``preps`` (the locative prepositions
    that may govern it) and whether it may be the event's object ("captured Huddur")."""

    preps: frozenset[str]
    as_object: bool
    # may be the object of a clause under the event: a known place or locality, not a capital or
    # country (as an object, it stands for its government: "prompted Paris to ...")
    settlement: bool = True


def _attachment(mention_root: Token, anchors: list[Token],
                reach: _Reach) -> tuple[int, int, int, int] | None:
    """How a place attaches to the event, as a rank (closest first, then the most specific: not the
    place that contains a named locality, not a possessor, through more "of" phrases), for a locative
    phrase ("in Kampala", "on the outskirts of Goma", "in the Aziziyah district", "in Baghdad's
    district of Saiydiah", "in the Ghat area of Doda district") or, when ``reach`` allows,
    the object of the event or of a clause under it ("captured Huddur", "patrolled Grozny's streets",
    "liberated the village of Abu Allaj", "killed when militants hit the Jumla village"); None for
    anything else."""
    named = _noun_of(mention_root)  # "Diwan villages" in "hit the Jumla and Diwan villages"
    localities = word_class("locality_noun")
    # the name goes with a locality noun on its way to the event: "a siege of the city of Homs"
    via_locality = named.lemma_.lower() in localities
    node, hops = _phrase_head(named)
    outer = int(node.i != mention_root.i and _has_of_name(node)
                and node.lemma_.lower() not in word_class("subdivision_noun"))
    possessor, step = 0, mention_root
    while step.i != node.i and step.dep_ in _MODIFIER_DEPS:  # "Baghdad's district of Saiydiah"
        possessor |= step.dep_ == "poss"
        step = step.head
    for _ in range(4):
        if node.dep_ in _OBJECT_DEPS:
            if not reach.as_object and not _enters_territory(node, anchors):
                return None
            distance = _object_distance(node, anchors, direct=reach.settlement and (
                node.i == mention_root.i or via_locality or node.lemma_.lower() in localities))
            return None if distance is None else (distance, outer, possessor, -hops)
        if node.dep_ != "pobj":
            return None
        prep = node.head
        word = prep.lower_
        owner = prep.head  # "the city of", "the outskirts of", "the Al-Wa'er District of"; not
        # "the Declaration of Independence"
        if word == "of" and (owner.pos_ == "NOUN" or (owner.pos_ == "PROPN"
                                                     and owner.lemma_.lower() in localities)):
            outer |= (owner.lemma_.lower() in word_class("subdivision_noun")
                      and any(t.dep_ in _NAME_DEPS and t.pos_ == "PROPN" for t in owner.lefts))
            via_locality |= owner.lemma_.lower() in localities
            node, extra = _phrase_head(_noun_of(owner))
            hops += 1 + extra
            continue
        if word not in reach.preps:
            return None
        distance = attachment_distance(prep, anchors, through_subordinate=True)
        return None if distance is None else (distance, outer, possessor, -hops)
    return None


# Dependencies of a name on the noun it names: "the Ghat area", "the Red Sea island".
_NAME_DEPS = frozenset({"compound", "nmod", "amod"})


def _has_of_name(noun: Token) -> bool:
    """The noun has an "of" phrase with a name: "the island of Hanish", "the area of Doda district"."""
    objects = [g for child in noun.children if child.lower_ == "of" for g in child.children
               if g.dep_ == "pobj"]
    return any(g.pos_ == "PROPN" or (g.pos_ == "NOUN" and any(t.pos_ == "PROPN" for t in g.lefts))
               for g in objects)


def _enters_territory(node: Token, anchors: list[Token]) -> bool:
    """The object of an event verb that is only done to ground: "stormed Mar'e", "entered Rityan" (a
    name no table knows is a place there; not after "shot" or "captured", often done to people)."""
    bracketed = node.left_edge.i > 0 and node.doc[node.left_edge.i - 1].text == "("  # "(SAA)"
    return (node.dep_ == "dobj" and node.pos_ == "PROPN" and not bracketed
            and any(node.head.i == a.i for a in anchors)
            and node.head.lemma_.lower() in word_class("territory_verb"))


def _object_distance(node: Token, anchors: list[Token], *, direct: bool) -> int | None:
    """Steps from an object to the event: 1 for the event's own object; through subordinate clauses
    under the event ("killed when militants hit the village") only for a ``direct`` object (a name,
    a locality noun: not "marked the anniversary of the Tiananmen Square massacre"). An object of a
    verb above the event (the reporting verb of "the police told Xinhua") is not where it happened."""
    if any(node.head.i == a.i for a in anchors):
        return 1
    if not direct or node.dep_ != "dobj":  # "where Nancy and Kyle would be married": a person
        return None
    return attachment_distance(node, anchors, through_subordinate=True, below=True)


def _names_a_locality(root: Token, *, facilities: bool = True) -> bool:
    """The name goes with a locality noun: "the Khanasir town", "the towns of Tel Hamis", or ends with
    one ("Sadr City", "the Tabaqa Dam"). Without ``facilities``, a site noun ("the MFO base") does
    not count."""
    localities = word_class("locality_noun")
    first_in_sentence = root.i == sentence_bounds(root.doc)[root.i][0]
    if root.lemma_.lower() in localities and not first_in_sentence:  # "Sadr City", "Al-Nur hospital"
        return any(t.dep_ in _MODIFIER_DEPS and t.pos_ == "PROPN" for t in root.lefts)
    if not facilities:
        localities = localities - word_class("facility_noun")
    if root.dep_ in _MODIFIER_DEPS and root.head.lemma_.lower() in localities:
        # "Patten's hotel": the owner of a site, not a place
        return root.dep_ != "poss" or root.head.lemma_.lower() not in word_class("facility_noun")
    head, _ = _phrase_head(root)
    return (head.dep_ == "pobj" and head.head.lower_ == "of"
            and head.head.head.lemma_.lower() in localities)


def _container_level(root: Token, place: Place) -> int:
    """How many places a place may contain: 3 a country, 2 a region ("Aleppo province", "the
    countryside of Kobane"), 1 a district ("Makhmur district"), 0 a town or site."""
    if place.precision == "country":
        return 3
    doc, start = root.doc, root.left_edge.i
    if start > 0 and doc[start - 1].text == "," and qualifier(doc[start : root.i + 1].text) is not None:
        return 2  # "in Everett, Mass.": a state that qualifies the town
    nouns = {root.lemma_.lower()}  # "Hama province"
    if root.dep_ in _MODIFIER_DEPS:
        nouns.add(root.head.lemma_.lower())
    head, _ = _phrase_head(root)
    if head.dep_ == "pobj" and head.head.lower_ == "of":
        nouns.add(head.head.head.lemma_.lower())
    if place.precision == "region" or nouns & word_class("region_noun"):
        return 2
    return 1 if nouns & word_class("district_noun") else 0


def _reach_of(doc: Doc, mention: Mention, root: Token) -> _Reach | None:
    """How a mention may name where something happened, or None when it cannot: a place (by its
    entity, its label or the gazetteer) or a name with a locality noun, through any locative phrase
    (as the event's object only when the gazetteer knows it or a locality noun says so); a name no
    table knows and the tagger did not call a place, only where a name preposition governs it ("in
    Taji"). People with a known profile, organisations the tables know, nationalities and calendar
    words are never places."""
    text = _place_text(span_text(doc, mention.start, mention.end))
    if not text.strip() or is_never_a_place(text):
        return None
    entity = mention.entity
    locative = word_class("locative_prep")
    known = _lookup_name(text) is not None
    if entity is not None:
        if entity.kind == "person" and (not entity.profile.is_empty or root.dep_ == "poss"):
            return None  # a known person; "Patten's hotel"
        if mention.label == "NORP" or entity.kind == "group":
            # "Syrian": a nationality ("at the Greek-Macedonian border": the first country's border);
            # "Aleppo" or "Magam town" tagged NORP is still a place
            if country_code(text) is not None:
                return _Reach(locative, as_object=False) if _at_a_border(root) else None
            if root.pos_ != "PROPN" or (not known and not _names_a_locality(root, facilities=False)):
                return None  # "the Jewish settlement of", "Kurdish villages"
        if entity.kind in PLACE_KINDS or mention.label in PLACE_LABELS:
            # as an object, only a place the gazetteer knows: "shot Oudeh" is often a person
            return _Reach(locative, as_object=known or _names_a_locality(root),
                          settlement=entity.kind not in ("seat", "country"))
        if entity.kind == "organisation" and (entity.profile.org or entity.profile.country) and not known:
            return None  # a listed body; "the Adiyat School" has only its sector
        if known and not _names_a_locality(root):  # "Morton" tagged a person, "Alliance" a body
            return _Reach(word_class("name_prep"), as_object=False)
    elif country_code(text) is not None:
        return None
    if known or _names_a_locality(root, facilities=entity is None or mention.label in PLACE_LABELS):
        return _Reach(locative, as_object=True)
    last = text.split()[-1].lower()
    if last in org_heads() or last in word_class("body_noun"):
        return None  # "III Corps", "the State Ministry of Local Government"
    if root.dep_ in _MODIFIER_DEPS:
        return None  # "in the Mideast war", "at the hands of SDF fighters": a name no table knows
    return _Reach(word_class("name_prep"), as_object=False)


def _at_a_border(root: Token) -> bool:
    """A nationality that says whose border: "the Greek-Macedonian border", "the Syrian frontier"."""
    node = root
    while node.dep_ in _MODIFIER_DEPS and node.head.i != node.i and node.head.i - root.i <= 4:
        node = node.head
        if node.lemma_.lower() in word_class("border_noun"):
            return True
    return False


def _place_text(text: str) -> str:
    """A place's name without its article."""
    return text[4:] if text.lower().startswith("the ") else text


def _lookup_name(name: str, prefer: Sequence[str] = (), within: Region | None = None) -> Place | None:
    """The place a name stands for, also when a direction word opens it ("northern Syria" is Syria,
    "North Korea" stays North Korea)."""
    place = lookup_place(name, prefer, within)
    first, _, rest = name.partition(" ")
    if place is None and rest and first.lower() in word_class("compass_word"):
        place = lookup_place(rest, prefer, within)
    return place


# Lower-case particles inside a place's name: "Deir ez-Zor", "Ras al-Ain", "San Cristobal de las Casas".
_NAME_PARTICLES = frozenset({"al", "el", "ez", "ad", "as", "ash", "ar", "an", "az", "de", "del", "la", "las",
                             "los", "di", "du", "bin", "ibn", "abu"})


# What the tagger saw in a name that no place is: "(1800 GMT)", "3 A.M.", "Operation Grapes of Wrath".
_NOT_PLACE_TYPES = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "CARDINAL",
                              "EVENT", "LAW", "LANGUAGE", "WORK_OF_ART"})


def _is_name_word(doc: Doc, i: int) -> bool:
    return pos_tags(doc)[i] == "PROPN" and texts(doc)[i][:1].isupper()


def _name_runs(sent: Span, table: EntityTable) -> list[Mention]:
    """Names of the sentence that no entity mention covers: runs of capitalised proper nouns with the
    hyphens, slashes and particles inside them ("Al-Gurah", "Deir ez-Zor", "Tel Abyad/Girespi"). A
    village the tagger missed or called a product is one of these."""
    doc = sent.doc
    words, labels = texts(doc), entity_types(doc)
    runs: list[Mention] = []
    i = sent.start
    while i < sent.end:
        if (table.mention_covering(i) is not None or not _is_name_word(doc, i)
                or is_never_a_place(words[i]) or labels[i] in _NOT_PLACE_TYPES):
            i += 1
            continue
        j = i + 1
        while j < sent.end and table.mention_covering(j) is None and _continues_name(doc, j, sent.end):
            j += 1
        while not _is_name_word(doc, j - 1) and not words[j - 1][:1].isupper():
            j -= 1
        runs.append(Mention(i, j, "", i))
        i = j
    return runs


def _continues_name(doc: Doc, j: int, end: int) -> bool:
    words, spaces = texts(doc), whitespace(doc)
    if _is_name_word(doc, j):  # "in Corsica Thursday"
        return not is_never_a_place(words[j]) and entity_types(doc)[j] not in _NOT_PLACE_TYPES
    glued = spaces[j - 1] == "" and (words[j] in ("-", "/", "’", "'") or words[j][:1].isupper())
    particle = lower_forms(doc)[j] in _NAME_PARTICLES and j + 1 < end and (
        spaces[j] == "" or _is_name_word(doc, j + 1))
    return glued or particle


def resolve_mention(doc: Doc, mention: Mention, prefer: Sequence[str] = (), *,
                    unknown_ok: bool = False) -> tuple[Place, bool] | None:
    """The place a place-name mention stands for, and whether the gazetteer knows it: within its inline
    qualifier, else in the first ``prefer`` country that has one so called, else the most populous; a
    name the gazetteer does not know is still a place (in the first ``prefer`` country) when the parser
    labelled it one, a locality noun goes with it, or the caller found it a place (``unknown_ok``).
    A direction word before the name does not change the place ("northern Syria" is Syria)."""
    text = span_text(doc, mention.start, mention.end)
    if is_never_a_place(text.removeprefix("the ").removeprefix("The ")):
        return None
    name = _place_text(text)
    within = _inline_qualifier(doc, mention.end)
    place = _lookup_name(name, prefer, within) or (_lookup_name(name, prefer) if within else None)
    if place is None and (code := country_code(name)) is not None:
        place = country_place(code[0])  # a nationality at a border: that country
    if place is not None:
        return place, True
    root = span_root(doc, mention.start, mention.end)
    if mention.label not in PLACE_LABELS and not unknown_ok and not _names_a_locality(root):
        return None
    country = within.country if within else (prefer[0] if prefer else None)
    name = text[4:] if text.lower().startswith("the ") else text
    return Place(name, country, None, None, None, "region" if mention.label == "LOC" else "city"), False


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


def sentence_place(
    sent: Span,
    table: EntityTable,
    anchors: list[Token],
    excluded: set[int],
    allow_destination: bool,
    prefer: tuple[str, ...] = (),
) -> tuple[Place, Mention] | None:
    """The place the sentence attaches the action to: closest attachment first, then a place inside
    a container named in the same phrase ("the village of Ashmi in the countryside of Kobane"), then
    the finer place ("Aleppo" before "Syria"). Candidates are the entity mentions and the names no
    mention covers. Places that are actors of the event (``excluded`` token indices) are not
    locations."""
    best: tuple[tuple[int, ...], Place, Mention] | None = None
    doc = sent.doc
    destination = word_class("destination_prep") if allow_destination else frozenset()
    for mention in [*table.mentions_in(sent.start, sent.end), *_name_runs(sent, table)]:
        if any(i in excluded for i in mention.tokens()):
            continue
        root = span_root(doc, mention.start, mention.end)
        reach = _reach_of(doc, mention, root)
        if reach is None:
            continue
        entity = mention.entity
        if (entity is not None and entity.kind == "country" and root.dep_ != "poss"
                and _noun_of(root).i != root.i and not _names_a_locality(root, facilities=False)):
            continue  # "a US air strike", "near a U.S. patrol": a nationality, not where
        resolved = resolve_mention(doc, mention, prefer, unknown_ok=True)
        if resolved is None:
            continue
        place, _ = resolved
        attached = _attachment(root, anchors, replace(reach, preps=reach.preps | destination))
        if attached is None:
            continue
        distance, outer, possessor, of_hops = attached
        rank = (distance, outer, possessor, _container_level(root, place), of_hops,
                _PRECISION_RANK.get(place.precision, 3), mention.start)
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
