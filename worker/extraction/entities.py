"""Named entities and their resolution within one article.

spaCy's NER is the starting point; it is then repaired: a later surname ("Stoltenberg") joins the
full name introduced earlier and takes its type even when the model tagged it otherwise; a place the
model took for a person ("Kiev") becomes a place; organisations and seats of government the model
missed are added from the knowledge tables. Titles and descriptors in the same noun phrase
("Belgian Prime Minister", "NATO Secretary-General") and appositions ("Ruto, Kenya's president")
give a person a country and a role.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from worker.extraction.actors import (
    Profile,
    dictionary_profile,
    is_person_title,
    org_heads,
    organisation,
    person_profile,
    profile_of_name,
    profile_of_words,
    role_in,
    seat,
    seat_buildings,
    strip_article,
)
from worker.extraction.gazetteer import country_code, lookup_place
from worker.extraction.token_lists import (
    dependencies,
    heads,
    pos_tags,
    proper_nouns,
    sentence_bounds,
    sentence_starts,
    space_tokens,
    span_root,
    span_text,
    text_layout,
    texts,
)

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
TIME_LABELS = frozenset({"DATE", "TIME"})
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
GROUP_PRONOUNS = frozenset({"it", "they", "we"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
OBJECT_DEPS = frozenset({"pobj", "dobj"})


@dataclass
class Mention:
    """One mention of an entity: the name tokens [start, end) and the descriptor start."""

    start: int
    end: int
    label: str
    desc_start: int
    entity: Entity | None = None

    def tokens(self) -> range:
        return range(self.start, self.end)


@dataclass
class Entity:
    """An entity resolved within the article."""

    id: str
    name: str
    label: str
    profile: Profile
    kind: str  # person, organisation, country, seat, place, group, other
    mentions: list[Mention] = field(default_factory=list)

    def as_record(self, doc: Doc) -> dict[str, object]:
        """The entity as published: canonical name, type, country, role, code, char mentions."""
        return {
            "id": self.id,
            "name": self.name,
            "label": self.label,
            "country": self.profile.country,
            "role": self.profile.role,
            "code": self.profile.code,
            "mentions": [
                [doc[m.start].idx, doc[m.end - 1].idx + len(doc[m.end - 1].text)] for m in self.mentions
            ],
        }


class EntityTable:
    """The entities of one doc, addressable by token."""

    def __init__(self, doc: Doc, entities: list[Entity]) -> None:
        self.doc = doc
        self.entities = entities
        self._by_token: dict[int, Mention] = {}
        for entity in entities:
            for mention in entity.mentions:
                for i in mention.tokens():
                    self._by_token[i] = mention

    def mention_at(self, token: Token) -> Mention | None:
        """The mention whose name covers ``token``."""
        return self._by_token.get(token.i)

    def mention_covering(self, i: int) -> Mention | None:
        """The mention whose name covers the token at index ``i``."""
        return self._by_token.get(i)

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """Mentions whose name lies inside token range [start, end), in text order."""
        seen: dict[int, Mention] = {}
        for i in range(start, end):
            mention = self._by_token.get(i)
            if mention is not None and mention.start >= start and mention.end <= end:
                seen[mention.start] = mention
        return [seen[k] for k in sorted(seen)]

    def person_antecedent(self, pronoun: Token) -> Mention | None:
        """The person a third-person pronoun most likely refers to: the last person that was a
        subject before it (same or previous two sentences), else the last person mentioned."""
        sent_starts = sentence_starts(self.doc)
        current = max((s for s in sent_starts if s <= pronoun.i), default=0)
        earlier = [s for s in sent_starts if s < current]
        window_start = earlier[-2] if len(earlier) >= 2 else 0
        last_subject: Mention | None = None
        last_any: Mention | None = None
        for i in range(window_start, pronoun.i):
            mention = self._by_token.get(i)
            if mention is None or mention.entity is None or mention.entity.kind != "person":
                continue
            if i != mention.end - 1:
                continue
            last_any = mention
            if self.doc[i].dep_ in SUBJECT_DEPS or self.doc[i].head.dep_ in SUBJECT_DEPS:
                last_subject = mention
        return last_subject or last_any


def descriptor_start(doc: Doc, start: int, end: int, floor: int) -> int:
    """Walk left from a name over the title words of its noun phrase ("US Defense Secretary",
    "US Secretary of State", "Kenya's President"): contiguous tokens whose chain of heads runs
    into the name without leaving the words left of it."""
    words, deps, pos, blank = texts(doc), dependencies(doc), pos_tags(doc), space_tokens(doc)
    begin = start
    for i in range(start - 1, floor - 1, -1):
        if deps[i] == "det" or words[i] in _TITLE_BREAKS or blank[i]:
            break
        if pos[i] in ("VERB", "AUX") or not _heads_into(doc, i, floor, start, end):
            break
        begin = i
    return begin


_TITLE_BREAKS = frozenset({",", "(", ")", "—", "–", "--"})


def _heads_into(doc: Doc, i: int, floor: int, start: int, end: int) -> bool:
    head, pos = heads(doc), pos_tags(doc)
    node = i
    for _ in range(8):
        up = head[node]
        if start <= up < end:
            return True
        if up == node or not floor <= up < start or pos[up] in ("VERB", "AUX"):
            return False
        node = up
    return False


def _candidate_spans(doc: Doc) -> list[tuple[int, int, str]]:
    """NER spans of interest, plus knowledge-table names NER missed."""
    spans: list[tuple[int, int, str]] = []
    for ent in doc.ents:
        if ent.label_ in ENTITY_LABELS:
            start = ent.start + (1 if ent[0].lower_ == "the" and len(ent) > 1 else 0)
            # "Hizbollah (Party of God": a name runs up to a bracket it does not close
            text = ent.text
            cut = "(" in text and ")" not in text
            end = next((t.i for t in ent if t.text == "("), ent.end) if cut else ent.end
            if end > start:
                spans.append((start, end, ent.label_))
    taken = {i for s, e, _ in spans for i in range(s, e)}
    for start, end, label in _table_matches(doc):
        if not any(i in taken for i in range(start, end)):
            spans.append((start, end, label))
            taken.update(range(start, end))
    return sorted(spans)


_NAME_TOKEN = re.compile(r"^[A-Z][\w.’'-]*$")


def _table_matches(doc: Doc) -> list[tuple[int, int, str]]:
    """Capitalised token runs (up to 4 tokens) that name an organisation, seat or country."""
    found: list[tuple[int, int, str]] = []
    i = 0
    # one pass over the tokens: a Span or Token object per candidate run costs more than the lookups
    text, starts, ends = text_layout(doc)
    names = [bool(_NAME_TOKEN.match(word)) for word in texts(doc)]
    while i < len(names):
        if not names[i]:  # every run starts with a name
            i += 1
            continue
        matched = False
        for size in (4, 3, 2, 1):
            last = i + size - 1
            if last >= len(names) or not names[last]:
                continue
            label = _table_label(text[starts[i] : ends[last]])
            if label is None:
                continue
            found.append((i, i + size, label))
            i += size
            matched = True
            break
        if not matched:
            i += 1
    return found


@functools.lru_cache(maxsize=8192)  # capitalised runs repeat within and across articles
def _table_label(text: str) -> str | None:
    """The label of a name an organisation, seat or country table knows: ORG, FAC (a seat that is a
    building), GPE; else None."""
    if organisation(text):
        return "ORG"
    if seat(text):
        return "FAC" if strip_article(text) in seat_buildings() else "GPE"
    if (code := country_code(text)) and code[1] == "name":
        return "GPE"
    return None


def _is_place_name(text: str) -> bool:
    return seat(text) is not None or lookup_place(text) is not None


def _repair_labels(doc: Doc, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Fix NER types with document knowledge: surnames of full names are persons; known
    organisations are ORG; single 'persons' that are known places are places."""
    spans = _join_split_names(doc, spans)
    words = texts(doc)
    full_names = [words[s:e] for s, e, label in spans if label == "PERSON" and e - s >= 2]
    surnames = {name[-1] for name in full_names}
    surnames |= {name[0] for name in full_names if "-" in name[-1]}
    repaired: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        text = span_text(doc, start, end)
        if words[end - 1] in surnames and _is_part_of_any(words[start:end], full_names):
            label = "PERSON"
        elif organisation(text):
            label = "ORG"
        elif label == "PERSON" and end - start == 1 and _is_place_name(text):
            # "Kiev" tagged as a person; a titled name ("President Victoria") stays a person
            label = label if _has_person_title(doc, start, end) else "GPE"
        elif label == "ORG" and _is_object_place(doc, start, end):
            label = "GPE"  # "a visit to Lusaka" tagged as an organisation
        elif (code := country_code(text)) is not None:
            label = "GPE" if code[1] == "name" else "NORP"
        repaired.append((start, end, label))
    repaired = [_titled_person(doc, span) for span in repaired]
    taken = {i for s, e, _ in repaired for i in range(s, e)}
    for start, end in _untagged_places(doc, taken):
        repaired.append((start, end, "GPE"))
        taken.update(range(start, end))
    for start, end in _untagged_names(doc, taken):
        person = _titled_person(doc, (start, end, "ORG"))
        if person[2] == "PERSON":
            repaired.append(person)
            taken.update(range(person[0], person[1]))
    pos = pos_tags(doc)
    for i, word in enumerate(words):
        if i not in taken and pos[i] == "PROPN" and word in surnames:
            repaired.append((i, i + 1, "PERSON"))
    return sorted(repaired)


