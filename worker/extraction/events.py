"""Assembling event records: actors, action, place, date, evidence, confidence, stable id."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from spacy.tokens import Doc, Span, Token

from worker.extraction.actions import find_predicates, unattributed_harm, violent_means
from worker.extraction.actors import Profile, profile_of_name
from worker.extraction.arguments import Actor, resolve_actor
from worker.extraction.dates import ResolvedDate, event_date_phrase, resolve_phrase
from worker.extraction.dictionary import dictionaries
from worker.extraction.entities import TIME_LABELS, EntityTable
from worker.extraction.gazetteer import Place, country_code, country_place, lookup_place
from worker.extraction.lexicon import VIOLENT_ROOTS, CameoCode, code_info, future_code
from worker.extraction.places import attachment_distance, event_location
from worker.extraction.predicate import Argument, Predicate
from worker.extraction.tables import read_tsv, read_words, word_class
from worker.extraction.token_lists import lower_forms, span_text

_SCORE = re.compile(r"(?<![\d/-])\d{1,2}\s?[-–]\s?\d{1,2}(?![\d/-])")
ARGUMENT_PENALTY = {
    "direct": 0.0,
    "passive": 0.0,
    "between": 0.05,
    "coordinated": 0.05,
    "inherited": 0.1,
    "scanned": 0.15,
    "unnamed": 0.0,
}
VISIT_CODE = "042"  # mediating between or meeting with a country does not happen in it
VIA_PENALTY = {"entity": 0.0, "group": 0.05, "pronoun": 0.1, "anaphor": 0.1, "unnamed": 0.2}
Resolved = tuple[Actor, str]  # an actor and how its argument was found
SPORT_ARTICLE_WORDS = 3
MATERIAL_CONFLICT = 4  # CAMEO quad class
CONSULT_ROOT = "04"
#: Acts that are mutual when joint subjects do them with no one else named: consulting (04), diplomatic
#: cooperation and signing an agreement (050, 057), material cooperation (06); not praise or support
RECIPROCAL_CODES = ("04", "050", "057", "06")


@dataclass(frozen=True)
class ArticleFacts:
    """Article-level context the records need."""

    article_id: str
    published: datetime | None
    dateline: Place | None
    focus: tuple[str, ...] = ()  # ISO3 codes the article is about, most salient first


@functools.cache
def _sport_words() -> frozenset[str]:
    return frozenset(row["word"] for row in read_tsv("nonpolitical.tsv"))


@functools.cache
def _ignored_discards() -> frozenset[str]:
    return read_words("discard_exceptions.txt")


def is_nonpolitical(sent: Span) -> bool:
    """Sport results and fixtures, culture, disasters: a score, two sport words, or a phrase of the
    field's discard list (``dictionaries/discards.tsv``, less ``discard_exceptions.txt``)."""
    text = span_text(sent.doc, sent.start, sent.end)
    for match in _SCORE.finditer(text):
        span = sent.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is not None and not any(t.ent_type_ in TIME_LABELS for t in span):
            return True  # a score, not a date range
    words = _sport_words()
    if sum(1 for word in lower_forms(sent.doc)[sent.start : sent.end] if word in words) >= 2:
        return True
    return any(d.phrase not in _ignored_discards() for d in dictionaries().discards_in(text))


def is_sport_article(doc: Doc) -> bool:
    """An article about sport as a whole (``SPORT_ARTICLE_WORDS`` sport words or more, in any
    sentences): it codes only material conflict ("police clashed with fans"), not the words of
    a match report that read like politics ("the captain attacked the referee's decision")."""
    words = _sport_words()
    return sum(1 for word in lower_forms(doc) if word in words) >= SPORT_ARTICLE_WORDS


def event_id(
    actor1_code: str, actor2_code: str | None, root: str, day: str | None, place_key: str | None
) -> str:
    """Stable id over the normalized event key (root code on purpose: see dedup)."""
    key = "|".join([actor1_code, actor2_code or "", root, day or "", place_key or ""])
    return "ev_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def build_events(doc: Doc, table: EntityTable, facts: ArticleFacts) -> list[dict[str, Any]]:
    """All event records of a doc, one per event id (the most confident)."""
    best: dict[str, dict[str, Any]] = {}
    sport = is_sport_article(doc)
    for index, sent in enumerate(doc.sents):
        if is_nonpolitical(sent):
            continue
        for record in _sentence_events(sent, index, table, facts):
            if sport and record["action"]["quad_class"] < MATERIAL_CONFLICT:
                continue  # a match report's "attacked the decision", "signed the striker"
            current = best.get(record["event_id"])
            if current is None or record["confidence"] > current["confidence"]:
                best[record["event_id"]] = record
    return sorted(
        best.values(), key=lambda r: (r["evidence"]["sentence_index"], r["evidence"]["action_span"][0])
    )


