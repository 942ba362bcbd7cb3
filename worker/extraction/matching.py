"""Lexicon matching: which lexicon entry one occurrence of a verb or event noun codes.

A verb is tried against the rows of the hand lexicon (``verbs.tsv``), whose pattern looks at the
object, the infinitive complement, a preposition or the setting of the act; a light verb's row hands
the event to its noun ("made a visit to", "gathered for a rally"). A verb no row matches is coded by
the CAMEO dictionary's sense of this use (``senses``). Acts done to people need people as their
object. Here too are the small parse readings the later steps share: a word's prepositions and
their objects, passive voice, a clause's subordinator. A verb's match is computed once per parsed
doc, as the clause checks ask about the same governing verbs again and again.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable

from spacy.tokens import Doc, Token

from worker.extraction.arguments import through_container, through_quantity
from worker.extraction.dictionary import in_synset
from worker.extraction.entities import TIME_LABELS
from worker.extraction.lexicon import NounEntry, VerbEntry, noun_lexicon, verb_lexicon
from worker.extraction.senses import (
    dictionary_sense,
    lexicon_lemma,
    names_people,
    not_an_event,
    person_acts,
    subject_sense,
)
from worker.extraction.tables import word_class
from worker.extraction.token_lists import children, dependencies, heads, kept, lower_forms

_MATCH_CACHE = "eventwire.verb_match"


def _direct_object(verb: Token) -> Token | None:
    """The object (or passive subject), seen through "a round of", "a package of"."""
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass"):
            return through_container(child)
    return None


def clause_mark(token: Token) -> str | None:
    """The subordinator of a complement or adverbial clause ("that", "for"), if any."""
    if token.dep_ not in ("ccomp", "advcl"):
        return None
    return next((c.lower_ for c in token.children if c.dep_ == "mark"), None)


def _is_time(token: Token) -> bool:
    return token.ent_type_ in TIME_LABELS


_PREP_DEPS = frozenset({"prep", "prt", "agent", "dative"})


def prep_children(word: Token, name: str) -> list[Token]:
    """``word``'s prepositions, particles or by-agents spelled ``name``."""
    doc = word.doc
    deps, lower = dependencies(doc), lower_forms(doc)
    return [doc[c] for c in children(doc)[word.i] if deps[c] in _PREP_DEPS and lower[c] == name]


def pobjs(prep: Token) -> list[Token]:
    """A preposition's objects, leaving out times ("on Monday" names no one)."""
    return [c for c in prep.children if c.dep_ in ("pobj", "pcomp") and not _is_time(c)]


def prep_objects(word: Token, names: Iterable[str]) -> list[Token]:
    """The objects of ``word``'s prepositions ``names``, in the order of ``names``."""
    return [p for name in names for prep in prep_children(word, name) for p in pobjs(prep)]


def noun_entry(noun: Token) -> NounEntry | None:
    """The event-noun lexicon entry of a noun occurrence: its hyphenated form ("sit-in"), its
    modifier with it ("hunger strike"), the kind a frame noun names ("a bombing campaign") or itself."""
    lemma = noun.lemma_.lower()
    if lemma not in _entry_heads() and noun.lower_ not in _entry_heads():
        return None  # most nouns: no token objects built for their neighbours
    lexicon = noun_lexicon()
    doc = noun.doc
    if noun.i >= 2 and doc[noun.i - 1].text == "-" and not doc[noun.i - 2].whitespace_:
        hyphenated = f"{doc[noun.i - 2].lower_}-{noun.lower_}"  # "sit - in": one word in the text
        if hyphenated in lexicon:
            return lexicon[hyphenated]
    for child in noun.children:
        if child.dep_ in ("compound", "amod") and f"{child.lemma_.lower()} {lemma}" in lexicon:
            return lexicon[f"{child.lemma_.lower()} {lemma}"]
    if lemma in word_class("frame_noun"):  # "a mediation mission", "a bombing campaign"
        for child in noun.children:
            if child.dep_ == "compound" and child.lemma_.lower() in lexicon:
                return lexicon[child.lemma_.lower()]
    return lexicon.get(lemma)


@functools.cache
def _entry_heads() -> frozenset[str]:
    """The words a noun entry can end in ("strike" of "hunger strike", "in" of "sit-in"), and the
    frame nouns: a noun that is none of them has no entry."""
    heads = {key.split()[-1].split("-")[-1] for key in noun_lexicon()}
    return frozenset(heads | word_class("frame_noun"))


