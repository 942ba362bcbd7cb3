"""Turning an argument token (the head of a noun phrase) into an actor."""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token

from worker.extraction.actors import (
    Profile,
    organisation_role,
    profile_of_name,
    profile_of_names_in,
    role_in,
    role_of_head,
)
from worker.extraction.dictionary import agent as dictionary_agent
from worker.extraction.entities import (
    GROUP_PRONOUNS,
    PERSON_PRONOUNS,
    RELATIVE_PRONOUNS,
    EntityTable,
    Mention,
)
from worker.extraction.tables import word_class
from worker.extraction.token_lists import span_text

MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "nmod", "case", "punct", "npadvmod"})
BOUNDARY_TEXTS = frozenset({"—", "–", "--", "-", ":", ",", "(", ")"})
SOURCE_PREPS = ("from", "by")
EXTENDING_PREPS = ("of", "for")


@dataclass(frozen=True)
class Actor:
    """An event participant as it appears in the record, with where it was found."""

    text: str
    name: str
    entity_type: str | None  # None: an actor the text implies without naming it
    profile: Profile
    start_char: int
    end_char: int
    entity_id: str | None
    via: str  # entity, pronoun, group, anaphor

    @property
    def code(self) -> str | None:
        return self.profile.code

    def as_record(self) -> dict[str, object]:
        """The ``actor1``/``actor2`` object of the event record."""
        return {
            "text": self.text,
            "name": self.name,
            "entity_type": self.entity_type,
            "country": self.profile.country,
            "role": self.profile.role,
            "code": self.profile.code,
        }


def resolve_actor(
    token: Token,
    table: EntityTable,
    *,
    as_agent: bool = False,
    modifier: Token | None = None,
    mention: Mention | None = None,
) -> Actor | None:
    """The political actor the noun phrase headed by ``token`` denotes, or None (a place,
    an object, an unknown person or group). ``modifier`` picks one of coordinated modifiers
    ("Russian and Belarusian diplomats"); ``mention`` is an antecedent found by the caller."""
    doc = token.doc
    if mention is not None:
        return _entity_actor(doc, mention, token.left_edge.i, token.i + 1, via="anaphor")
    if modifier is not None:
        return _modified_actor(token, modifier, table)
    token = through_quantity(token)
    if token.lower_ in PERSON_PRONOUNS:
        antecedent = table.person_antecedent(token)
        if antecedent is None:
            return None
        return _entity_actor(doc, antecedent, token.i, token.i + 1, via="pronoun")
    if token.lower_ in GROUP_PRONOUNS:
        return _speaker_of(token, table)
    found = table.mention_at(token)
    if found is not None and (found.entity is None or found.entity.kind != "other"):
        return _entity_actor(doc, found, found.desc_start, found.end, via="entity")
    # a name the tables do not know ("Iraqi Kurds") may still be a group of a known nation
    return _group_actor(token, table, as_agent)


def _speaker_of(pronoun: Token, table: EntityTable) -> Actor | None:
    """ "Syria says it is willing to withdraw", "the rebels said they would return weapons": a
    subject "it"/"they"/"we" of a reported clause is the reporting verb's subject."""
    if pronoun.dep_ not in ("nsubj", "nsubjpass"):
        return None
    clause = pronoun.head
    for _ in range(4):
        if clause.dep_ not in ("ccomp", "xcomp", "conj") or clause.head is clause:
            return None
        clause = clause.head
        speaker = next((c for c in clause.children if c.dep_ == "nsubj" and c is not pronoun), None)
        if speaker is not None and speaker.lower_ not in GROUP_PRONOUNS | PERSON_PRONOUNS:
            actor = resolve_actor(speaker, table, as_agent=True)
            if actor is None:
                return None
            return replace(actor, text=pronoun.text, start_char=pronoun.idx,
                           end_char=pronoun.idx + len(pronoun.text), via="pronoun")
    return None


def through_quantity(token: Token) -> Token:
    """ "Thousands of protesters", "20 of the students": the group after "of"."""
    if token.pos_ == "NUM" or token.lemma_.lower() in word_class("quantity_word"):
        return _of_object(token) or token
    return token


def through_container(noun: Token) -> Token:
    """What a noun holds when it is a container: "a round of talks", "a contingent of troops"."""
    if noun.lemma_.lower() in word_class("container_noun"):
        return _of_object(noun) or noun
    return noun


