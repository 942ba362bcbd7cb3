"""Which verbs the lexicon knows, and the code PETRARCH2's patterns give one use of a verb.

The project's hand lexicon (``verbs.tsv``) is tried first and overrides; a verb it does not list,
or a use none of its rows matches, is coded by the field's CAMEO verb dictionary
(``worker.extraction.dictionary``): its patterns on the object, the prepositional phrases, the
particle and the subject are the senses of the verb ("fire" a rocket / "fire" a worker, "release"
prisoners / a report). A pattern with PETRARCH's null code says the use is not an event.
"""

from __future__ import annotations

import functools

from spacy.tokens import Token

from worker.extraction import dictionary
from worker.extraction.arguments import through_container
from worker.extraction.lexicon import VerbEntry, code_info, nearest_code, verb_lexicon
from worker.extraction.tables import read_tsv, word_class
from worker.extraction.token_lists import kept

#: Where a dictionary-coded event's target is looked for when its pattern does not say.
DEFAULT_TARGETS = (
    "dobj", "control", "prep:with", "prep:against", "prep:on", "prep:to", "prep:at", "prep:for")
#: Verbal acts about another act (appeal, intend, demand, reject, threaten): the act they take as a
#: complement is part of this event, not one of its own (the hand lexicon's "gov" flag).
GOVERNING_ROOTS = frozenset({"02", "03", "10", "12", "13"})
#: Roots the dictionary does not code on its own: statements (01) are every "said"; the hand
#: lexicon codes the reporting verbs it wants (and marks them as speech).
UNCODED_ROOTS = frozenset({"01"})
_OBJECT_DEPS = ("dobj", "attr", "oprd", "acomp", "dative")
PEOPLE_SYNSETS = ("&HOSTAGE", "&PEOPLE", "&SUSPECT", "&REFUGEE", "&LEADER", "&NEGOTIATOR")


@functools.cache
def _dictionary_lemmas() -> frozenset[str]:
    return dictionary.dictionaries().verb_lemmas()


@functools.cache
def _modal_governors() -> frozenset[str]:
    """Verbs that make the infinitive under them future, hypothetical or negated, or the act they
    decide (word classes): the infinitive is the event, not the governing verb."""
    return word_class("future_governor") | word_class("hypothetical_governor") | word_class(
        "negating_governor") | word_class("decision_governor")


def _inflection_stems(form: str, tag: str) -> list[str]:
    """Base forms a verb form may come from when the lemmatizer got it wrong ("staged" -> "stag")."""
    if tag in ("VBD", "VBN", "JJ") and form.endswith("ed"):
        stem = form[:-2]
        return [form[:-1], stem, stem[:-1], stem[:-1] + "y" if stem.endswith("i") else ""]
    if tag == "VBG" and form.endswith("ing"):
        stem = form[:-3]
        return [stem, stem + "e", stem[:-1]]
    if tag == "VBZ" and form.endswith("s"):
        return [form[:-1], form[:-2], form[:-3] + "y" if form.endswith("ies") else ""]
    return []


def lexicon_lemma(verb: Token, *, hand_only: bool = False) -> str | None:
    """The lemma under which the hand lexicon or (unless ``hand_only``) the dictionary lists this
    verb, if either does."""
    return _listed_lemma(verb.lemma_.lower(), verb.lower_, verb.tag_, hand_only)


@functools.lru_cache(maxsize=8192)  # asked of every verb, several times: a few thousand forms
def _listed_lemma(lemma: str, form: str, tag: str, hand_only: bool) -> str | None:
    candidates = [lemma, form, *_inflection_stems(form, tag)]
    hand = verb_lexicon()
    found = next((c for c in candidates if c in hand), None)  # the hand lexicon overrides
    if found is None and not hand_only:
        found = next((c for c in candidates if c in _dictionary_lemmas()), None)
    # "reimposed", "re-opened": the act again is the act, unless the dictionary says the word is a
    # verb of its own ("resign" is not "sign" again: another synonym block)
    for word in [] if found in hand else candidates:
        base = word.removeprefix("re").lstrip("-")
        if word.startswith("re") and len(word) > 5 and base in hand and _same_block(word, base):
            return base
    return found