def _pattern_matches(entry: VerbEntry, verb: Token, obj: Token | None) -> bool:
    kind, _, value = entry.pattern.partition(":")
    if kind == "obj" and value == "-people":  # a name is someone: "welcomed Lindqvist"
        return obj is not None and obj.pos_ != "PROPN" and not names_people(obj)
    if kind == "obj":  # the object's head, or the compound that says what kind it is ("aid deliveries")
        return obj is not None and (value in ("*", obj.lemma_.lower()) or any(
            c.dep_ == "compound" and c.lemma_.lower() == value for c in obj.children))
    if kind == "xcomp":
        return any(c.dep_ == "xcomp" and c.lemma_.lower() == value for c in verb.children)
    if kind == "in":  # the setting of the act: "attacked X in a speech"
        preps = [prep for name in word_class("frame_prep") for prep in prep_children(verb, name)]
        return any(frame.lemma_.lower() == value for prep in preps for frame in pobjs(prep))
    if kind == "prep" and ":" in value:  # "prep:with:sanction": the preposition and its object,
        prep_name, _, noun = value.partition(":")  # on the verb or its object (a common misattachment)
        holders = [verb, *([obj] if obj is not None else [])]
        preps = [prep for holder in holders for prep in prep_children(holder, prep_name)]
        return any(_lemma_is(p, noun) for prep in preps for p in pobjs(prep))
    if kind == "prep":
        # a clause introduced by the word counts too: "called for Y to leave"
        return any(c.dep_ == "prt" or pobjs(c) for c in prep_children(verb, value)) or any(
            clause_mark(c) == value for c in verb.children
        )
    return True


VerbMatch = tuple[VerbEntry, NounEntry | None, Token | None]


def match_verb(verb: Token) -> VerbMatch | None:
    """The lexicon entry for a verb occurrence, with the event noun for light verbs: the first
    matching row of the hand lexicon, else the dictionary's sense of this use (``senses``).
    Computed once per token of a parsed doc (governing verbs are asked again and again)."""
    cache = verb.doc.user_data.setdefault(_MATCH_CACHE, {})
    if verb.i not in cache:
        cache[verb.i] = _match_verb(verb)
    return cache[verb.i]


def _match_verb(verb: Token) -> VerbMatch | None:
    lemma = lexicon_lemma(verb)
    if lemma is None:
        return None
    obj = _direct_object(verb)
    passive = is_passive(verb)
    for entry in verb_lexicon().get(lemma, ()):
        if not _pattern_matches(entry, verb, obj):
            continue
        carrier = _light_noun(entry, verb, obj) if "light" in entry.flags else None
        if carrier is not None and (noun := noun_entry(carrier)) is not None:
            return entry, noun, carrier
        if entry.pattern == "*" and not_an_event(verb, lemma, passive):
            return None  # the dictionary names this use as no event: "released a statement"
        sense = subject_sense(verb, lemma, passive) if entry.pattern == "*" and entry.cameo else None
        if sense is not None:
            entry = dataclasses.replace(entry, cameo=sense)  # the dictionary's sense, the row's targets
        if entry.cameo is None or not _fits_object(entry, obj):
            return None
        return entry, None, None
    entry = dictionary_sense(verb, lemma, passive)  # never a null code: None instead
    if entry is None or not _fits_object(entry, obj):
        return None
    return entry, None, None


def _light_noun(entry: VerbEntry, verb: Token, obj: Token | None) -> Token | None:
    """The noun that names a light verb's event: its object, or the object of the row's
    preposition ("gathered for a rally")."""
    kind, _, prep = entry.pattern.partition(":")
    if kind != "prep":
        return obj
    return next(iter(prep_objects(verb, (prep,))), None)


def _lemma_is(noun: Token, value: str) -> bool:
    """``noun``'s lemma is ``value``, or a member of the dictionaries' synset ``value`` ("&WEAPON")."""
    lemma = noun.lemma_.lower()
    return in_synset(value, lemma) if value.startswith("&") else lemma == value


def _fits_object(entry: VerbEntry, obj: Token | None) -> bool:
    """An act done to people ("released", "arrested", "abducted": ``person_acts.tsv``), and a
    dictionary verb coded by its bare default (flag ``people``: "increases the risk" is no event),
    need people as their object: "released prisoners", not "released video evidence"."""
    code = entry.cameo or ""
    needs_people = "people" in entry.flags or any(code.startswith(act) for act in person_acts())
    return obj is None or not needs_people or names_people(through_quantity(obj))  # "dozens of ..."


def coded(verb: Token) -> VerbMatch | None:
    """``match_verb`` for a token that is a verb the lexicon knows; None for any other word."""
    if verb.pos_ not in ("VERB", "AUX") or lexicon_lemma(verb) is None:
        return None
    return match_verb(verb)


def is_passive(verb: Token) -> bool:
    """Passive voice: a passive subject or auxiliary ("was attacked")."""
    return verb.i in _passive_verbs(verb.doc)


def _passive_verbs(doc: Doc) -> frozenset[int]:
    """The tokens with a passive subject or auxiliary among their children, found once per doc."""
    def build(d: Doc) -> frozenset[int]:
        deps, head = dependencies(d), heads(d)
        return frozenset(head[i] for i in range(len(d))
                         if deps[i] in ("nsubjpass", "auxpass") and head[i] != i)
    return kept(doc, "eventwire.passive_verbs", build)
