"""The factuality of a predicate: whether the act is negated, announced or intended, or hypothetical.

Read from the negations and auxiliaries of the predicate and of the verbs it is an infinitive of
("did not attack", "no talks", "will meet", "plans to visit", "could impose"), from the verbs that
govern it (``future_governor`` and kin in the word classes) and from conditions ("... if talks
fail"). An announced act is coded as its intent; all three flags go into the record.
"""

from __future__ import annotations

from spacy.tokens import Token

from worker.extraction.clauses import governor_of, has_condition_clause, reported, under_condition
from worker.extraction.predicate import Predicate
from worker.extraction.tables import word_class

FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo"})
MODAL_AUX = frozenset({"would", "could", "might", "may", "should", "can"})


def set_factuality(predicate: Predicate) -> None:
    """Negated, future/intended and hypothetical flags from the predicate and the verbs it is
    an infinitive of ("did not attack", "plans to meet", "could impose", "... if talks fail")."""
    chain: list[Token] = [predicate.anchor]
    verb = predicate.verb
    while verb is not None and len(chain) < 8:
        if verb not in chain:
            chain.append(verb)
        verb = governor_of(verb)
    if chain[-1].dep_ == "acl" and chain[-1].head.lemma_.lower() in word_class("intention_noun"):
        predicate.future = True
    first_governor = chain.index(predicate.verb) + 1 if predicate.verb in chain else len(chain)
    for position, word in enumerate(chain):
        for child in word.children:
            _flag_from_child(predicate, word, child)
        if position >= first_governor:
            _flag_from_governor(predicate, word)
    if under_condition(chain[-1]) or has_condition_clause(chain[-1]):
        predicate.hypothetical = True


def _flag_from_child(predicate: Predicate, word: Token, child: Token) -> None:
    lower = child.lower_
    negation = (child.dep_, lower) in {("det", "no"), ("advmod", "never")}
    if child.dep_ == "neg" or negation:
        predicate.negated = True
    elif child.dep_ == "aux" and lower in FUTURE_AUX:
        predicate.future = True
    elif child.dep_ == "aux" and lower in MODAL_AUX:
        if reported(word) and lower == "would":
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
