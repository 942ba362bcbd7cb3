"""Predicates from the dependency parse: the coded actions of a sentence with their agents and targets.

A predicate is a verb the lexicon codes (``matching``) that is an event of its own (``clauses``), an
event noun no verb codes ("talks between X and Y", "Russian air strikes on Kharkiv"), a predicate
adjective ("is opposed to X") or a reported obligation ("said Sudan must return"). Handles active
and passive voice, light verbs ("made a visit to", "held talks with"), prepositional targets ("met
with", "called on"), coordinated targets ("talks with A, B and C"), joint actors ("X and Y
agreed", "talks between X and Y"), infinitive complements ("urged X to", "plans to visit") and
reported speech (the reported clause is an event of its own; the reporting verb is only coded when
the clause carries none). Targets come from the slots the lexicon row names; agents from the
subject, a passive's by-phrase or the verb this one is coordinated with or subordinate to; each
argument is expanded to the names coordinated or listed with it. Factuality is set by
``factuality``. Also here: the attack a sentence blames on no one it names (``violent_means``,
``unattributed_harm``).
"""

from __future__ import annotations

import functools
import re

from spacy.tokens import Doc, Span, Token

from worker.extraction.actors import profile_of_name, role_in
from worker.extraction.arguments import last_people, resolve_actor, through_quantity
from worker.extraction.clauses import (
    TEMPORAL_MARKS,
    describes_a_participant,
    governed_by_event,
    in_background_clause,
    is_infinitive,
    obligation_of,
    under_condition,
)
from worker.extraction.entities import RELATIVE_PRONOUNS, EntityTable, Mention
from worker.extraction.factuality import set_factuality
from worker.extraction.lexicon import VIOLENT_ROOTS, NounEntry, VerbEntry, adjective_lexicon, code_info
from worker.extraction.matching import (
    clause_mark,
    coded,
    is_passive,
    match_verb,
    noun_entry,
    pobjs,
    prep_children,
    prep_objects,
)
from worker.extraction.predicate import Argument, Predicate
from worker.extraction.senses import GOVERNING_ROOTS, lexicon_lemma, names_people
from worker.extraction.tables import word_class
from worker.extraction.token_lists import dependencies, lower_forms, pos_tags, sentence_bounds, span_root

REQUEST_MARKS = frozenset({"that", "for"})
PAIR_WORDS = frozenset({"two", "both"})
COPULAS = frozenset({"be", "remain", "stay", "appear", "seem", "become"})
OWN_POSSESSIVES = frozenset({"its", "their", "his", "her", "our", "my"})
#: Events that have happened when a text names them with their owner: protests, coercion, force
#: ("Russian air strikes on Kharkiv"). Named support or aid ("the EU's support for X") is as often
#: a topic or a hope as an act.
OWNED_NOMINAL_ROOTS = frozenset({"14", "17", "18", "19", "20"})
_COORDINATION_GAP = re.compile(r"^\s*,?\s*(?:and|or)?\s*,?\s*$")


def find_predicates(sent: Span, table: EntityTable) -> list[Predicate]:
    """All coded predicates of a sentence."""
    predicates: list[Predicate] = []
    doc = sent.doc
    # the tests below on plain lists: most words are none of these, and need no Token object
    pos, deps, lower = pos_tags(doc), dependencies(doc), lower_forms(doc)
    adjectives = adjective_lexicon()
    for i in range(sent.start, sent.end):
        # a reported obligation is a complement clause; a predicate adjective, a word of the lexicon
        obligation = _obligation_predicate(doc[i], table) if deps[i] == "ccomp" else None
        if obligation is None and lower[i] in adjectives:
            obligation = _adjectival_predicate(doc[i], table)
        if obligation is not None:
            predicates.append(obligation)
        elif pos[i] in ("VERB", "AUX") and deps[i] != "prep" and lexicon_lemma(token := doc[i]) is not None:
            predicate = _verbal_predicate(token, table)
            if predicate is not None:
                predicates.append(predicate)
        elif pos[i] in ("NOUN", "PROPN"):
            predicate = _nominal_predicate(doc[i], table)
            if predicate is not None:
                predicates.append(predicate)
    return predicates


def _obligation_predicate(verb: Token, table: EntityTable) -> Predicate | None:
    code = obligation_of(verb)
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
    if match is None or governed_by_event(verb) or describes_a_participant(verb) or under_condition(verb) \
            or in_background_clause(verb):
        return None  # (a condition, "if he gave them a veto", is no event: what depends on it is)
    entry, event_entry, noun = match
    if noun is not None and event_entry is not None:
        if "between" in event_entry.flags and prep_objects(noun, ("between",)):
            return None  # coded as a joint nominal event; "a mediation effort between X and Y" is not
        predicate = Predicate(
            anchor=noun,
            verb=verb,
            lemma=event_entry.noun,
            cameo=event_entry.cameo,
            action_start=min(verb.i, noun.i),
            action_end=max(verb.i, noun.i) + 1,
            symmetric="sym" in event_entry.flags,
        )
        predicate.patients = _noun_targets(noun, event_entry, verb, table)
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
    set_factuality(predicate)
    return predicate