def _join_split_names(doc: Doc, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Rejoin a person's name the model cut in two ("Zainab Mwinyi" + "Hassan"): a PERSON span
    directly followed by a person or place span that the parse makes one noun phrase with it."""
    joined: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        if joined:
            prev_start, prev_end, prev_label = joined[-1]
            last = doc[prev_end - 1]
            if (
                prev_label == "PERSON"
                and prev_end == start
                and label in ("PERSON", *PLACE_LABELS)
                and last.dep_ == "compound"
                and start <= last.head.i < end
                and all(t.pos_ == "PROPN" and t.is_title for t in doc[start:end])
            ):
                joined[-1] = (prev_start, end, "PERSON")
                continue
        joined.append((start, end, label))
    return joined


def _has_person_title(doc: Doc, start: int, end: int) -> bool:
    """A role or courtesy title right before the name in its noun phrase ("Peruvian President
    Victoria", "Mr. Florence", "Foreign Minister Paris")."""
    title_start = descriptor_start(doc, start, end, sentence_bounds(doc)[start][0])
    return title_start < start and is_person_title(span_text(doc, title_start, start))


def _is_object_place(doc: Doc, start: int, end: int) -> bool:
    """A name the gazetteer knows, used as the object of a verb or preposition ("visited
    Maputo", "a trip to Gaborone"): a place the model missed or mistyped."""
    root = span_root(doc, start, end)
    return (root.dep_ in OBJECT_DEPS and root.pos_ == "PROPN"
            and lookup_place(span_text(doc, start, end)) is not None)


def _title_case_runs(doc: Doc, taken: set[int]) -> Iterator[tuple[int, int]]:
    """Maximal runs of capitalised proper nouns outside the tokens already ``taken``."""
    proper = proper_nouns(doc)
    size = len(proper)
    i = 0
    while i < size:
        j = i
        while j < size and j not in taken and proper[j]:
            j += 1
        if j > i:
            yield i, j
        i = max(j, i + 1)


def _untagged_places(doc: Doc, taken: set[int]) -> list[tuple[int, int]]:
    """Untagged runs of capitalised proper nouns that are known places used as objects."""
    return [(i, j) for i, j in _title_case_runs(doc, taken) if _is_object_place(doc, i, j)]


def _untagged_names(doc: Doc, taken: set[int]) -> list[tuple[int, int]]:
    """Runs of two or more capitalised proper nouns the model left untagged."""
    return [(i, j) for i, j in _title_case_runs(doc, taken)
            if j - i >= 2 and doc[j - 1].dep_ != "compound"]


def _titled_person(doc: Doc, span: tuple[int, int, str]) -> tuple[int, int, str]:
    """An unknown ORG/GPE name right after a title ("policy chief Ana Costa") is a person."""
    start, end, label = span
    if label not in ("ORG", "GPE", "NORP"):
        return span
    text = span_text(doc, start, end)
    if not profile_of_name(text).is_empty or lookup_place(text) is not None:
        # a town or capital name right after a title is a person's ("Foreign Minister Paris");
        # countries, demonyms and organisations never are
        if organisation(text) or country_code(text) or not _has_person_title(doc, start, end):
            return span
        return start, end, "PERSON"
    while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].dep_ == "compound":
        if role_in(texts(doc)[start - 1]) or not profile_of_name(texts(doc)[start - 1]).is_empty:
            break
        start -= 1
    floor = sentence_bounds(doc)[start][0]
    title_start = descriptor_start(doc, start, end, floor)
    if title_start < start and is_person_title(span_text(doc, title_start, start)):
        return start, end, "PERSON"
    return span


def _is_part_of_any(words: list[str], full_names: list[list[str]]) -> bool:
    """Whether the name of these words names one of the full names (words each)."""
    return any(_names_match(words, name) for name in full_names)


def _names_match(short: list[str], full: list[str]) -> bool:
    """ "Zelensky" and "De Croo" name "Vladimir Zelensky" and "Alexander De Croo"; "Park"
    names "Park Jae-won" (family name first when the given name is hyphenated)."""
    if len(short) > len(full):
        return False
    if full[-len(short) :] == short:
        return True
    return len(short) == 1 and "-" in full[-1] and full[0] == short[0]


def _mention_profile(doc: Doc, mention: Mention) -> Profile:
    """Profile read from the descriptor words and appositions around a mention."""
    profile = Profile()
    if mention.desc_start < mention.start:
        profile = profile_of_words(span_text(doc, mention.desc_start, mention.start))
    root = span_root(doc, mention.start, mention.end)
    for child in root.children:
        if child.dep_ == "appos" and child.i > root.i:
            appos = span_text(doc, child.left_edge.i, child.right_edge.i + 1)
            profile = profile.merged(profile_of_words(appos))
    return profile


def build_entities(doc: Doc, on_date: dt.date | None = None) -> EntityTable:
    """Resolve the entities of ``doc``: repaired labels, clusters, profiles, stable ids."""
    spans = _repair_labels(doc, _candidate_spans(doc))
    bounds = sentence_bounds(doc)
    mentions = [
        Mention(s, e, label, descriptor_start(doc, s, e, bounds[s][0]) if label == "PERSON" else s)
        for s, e, label in spans
    ]
    mentions = _drop_unknown_title_words(doc, mentions)
    entities: list[Entity] = []
    by_key: dict[str, Entity] = {}
    persons: list[Entity] = []
    for mention in mentions:
        text = span_text(doc, mention.start, mention.end)
        entity = _find_entity(mention, text, by_key, persons)
        if entity is None:
            entity = _new_entity(len(entities) + 1, mention, text)
            entities.append(entity)
            by_key[_key(mention.label, text)] = entity
            if entity.kind == "person":
                persons.append(entity)
        entity.mentions.append(mention)
        mention.entity = entity
        if entity.kind == "person":
            entity.profile = entity.profile.merged(_mention_profile(doc, mention))
    for entity in persons:
        entity.profile = entity.profile.merged(_listed_person(doc, entity, on_date))
    return EntityTable(doc, entities)


def _listed_person(doc: Doc, entity: Entity, on_date: dt.date | None) -> Profile:
    """What the people tables say of a person: by name, else by the title the text gives the name
    ("President Reagan": the dictionaries list leaders under their titles too)."""
    profile = person_profile(entity.name, on_date)
    for mention in entity.mentions:
        if profile.country or profile.org or mention.start == 0:
            break
        titled = f"{texts(doc)[mention.start - 1]} {span_text(doc, mention.start, mention.end)}"
        profile = profile.merged(person_profile(titled, on_date))
    return profile


def _drop_unknown_title_words(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """Drop mentions inside a person's title ("Defense" in "US Defense Secretary") unless they
    name something the knowledge tables know (a country, organisation or seat)."""
    title_tokens = {i for m in mentions if m.label == "PERSON" for i in range(m.desc_start, m.start)}
    return [
        m
        for m in mentions
        if m.start not in title_tokens or not profile_of_name(span_text(doc, m.start, m.end)).is_empty
    ]


def _key(label: str, text: str) -> str:
    """Cluster key: the code for names the tables know (whatever label NER gave them)."""
    name = strip_article(text)
    profile = profile_of_name(name)
    if label in ("PERSON", "NORP") or profile.is_empty:
        return f"{label}:{name.lower()}"
    if seat(name) is not None:
        return f"seat:{name.lower()}"
    return f"known:{profile.org or profile.country}:{profile.role}"


def _find_entity(
    mention: Mention, text: str, by_key: dict[str, Entity], persons: list[Entity]
) -> Entity | None:
    if mention.label == "PERSON":
        words = text.split()
        for person in reversed(persons):
            name_words = person.name.split()
            if _names_match(words, name_words):
                return person
            if _names_match(name_words, words):
                person.name = text
                return person
        return None
    return by_key.get(_key(mention.label, text))


def _new_entity(number: int, mention: Mention, text: str) -> Entity:
    name = strip_article(text)
    label = mention.label
    kind = "other"
    profile = Profile()
    if label == "PERSON":
        kind = "person"
    else:
        org = organisation(name)
        profile = profile_of_name(name)
        if org is not None:
            kind, name, label = "organisation", org.name, "ORG"
        elif seat(name) is not None:
            kind = "seat"
        elif (code := country_code(name)) is not None:
            kind = "country" if code[1] == "name" else "group"
            if code[1] == "name" and (place := lookup_place(name)) is not None:
                name = place.name
        elif label in PLACE_LABELS and lookup_place(name) is not None:
            kind = "place"
        elif label == "ORG":
            kind = "organisation"
            profile = profile_of_words(name)
            if profile.is_empty:  # the field's dictionaries: IGOs, NGOs, armed groups, parties
                profile = dictionary_profile(name)
            if profile.is_empty:  # "the Third World Water Forum": a body no table lists
                profile = _unlisted_body(name)
    return Entity(f"e{number}", name, label, profile, kind)


def _unlisted_body(name: str) -> Profile:
    """A named body no table lists, by the noun that ends its name (``org_heads.tsv``): a party, a
    committee or forum (a non-governmental body), with no country of its own."""
    sector = org_heads().get(name.split()[-1].lower()) if name.split() else None
    if sector is None:
        return Profile()
    return Profile(role=sector) if sector in ("PTY", "LEG", "JUD") else Profile(role=sector, org=sector)
