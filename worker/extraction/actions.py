"""Predicates from the dependency parse: the action, its agents and patients, and factuality.

Handles active and passive voice, light verbs ("made a visit to", "held talks with"),
prepositional targets ("met with", "called on"), coordinated targets ("talks with A, B and C"),
joint actors ("X and Y agreed", "talks between X and Y"), infinitive complements ("urged X to",
"plans to visit") and reported speech (the reported clause is an event of its own; the
reporting verb is only coded when the clause carries none).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from worker.extraction.actors import profile_of_name, role_in
from worker.extraction.arguments import last_people, resolve_actor, through_quantity
from worker.extraction.dictionary import in_synset
from worker.extraction.entities import RELATIVE_PRONOUNS, TIME_LABELS, EntityTable, Mention
from worker.extraction.lexicon import (
    VIOLENT_ROOTS,
    NounEntry,
    VerbEntry,
    adjective_lexicon,
    code_info,
    noun_lexicon,
    verb_lexicon,
)
from worker.extraction.senses import (
    GOVERNING_ROOTS,
    dictionary_sense,
    lexicon_lemma,
    names_people,
    not_an_event,
    person_acts,
    subject_sense,
    through_container,
)
from worker.extraction.tables import word_class

FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo"})
MODAL_AUX = frozenset({"would", "could", "might", "may", "should", "can"})
CONDITIONAL_MARKS = frozenset({"if", "unless", "whether"})
REQUEST_MARKS = frozenset({"that", "for"})
PAIR_WORDS = frozenset({"two", "both"})
_MATCH_CACHE = "eventwire.verb_match"
#: A reported obligation is a demand ("must") or an appeal ("should") of the speaker.
OBLIGATION_CODES = {"must": "100", "should": "020"}
_COORDINATION_GAP = re.compile(r"^\s*,?\s*(?:and|or)?\s*,?\s*$")


@dataclass
class Argument:
    """An argument token and how it was found (feeds the record's confidence). ``modifier``
    picks one of coordinated modifiers; ``mention`` is an antecedent ("the two leaders")."""

    token: Token
    how: str  # direct, passive, inherited, coordinated, scanned, between
    modifier: Token | None = None
    mention: Mention | None = None


@dataclass
class Predicate:
    """One coded action in a sentence, before its arguments become actors."""

    anchor: Token  # the verb, or the event noun of a light verb / nominal event
    verb: Token | None
    lemma: str
    cameo: str
    action_start: int
    action_end: int
    agents: list[Argument] = field(default_factory=list)
    patients: list[Argument] = field(default_factory=list)
    symmetric: bool = False
    speech: bool = False
    needs_actor2: bool = False
    nominal: bool = False
    negated: bool = False
    future: bool = False
    hypothetical: bool = False


def find_predicates(sent: Span, table: EntityTable) -> list[Predicate]:
    """All coded predicates of a sentence."""
    predicates: list[Predicate] = []
    for token in sent:
        obligation = _obligation_predicate(token, table) or _adjectival_predicate(token, table)
        if obligation is not None:
            predicates.append(obligation)
        elif token.pos_ in ("VERB", "AUX") and token.dep_ != "prep" and lexicon_lemma(token) is not None:
            predicate = _verbal_predicate(token, table)
            if predicate is not None:
                predicates.append(predicate)
        elif token.pos_ in ("NOUN", "PROPN"):
            predicate = _nominal_predicate(token, table)
            if predicate is not None:
                predicates.append(predicate)
    return predicates


# --- lexicon matching -------------------------------------------------------------------------


def _direct_object(verb: Token) -> Token | None:
    """The object (or passive subject), seen through "a round of", "a package of"."""
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass"):
            return through_container(child)
    return None


def _clause_mark(token: Token) -> str | None:
    """The subordinator of a complement or adverbial clause ("that", "for"), if any."""
    if token.dep_ not in ("ccomp", "advcl"):
        return None
    return next((c.lower_ for c in token.children if c.dep_ == "mark"), None)


def _is_time(token: Token) -> bool:
    return token.ent_type_ in TIME_LABELS


def _prep_children(word: Token, name: str) -> list[Token]:
    return [c for c in word.children if c.dep_ in ("prep", "prt", "agent", "dative") and c.lower_ == name]


def _pobjs(prep: Token) -> list[Token]:
    return [c for c in prep.children if c.dep_ in ("pobj", "pcomp") and not _is_time(c)]


def _noun_entry(noun: Token) -> NounEntry | None:
    lexicon = noun_lexicon()
    lemma = noun.lemma_.lower()
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
        preps = [prep for name in word_class("frame_prep") for prep in _prep_children(verb, name)]
        return any(frame.lemma_.lower() == value for prep in preps for frame in _pobjs(prep))
    if kind == "prep" and ":" in value:  # "prep:with:sanction": the preposition and its object,
        prep_name, _, noun = value.partition(":")  # on the verb or its object (a common misattachment)
        holders = [verb, *([obj] if obj is not None else [])]
        preps = [prep for holder in holders for prep in _prep_children(holder, prep_name)]
        return any(_lemma_is(p, noun) for prep in preps for p in _pobjs(prep))
    if kind == "prep":
        # a clause introduced by the word counts too: "called for Y to leave"
        return any(c.dep_ == "prt" or _pobjs(c) for c in _prep_children(verb, value)) or any(
            _clause_mark(c) == value for c in verb.children
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
    passive = _is_passive(verb)
    for entry in verb_lexicon().get(lemma, ()):
        if not _pattern_matches(entry, verb, obj):
            continue
        carrier = _light_noun(entry, verb, obj) if "light" in entry.flags else None
        if carrier is not None and (noun := _noun_entry(carrier)) is not None:
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
    return next((p for c in _prep_children(verb, prep) for p in _pobjs(c)), None)


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


# --- building predicates ------------------------------------------------------------------------


def _governor(verb: Token) -> Token | None:
    """The verb whose infinitive complement ``verb`` is ("plans to visit")."""
    if verb.dep_ == "xcomp" and verb.head is not verb:
        return verb.head
    return None


def _coded(verb: Token) -> tuple[VerbEntry, NounEntry | None, Token | None] | None:
    if verb.pos_ not in ("VERB", "AUX") or lexicon_lemma(verb) is None:
        return None
    return match_verb(verb)


def _governed_by_event(verb: Token) -> bool:
    """Part of another coded event rather than an event of its own: an infinitive under a
    verb that codes it ("urged X to stop supplying"), the clause of a demand ("demanded
    that Y withdraw"), a purpose clause ("marched ... to
    demand"), a participle spelling out a result ("shelled villages, killing four"), or the
    content of a noun another coded verb takes as its object ("rejected an offer to mediate")."""
    if _obligation_of(verb) is not None:
        return True  # "said Sudan must return": only demanded
    current = verb
    while (governor := _governor(current)) is not None:
        match = _coded(governor)
        if match is not None and "gov" in match[0].flags:
            return True
        current = governor
    if _inside_governed_clause(verb):
        return True  # "demanded that Y cancel plans to sell arms": the sale is only demanded
    head = verb.head
    if verb.dep_ == "acl" and head.dep_ in ("dobj", "nsubjpass") and _coded(head.head) is not None:
        return True  # "rejected an offer to mediate": the rejection is the event
    if verb.dep_ == "advcl" and head is not verb and _codes_alone(head):
        return _is_infinitive(verb) or verb.tag_ == "VBG"
    return False


def _inside_governed_clause(verb: Token) -> bool:
    """Whether ``verb`` lies in the clause of a demand, appeal, rejection or threat: a ``that``
    clause of a governing verb ("demanded that Y withdraw") or of a governing event noun ("its
    demand that Israel ease restrictions"), however deep inside it."""
    current = verb
    for _ in range(6):
        head = current.head
        if head is current:
            return False
        if current.dep_ == "ccomp" and _obligation_of(current) is not None:
            return True  # "said the US must be ready to mediate": the mediation is only demanded
        if current.dep_ == "advcl" and _is_infinitive(current) and _codes_alone(head):
            return True  # "offered troops to help him oust X": the purpose of the offer
        if current.dep_ == "pcomp" and head.dep_ == "prep" and _accuses(head.head):
            return True  # "accused X of violating rights and sending a signal": the charge
        if current.dep_ == "advcl" and current.tag_ == "VBG" and _accuses(head) and _charges(head):
            return True  # "accused X of violating rights, ignoring the law": the charge goes on
        if current.dep_ == "ccomp" and head.pos_ in ("VERB", "AUX"):
            match = _coded(head)
            noun_entry = match[1] if match is not None else None
            if match is not None and "gov" in match[0].flags:
                return True
            if noun_entry is not None and code_info(noun_entry.cameo).root in GOVERNING_ROOTS:
                return True  # "reiterated its demand today that Israel ease ...": the clause on the verb
        elif current.dep_ in ("ccomp", "acl") and head.pos_ == "NOUN":
            entry = _noun_entry(head)
            if entry is not None and code_info(entry.cameo).root in GOVERNING_ROOTS:
                return True
        current = head
    return False


def _codes_alone(verb: Token) -> bool:
    """A coded verb that is an event without a named political target: one that can stand for its
    purpose clause ("marched to demand"); "were converging for a rally to protest" cannot."""
    match = _coded(verb)
    return match is not None and "a2" not in match[0].flags


def _is_infinitive(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _accuses(verb: Token) -> bool:
    """A coded verb of accusation or criticism (CAMEO 11): what it charges is not an event."""
    match = _coded(verb) if verb.pos_ in ("VERB", "AUX") else None
    return match is not None and match[0].cameo is not None and code_info(match[0].cameo).root == "11"


def _charges(verb: Token) -> bool:
    """Whether an accusation verb names its charge with "of" + a gerund ("accused X of violating")."""
    return any(c.dep_ == "pcomp" for prep in _prep_children(verb, "of") for c in prep.children)


def _in_background_clause(verb: Token) -> bool:
    """A relative clause ("guerrillas who overran it") gives background about a participant; a
    temporal clause ("after a court cleared him", "as the opposition threatened") the setting."""
    if verb.dep_ == "relcl":
        return True
    marks = {c.lower_ for c in verb.children if c.dep_ == "mark"}
    return verb.dep_ == "advcl" and bool(marks & TEMPORAL_MARKS)


def _describes_a_participant(verb: Token) -> bool:
    """A participle that describes a noun ("aircraft using missiles", "rebels fighting to topple
    the government", "a guard involved in a shooting") says who or what the participant is; the
    sentence's own event is elsewhere."""
    if verb.dep_ != "acl" or verb.tag_ not in ("VBG", "VBN") or verb.head.pos_ not in ("NOUN", "PROPN"):
        return False
    if verb.head.lemma_.lower() in word_class("message_noun"):
        return False  # "a statement condemning the raid": the content of a message is the event
    match = match_verb(verb)  # "demonstrators protesting against taxes": what they do is a protest
    code = None if match is None else (match[1].cameo if match[1] is not None else match[0].cameo)
    return code is None or code_info(code).root != PROTEST_ROOT


def _obligation_of(verb: Token) -> str | None:
    """ "Russia said Sudan must return the helicopter": the code of the demand (must) or appeal
    (should) a speaker makes by reporting what another party is obliged to do."""
    if verb.dep_ != "ccomp" or verb.head.lemma_.lower() not in word_class("reporting_verb"):
        return None
    modals = {c.lower_ for c in verb.children if c.dep_ == "aux"}
    return next((code for modal, code in OBLIGATION_CODES.items() if modal in modals), None)


def _obligation_predicate(verb: Token, table: EntityTable) -> Predicate | None:
    code = _obligation_of(verb)
    if code is None:
        return None
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if not subjects:
        return None
    speaker = verb.head
    predicate = Predicate(anchor=verb, verb=speaker, lemma=speaker.lemma_.lower(), cameo=code,
                          action_start=speaker.i, action_end=speaker.i + 1)
    predicate.agents = _agents(speaker, table)
    predicate.patients = _expand(subjects[0], table, "direct")
    return predicate


def _verbal_predicate(verb: Token, table: EntityTable) -> Predicate | None:
    match = match_verb(verb)  # first: the structural tests below are dearer than this cached lookup
    if match is None or _governed_by_event(verb) or _describes_a_participant(verb) or _under_condition(verb) \
            or _in_background_clause(verb):
        return None  # (a condition, "if he gave them a veto", is no event: what depends on it is)
    entry, noun_entry, noun = match
    if noun is not None and noun_entry is not None:
        if "between" in noun_entry.flags and _between_pobjs(noun):
            return None  # coded as a joint nominal event; "a mediation effort between X and Y" is not
        predicate = Predicate(
            anchor=noun,
            verb=verb,
            lemma=noun_entry.noun,
            cameo=noun_entry.cameo,
            action_start=min(verb.i, noun.i),
            action_end=max(verb.i, noun.i) + 1,
            symmetric="sym" in noun_entry.flags,
        )
        predicate.patients = _noun_targets(noun, noun_entry, verb, table)
    else:
        assert entry.cameo is not None
        end = verb.i + 1
        for child in verb.children:
            if child.dep_ == "prt" and child.i == end:
                end += 1
        predicate = Predicate(
            anchor=verb,
            verb=verb,
            lemma=entry.lemma,
            cameo=entry.cameo,
            action_start=verb.i,
            action_end=end,
            symmetric="sym" in entry.flags,
            speech="speech" in entry.flags,
            needs_actor2="a2" in entry.flags,
        )
        predicate.patients = _verb_targets(verb, entry, table)
        if not predicate.patients and "gov" in entry.flags:
            predicate.patients = _complement_targets(verb, table)
    predicate.agents = _agents(verb, table)
    _set_factuality(predicate)
    return predicate


def _adjectival_predicate(word: Token, table: EntityTable) -> Predicate | None:
    """ "Israel is opposed to French mediation", "Kenya remains critical of X": a predicate
    adjective of ``adjectives.tsv`` (or a stative passive read as one) with its copula's subject."""
    entry = adjective_lexicon().get(word.lower_)
    if entry is None:
        return None
    if word.dep_ == "acomp" and word.head.lemma_.lower() in COPULAS:
        subjects = [c for c in word.head.children if c.dep_ == "nsubj"]
    elif _is_passive(word) and not _prep_children(word, "by"):
        subjects = [c for c in word.children if c.dep_ == "nsubjpass"]
    else:
        return None
    targets = _prep_objects(word, entry.target_preps)
    if not subjects or not targets:
        return None
    predicate = Predicate(anchor=word, verb=word if word.pos_ in ("VERB", "AUX") else word.head,
                          lemma=entry.noun, cameo=entry.cameo, action_start=word.i, action_end=word.i + 1)
    predicate.agents = _expand(subjects[0], table, "direct")
    predicate.patients = _expand(targets[0], table, "direct")
    _set_factuality(predicate)
    return predicate


def _between_pobjs(noun: Token) -> list[Token]:
    return [p for prep in _prep_children(noun, "between") for p in _pobjs(prep)]


def _nominal_predicate(noun: Token, table: EntityTable) -> Predicate | None:
    """An event written as a noun, with no verb that codes it: "talks between X and Y" (a joint
    event), "Palestinian riots against Israeli policies", "Russian air strikes on Kharkiv" (the
    owner acts on the target)."""
    entry = _noun_entry(noun)
    if entry is None:
        return None
    pobjs = _between_pobjs(noun) if "between" in entry.flags else []
    if not pobjs:
        return _owned_nominal_predicate(noun, entry, table)
    parties = _expand(pobjs[0], table, "between")
    if len(parties) < 2:
        return None
    return _noun_event(noun, entry, agents=parties, patients=[], symmetric=True)


def _noun_event(noun: Token, entry: NounEntry, *, agents: list[Argument], patients: list[Argument],
                symmetric: bool) -> Predicate:
    """The predicate of an event noun that no verb codes, with its factuality flags."""
    predicate = Predicate(
        anchor=noun,
        verb=noun.head if noun.head.pos_ in ("VERB", "AUX") else None,
        lemma=entry.noun,
        cameo=entry.cameo,
        action_start=noun.i,
        action_end=noun.i + 1,
        agents=agents,
        patients=patients,
        symmetric=symmetric,
        nominal=True,
    )
    _set_factuality(predicate)
    return predicate


def _prep_objects(word: Token, names: tuple[str, ...]) -> list[Token]:
    """The objects of ``word``'s prepositions ``names``, in the order of ``names``."""
    return [p for name in names for prep in _prep_children(word, name) for p in _pobjs(prep)]


PROTEST_ROOT = "14"
TEMPORAL_MARKS = frozenset({"after", "as", "before", "when", "while", "since", "until", "once"})
COPULAS = frozenset({"be", "remain", "stay", "appear", "seem", "become"})
OWN_POSSESSIVES = frozenset({"its", "their", "his", "her", "our", "my"})
#: Events that have happened when a text names them with their owner: protests, coercion, force
#: ("Russian air strikes on Kharkiv"). Named support or aid ("the EU's support for X") is as often
#: a topic or a hope as an act.
OWNED_NOMINAL_ROOTS = frozenset({"14", "17", "18", "19", "20"})


def _owned_nominal_predicate(noun: Token, entry: NounEntry, table: EntityTable) -> Predicate | None:
    """ "Palestinian riots against Israeli policies": an event noun whose owner (a possessive or a
    nation's adjective) is the agent and whose own preposition names the target. A noun that a
    coded verb takes (the object of a light verb, the attack that "killed", the blast people "died
    in") is part of that verb's event instead."""
    if code_info(entry.cameo).root not in OWNED_NOMINAL_ROOTS:
        return None
    if noun.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj", "attr") and _coded(noun.head) is not None:
        return None
    owner = _noun_owner(noun, table)
    if owner is None:
        return None
    targets = _prep_objects(noun, entry.target_preps)
    if not targets:
        return None
    return _noun_event(noun, entry, agents=_expand(owner, table, "inherited"),
                       patients=_expand(targets[0], table, "direct"), symmetric=False)


def _verb_targets(verb: Token, entry: VerbEntry, table: EntityTable) -> list[Argument]:
    passive = _is_passive(verb)
    for target in entry.targets:
        if target == "dobj":
            heads = [
                c
                for c in verb.children
                if (c.dep_ == ("nsubjpass" if passive else "dobj") or c.dep_ == "dative") and not _own(c)
            ]
        elif target.startswith("prep:"):
            holders = [verb, *[c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")
                               and not ("gov" in entry.flags and _own_prep(c, target[5:]))]]
            heads = [
                p for holder in holders for prep in _prep_children(holder, target[5:]) for p in _pobjs(prep)
                if not (_own(p) and not names_people(p))  # "restrictions on its labour market": no one
            ]
        elif target == "clause":
            heads = _clause_subjects(verb)
        elif target == "control":
            heads = _infinitive_subjects(verb)
        elif target == "of":
            heads = _of_objects(verb)
        else:
            heads = []
        if heads:
            return _expand(heads[0], table, "direct")
    return []


def _own(noun: Token) -> bool:
    """ "Withdrew its troops", "recalled their ambassador": the agent's own people are not the target;
    "met her counterpart" is another party."""
    return any(c.dep_ == "poss" and c.lower_ in OWN_POSSESSIVES for c in noun.children) and \
        noun.lemma_.lower() not in word_class("relational_noun")


def _own_prep(noun: Token, prep: str) -> bool:
    """Whether ``prep`` belongs to the event noun ``noun`` itself: under a verb about another act
    ("demanded the withdrawal of X from Y") Y is where X withdraws from, not whom the demand is
    made of; under a verb that does the act ("hosted talks with Y") it is the act's target."""
    entry = _noun_entry(noun)
    return entry is not None and prep in entry.target_preps


def _clause_subjects(verb: Token) -> list[Token]:
    """Who is asked to act in a demand's clause: "demanded that Y withdraw", "called for Y to"."""
    clauses = [c for c in verb.children if c.dep_ == "ccomp" or _clause_mark(c) in REQUEST_MARKS]
    return [s for clause in clauses for s in clause.children if s.dep_ in ("nsubj", "nsubjpass")]


def _infinitive_subjects(verb: Token) -> list[Token]:
    """Whom a verb lets or makes act, the subject of its infinitive: "allowed X to hold a rally"."""
    clauses = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp") and _is_infinitive(c)]
    return [s for clause in clauses for s in clause.children if s.dep_ == "nsubj" and s.i < clause.i]


def _of_objects(verb: Token) -> list[Token]:
    """Whose the demanded act is: "demanded the release of X", "called for the resignation of Y"."""
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    objects += [p for c in verb.children if c.dep_ == "prep" for p in _pobjs(c)]
    return [p for obj in objects for prep in _prep_children(obj, "of") for p in _pobjs(prep)]


def _complement_targets(verb: Token, table: EntityTable) -> list[Argument]:
    """The target of the infinitive a governing verb codes with it: "threatened to expel X",
    "refused to negotiate with X", "offered to mediate between X and Y", "agreed to hold
    talks with X"."""
    for complement in verb.children:
        if complement.dep_ != "xcomp":
            continue
        match = _coded(complement)
        if match is None:
            continue
        entry, noun_entry, noun = match
        if noun is not None and noun_entry is not None:
            return _noun_targets(noun, noun_entry, complement, table)
        if entry.cameo is not None:
            return _verb_targets(complement, entry, table)
    return []


def _noun_targets(noun: Token, entry: NounEntry, verb: Token, table: EntityTable) -> list[Argument]:
    holders = [noun, *[c for c in noun.children if c.dep_ in ("acl", "relcl")], verb]
    holders += [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass") and c is not noun]
    for prep_name in entry.target_preps:
        for holder in holders:
            heads = [p for prep in _prep_children(holder, prep_name) for p in _pobjs(prep)]
            if heads:
                return _expand(heads[0], table, "direct")
    if code_info(entry.cameo).root in GOVERNING_ROOTS:  # "its demand that Israel ease restrictions"
        clauses = [c for holder in (noun, verb) for c in holder.children if c.dep_ in ("acl", "ccomp")]
        subjects = [x for c in clauses for x in c.children if x.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            return _expand(subjects[0], table, "direct")
    return []


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


def _subject(verb: Token) -> Token | None:
    """The subject; with two (a dateline parsed as one: "NAIROBI — Kenyan police arrested"),
    the one nearest before the verb."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "csubj")]
    if not subjects:
        return None
    before = [c for c in subjects if c.i < verb.i]
    child = before[-1] if before else subjects[0]
    if child.lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
        return verb.head
    return child


def _agents(verb: Token, table: EntityTable) -> list[Argument]:
    """Who acts: the subject, the by-phrase of a passive, or a subject inherited from the
    verb this one is coordinated with or subordinate to."""
    if _is_passive(verb):
        by_objects = [p for prep in _prep_children(verb, "by") for p in _pobjs(prep)]
        return _expand(by_objects[0], table, "passive") if by_objects else _attacker_of(verb, table)
    subject = _subject(verb)
    if subject is not None:
        return _expand(subject, table, "direct")
    # "students demonstrating outside parliament"; but "X issued a statement condemning Y": the
    # statement is no actor, its issuer is found below
    gerund_of_noun = (
        verb.dep_ in ("acl", "relcl") and verb.tag_ == "VBG" and verb.head.pos_ in ("NOUN", "PROPN")
    )
    if gerund_of_noun and resolve_actor(verb.head, table, as_agent=True) is not None:
        return _expand(verb.head, table, "direct")
    current = verb
    for _ in range(4):
        head = current.head
        if head is current or current.dep_ not in ("conj", "xcomp", "advcl", "acl", "acomp"):
            return []
        if current.dep_ == "xcomp" and head.lemma_.lower() in word_class("object_control"):
            objects = [c for c in head.children if c.dep_ == "dobj"]
            if objects:
                return _expand(objects[0], table, "inherited")
        if current.dep_ == "acl" and head.pos_ in ("NOUN", "PROPN"):
            owner = _noun_owner(head, table)
            if owner is not None:  # "a Brazilian offer to mediate", "Qatar's bid to host"
                return _expand(owner, table, "inherited")
            head = head.head  # "his visit ... to attend": the visit's verb
        if head.pos_ in ("VERB", "AUX") and not _is_passive(head):
            subject = _subject(head)
            if subject is not None:
                return _expand(subject, table, "inherited")
        current = head
    return []


def violent_means(predicate: Predicate) -> Token | None:
    """The violent act a sentence blames without attributing it: the subject is an attack ("a car
    bomb killed", "an Israeli air strike wounded") or the harm is put in one ("were killed in an
    explosion", "died in a shelling"). Disasters and accidents are not violent means."""
    verb = predicate.verb
    if verb is None:
        return None
    nouns = [a.token for a in predicate.agents]
    preps = [prep for name in word_class("harm_prep") for prep in _prep_children(verb, name)]
    nouns += [p for prep in preps for p in _pobjs(prep)]
    if not _is_passive(verb):
        nouns += [c for c in verb.children if c.dep_ == "nsubj"]
    return next((noun for noun in nouns if (entry := _noun_entry(noun)) is not None
                 and code_info(entry.cameo).root in VIOLENT_ROOTS), None)


def unattributed_harm(predicate: Predicate) -> bool:
    """A harm done to named victims by no one the sentence names: "five civilians were killed on
    Monday", "the reporter was shot in the face". The victims are named, the perpetrator is not, and
    no clause of the sentence tells the cause instead."""
    verb = predicate.verb
    if verb is None or predicate.anchor is not verb or not _is_passive(verb) or _prep_children(verb, "by"):
        return False
    if verb.lemma_.lower() not in word_class("bodily_harm"):
        return False  # "a school had been destroyed": the damage of an attack told before
    if any(_in_background_clause(above) for above in verb.ancestors):
        return False  # "raids in which it said 20 people were killed": the raids are the event
    if any(_names_other_cause(noun) for name in word_class("harm_prep")
           for prep in _prep_children(verb, name) for noun in _pobjs(prep)):
        return False  # "killed in a car crash", "in a fire": not an attack
    if any(c.dep_ == "advcl" and any(m.dep_ in ("mark", "advmod") and m.lower_ in TEMPORAL_MARKS
                                     for m in c.children) for c in verb.children):
        return False  # "were killed when their vehicle hit a mine": the clause tells the cause
    return any(names_people(through_quantity(p.token)) for p in predicate.patients)


def _names_other_cause(noun: Token) -> bool:
    """A common noun a harm is put in that is neither a place nor a violent act: a crash, a fire."""
    if noun.pos_ != "NOUN" or noun.ent_type_ or noun.lemma_.lower() in _place_words():
        return False
    entry = _noun_entry(noun)
    return entry is None or code_info(entry.cameo).root not in VIOLENT_ROOTS


def _place_words() -> frozenset[str]:
    return word_class("place_noun") | word_class("locality_noun")


def _attacker_of(verb: Token, table: EntityTable) -> list[Argument]:
    """ "Were killed in an attack by militants", "died in a Russian air strike": the passive
    victim's attacker, named in the violent event the clause puts the harm in."""
    for prep in _prep_children(verb, "in"):
        for noun in _pobjs(prep):
            entry = _noun_entry(noun)
            if entry is None or code_info(entry.cameo).root not in VIOLENT_ROOTS:
                continue
            by_objects = [p for by in _prep_children(noun, "by") for p in _pobjs(by)]
            if by_objects:
                return _expand(by_objects[0], table, "passive")
            owner = _noun_owner(noun, table)
            if owner is not None:
                return _expand(owner, table, "passive")
    return []


def _noun_owner(noun: Token, table: EntityTable) -> Token | None:
    """The actor a noun belongs to, named by a possessive or a demonym before it."""
    for child in noun.lefts:
        if child.dep_ in ("poss", "amod", "compound") and _names_actor(child, table):
            return child
    return None


def _expand(head: Token, table: EntityTable, how: str) -> list[Argument]:
    """An argument with its coordinated siblings, from the parse and, where the parse lost
    them, from the list of names that follows ("A, US Defense Secretary B, and C")."""
    paired = _pair_anaphor(head, table, how)
    if paired:
        return paired
    listed = _listed_modifiers(head, how, table)
    if listed:
        return listed
    arguments = [Argument(head, how)]
    seen = {head.i}
    for conj in head.conjuncts:
        if conj.i > head.i and conj.i not in seen:
            arguments.append(Argument(conj, "coordinated" if how != "between" else how))
            seen.add(conj.i)
    last = table.mention_at(arguments[-1].token)
    while last is not None:
        following = _next_listed_mention(table, last)
        if following is None:
            break
        token = head.doc[following.end - 1]
        if token.i not in seen:
            arguments.append(Argument(token, "scanned" if how != "between" else how))
            seen.add(token.i)
        last = following
    return arguments


def _pair_anaphor(head: Token, table: EntityTable, how: str) -> list[Argument]:
    """ "The two leaders", "both presidents": the last two people mentioned."""
    if head.lemma_.lower() not in word_class("pair_noun") or head.tag_ not in ("NNS", "NNPS"):
        return []
    if not any(c.lower_ in PAIR_WORDS for c in head.children):
        return []
    people = last_people(table, head.left_edge.i, 2)
    if len(people) < 2:
        return []
    return [Argument(head, how, mention=m) for m in reversed(people)]


def _listed_modifiers(head: Token, how: str, table: EntityTable) -> list[Argument]:
    """ "Russian and Belarusian diplomats", "the leaders of Lithuania, Latvia and Estonia":
    one argument per listed country or organisation."""
    candidates = [c for c in head.lefts if c.dep_ in ("amod", "compound", "nmod")]
    if role_in(head.text):
        for prep in _prep_children(head, "of"):
            candidates += [c for c in prep.children if c.dep_ == "pobj"]
    for modifier in candidates:
        members = [modifier, *[c for c in modifier.conjuncts if c.i > modifier.i]]
        if len(members) < 2:
            continue
        if all(_names_actor(m, table) for m in members):
            return [
                Argument(head, how if i == 0 else "coordinated", modifier=m) for i, m in enumerate(members)
            ]
    return []


def _names_actor(token: Token, table: EntityTable) -> bool:
    mention = table.mention_at(token)
    if mention is not None and mention.entity is not None:
        return not mention.entity.profile.is_empty
    return not profile_of_name(token.text).is_empty


def _next_listed_mention(table: EntityTable, mention: Mention) -> Mention | None:
    doc = table.doc
    sent_end = doc[mention.start].sent.end
    for start in range(mention.end, min(sent_end, mention.end + 4)):
        candidate = table.mention_at(doc[start])
        if candidate is None or candidate is mention:
            continue
        owner = _owning_mention(table, candidate, sent_end)
        if _in_apposition(doc, mention, owner):
            return None
        # (not ``doc.text[...]``: Doc.text joins the whole document on every call)
        gap = doc[mention.end - 1].whitespace_ + doc[mention.end : owner.desc_start].text_with_ws
        if doc[owner.start : owner.end].root.dep_ in ("nsubj", "nsubjpass"):
            return None  # "... arrived in Bosnia, Defense Secretary X said": the next clause's subject
        if owner.desc_start >= mention.end and _COORDINATION_GAP.match(gap):
            return owner
        return None
    return None


def _in_apposition(doc: Doc, mention: Mention, other: Mention) -> bool:
    """``other`` lies inside an apposition to ``mention`` ("Mwangi, Kenya's president,")."""
    root = doc[mention.start : mention.end].root
    inside = {t.i for c in root.children if c.dep_ == "appos" for t in c.subtree}
    return any(i in inside for i in range(other.desc_start, other.end))


def _owning_mention(table: EntityTable, mention: Mention, sent_end: int) -> Mention:
    """The person mention whose title contains ``mention`` ("US" in "US Defense Secretary X")."""
    doc = table.doc
    for i in range(mention.end, min(sent_end, mention.end + 6)):
        outer = table.mention_at(doc[i])
        if outer is not None and outer.desc_start <= mention.start < outer.start:
            return outer
    return mention


# --- factuality ---------------------------------------------------------------------------------


def _set_factuality(predicate: Predicate) -> None:
    """Negated, future/intended and hypothetical flags from the predicate and the verbs it is
    an infinitive of ("did not attack", "plans to meet", "could impose", "... if talks fail")."""
    chain: list[Token] = [predicate.anchor]
    verb = predicate.verb
    while verb is not None and len(chain) < 8:
        if verb not in chain:
            chain.append(verb)
        verb = _governor(verb)
    if chain[-1].dep_ == "acl" and chain[-1].head.lemma_.lower() in word_class("intention_noun"):
        predicate.future = True
    first_governor = chain.index(predicate.verb) + 1 if predicate.verb in chain else len(chain)
    for position, word in enumerate(chain):
        for child in word.children:
            _flag_from_child(predicate, word, child)
        if position >= first_governor:
            _flag_from_governor(predicate, word)
    if _under_condition(chain[-1]) or _has_condition_clause(chain[-1]):
        predicate.hypothetical = True


def _flag_from_child(predicate: Predicate, word: Token, child: Token) -> None:
    lower = child.lower_
    negation = (child.dep_, lower) in {("det", "no"), ("advmod", "never")}
    if child.dep_ == "neg" or negation:
        predicate.negated = True
    elif child.dep_ == "aux" and lower in FUTURE_AUX:
        predicate.future = True
    elif child.dep_ == "aux" and lower in MODAL_AUX:
        if _reported(word) and lower == "would":
            predicate.future = True
        else:
            predicate.hypothetical = True


def _flag_from_governor(predicate: Predicate, governor: Token) -> None:
    lemma = governor.lemma_.lower()
    if lemma in word_class("future_governor"):
        predicate.future = True
    if lemma in word_class("negating_governor"):
        predicate.negated = True
    if lemma in word_class("hypothetical_governor"):
        predicate.hypothetical = True


def _has_condition_clause(word: Token) -> bool:
    """ "Vietnam will expel diplomats if talks fail": the main clause depends on a condition."""
    return any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in {"if", "unless"} for m in c.children)
        for c in word.children
    )


def _reported(word: Token) -> bool:
    return word.dep_ == "ccomp"


def _under_condition(word: Token) -> bool:
    current = word
    for _ in range(6):
        if any(c.dep_ == "mark" and c.lower_ in CONDITIONAL_MARKS for c in current.children):
            return True
        if current.head is current:
            return False
        current = current.head
    return False