def _adjectival_predicate(word: Token, table: EntityTable) -> Predicate | None:
    """ "Israel is opposed to French mediation", "Kenya remains critical of X": a predicate
    adjective of ``adjectives.tsv`` (or a stative passive read as one) with its copula's subject."""
    entry = adjective_lexicon().get(word.lower_)
    if entry is None:
        return None
    if word.dep_ == "acomp" and word.head.lemma_.lower() in COPULAS:
        subjects = [c for c in word.head.children if c.dep_ == "nsubj"]
    elif is_passive(word) and not prep_children(word, "by"):
        subjects = [c for c in word.children if c.dep_ == "nsubjpass"]
    else:
        return None
    targets = prep_objects(word, entry.target_preps)
    if not subjects or not targets:
        return None
    predicate = Predicate(anchor=word, verb=word if word.pos_ in ("VERB", "AUX") else word.head,
                          lemma=entry.noun, cameo=entry.cameo, action_start=word.i, action_end=word.i + 1)
    predicate.agents = _expand(subjects[0], table, "direct")
    predicate.patients = _expand(targets[0], table, "direct")
    set_factuality(predicate)
    return predicate


def _nominal_predicate(noun: Token, table: EntityTable) -> Predicate | None:
    """An event written as a noun, with no verb that codes it: "talks between X and Y" (a joint
    event), "Palestinian riots against Israeli policies", "Russian air strikes on Kharkiv" (the
    owner acts on the target)."""
    entry = noun_entry(noun)
    if entry is None:
        return None
    between = prep_objects(noun, ("between",)) if "between" in entry.flags else []
    if not between:
        return _owned_nominal_predicate(noun, entry, table)
    parties = _expand(between[0], table, "between")
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
    set_factuality(predicate)
    return predicate


def _owned_nominal_predicate(noun: Token, entry: NounEntry, table: EntityTable) -> Predicate | None:
    """ "Palestinian riots against Israeli policies": an event noun whose owner (a possessive or a
    nation's adjective) is the agent and whose own preposition names the target. A noun that a
    coded verb takes (the object of a light verb, the attack that "killed", the blast people "died
    in") is part of that verb's event instead."""
    if code_info(entry.cameo).root not in OWNED_NOMINAL_ROOTS:
        return None
    if noun.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj", "attr") and coded(noun.head) is not None:
        return None
    owner = _noun_owner(noun, table)
    if owner is None:
        return None
    targets = prep_objects(noun, entry.target_preps)
    if not targets:
        return None
    return _noun_event(noun, entry, agents=_expand(owner, table, "inherited"),
                       patients=_expand(targets[0], table, "direct"), symmetric=False)


def _verb_targets(verb: Token, entry: VerbEntry, table: EntityTable) -> list[Argument]:
    passive = is_passive(verb)
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
                p for holder in holders for p in prep_objects(holder, (target[5:],))
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
    entry = noun_entry(noun)
    return entry is not None and prep in entry.target_preps


def _clause_subjects(verb: Token) -> list[Token]:
    """Who is asked to act in a demand's clause: "demanded that Y withdraw", "called for Y to"."""
    clauses = [c for c in verb.children if c.dep_ == "ccomp" or clause_mark(c) in REQUEST_MARKS]
    return [s for clause in clauses for s in clause.children if s.dep_ in ("nsubj", "nsubjpass")]


def _infinitive_subjects(verb: Token) -> list[Token]:
    """Whom a verb lets or makes act, the subject of its infinitive: "allowed X to hold a rally"."""
    clauses = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp") and is_infinitive(c)]
    return [s for clause in clauses for s in clause.children if s.dep_ == "nsubj" and s.i < clause.i]


def _of_objects(verb: Token) -> list[Token]:
    """Whose the demanded act is: "demanded the release of X", "called for the resignation of Y"."""
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    objects += [p for c in verb.children if c.dep_ == "prep" for p in pobjs(c)]
    return [p for obj in objects for p in prep_objects(obj, ("of",))]


def _complement_targets(verb: Token, table: EntityTable) -> list[Argument]:
    """The target of the infinitive a governing verb codes with it: "threatened to expel X",
    "refused to negotiate with X", "offered to mediate between X and Y", "agreed to hold
    talks with X"."""
    for complement in verb.children:
        if complement.dep_ != "xcomp":
            continue
        match = coded(complement)
        if match is None:
            continue
        entry, event_entry, noun = match
        if noun is not None and event_entry is not None:
            return _noun_targets(noun, event_entry, complement, table)
        if entry.cameo is not None:
            return _verb_targets(complement, entry, table)
    return []