def _same_block(word: str, base: str) -> bool:
    blocks = {lemma: {p.block for p in dictionary.verb_patterns(lemma)} for lemma in (word, base)}
    return not blocks[word] or bool(blocks[word] & blocks[base])


def _phrase(noun: Token) -> tuple[str, ...]:
    """A noun phrase as the patterns write it: its compound and adjective modifiers, then the head."""
    modifiers = [c.lemma_.lower() for c in noun.lefts if c.dep_ in ("compound", "amod")]
    return (*modifiers, noun.lemma_.lower())


def _phrases(noun: Token) -> list[tuple[str, ...]]:
    """The phrase, and the same with its head as the patterns name it (``pattern_synonyms.tsv``)."""
    phrase = _phrase(noun)
    synonym = _pattern_synonyms().get(phrase[-1])
    return [phrase] if synonym is None else [phrase, (*phrase[:-1], synonym)]


@functools.cache
def _pattern_synonyms() -> dict[str, str]:
    return {row["word"]: row["pattern_word"] for row in read_tsv("pattern_synonyms.tsv")}


@functools.cache
def person_acts() -> tuple[str, ...]:
    """CAMEO codes (prefixes) of acts done to people: their object must name people."""
    return tuple(row["code"] for row in read_tsv("person_acts.tsv"))


def names_people(noun: Token) -> bool:
    """Whether a noun phrase names people: a person or group entity, an agent noun, a number of
    people, or a member of the dictionaries' people classes (&HOSTAGE, &PEOPLE, &SUSPECT ...)."""
    if noun.ent_type_ in ("PERSON", "NORP", "ORG", "GPE"):
        return True
    lemma = noun.lemma_.lower()
    if dictionary.agent(lemma) is not None or dictionary.agent(noun.lower_) is not None:
        return True
    return any(dictionary.in_synset(name, lemma) for name in PEOPLE_SYNSETS)


def not_an_event(verb: Token, lemma: str, passive: bool) -> bool:
    """Whether one of the dictionary's patterns (not the verb's bare default) names this use of the
    verb as no event: PETRARCH's null code ("release a report"), or a mere statement ("released a
    statement"). The hand lexicon's catch-all rows yield to it."""
    pattern = _dictionary_pattern(verb, lemma, passive)
    return pattern is not None and not pattern.default and _entry(lemma, pattern) is None


def subject_sense(verb: Token, lemma: str, passive: bool) -> str | None:
    """The code of a dictionary pattern conditioned on the subject that matches this use, if any: the
    sense a hand lexicon's catch-all row yields to, as its rows cannot say what the subject is
    ("peacekeepers arrived in X" is a deployment, not a visit; "gunmen killed" fired small arms)."""
    if not _has_subject_patterns(lemma):
        return None  # most verbs: no clause built to match
    pattern = _dictionary_pattern(verb, lemma, passive)
    if pattern is None or pattern.default or not pattern.conditions.subject:
        return None
    entry = _entry(lemma, pattern)
    return entry.cameo if entry is not None else None


@functools.lru_cache(maxsize=4096)
def _has_subject_patterns(lemma: str) -> bool:
    patterns = dictionary.verb_patterns(lemma) if lemma in _dictionary_lemmas() else ()
    return any(pattern.conditions.subject for pattern in patterns)


def dictionary_sense(verb: Token, lemma: str, passive: bool) -> VerbEntry | None:
    """The dictionary's code for this use of ``verb`` as a lexicon entry, or None (not listed, not an
    event, or a statement)."""
    pattern = _dictionary_pattern(verb, lemma, passive)
    return _entry(lemma, pattern) if pattern is not None else None