def _sentence_events(sent: Span, index: int, table: EntityTable, facts: ArticleFacts) -> list[dict[str, Any]]:
    predicates = find_predicates(sent, table)
    built: list[tuple[Predicate, dict[str, Any]]] = []
    for predicate in predicates:
        for record in _predicate_events(predicate, sent, index, table, facts):
            built.append((predicate, record))
    coded_anchors = {p.anchor.i for p, _ in built}
    return [
        record
        for predicate, record in built
        if not (predicate.speech and _reports_event(predicate, coded_anchors))
    ]


def _reports_event(predicate: Predicate, coded_anchors: set[int]) -> bool:
    """A reporting verb whose reported clause carries a coded event of its own."""
    verb = predicate.verb
    if verb is None:
        return False
    return any(i in coded_anchors for c in verb.children if c.dep_ == "ccomp" for i in _subtree(c))


def _subtree(token: Token) -> list[int]:
    return [t.i for t in token.subtree]


def _actor_of(argument: Argument, table: EntityTable, as_agent: bool) -> Resolved | None:
    actor = resolve_actor(
        argument.token,
        table,
        as_agent=as_agent,
        modifier=argument.modifier,
        mention=argument.mention,
    )
    if actor is None or actor.code is None:
        return None
    return actor, argument.how


def _pairs(
    predicate: Predicate, agents: list[Resolved], patients: list[Resolved], code: str
) -> list[tuple[Resolved, Resolved | None]]:
    """(source, target) pairs: joint events both ways, else each agent with each patient (or none).
    Joint subjects of a consultation or cooperation with no one else named act with each other
    ("Chile and Peru upgraded their ties")."""
    symmetric = predicate.symmetric or code.startswith(RECIPROCAL_CODES)
    if symmetric and (predicate.nominal or (len(agents) >= 2 and not patients)):
        return [(a, b) for a in agents for b in agents if a is not b]
    return [(a, b) for a in agents for b in (patients or [None])]


def _predicate_events(
    predicate: Predicate, sent: Span, index: int, table: EntityTable, facts: ArticleFacts
) -> list[dict[str, Any]]:
    agents = [a for a in (_actor_of(x, table, as_agent=True) for x in predicate.agents) if a is not None]
    announced = predicate.future and not predicate.negated
    info = code_info(future_code(predicate.cameo) if announced else predicate.cameo)
    means = violent_means(predicate) if not agents and info.root in VIOLENT_ROOTS else None
    if means is not None:  # "an Israeli air strike killed": the nation behind it, else unnamed
        agents = [_means_owner(means, table) or (_unnamed_actor(sent.doc[predicate.action_start].idx),
                                                 "unnamed")]
    elif not agents and info.root in VIOLENT_ROOTS and unattributed_harm(predicate):
        agents = [(_unnamed_actor(sent.doc[predicate.action_start].idx), "unnamed")]
    if not agents:
        return []
    patients = []
    for argument in predicate.patients:
        resolved = _actor_of(argument, table, as_agent=False)
        if resolved is None and info.root == "04":
            resolved = _place_as_actor(argument, table, role=None)
        elif resolved is None and info.quad_class == 4:
            resolved = _place_as_actor(argument, table, role="CVL")
        elif resolved is not None and info.quad_class == 4 and _without_country(resolved[0]):
            # "shelled the town of Kupiansk": the named town says whose civilians were hit
            resolved = _place_as_actor(argument, table, role=resolved[0].profile.role) or resolved
        if resolved is not None:
            patients.append(resolved)
    if predicate.needs_actor2:  # force against anyone is an event; speaking to reporters is not
        patients = [p for p in patients if _is_political(p[0]) or info.quad_class == MATERIAL_CONFLICT]
    if predicate.needs_actor2 and not patients:
        return []
    if info.root == CONSULT_ROOT and predicate.symmetric and not predicate.nominal and len(agents) < 2 \
            and not predicate.patients:
        return []  # "the cabinet met on Sunday": a body's session, no consultation with anyone
    records = []
    for agent, patient in _pairs(predicate, agents, patients, info.code):
        actor1, how1 = agent
        actor2, how2 = patient if patient is not None else (None, None)
        if actor2 is not None and actor2.code == actor1.code and actor2.name == actor1.name:
            continue
        records.extend(_records(predicate, sent, index, table, facts, actor1, how1, actor2, how2, info))
    return [r for r in records if r["actor1"]["code"]]  # an unnamed attacker needs a country