def _noun_targets(noun: Token, entry: NounEntry, verb: Token, table: EntityTable) -> list[Argument]:
    holders = [noun, *[c for c in noun.children if c.dep_ in ("acl", "relcl")], verb]
    holders += [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass") and c is not noun]
    for prep_name in entry.target_preps:
        for holder in holders:
            heads = prep_objects(holder, (prep_name,))
            if heads:
                return _expand(heads[0], table, "direct")
    if code_info(entry.cameo).root in GOVERNING_ROOTS:  # "its demand that Israel ease restrictions"
        clauses = [c for holder in (noun, verb) for c in holder.children if c.dep_ in ("acl", "ccomp")]
        subjects = [x for c in clauses for x in c.children if x.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            return _expand(subjects[0], table, "direct")
    return []


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
    if is_passive(verb):
        by_objects = prep_objects(verb, ("by",))
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
        if head.pos_ in ("VERB", "AUX") and not is_passive(head):
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
    nouns += prep_objects(verb, word_class("harm_prep"))
    if not is_passive(verb):
        nouns += [c for c in verb.children if c.dep_ == "nsubj"]
    return next((noun for noun in nouns if (entry := noun_entry(noun)) is not None
                 and code_info(entry.cameo).root in VIOLENT_ROOTS), None)


def unattributed_harm(predicate: Predicate) -> bool:
    """A harm done to named victims by no one the sentence names: "five civilians were killed on
    Monday", "the reporter was shot in the face". The victims are named, the perpetrator is not, and
    no clause of the sentence tells the cause instead."""
    verb = predicate.verb
    if verb is None or predicate.anchor is not verb or not is_passive(verb) or prep_children(verb, "by"):
        return False
    if verb.lemma_.lower() not in word_class("bodily_harm"):
        return False  # "a school had been destroyed": the damage of an attack told before
    if any(in_background_clause(above) for above in verb.ancestors):
        return False  # "raids in which it said 20 people were killed": the raids are the event
    if any(_names_other_cause(noun) for noun in prep_objects(verb, word_class("harm_prep"))):
        return False  # "killed in a car crash", "in a fire": not an attack
    if any(c.dep_ == "advcl" and any(m.dep_ in ("mark", "advmod") and m.lower_ in TEMPORAL_MARKS
                                     for m in c.children) for c in verb.children):
        return False  # "were killed when their vehicle hit a mine": the clause tells the cause
    return any(names_people(through_quantity(p.token)) for p in predicate.patients)


def _names_other_cause(noun: Token) -> bool:
    """A common noun a harm is put in that is neither a place nor a violent act: a crash, a fire."""
    if noun.pos_ != "NOUN" or noun.ent_type_ or noun.lemma_.lower() in _place_words():
        return False
    entry = noun_entry(noun)
    return entry is None or code_info(entry.cameo).root not in VIOLENT_ROOTS


@functools.cache
def _place_words() -> frozenset[str]:
    return word_class("place_noun") | word_class("locality_noun")


def _attacker_of(verb: Token, table: EntityTable) -> list[Argument]:
    """ "Were killed in an attack by militants", "died in a Russian air strike": the passive
    victim's attacker, named in the violent event the clause puts the harm in."""
    for noun in prep_objects(verb, ("in",)):
        entry = noun_entry(noun)
        if entry is None or code_info(entry.cameo).root not in VIOLENT_ROOTS:
            continue
        by_objects = prep_objects(noun, ("by",))
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
        for prep in prep_children(head, "of"):
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
    sent_end = sentence_bounds(doc)[mention.start][1]
    for start in range(mention.end, min(sent_end, mention.end + 4)):
        candidate = table.mention_at(doc[start])
        if candidate is None or candidate is mention:
            continue
        owner = _owning_mention(table, candidate, sent_end)
        if _in_apposition(doc, mention, owner):
            return None
        # (not ``doc.text[...]``: Doc.text joins the whole document on every call)
        gap = doc[mention.end - 1].whitespace_ + doc[mention.end : owner.desc_start].text_with_ws
        if span_root(doc, owner.start, owner.end).dep_ in ("nsubj", "nsubjpass"):
            return None  # "... arrived in Bosnia, Defense Secretary X said": the next clause's subject
        if owner.desc_start >= mention.end and _COORDINATION_GAP.match(gap):
            return owner
        return None
    return None


def _in_apposition(doc: Doc, mention: Mention, other: Mention) -> bool:
    """``other`` lies inside an apposition to ``mention`` ("Mwangi, Kenya's president,")."""
    root = span_root(doc, mention.start, mention.end)
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
