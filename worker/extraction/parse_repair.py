"""Repairs of dependency parses the extractor cannot read.

The small English model sometimes reads a whole clause as one noun phrase: in "Kenyan President
William Ruto hosted talks with ..." it takes "hosted" for an adjective of "talks" ("Ruto-hosted
talks") and leaves the sentence without a verb. When a sentence has no verbal root, a past form
of a lexicon verb modifies the root noun and a name stands right before it, the clause is rebuilt:
the verb becomes the root, the name its subject and the noun its object.

It also reads "clashes between police and opposition supporters" as one group ("police and
opposition" modifying "supporters"). When the first of two coordinated modifiers of a "between"
object names people on its own (an agent noun of the field's dictionary: police, troops, rebels),
it becomes the first party and the modified noun, with the second modifier, the other.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from worker.extraction.dictionary import agent
from worker.extraction.senses import lexicon_lemma

NOUN_TAGS = frozenset({"NOUN", "PROPN"})
PRE_NOUN_DEPS = frozenset({"det", "amod", "compound", "nummod", "poss"})
PAST_FORM_TAGS = frozenset({"VBD", "VBN", "JJ"})


def repair_parse(doc: Doc) -> Doc:
    """Rebuild verbless sentences that hide a finite lexicon verb (in place); returns ``doc``."""
    for sent in list(doc.sents):
        _repair_verbless_sentence(sent)
    for token in doc:
        if token.dep_ == "pobj" and token.head.lower_ == "between":
            _split_between_modifiers(token)
    return doc


def _split_between_modifiers(noun: Token) -> None:
    """ "between police and opposition supporters": police / opposition supporters."""
    for first in noun.lefts:
        if first.dep_ not in ("nmod", "compound", "amod") or agent(first.lemma_.lower()) is None:
            continue
        second = next((c for c in first.children if c.dep_ == "conj" and c.i < noun.i), None)
        if second is None:
            continue
        prep = noun.head
        for modifier in [c for c in noun.lefts if c.i < first.i and c.dep_ in ("amod", "compound", "nmod")]:
            modifier.head = first  # "Kenyan police and opposition supporters": Kenyan goes with police
        first.head, first.dep_ = prep, "pobj"
        noun.head, noun.dep_ = first, "conj"
        second.head, second.dep_ = noun, "compound"
        return


def _repair_verbless_sentence(sent: Span) -> None:
    root = sent.root
    if root.pos_ not in NOUN_TAGS:
        return
    for verb in root.lefts:
        lemma = lexicon_lemma(verb, hand_only=True) if verb.lower_.endswith("ed") else None
        if verb.dep_ != "amod" or verb.tag_ not in PAST_FORM_TAGS or lemma is None:
            continue
        subject = verb.doc[verb.i - 1] if verb.i > sent.start else None
        if subject is None or subject.pos_ not in NOUN_TAGS or subject.head not in (verb, root):
            continue
        if not all(t.head is root and t.dep_ in PRE_NOUN_DEPS for t in sent.doc[verb.i + 1 : root.i]):
            continue
        _make_clause(verb, lemma, subject, root)
        return


def _make_clause(verb: Token, lemma: str, subject: Token, noun: Token) -> None:
    verb.head = verb
    verb.dep_ = "ROOT"
    verb.pos_ = "VERB"
    verb.tag_ = "VBD"
    verb.lemma_ = lemma
    subject.head = verb
    subject.dep_ = "nsubj"
    noun.head = verb
    noun.dep_ = "dobj"