def _dictionary_pattern(verb: Token, lemma: str, passive: bool) -> dictionary.VerbPattern | None:
    """The dictionary pattern this use of ``verb`` matches; worked out once per verb of a doc (the
    senses above ask about the same verb in turn)."""
    found: dict[tuple[int, str, bool], dictionary.VerbPattern | None] = kept(
        verb.doc, "eventwire.dictionary_patterns", lambda doc: {})
    key = (verb.i, lemma, passive)
    if key not in found:
        found[key] = _find_dictionary_pattern(verb, lemma, passive)
    return found[key]


def _find_dictionary_pattern(verb: Token, lemma: str, passive: bool) -> dictionary.VerbPattern | None:
    if lemma not in _dictionary_lemmas():
        return None
    if lemma in _modal_governors() and any(c.dep_ == "xcomp" for c in verb.children):
        return None  # "plans to meet", "decided to allow": the complement is the event, flagged
    object_deps = (*_OBJECT_DEPS, "nsubjpass" if passive else "")
    objects: list[tuple[str, ...]] = []
    preps: dict[str, list[tuple[str, ...]]] = {}
    particles = []
    subject: tuple[str, ...] | None = None
    for child in verb.children:  # one pass: each argument in the order of the children
        dep = child.dep_
        if dep in object_deps:
            objects.extend(_phrases(child))
        if dep == "prep":
            preps.setdefault(child.lower_, []).extend(
                phrase for p in child.children if p.dep_ == "pobj" for phrase in _phrases(p))
        elif dep == "prt":
            particles.append(child.lower_)
        elif dep == "nsubj" and not passive:
            subject = _phrase(through_container(child))  # "a contingent of troops arrived"
    if passive:
        by = [p for p in preps.pop("by", [])]
        subject = by[0] if by else None
    prep_phrases = tuple((prep, tuple(phrases)) for prep, phrases in preps.items())
    return _matching_pattern(lemma, tuple(objects), prep_phrases, tuple(particles), subject)


@functools.lru_cache(maxsize=8192)  # the same verbs with the same arguments again and again
def _matching_pattern(lemma: str, objects: tuple[tuple[str, ...], ...],
                      preps: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...], particles: tuple[str, ...],
                      subject: tuple[str, ...] | None) -> dictionary.VerbPattern | None:
    return dictionary.match_verb(lemma, objects, dict(preps), particles, subject)


def _condition_names_people(condition: dictionary.NounCondition) -> bool:
    head = condition.words[-1]
    if head.startswith("&"):
        return head in PEOPLE_SYNSETS
    return dictionary.agent(" ".join(condition.words)) is not None or dictionary.agent(head) is not None


def _entry(lemma: str, pattern: dictionary.VerbPattern) -> VerbEntry | None:
    """A dictionary pattern as a lexicon entry; None for a null code or a statement."""
    code = nearest_code(pattern.code) if pattern.code is not None else None
    if code is None or code_info(code).root in UNCODED_ROOTS:
        return None
    target_at = pattern.conditions.target_at or ""
    if target_at == "object":
        targets: tuple[str, ...] = ("dobj",)
    elif target_at.startswith("prep:"):
        targets = (target_at,)
    elif pattern.conditions.objects and not any(map(_condition_names_people, pattern.conditions.objects)):
        # the object says what is done ("abandoned the ceasefire with X"), unless it names who
        # undergoes it ("blamed the prime minister", "freed the hostages")
        targets = tuple(t for t in DEFAULT_TARGETS if t != "dobj")
    else:
        targets = DEFAULT_TARGETS
    flags = {"gov"} if code_info(code).root in GOVERNING_ROOTS else set()
    if pattern.default:
        # a verb's bare default is too broad to code without a named target, done to people
        flags |= {"a2", "people"}
    return VerbEntry(lemma=lemma, pattern=f"dictionary:{pattern.line}", cameo=code,
                     targets=targets, flags=frozenset(flags))