def _means_owner(means: Token, table: EntityTable) -> Resolved | None:
    """The nation or group an attack's own modifiers name: "an Israeli air strike", "a Russian
    missile", "Hamas's rockets"."""
    for modifier in means.lefts:
        if modifier.dep_ in ("amod", "compound", "poss", "nmod"):
            actor = resolve_actor(means, table, as_agent=True, modifier=modifier)
            if actor is not None:
                return actor, "inherited"
    return None


def _unnamed_actor(at: int) -> Actor:
    """The perpetrator of an attack the text does not attribute ("a car bomb killed nine people"):
    a country from the place or the article (``_fill_country``); its evidence span is empty, at the
    action."""
    return _bare_actor(Profile(), at, "unnamed")


def _bare_actor(profile: Profile, at: int, via: str) -> Actor:
    """An actor the text implies without naming it: no words, no entity type."""
    return Actor(text="", name="", entity_type=None, profile=profile, start_char=at, end_char=at,
                 entity_id=None, via=via)


@functools.cache
def _apolitical_sectors() -> frozenset[str]:
    return frozenset(row["code"] for row in read_tsv("sectors.tsv") if row["political"] == "no")


def _is_political(actor: Actor) -> bool:
    """Not a journalist, a doctor or a company (``sectors.tsv``): a party an a2 verb may target."""
    return actor.profile.role not in _apolitical_sectors()


def _without_country(actor: Actor) -> bool:
    profile = actor.profile
    return not (profile.country or profile.org or profile.region)


def _place_as_actor(argument: Argument, table: EntityTable, role: str | None) -> Resolved | None:
    """A place as the target: "visited Kharkiv" (the destination's country is the visited
    party), "shelled the town of Kupiansk" (its civilians are the target)."""
    token = argument.token
    if token.lemma_.lower() in word_class("place_noun"):  # "the town of Krasnopillia"
        of_objects = [
            p
            for c in token.children
            if c.dep_ == "prep" and c.lower_ == "of"
            for p in c.children
            if p.dep_ == "pobj"
        ]
        token = of_objects[0] if of_objects else token
    mention = table.mention_at(token)
    if mention is None or mention.entity is None:
        return None
    text = table.doc[mention.start : mention.end]
    place = lookup_place(text.text)
    if place is None or place.country is None:
        return None
    country = country_place(place.country)
    actor = Actor(
        text=text.text,
        name=(country.name if country else place.name) if role is None else text.text,
        entity_type="GPE",
        profile=Profile(country=place.country, role=role),
        start_char=text.start_char,
        end_char=text.end_char,
        entity_id=mention.entity.id,
        via="entity",
    )
    return actor, argument.how