def _of_object(token: Token) -> Token | None:
    return next((c for prep in token.children if prep.dep_ == "prep" and prep.lower_ == "of"
                 for c in prep.children if c.dep_ == "pobj"), None)


def _entity_actor(doc: Doc, mention: Mention, start: int, end: int, via: str) -> Actor | None:
    entity = mention.entity
    if entity is None or entity.kind in ("place", "other"):
        return None
    profile = entity.profile
    if profile.is_empty:
        return None
    span = doc[start:end]
    return Actor(
        text=span.text,
        name=entity.name,
        entity_type=entity.label,
        profile=profile,
        start_char=span.start_char,
        end_char=span.end_char,
        entity_id=entity.id,
        via=via,
    )


def _modified_actor(head: Token, modifier: Token, table: EntityTable) -> Actor | None:
    """One member of a coordination of modifiers: "Belarusian" in "Russian and Belarusian
    diplomats", "Latvia" in "the leaders of Lithuania, Latvia and Estonia"."""
    found = table.mention_at(modifier)
    profile = (
        found.entity.profile
        if found is not None and found.entity is not None
        else profile_of_name(modifier.text)
    )
    role = role_in(head.text)
    if role and not profile.org:
        profile = Profile(country=profile.country, role=role, org=profile.org, region=profile.region)
    if profile.is_empty or not (profile.country or profile.org or profile.region):
        return None
    span = head.doc[modifier.i : modifier.i + 1] if modifier.i > head.i else head.doc[modifier.i : head.i + 1]
    return Actor(
        text=span.text,
        name=span.text,
        entity_type="NORP",
        profile=profile,
        start_char=span.start_char,
        end_char=span.end_char,
        entity_id=found.entity.id if found is not None and found.entity is not None else None,
        via="group",
    )


def _phrase_start(token: Token) -> int:
    modifiers = [c for c in token.lefts if c.dep_ in MODIFIER_DEPS]
    start = min((c.left_edge.i for c in modifiers), default=token.i)
    doc = token.doc
    for i in range(token.i - 1, start - 1, -1):
        infix = i > 0 and not doc[i - 1].whitespace_ and not doc[i].whitespace_  # "al-Qaeda"
        if (doc[i].text in BOUNDARY_TEXTS and not infix) or doc[i].is_space:
            return i + 1
    return start


def _group_actor(token: Token, table: EntityTable, as_agent: bool) -> Actor | None:
    """A descriptive noun phrase: "Russian officials", "NATO headquarters", "the bloc's
    ministers", "the government of Kenya", "calls from the UN", "police"."""
    if token.pos_ not in ("NOUN", "PROPN") or token.lower_ in RELATIVE_PRONOUNS:
        return None
    doc = token.doc
    start = _phrase_start(token)
    end = token.i + 1
    compounds = " ".join(c.text for c in token.lefts if c.dep_ == "compound")  # "police patrol"
    own_role = role_of_head(span_text(doc, start, end)) or role_in(compounds) or agent_sector(token)
    for child in token.rights:
        if child.dep_ == "prep" and child.lower_ in EXTENDING_PREPS:
            end = max(end, child.right_edge.i + 1)
            break
    if own_role is None:
        source = _source_actor(token, table, as_agent)
        if source is not None:
            return source
    text = span_text(doc, start, end)
    role = own_role or role_in(span_text(doc, token.i + 1, end))  # "the head of the Kenyan police"
    # the police or officials of a place have its country as the article places it ("Athens police"
    # under an "ATHENS, Ga." dateline are American), before what the bare names would say
    placed = [m.entity.profile.country for m in table.mentions_in(start, end)
              if role and m.entity is not None and m.entity.kind == "place" and m.entity.profile.country]
    names = profile_of_names_in(text)
    profile = Profile(country=placed[0] if placed else None,
                      role=organisation_role(text, role, names)).merged(names)
    named = [
        m.entity
        for m in table.mentions_in(start, end)
        if m.entity is not None and m.entity.kind not in ("place", "other") and not _stance(doc, m.start)
    ]
    for entity in named:
        profile = profile.merged(entity.profile)
    via = "group"
    for candidate in doc[start : token.i + 1]:
        if candidate.lemma_.lower() in word_class("igo_anaphor") and not named:
            org = _last_organisation(table, candidate.i)
            if org is not None:
                profile = profile.merged(org)
                via = "anaphor"
    if profile.is_empty or (profile.role is None and not _names_something(profile)):
        return None
    if as_agent and profile.role is None and all(e.kind == "group" for e in named) and not _people_of(token):
        return None  # "the Argentine football team" is not a political actor
    if doc[start].lower_ == "the":
        start += 1
    span = doc[start:end]
    stands_for_entity = len(named) == 1 and own_role is None
    return Actor(
        text=span.text,
        name=named[0].name if stands_for_entity else span.text,
        entity_type=named[0].label if stands_for_entity else "NORP",
        profile=profile,
        start_char=span.start_char,
        end_char=span.end_char,
        entity_id=named[0].id if stands_for_entity else None,
        via=via,
    )


