"""Turning an argument token (the head of a noun phrase) into an actor."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from worker.extraction.actors import Profile, profile_of_words, role_in
from worker.extraction.entities import PERSON_PRONOUNS, EntityTable, Mention

MODIFIER_DEPS = frozenset({"compound", "amod", "poss", "nmod", "case", "punct", "npadvmod"})
IGO_ANAPHORS = frozenset({"bloc", "alliance"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})


@dataclass(frozen=True)
class Actor:
    """An event participant as it appears in the record, with where it was found."""

    text: str
    name: str
    entity_type: str
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


def resolve_actor(token: Token, table: EntityTable) -> Actor | None:
    """The political actor the noun phrase headed by ``token`` denotes, or None (a place,
    an object, an unknown person or group)."""
    doc = token.doc
    if token.lower_ in PERSON_PRONOUNS:
        antecedent = table.person_antecedent(token)
        if antecedent is None:
            return None
        return _entity_actor(doc, antecedent, token.i, token.i + 1, via="pronoun")
    mention = table.mention_at(token)
    if mention is not None:
        return _entity_actor(doc, mention, mention.desc_start, mention.end, via="entity")
    return _group_actor(token, table)


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


def _group_actor(token: Token, table: EntityTable) -> Actor | None:
    """A descriptive noun phrase: "Russian officials", "NATO headquarters", "the bloc's
    ministers", "the government of Kenya", "police"."""
    if token.pos_ not in ("NOUN", "PROPN") or token.lower_ in RELATIVE_PRONOUNS:
        return None
    doc = token.doc
    modifiers = [c for c in token.lefts if c.dep_ in MODIFIER_DEPS]
    start = min((c.left_edge.i for c in modifiers), default=token.i)
    end = token.i + 1
    of_phrase = next((c for c in token.rights if c.dep_ == "prep" and c.lower_ == "of"), None)
    profile = Profile(role=role_in(token.text))
    via = "group"
    if of_phrase is not None and (profile.role or token.lemma_ in IGO_ANAPHORS):
        end = of_phrase.right_edge.i + 1
    inner = profile_of_words(doc[start:end].text)
    profile = profile.merged(inner)
    named = [
        m.entity
        for m in table.mentions_in(start, end)
        if m.entity is not None and m.entity.kind not in ("place", "other")
    ]
    for entity in named:
        profile = profile.merged(entity.profile)
    for candidate in [token, *modifiers]:
        if candidate.lemma_.lower() in IGO_ANAPHORS:
            org = _last_organisation(table, candidate.i)
            if org is not None:
                profile = profile.merged(org)
                via = "anaphor"
    if profile.is_empty or (profile.role is None and not _names_something(profile)):
        return None
    if start < end and doc[start].lower_ == "the":
        start += 1
    span = doc[start:end]
    stands_for_entity = len(named) == 1 and role_in(token.text) is None
    return Actor(
        text=span.text,
        name=named[0].name if stands_for_entity else span.text,
        entity_type=named[0].label if stands_for_entity else "NORP",
        profile=profile,
        start_char=span.start_char,
        end_char=span.end_char,
        entity_id=None,
        via=via,
    )


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