def _records(
    predicate: Predicate,
    sent: Span,
    index: int,
    table: EntityTable,
    facts: ArticleFacts,
    actor1: Actor,
    how1: str,
    actor2: Actor | None,
    how2: str | None,
    info: CameoCode,
) -> list[dict[str, Any]]:
    """The record of one (source, target) pair; with no named target, one per party the sentence
    implies ("agreed to lift embargoes on Iran, Libya and Cuba": three)."""
    doc = sent.doc
    anchors = [t for t in (predicate.anchor, predicate.verb) if t is not None]
    excluded = _actor_tokens(doc, actor1) | (_actor_tokens(doc, actor2) if actor2 else set())
    if actor2 is not None and (info.root == "04" or info.quad_class == 4):
        # a visited place, a shelled town: the target is also where it happened
        excluded -= _actor_tokens(doc, actor2)
    elif actor2 is not None:
        # "praised the AU's mediation in Sudan": a place inside the topic is not the venue
        excluded |= set(_patient_subtree(actor2, doc))
    located = event_location(sent, table, anchors, excluded, allow_destination=info.root == "04",
                             dateline=facts.dateline, focus=facts.focus,
                             visited=_visited_place(info.code, actor2))
    in_clause = located.place if located and located.basis == "clause" else None
    place = located.place if located and located.basis != "focus" else None  # what actors may inherit
    confidence = 0.92
    confidence -= 0.05 if predicate.anchor is not predicate.verb and not predicate.nominal else 0
    confidence -= 0.12 if predicate.nominal else 0
    confidence -= ARGUMENT_PENALTY.get(how1, 0.1) + VIA_PENALTY.get(actor1.via, 0.1)
    if actor2 is None:
        confidence -= 0.1
    else:
        confidence -= ARGUMENT_PENALTY.get(how2 or "", 0.1) + VIA_PENALTY.get(actor2.via, 0.1)
    actor1 = _country_as_government(actor1)
    actor2 = _country_as_government(actor2) if actor2 else None
    actor1, inherited1 = _fill_country(actor1, place, actor2, facts.focus)
    # across a front line the attacker's country says nothing about the target's
    violent = info.root in VIOLENT_ROOTS
    other = None if violent else actor1
    focus = tuple(c for c in facts.focus if c != actor1.profile.country) if violent else facts.focus
    actor2, inherited2 = _fill_country(actor2, place, other, focus) if actor2 else (None, False)
    targets: list[Actor | None] = [actor2]
    if actor2 is None:
        implied = _implied_targets(predicate, table, in_clause, actor1, excluded)
        targets = [*implied] or [None]
    confidence -= 0.15 if inherited1 else 0
    confidence -= 0.1 if inherited2 else 0
    resolved, date_text = _event_date(sent, anchors, facts)
    day = resolved.value.isoformat() if resolved else None
    location = located.as_record() if located else None
    # Merge on the location's country, not its exact place: one report says "visited Ethiopia",
    # another "arrived in Addis Ababa" for the same visit.
    place_key = place.country if place else None
    action_span = doc[predicate.action_start : predicate.action_end]
    return [{
        "event_id": event_id(actor1.code or "", actor2.code if actor2 else None, info.root, day, place_key),
        "event_date": day,
        "date_precision": resolved.precision if resolved else None,
        "date_text": date_text,
        "actor1": actor1.as_record(),
        "action": {
            "text": action_span.text,
            "lemma": predicate.lemma,
            "cameo": info.code,
            "cameo_root": info.root,
            "quad_class": info.quad_class,
            "goldstein": info.goldstein,
            "plover": info.plover,
            "negated": predicate.negated,
            "future": predicate.future,
            "hypothetical": predicate.hypothetical,
        },
        "actor2": actor2.as_record() if actor2 else None,
        "location": location,
        "evidence": {
            "article_id": facts.article_id,
            "sentence_index": index,
            "sentence": span_text(doc, sent.start, sent.end).strip(),
            "actor1_span": [actor1.start_char, actor1.end_char],
            "action_span": [action_span.start_char, action_span.end_char],
            "actor2_span": [actor2.start_char, actor2.end_char] if actor2 and actor2.text else None,
        },
        "confidence": round(max(0.05, min(0.99, confidence)), 2),
        "mentions": {"articles": 1, "outlets": 1},
    } for actor2 in targets]


def _implied_targets(
    predicate: Predicate, table: EntityTable, place: Place | None, actor1: Actor, excluded: set[int]
) -> list[Actor]:
    """The target a sentence implies without naming it as an actor, as a bare country or
    organisation: the party named in what the action governs ("deported 168 Liberians",
    "promised to continue aid to Mozambique", "refused to lift the curfew on Palestinians"), else
    the country of the place the sentence puts the event in, else the source's own (a curfew, an
    arrest, a strike: an unnamed target is a domestic one, as human coders of event data code it)."""
    profiles = _parties_in_clause(predicate, table, excluded)
    if not profiles:
        country = (place.country if place else None) or actor1.profile.country
        if country is None:
            return []
        profiles = [Profile(country=country)]
    cooperative = code_info(predicate.cameo).quad_class < 3
    # "promised to democratize Serbia": a pledge about one's own country targets no one
    return [_bare_actor(profile, 0, "implied") for profile in profiles
            if not (cooperative and profile.country == actor1.profile.country)]


