"""Which clauses are not events of their own, and which depend on a condition or a report.

A verb the lexicon codes is still no event of its own when another coded event governs it: the
infinitive under "urged X to", the clause of a demand ("demanded that Y withdraw"), the purpose of
a march ("marched to demand"), the charge of an accusation, the content of an offer a verb rejects.
Nor is it when it gives background (a relative or temporal clause), describes a participant
("rebels fighting to topple the government") or depends on a condition ("if he gave them a veto").
A reported obligation ("said Sudan must return") is the speaker's demand or appeal instead. The
predicate builders ask these questions before building; factuality reads the same structure.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from worker.extraction.lexicon import code_info
from worker.extraction.matching import coded, match_verb, noun_entry, prep_children
from worker.extraction.senses import GOVERNING_ROOTS
from worker.extraction.tables import word_class
from worker.extraction.token_lists import dependencies, heads, kept, lower_forms

#: Subordinators of a clause that sets the scene of another event ("after a court cleared him").
TEMPORAL_MARKS = frozenset({"after", "as", "before", "when", "while", "since", "until", "once"})
CONDITIONAL_MARKS = frozenset({"if", "unless", "whether"})
#: A reported obligation is a demand ("must") or an appeal ("should") of the speaker.
OBLIGATION_CODES = {"must": "100", "should": "020"}
PROTEST_ROOT = "14"


def governor_of(verb: Token) -> Token | None:
    """The verb whose infinitive complement ``verb`` is ("plans to visit")."""
    if verb.dep_ == "xcomp" and verb.head is not verb:
        return verb.head
    return None


def governed_by_event(verb: Token) -> bool:
    """Part of another coded event rather than an event of its own: an infinitive under a
    verb that codes it ("urged X to stop supplying"), the clause of a demand ("demanded
    that Y withdraw"), a purpose clause ("marched ... to
    demand"), a participle spelling out a result ("shelled villages, killing four"), or the
    content of a noun another coded verb takes as its object ("rejected an offer to mediate")."""
    if obligation_of(verb) is not None:
        return True  # "said Sudan must return": only demanded
    current = verb
    while (governor := governor_of(current)) is not None:
        match = coded(governor)
        if match is not None and "gov" in match[0].flags:
            return True
        current = governor
    if _inside_governed_clause(verb):
        return True  # "demanded that Y cancel plans to sell arms": the sale is only demanded
    head = verb.head
    if verb.dep_ == "acl" and head.dep_ in ("dobj", "nsubjpass") and coded(head.head) is not None:
        return True  # "rejected an offer to mediate": the rejection is the event
    if verb.dep_ == "advcl" and head is not verb and _codes_alone(head):
        return is_infinitive(verb) or verb.tag_ == "VBG"
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
        if current.dep_ == "ccomp" and obligation_of(current) is not None:
            return True  # "said the US must be ready to mediate": the mediation is only demanded
        if current.dep_ == "advcl" and is_infinitive(current) and _codes_alone(head):
            return True  # "offered troops to help him oust X": the purpose of the offer
        if current.dep_ == "pcomp" and head.dep_ == "prep" and _accuses(head.head):
            return True  # "accused X of violating rights and sending a signal": the charge
        if current.dep_ == "advcl" and current.tag_ == "VBG" and _accuses(head) and _charges(head):
            return True  # "accused X of violating rights, ignoring the law": the charge goes on
        if current.dep_ == "ccomp" and head.pos_ in ("VERB", "AUX"):
            match = coded(head)
            event_entry = match[1] if match is not None else None
            if match is not None and "gov" in match[0].flags:
                return True
            if event_entry is not None and code_info(event_entry.cameo).root in GOVERNING_ROOTS:
                return True  # "reiterated its demand today that Israel ease ...": the clause on the verb
        elif current.dep_ in ("ccomp", "acl") and head.pos_ == "NOUN":
            entry = noun_entry(head)
            if entry is not None and code_info(entry.cameo).root in GOVERNING_ROOTS:
                return True
        current = head
    return False


def _codes_alone(verb: Token) -> bool:
    """A coded verb that is an event without a named political target: one that can stand for its
    purpose clause ("marched to demand"); "were converging for a rally to protest" cannot."""
    match = coded(verb)
    return match is not None and "a2" not in match[0].flags


def is_infinitive(verb: Token) -> bool:
    """A "to" infinitive ("to visit")."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _accuses(verb: Token) -> bool:
    """A coded verb of accusation or criticism (CAMEO 11): what it charges is not an event."""
    match = coded(verb) if verb.pos_ in ("VERB", "AUX") else None
    return match is not None and match[0].cameo is not None and code_info(match[0].cameo).root == "11"


def _charges(verb: Token) -> bool:
    """Whether an accusation verb names its charge with "of" + a gerund ("accused X of violating")."""
    return any(c.dep_ == "pcomp" for prep in prep_children(verb, "of") for c in prep.children)


def in_background_clause(verb: Token) -> bool:
    """A relative clause ("guerrillas who overran it") gives background about a participant; a
    temporal clause ("after a court cleared him", "as the opposition threatened") the setting."""
    if verb.dep_ == "relcl":
        return True
    marks = {c.lower_ for c in verb.children if c.dep_ == "mark"}
    return verb.dep_ == "advcl" and bool(marks & TEMPORAL_MARKS)


def describes_a_participant(verb: Token) -> bool:
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


def obligation_of(verb: Token) -> str | None:
    """ "Russia said Sudan must return the helicopter": the code of the demand (must) or appeal
    (should) a speaker makes by reporting what another party is obliged to do."""
    if verb.dep_ != "ccomp" or verb.head.lemma_.lower() not in word_class("reporting_verb"):
        return None
    modals = {c.lower_ for c in verb.children if c.dep_ == "aux"}
    return next((code for modal, code in OBLIGATION_CODES.items() if modal in modals), None)


def under_condition(word: Token) -> bool:
    """``word`` lies in a conditional clause ("if he gave them a veto"), however deep inside it
    (up to six heads up)."""
    doc = word.doc
    conditional, head = _conditional_clauses(doc), heads(doc)
    current = word.i
    for _ in range(6):
        if current in conditional:
            return True
        if head[current] == current:
            return False
        current = head[current]
    return False


def _conditional_clauses(doc: Doc) -> frozenset[int]:
    """The tokens with a conditional subordinator ("if", "unless", "whether") among their children."""
    def build(d: Doc) -> frozenset[int]:
        deps, lower, head = dependencies(d), lower_forms(d), heads(d)
        return frozenset(head[i] for i in range(len(d))
                         if deps[i] == "mark" and lower[i] in CONDITIONAL_MARKS and head[i] != i)
    return kept(doc, "eventwire.conditional_clauses", build)


def has_condition_clause(word: Token) -> bool:
    """ "Vietnam will expel diplomats if talks fail": the main clause depends on a condition."""
    return any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in {"if", "unless"} for m in c.children)
        for c in word.children
    )


def reported(word: Token) -> bool:
    """A complement clause, the form reported speech takes ("said it would ...")."""
    return word.dep_ == "ccomp"
