"""PETRARCH2's dictionaries as indexed lookups: verb patterns, synsets, agent nouns, actors, discards.

The tables in ``worker/data/dictionaries/`` are compiled by ``tools/convert_petrarch.py`` (their headers
document the columns). Each table is read once per process, when first used, into dictionaries keyed by
lemma or name, so a lookup never scans the whole table. Everything is compared in lower-case lemmas: an
extractor passes spaCy's ``token.lemma_`` of the verb, and noun phrases as space-separated lemmas with the
head last ("financial aid"), as the patterns are written. Pure Python: nothing here touches Redis or Celery.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

NULL = "none"  # the tables' spelling of PETRARCH's null code ---

Words = tuple[str, ...]


def _words(phrase: str | Sequence[str]) -> Words:
    """Lower-case words of a phrase; synset names (``&MILITARY``) keep their case."""
    parts = phrase.split() if isinstance(phrase, str) else phrase
    return tuple(part if part.startswith("&") else part.lower() for part in parts)


def normalise_name(name: str) -> str:
    """An actor or agent phrase as the tables key it: lower case, underscores as spaces, single spaces."""
    return " ".join(name.replace("_", " ").lower().split())


# ----------------------------------------------------------------------------------------------- synsets


class Synsets:
    """``&NAME`` -> members; a member is a word sequence, matched at the end of a phrase or inside it."""

    def __init__(self, members: Mapping[str, Iterable[Words]]) -> None:
        self._by_last: dict[str, dict[str, tuple[Words, ...]]] = {}
        for name, sequences in members.items():
            index: dict[str, list[Words]] = {}
            for sequence in sequences:
                if sequence and sequence not in index.get(sequence[-1], []):
                    index.setdefault(sequence[-1], []).append(sequence)
            self._by_last[name] = {last: tuple(found) for last, found in index.items()}

    def names(self) -> frozenset[str]:
        """Every synset name."""
        return frozenset(self._by_last)

    def members(self, name: str) -> frozenset[str]:
        """The members of ``name`` (lemmas and the file's forms) as space-joined phrases."""
        return frozenset(" ".join(m) for found in self._by_last.get(name, {}).values() for m in found)

    def endings(self, name: str, phrase: Words) -> Iterator[int]:
        """Lengths of the members of ``name`` that ``phrase`` ends with."""
        if not phrase:
            return
        for member in self._by_last.get(name, {}).get(phrase[-1], ()):
            if phrase[len(phrase) - len(member) :] == member:
                yield len(member)

    def contains(self, name: str, phrase: str | Sequence[str]) -> bool:
        """Whether ``phrase`` (lemmas, head last) is a member of ``name`` or ends with one."""
        return next(self.endings(name, _words(phrase)), None) is not None

    def occurs(self, name: str, words: Words) -> bool:
        """Whether a member of ``name`` occurs anywhere in ``words``."""
        return any(next(self.endings(name, words[: end + 1]), None) is not None for end in range(len(words)))


# ------------------------------------------------------------------------------------------ verb patterns


@dataclass(frozen=True)
class NounCondition:
    """A noun phrase a pattern asks for: head last, modifiers before it; ``&NAME`` = any synset member."""

    words: Words

    @property
    def specificity(self) -> int:
        """2 for a word as head, 1 for a synset as head, +1 for each modifier."""
        return (1 if self.words[-1].startswith("&") else 2) + len(self.words) - 1

    def matches(self, phrase: Words, synsets: Synsets) -> bool:
        """Whether ``phrase`` has this head and, before it, every modifier."""
        if not phrase:
            return False
        head, modifiers = self.words[-1], self.words[:-1]
        if head.startswith("&"):
            used = list(synsets.endings(head, phrase))
        else:
            used = [1] if phrase[-1] == head else []
        for length in used:
            rest = phrase[: len(phrase) - length]
            if all(synsets.occurs(m, rest) if m.startswith("&") else m in rest for m in modifiers):
                return True
        return False

    def __str__(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class PrepCondition:
    """A prepositional phrase a pattern asks for; ``noun`` None = any object (or none)."""

    prep: str
    noun: NounCondition | None

    @property
    def specificity(self) -> int:
        return 1 + (self.noun.specificity if self.noun else 0)

    def matches(self, preps: Mapping[str, tuple[Words, ...]], synsets: Synsets) -> bool:
        if self.prep not in preps:
            return False
        return self.noun is None or any(self.noun.matches(p, synsets) for p in preps[self.prep])


@dataclass(frozen=True)
class Conditions:
    """The conditions of one block pattern, shared by every verb of the block.

    ``source_at`` / ``target_at`` say where the pattern puts the actors when it says so ($ and + in the
    file): ``subject``, ``object`` or ``prep:X``; None means as usual (subject -> object or prepositional
    object). Each object condition must be met by one of the clause's objects.
    """

    subject: tuple[NounCondition, ...] = ()
    subject_preps: tuple[PrepCondition, ...] = ()
    objects: tuple[NounCondition, ...] = ()
    preps: tuple[PrepCondition, ...] = ()
    source_at: str | None = None
    target_at: str | None = None

    @functools.cached_property
    def specificity(self) -> int:
        return sum(c.specificity for c in (*self.subject, *self.objects)) + sum(
            p.specificity for p in (*self.subject_preps, *self.preps)
        )

    @functools.cached_property
    def needs(self) -> tuple[frozenset[str], frozenset[str]]:
        """Prepositions and literal object heads the clause must have: a cheap test before the full one."""
        return (frozenset(p.prep for p in self.preps),
                frozenset(n.words[-1] for n in self.objects if not n.words[-1].startswith("&")))


NO_CONDITIONS = Conditions()


@dataclass(frozen=True)
class Clause:
    """What the extractor knows about one use of a verb, in lower-case lemmas (see ``match_verb``)."""

    objects: tuple[Words, ...] = ()
    preps: Mapping[str, tuple[Words, ...]] = field(default_factory=dict)
    particles: frozenset[str] = frozenset()
    subject: Words = ()
    subject_preps: Mapping[str, tuple[Words, ...]] = field(default_factory=dict)
    before: frozenset[str] = frozenset()
    heads: frozenset[str] = frozenset()  # last words of ``objects``

    @classmethod
    def of(
        cls,
        objects: Iterable[str | Sequence[str]] = (),
        preps: Mapping[str, Iterable[str | Sequence[str]]] | None = None,
        particle: str | Iterable[str] | None = None,
        subject: str | Sequence[str] | None = None,
        subject_preps: Mapping[str, Iterable[str | Sequence[str]]] | None = None,
        before: Iterable[str] = (),
    ) -> Clause:
        """Normalise plain arguments (phrases as strings or word sequences) once for many patterns."""
        particles = [particle] if isinstance(particle, str) else list(particle or ())
        phrases = tuple(_words(o) for o in objects)
        return cls(
            objects=phrases,
            heads=frozenset(o[-1] for o in phrases if o),
            preps={p.lower(): tuple(_words(o) for o in objs) for p, objs in (preps or {}).items()},
            particles=frozenset(p.lower() for p in particles),
            subject=_words(subject) if subject else (),
            subject_preps={p.lower(): tuple(map(_words, objs)) for p, objs in (subject_preps or {}).items()},
            before=frozenset(b.lower() for b in before),
        )


@dataclass(frozen=True)
class VerbPattern:
    """One way a verb is coded: a block pattern (or the verb's default) as it applies to one verb.

    ``code`` is the CAMEO code of the event from the subject (or ``source_at``) to the target; None means
    the dictionary says this use is *not* an event (PETRARCH's null code), which must win over the verb's
    own code. ``reverse_code`` is the event read the other way, target -> subject (the B of ``[A:B]``).
    """

    lemma: str
    particle: Words
    prefix: Words
    block: str
    conditions: Conditions
    code: str | None
    reverse_code: str | None
    line: int
    default: bool
    _synsets: Synsets = field(repr=False, compare=False)

    @functools.cached_property
    def specificity(self) -> int:
        """How much the pattern asks for: the most specific match wins, ties going to the later ``line``.

        Nouns count 2 (a synset head 1) plus 1 per modifier; a preposition 1 plus its noun; each particle or
        prefix word 1. A verb's default counts 0 plus its particle (``ask for``).
        """
        return self.conditions.specificity + len(self.particle) + len(self.prefix)

    def matches(
        self,
        objects: Iterable[str | Sequence[str]] = (),
        preps: Mapping[str, Iterable[str | Sequence[str]]] | None = None,
        particle: str | Iterable[str] | None = None,
        subject: str | Sequence[str] | None = None,
        *,
        subject_preps: Mapping[str, Iterable[str | Sequence[str]]] | None = None,
        before: Iterable[str] = (),
    ) -> bool:
        """Whether the pattern applies to a verb with these arguments (all lemmas; see ``Clause.of``).

        ``objects``: the verb's noun (and adverb) complements, direct object first of all; ``preps``:
        preposition -> its objects (an empty list for a bare preposition); ``particle``: its particle(s);
        ``subject``: the subject phrase; ``before``: words right before the verb (a prefix such as re-).
        """
        return self.matches_clause(Clause.of(objects, preps, particle, subject, subject_preps, before))

    def matches_clause(self, clause: Clause) -> bool:
        """``matches`` on arguments normalised once with ``Clause.of``."""
        c, synsets = self.conditions, self._synsets
        preps, heads = c.needs
        if not (preps <= clause.preps.keys() and heads <= clause.heads):
            return False
        # a particle may come out of the parse as a particle, a preposition or an adverb complement
        if any(w not in clause.particles and w not in clause.preps and w not in clause.heads
               for w in self.particle):
            return False
        if any(w not in clause.before for w in self.prefix):
            return False
        if c.target_at == "object" and not clause.objects:
            return False
        return (
            all(n.matches(clause.subject, synsets) for n in c.subject)
            and all(p.matches(clause.subject_preps, synsets) for p in c.subject_preps)
            and all(any(n.matches(o, synsets) for o in clause.objects) for n in c.objects)
            and all(p.matches(clause.preps, synsets) for p in c.preps)
        )


def _nouns(cell: str) -> tuple[NounCondition, ...]:
    return tuple(NounCondition(_words(part)) for part in cell.split("|") if part)


def _preps(cell: str) -> tuple[PrepCondition, ...]:
    conditions = []
    for part in filter(None, cell.split("|")):
        prep, _, noun = part.partition(":")
        conditions.append(PrepCondition(prep, NounCondition(_words(noun)) if noun else None))
    return tuple(conditions)


def _code(cell: str) -> str | None:
    return None if cell in ("", NULL) else cell


# ---------------------------------------------------------------------------------------- agents, actors


@dataclass(frozen=True)
class Agent:
    """An agent noun: its sector code goes after the actor code (``suffix``: ~GOV) or before (``prefix``)."""

    lemma: str
    code: str
    attach: str


@dataclass(frozen=True)
class ActorRule:
    """One code of a named actor, for dates from ``start`` (inclusive) to ``end`` (exclusive); None = open."""

    code: str | None  # None: explicitly not an actor then (the file's [---])
    start: dt.date | None
    end: dt.date | None
    kind: str
    file: str

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None

    def applies(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


def resolve_actor(rules: Iterable[ActorRule], day: dt.date) -> ActorRule | None:
    """The rule that holds on ``day``: a dated rule beats an open one (it is more specific); among dated
    rules the latest start wins (the most recent role), then the earliest end (the narrowest range); among
    equals the first listed. Open rules apply when no dated one does."""
    applying = [rule for rule in rules if rule.applies(day)]
    dated = [rule for rule in applying if rule.dated]
    if dated:
        return max(dated, key=lambda r: (r.start or dt.date.min, -(r.end or dt.date.max).toordinal()))
    return applying[0] if applying else None


@dataclass(frozen=True)
class Discard:
    """A phrase that marks a sentence (or the whole story) as not codable."""

    phrase: str
    scope: str  # sentence or story
    match: str  # word (must end at a word end) or prefix (a stem)


# --------------------------------------------------------------------------------------------- the tables


TABLES = {
    "verbs.tsv": ("lemma", "particle", "prefix", "block", "code", "reverse_code", "line"),
    "verb_patterns.tsv": (
        "block", "subject", "subject_preps", "particle", "objects", "preps", "source_at", "target_at", "code",
        "reverse_code", "line",
    ),
    "synsets.tsv": ("synset", "lemma", "forms"),
    "agents.tsv": ("phrase", "lemma", "number", "code", "attach"),
    "actors.tsv": ("name", "code", "start", "end", "kind", "file"),
    "discards.tsv": ("phrase", "scope", "match"),
}


def _rows(folder: Traversable, name: str) -> Iterator[list[str]]:
    """Rows of a table as cell lists; checks the header so stale or foreign tables fail loudly."""
    lines = (line for line in folder.joinpath(name).read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#"))
    header = tuple(next(lines, "").split("\t"))
    if header != TABLES[name]:
        raise ValueError(f"{name}: columns {header} are not {TABLES[name]}; re-run tools/convert_petrarch.py")
    for line in lines:
        yield line.split("\t")


@dataclass(frozen=True)
class _BlockPattern:
    conditions: Conditions
    particle: Words
    code: str | None
    reverse_code: str | None
    line: int


def _key(pattern: VerbPattern) -> tuple[str, str] | None:
    """The one thing a pattern surely needs, to index it by: a literal object head, a preposition, a
    synset object head, a subject head (literal or synset); None when it needs none of these."""
    c = pattern.conditions
    literal = [n.words[-1] for n in c.objects if not n.words[-1].startswith("&")]
    if literal:
        return "object", literal[0]
    if c.preps:
        return "prep", c.preps[0].prep
    if c.objects:
        return "object_synset", c.objects[0].words[-1]
    if c.subject:
        head = c.subject[0].words[-1]
        return ("subject_synset" if head.startswith("&") else "subject"), head
    return None


@dataclass(frozen=True)
class _LemmaIndex:
    """A verb's patterns, most specific first, and the positions of those each clause feature can unlock."""

    patterns: tuple[VerbPattern, ...]
    always: frozenset[int]
    literal: Mapping[tuple[str, str], frozenset[int]]  # ("object" | "prep" | "subject", word)
    object_synsets: tuple[tuple[str, frozenset[int]], ...]
    subject_synsets: tuple[tuple[str, frozenset[int]], ...]
    synsets: Synsets = field(repr=False)

    @classmethod
    def build(cls, patterns: Iterable[VerbPattern], synsets: Synsets) -> _LemmaIndex:
        # most specific first, later lines first among equals: the first match is the answer
        ordered = tuple(sorted(patterns, key=lambda p: (p.specificity, p.line), reverse=True))
        always: set[int] = set()
        keyed: dict[tuple[str, str], set[int]] = {}
        for position, pattern in enumerate(ordered):
            key = _key(pattern)
            (always if key is None else keyed.setdefault(key, set())).add(position)

        def of_kind(kind: str) -> tuple[tuple[str, frozenset[int]], ...]:
            return tuple((name, frozenset(ids)) for (k, name), ids in sorted(keyed.items()) if k == kind)

        literal = {k: frozenset(ids) for k, ids in keyed.items() if not k[0].endswith("_synset")}
        return cls(ordered, frozenset(always), literal, of_kind("object_synset"), of_kind("subject_synset"),
                   synsets)

    def candidates(self, clause: Clause) -> list[int]:
        """Positions of the patterns that may match ``clause``, in order."""
        found = set(self.always)
        empty: frozenset[int] = frozenset()
        for head in clause.heads:
            found |= self.literal.get(("object", head), empty)
        for prep in clause.preps:
            found |= self.literal.get(("prep", prep), empty)
        if clause.subject:
            found |= self.literal.get(("subject", clause.subject[-1]), empty)
        endings = self.synsets.endings
        for name, ids in self.object_synsets:
            if any(next(endings(name, o), 0) for o in clause.objects):
                found |= ids
        for name, ids in self.subject_synsets:
            if next(endings(name, clause.subject), 0):
                found |= ids
        return sorted(found)


class Dictionaries:
    """The compiled dictionaries of one folder; each table is read on first use."""

    def __init__(self, folder: Traversable) -> None:
        self.folder = folder
        self._by_lemma: dict[str, _LemmaIndex] = {}

    # ----- synsets and verbs

    @functools.cached_property
    def synsets(self) -> Synsets:
        """The synsets, each member indexed by its lemma and by every form the file gives."""
        members: dict[str, list[Words]] = {}
        for synset, lemma, forms in _rows(self.folder, "synsets.tsv"):
            members.setdefault(synset, []).extend(_words(f) for f in [lemma, *forms.split(",")] if f)
        return Synsets(members)

    @functools.cached_property
    def _verbs(self) -> tuple[dict[str, list[list[str]]], dict[str, list[_BlockPattern]]]:
        verbs: dict[str, list[list[str]]] = {}
        for row in _rows(self.folder, "verbs.tsv"):
            verbs.setdefault(row[0], []).append(row)
        blocks: dict[str, list[_BlockPattern]] = {}
        for row in _rows(self.folder, "verb_patterns.tsv"):
            block, subject, subject_preps, particle, objects, preps, source_at, target_at = row[:8]
            conditions = Conditions(_nouns(subject), _preps(subject_preps), _nouns(objects), _preps(preps),
                                    source_at or None, target_at or None)
            blocks.setdefault(block, []).append(
                _BlockPattern(conditions, _words(particle), _code(row[8]), _code(row[9]), int(row[10]))
            )
        return verbs, blocks

    def verb_patterns(self, lemma: str) -> tuple[VerbPattern, ...]:
        """Every pattern of the verb ``lemma`` (each multi-word variant too), defaults included, most specific
        first (ties: later line first), so the first that matches is the one to use.

        Built from the verb's block on first request and kept: only verbs that occur cost memory.
        """
        return self._index(lemma).patterns

    def _index(self, lemma: str) -> _LemmaIndex:
        lemma = lemma.lower()
        index = self._by_lemma.get(lemma)
        if index is None:
            index = self._by_lemma[lemma] = _LemmaIndex.build(self._build_patterns(lemma), self.synsets)
        return index

    def _build_patterns(self, lemma: str) -> list[VerbPattern]:
        verbs, blocks = self._verbs
        synsets = self.synsets
        patterns = []
        defaults: set[tuple[Words, Words]] = set()
        # a verb listed in several blocks takes all their patterns, and the default of its first listing
        for _, particle_cell, prefix_cell, block, code, reverse, line in sorted(
            verbs.get(lemma, ()), key=lambda row: int(row[6])
        ):
            particle, prefix = _words(particle_cell), _words(prefix_cell)
            if (particle, prefix) not in defaults:
                defaults.add((particle, prefix))
                patterns.append(VerbPattern(lemma, particle, prefix, block, NO_CONDITIONS, _code(code),
                                            _code(reverse), int(line), True, synsets))
            for rule in blocks.get(block, ()):
                # the verb's own particle (cordon off) and the pattern's (set out) must agree
                if particle and rule.particle and rule.particle != particle:
                    continue
                patterns.append(VerbPattern(lemma, particle or rule.particle, prefix, block, rule.conditions,
                                            rule.code, rule.reverse_code, rule.line, False, synsets))
        return patterns

    def match_verb(
        self,
        lemma: str,
        objects: Iterable[str | Sequence[str]] = (),
        preps: Mapping[str, Iterable[str | Sequence[str]]] | None = None,
        particle: str | Iterable[str] | None = None,
        subject: str | Sequence[str] | None = None,
        *,
        subject_preps: Mapping[str, Iterable[str | Sequence[str]]] | None = None,
        before: Iterable[str] = (),
    ) -> VerbPattern | None:
        """The pattern that codes this use of ``lemma``: the most specific match, ties to the later line
        (as PETRARCH2, where a later entry replaces an earlier one); None when the verb is not listed.

        A result whose ``code`` is None is an answer too: the dictionary says this use is not an event.
        """
        clause = Clause.of(objects, preps, particle, subject, subject_preps, before)
        index = self._index(lemma)
        for position in index.candidates(clause):
            if index.patterns[position].matches_clause(clause):
                return index.patterns[position]
        return None

    def verb_lemmas(self) -> frozenset[str]:
        """Every verb lemma the dictionary lists."""
        return frozenset(self._verbs[0])

    # ----- agents

    @functools.cached_property
    def _agents(self) -> dict[str, Agent]:
        agents: dict[str, Agent] = {}
        for phrase, lemma, _number, code, attach in _rows(self.folder, "agents.tsv"):
            agent = Agent(lemma, code, attach)
            agents[phrase] = agent
            agents.setdefault(lemma, agent)
        return agents

    def agent(self, phrase: str | Sequence[str]) -> Agent | None:
        """The agent noun ``phrase`` (a lemma or a form as written: "police", "foreign ministers")."""
        return self._agents.get(normalise_name(phrase if isinstance(phrase, str) else " ".join(phrase)))

    # ----- actors

    @functools.cached_property
    def _actors(self) -> dict[str, tuple[ActorRule, ...]]:
        actors: dict[str, list[ActorRule]] = {}
        dates: dict[str, dt.date] = {}  # the table repeats few distinct dates: parse each once

        def day(cell: str) -> dt.date | None:
            if not cell:
                return None
            if cell not in dates:
                dates[cell] = dt.date.fromisoformat(cell)
            return dates[cell]

        for name, code, start, end, kind, file in _rows(self.folder, "actors.tsv"):
            actors.setdefault(name, []).append(ActorRule(_code(code), day(start), day(end), kind, file))
        return {name: tuple(rules) for name, rules in actors.items()}

    def actor_rules(self, name: str) -> tuple[ActorRule, ...]:
        """Every rule listed for the actor ``name`` (any case, underscores or spaces)."""
        return self._actors.get(normalise_name(name), ())

    def actor(self, name: str, on_date: dt.date) -> ActorRule | None:
        """The rule for ``name`` on ``on_date`` (see ``resolve_actor``), or None."""
        return resolve_actor(self.actor_rules(name), on_date)

    def actor_code(self, name: str, on_date: dt.date) -> str | None:
        """The actor code of ``name`` on ``on_date``; None when unknown, or listed as not an actor then."""
        rule = self.actor(name, on_date)
        return rule.code if rule else None

    # ----- discards

    @functools.cached_property
    def discards(self) -> tuple[Discard, ...]:
        """Every discard phrase."""
        return tuple(Discard(*row) for row in _rows(self.folder, "discards.tsv"))

    @functools.cached_property
    def _ordered_discards(self) -> list[Discard]:
        """The discards in the order the alternation tries them: longest phrase first."""
        return sorted(self.discards, key=lambda d: (-len(d.phrase), d.phrase, d.match))

    @functools.cached_property
    def _discard_alternatives(self) -> tuple[tuple[str, ...], dict[str, Discard]]:
        """The regex body of each of ``_ordered_discards``, and phrase -> discard."""
        by_phrase: dict[str, Discard] = {}
        alternatives = []
        for discard in self._ordered_discards:
            # a story-level entry outranks a sentence-level one with the same phrase
            if discard.phrase not in by_phrase or discard.scope == "story":
                by_phrase[discard.phrase] = discard
            body = r"\s+".join(re.escape(word) for word in discard.phrase.split())
            alternatives.append(body + (r"(?![^\W_])" if discard.match == "word" else ""))
        return tuple(alternatives), by_phrase

    @functools.cached_property
    def _discard_pattern(self) -> re.Pattern[str]:
        return _alternation(self._discard_alternatives[0])

    @functools.cached_property
    def _discard_starts(self) -> tuple[_Positions, _Positions, tuple[int, ...]]:
        """Which alternatives (positions in ``_discard_alternatives``) a word of the text can start:
        by the first word of the phrases that must match whole, by the one-word phrases that may
        begin a longer word (``match`` prefix: "1914" in "1914-18"); and the phrases with no word."""
        whole: dict[str, list[int]] = {}
        prefixes: dict[str, list[int]] = {}
        wordless: list[int] = []
        for position, discard in enumerate(self._ordered_discards):
            words = _WORD.findall(discard.phrase.lower())
            if not words:
                wordless.append(position)
                continue
            prefix = len(words) == 1 and discard.match != "word"
            (prefixes if prefix else whole).setdefault(words[0], []).append(position)
        return ({w: tuple(p) for w, p in whole.items()}, {w: tuple(p) for w, p in prefixes.items()},
                tuple(wordless))

    @functools.cached_property
    def _prefixes_by_start(self) -> tuple[int, dict[str, tuple[tuple[str, tuple[int, ...]], ...]]]:
        """The one-word prefix entries by their first letters (as many as the shortest has)."""
        prefixes = self._discard_starts[1]
        shortest = min((len(word) for word in prefixes), default=1)
        by_start: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        for word, positions in prefixes.items():
            by_start.setdefault(word[:shortest], []).append((word, positions))
        return shortest, {start: tuple(entries) for start, entries in by_start.items()}

    def _possible_discards(self, text: str) -> list[int]:
        """The alternatives that can match in ``text``: those whose first word is a word of it (or,
        for a one-word prefix entry, begins one of its words); none when no phrase can start here."""
        whole, _, wordless = self._discard_starts
        shortest, by_start = self._prefixes_by_start
        words = set(_WORD.findall(text.lower()))
        found: set[int] = set()
        for word in words & whole.keys():
            found.update(whole[word])
        for word in words:
            for prefix, positions in by_start.get(word[:shortest], ()):
                if word.startswith(prefix):
                    found.update(positions)
        return sorted(found.union(wordless)) if found else []

    def discards_in(self, text: str) -> tuple[Discard, ...]:
        """The discard phrases found in ``text`` (from a word start; case-insensitive).

        Only the alternatives whose first word the text has are tried (most sentences: none): the same
        matches as the whole alternation, which tries every phrase at every word start. That holds for
        ASCII text; elsewhere ``str.lower`` and the regex's case folding may disagree ("ſ" matches "s"),
        so a non-ASCII text that may hold one is searched with the whole alternation."""
        possible = self._possible_discards(text)
        if not possible:
            return ()
        alternatives = self._discard_alternatives[0]
        if text.isascii():
            pattern = _alternation(tuple(alternatives[i] for i in possible))
        else:
            pattern = self._discard_pattern
        return tuple(self._discard_matched(m.group(0)) for m in pattern.finditer(text))

    def _discard_matched(self, matched: str) -> Discard:
        """The discard a match of the alternation stands for. The regex folds case further than
        ``str.lower`` ("ſ" matches "s", the Kelvin sign "k"): such a match is told by its pattern."""
        alternatives, by_phrase = self._discard_alternatives
        found = by_phrase.get(" ".join(matched.lower().split()))
        if found is not None:
            return found
        for body, discard in zip(alternatives, self._ordered_discards, strict=True):
            if re.fullmatch(body, matched, re.IGNORECASE):
                return by_phrase[discard.phrase]
        raise AssertionError(f"no discard phrase matches {matched!r}")  # pragma: no cover


@functools.lru_cache(maxsize=4096)
def _alternation(bodies: tuple[str, ...]) -> re.Pattern[str]:
    """Discard phrases as one case-insensitive alternation from a word start, tried in this order."""
    return re.compile(r"(?<![^\W_])(?:" + "|".join(bodies) + ")", re.IGNORECASE)


_WORD = re.compile(r"[^\W_]+")
_Positions = dict[str, tuple[int, ...]]  # a word -> positions of the discard alternatives it can start


@functools.cache
def load_dictionaries(folder: str | Path | None = None) -> Dictionaries:
    """The dictionaries of ``folder`` (default: the package's ``worker/data/dictionaries``), cached."""
    if folder is None:
        return Dictionaries(resources.files("worker").joinpath("data", "dictionaries"))
    return Dictionaries(Path(folder))


def dictionaries() -> Dictionaries:
    """The package's dictionaries."""
    return load_dictionaries()


def verb_patterns(lemma: str) -> tuple[VerbPattern, ...]:
    """Every pattern of the verb ``lemma`` in the package's dictionaries."""
    return dictionaries().verb_patterns(lemma)


def match_verb(
    lemma: str,
    objects: Iterable[str | Sequence[str]] = (),
    preps: Mapping[str, Iterable[str | Sequence[str]]] | None = None,
    particle: str | Iterable[str] | None = None,
    subject: str | Sequence[str] | None = None,
    *,
    subject_preps: Mapping[str, Iterable[str | Sequence[str]]] | None = None,
    before: Iterable[str] = (),
) -> VerbPattern | None:
    """``Dictionaries.match_verb`` on the package's dictionaries."""
    return dictionaries().match_verb(
        lemma, objects, preps, particle, subject, subject_preps=subject_preps, before=before
    )


def agent(phrase: str | Sequence[str]) -> Agent | None:
    """The agent noun ``phrase`` in the package's dictionaries."""
    return dictionaries().agent(phrase)


def actor_code(name: str, on_date: dt.date) -> str | None:
    """The actor code of ``name`` on ``on_date`` in the package's dictionaries."""
    return dictionaries().actor_code(name, on_date)


def in_synset(name: str, phrase: str | Sequence[str]) -> bool:
    """Whether ``phrase`` is a member of the synset ``name`` ("&MILITARY") in the package's dictionaries."""
    return dictionaries().synsets.contains(name, phrase)


__all__ = [
    "ActorRule", "Agent", "Clause", "Conditions", "Dictionaries", "Discard", "NounCondition", "PrepCondition",
    "Synsets", "VerbPattern", "actor_code", "agent", "dictionaries", "in_synset", "load_dictionaries",
    "match_verb", "normalise_name", "resolve_actor", "verb_patterns",
]