def _parties_in_clause(predicate: Predicate, table: EntityTable, excluded: set[int]) -> list[Profile]:
    """The country or organisation of the first party named in the phrases the action governs
    (its objects first, then the rest of its clause: complements, prepositional phrases; never its
    subject), with the parties coordinated with it ("to Iran, Libya and Cuba")."""
    verb = predicate.verb or predicate.anchor
    governed = [a.token for a in predicate.patients]
    governed += [c for c in verb.children if c.dep_ not in ("nsubj", "nsubjpass", "agent", "punct", "aux")
                 and c.lower_ not in word_class("topic_prep")]  # "regarding the conflict with Russia"
    seen: set[int] = set()
    for head in governed:
        for token in head.subtree:
            if token.i in excluded or token.i in seen:
                continue
            seen.add(token.i)
            profile = _party_profile(token, table)
            if profile is not None:
                if token.head.lower_ == "between":  # "ties between Chisinau and the EU": a topic
                    return [profile]
                listed = [_party_profile(c, table) for c in token.conjuncts
                          if c.i > token.i and c.i not in excluded]
                return [profile, *(p for p in listed if p is not None)]
    return []


def _party_profile(token: Token, table: EntityTable) -> Profile | None:
    mention = table.mention_at(token)
    if mention is not None and mention.entity is not None:
        profile = mention.entity.profile
        if profile.country or profile.org:
            return Profile(country=profile.country, org=None if profile.country else profile.org,
                           role=None if profile.country else profile.role)
    found = country_code(token.text)
    if found is not None and found[1] in ("name", "demonym"):
        return Profile(country=found[0])
    return None


def _visited_place(code: str, actor2: Actor | None) -> Place | None:
    """ "Visited Kharkiv", "visited Ukraine": the destination is where the visit happened;
    "shelled the town of Kupiansk": so is the place whose civilians were hit."""
    if actor2 is None or actor2.entity_type != "GPE":
        return None
    visited = code == VISIT_CODE and not actor2.profile.role
    struck = code[:2] in VIOLENT_ROOTS and actor2.profile.role == "CVL"
    return lookup_place(actor2.text) if visited or struck else None


def _actor_tokens(doc: Doc, actor: Actor) -> set[int]:
    span = doc.char_span(actor.start_char, actor.end_char, alignment_mode="expand")
    return set(range(span.start, span.end)) if span is not None else set()


def _country_as_government(actor: Actor) -> Actor:
    """A country named as a participant ("visited Ethiopia", "Poland demanded") is its government."""
    profile = actor.profile
    names_country = profile_of_name(actor.name).country is not None
    if actor.entity_type == "GPE" and names_country and not profile.role and not profile.org:
        return replace(actor, profile=replace(profile, role="GOV"))
    return actor


def _fill_country(
    actor: Actor, place: Place | None, other: Actor | None, focus: tuple[str, ...]
) -> tuple[Actor, bool]:
    """A bare role ("police", "the former vice president") takes the country of the place
    the event happened in, else the other actor's country (a domestic event), else the
    article's focus (``worker.extraction.context``)."""
    profile = actor.profile
    if profile.country or profile.org or profile.region:
        return actor, False
    country = place.country if place is not None else None
    if country is None and other is not None:
        country = other.profile.country
    if country is None and focus:
        country = focus[0]
    if country is None:
        return actor, False
    return replace(actor, profile=replace(profile, country=country)), True


def _patient_subtree(actor2: Actor, doc: Doc) -> list[int]:
    """Token indices of the phrase headed by the target actor."""
    span = doc.char_span(actor2.start_char, actor2.end_char, alignment_mode="expand")
    if span is None:
        return []
    return [t.i for t in span.root.subtree]


def _event_date(
    sent: Span, anchors: list[Token], facts: ArticleFacts
) -> tuple[ResolvedDate | None, str | None]:
    published = facts.published.date() if facts.published else None
    phrase = event_date_phrase(sent, anchors, attachment_distance)
    if phrase is not None:
        resolved = resolve_phrase(_with_preposition(phrase), published)
        if resolved is not None:
            return resolved, _with_preposition(phrase)
    if published is None:
        return None, None
    return ResolvedDate(published, "day"), None


def _with_preposition(phrase: Span) -> str:
    """The date phrase with its preposition ("on Tuesday")."""
    head = phrase.root.head
    if phrase.root.dep_ == "pobj" and head.i == phrase.start - 1:
        return phrase.doc[head.i : phrase.end].text
    return phrase.text