def _stance(doc: Doc, start: int) -> bool:
    """The name at ``start`` follows "anti-" or "pro-": a stance, not whose the group is."""
    before = doc[max(0, start - 2) : start].text_with_ws.lower().replace(" ", "")
    return before.endswith(("anti-", "pro-"))


def _people_of(head: Token) -> bool:
    """A plural noun for people or forces of a nation ("Iraqi Kurds", "Israeli tanks", "Palestinian
    prisoners"): an actor of that nation even without a sector, unless it names a team, a firm or
    an audience (word class ``nonpolitical_group``)."""
    return head.tag_ in ("NNS", "NNPS") and head.lemma_.lower() not in word_class("nonpolitical_group")


def agent_sector(head: Token) -> str | None:
    """The sector the phrase's head noun names in the field's agents dictionary ("militiamen" UAF,
    "suicide bombers" REB, "doctors" HLH), trying the head with its compound modifiers first.
    The project's own roles (``roles.tsv``, read by ``role_in``) take precedence over it."""
    if head.pos_ not in ("NOUN", "PROPN"):
        return None
    compounds = [c for c in head.lefts if c.dep_ == "compound" and c.i == head.i - 1]
    lemma = head.lemma_.lower()
    phrases = [f"{compounds[0].lemma_.lower()} {lemma}"] if compounds else []
    phrases += [lemma, head.lower_]
    for phrase in phrases:
        agent = dictionary_agent(phrase)
        if agent is not None and agent.attach == "suffix":
            return agent.code
    return None


def _source_actor(token: Token, table: EntityTable, as_agent: bool) -> Actor | None:
    """ "Calls from the United Nations", "abuses by Ethiopian troops", "crimes committed by Croat
    forces": the actor behind a non-actor noun."""
    for child in token.rights:
        if child.dep_ == "prep" and child.lower_ in SOURCE_PREPS:
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    return resolve_actor(pobj, table, as_agent=as_agent)
        if child.dep_ == "acl":  # a participle with its agent: "committed by X"
            for by in child.children:
                objects = [p for p in by.children if p.dep_ == "pobj"] if by.dep_ == "agent" else []
                if objects:
                    return resolve_actor(objects[0], table, as_agent=as_agent)
    return None


def _names_something(profile: Profile) -> bool:
    return bool(profile.country or profile.org or profile.region)


def _last_organisation(table: EntityTable, before: int) -> Profile | None:
    """Profile of the last intergovernmental organisation mentioned before token ``before``."""
    best: tuple[int, Profile] | None = None
    for entity in table.entities:
        if entity.kind != "organisation" or entity.profile.org is None:
            continue
        for mention in entity.mentions:
            if mention.start < before and (best is None or mention.start > best[0]):
                best = (mention.start, entity.profile)
    return None if best is None else best[1]


def last_people(table: EntityTable, before: int, count: int) -> list[Mention]:
    """The last ``count`` distinct persons mentioned before token ``before`` ("the two
    leaders"), most recent first."""
    found: list[Mention] = []
    seen: set[str] = set()
    for i in range(before - 1, -1, -1):
        mention = table.mention_at(table.doc[i])
        if mention is None or mention.entity is None or mention.entity.kind != "person":
            continue
        if mention.entity.id not in seen:
            seen.add(mention.entity.id)
            found.append(mention)
            if len(found) == count:
                break
    return found
