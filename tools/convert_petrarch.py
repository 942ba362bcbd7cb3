"""Compile PETRARCH2's dictionaries into eventwire's tables in ``worker/data/dictionaries/``.

    python -m tools.convert_petrarch [--reference DIR] [--out worker/data/dictionaries]

Reads ``CAMEO.2.0.txt``, the three ``Phoenix.*.actors.txt`` files, ``Phoenix.agents.txt`` and
``Phoenix.discards.txt`` (formats: ``petrarch2/dictionaries.rst``) and writes sorted TSV tables, so a re-run
on the same input gives identical bytes. Whatever cannot be used is skipped and counted by reason.
``worker/extraction/dictionary.py`` loads the tables; the column meanings are in each table's header.

Nouns in patterns, synsets and agents are lemmatised with a small suffix rule (``lemma``) so that they can be
compared with spaCy lemmas of the parsed text; the file's own spellings are kept where a table has ``forms``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tools.reference import REPO_ROOT, reference_dir

DEFAULT_OUT = REPO_ROOT / "worker" / "data" / "dictionaries"
PETRARCH_COMMIT = "676801c"
VERB_FILE = "CAMEO.2.0.txt"
ACTOR_FILES = {  # PETRARCH2's PETR_config.ini load order
    "countries": "Phoenix.Countries.actors.txt",
    "international": "Phoenix.International.actors.txt",
    "milnonstate": "Phoenix.MilNonState.actors.txt",
}
AGENT_FILE = "Phoenix.agents.txt"
DISCARD_FILE = "Phoenix.discards.txt"

NULL = "none"  # PETRARCH's null code "---": this use is explicitly not an event / not an actor

# --------------------------------------------------------------------------------------------- words


_INVARIANT_NOUNS = frozenset({
    "news", "series", "species", "means", "headquarters", "gas", "chaos", "politics", "economics", "physics",
    "aids", "crossroads", "barracks", "whereabouts", "thanks", "lens",
})
_IRREGULAR_NOUNS = {"children": "child", "crises": "crisis", "analyses": "analysis", "people": "people"}


def singular(word: str) -> str:
    """The singular of a lower-case English noun by suffix rules, close to spaCy's lemmas of plural nouns.

    Words that are not plurals come back unchanged; a wrong guess only costs a missed match, since the
    tables keep the file's own spelling as well where it matters (``forms``).
    """
    if word in _IRREGULAR_NOUNS:
        return _IRREGULAR_NOUNS[word]
    if word == "men" or (word.endswith("men") and len(word) > 4):
        return word[:-3] + "man"
    if len(word) <= 3 or word in _INVARIANT_NOUNS or not word.endswith("s") or word.endswith("gas"):
        return word
    if word.endswith(("ss", "us", "is", "ics")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    return word[:-1]


def lemma_phrase(words: Iterable[str]) -> str:
    """Lower-case, space-joined lemmas of the words of a noun phrase (synset names kept as they are)."""
    return " ".join(w if w.startswith("&") else singular(w.lower()) for w in words)


def petrarch_plural(phrase: str) -> str:
    """PETRARCH's regular plural of an agent phrase: Y -> IES, S -> SES, else + S (on the last letter)."""
    if phrase.endswith("y"):
        return phrase[:-1] + "ies"
    if phrase.endswith("s"):
        return phrase + "es"
    return phrase + "s"


def words_of(name: str) -> str:
    """A dictionary phrase in normal form: underscores as spaces (TABARI's final ``_`` goes), lower case."""
    return " ".join(name.replace("_", " ").split()).lower()


def parse_code(text: str) -> tuple[str, str] | None:
    """``042``, ``042:043``, ``:173``, ``---`` -> (code, reverse code); ``none`` = null, "" = no reverse."""
    active, _, passive = text.strip().partition(":")

    def one(part: str, empty: str) -> str | None:
        part = part.strip()
        if part in ("", "---"):
            return empty if part == "" else NULL
        return part if re.fullmatch(r"\d{2,4}", part) else None

    code, reverse = one(active, NULL), one(passive, "")
    if code is None or reverse is None:
        return None
    return code, "" if reverse == NULL else reverse


# ----------------------------------------------------------------------------------------- verb file


_NOT_PREPOSITIONS = frozenset({
    "that", "as", "will", "would", "not", "been", "be", "is", "was", "are", "and", "or", "than", "if",
})
PREPOSITIONS = frozenset({
    "on", "to", "in", "into", "from", "with", "by", "for", "of", "against", "toward", "towards", "at", "over",
    "under", "about", "after", "before", "between", "during", "through", "within", "without", "near",
    "across", "behind", "upon",
})
FUNCTION_WORDS = PREPOSITIONS | _NOT_PREPOSITIONS
PARTICLES = frozenset({
    "up", "down", "out", "off", "away", "back", "aside", "forward", "together", "apart", "around", "along",
})
DETERMINERS = frozenset({"a", "an", "the"})
_TOKEN = re.compile(r"\([^()]*\)|\{[^{}]*\}|[^\s(){}]+|[(){}]")
_CODE_AT_END = re.compile(r"\[([^\[\]]*)\]\s*$")


@dataclass(frozen=True, order=True)
class VerbRow:
    """One verb of a synonym block (``verbs.tsv``)."""

    lemma: str
    particle: str
    prefix: str
    block: str
    code: str
    reverse_code: str
    line: int


@dataclass(frozen=True, order=True)
class PatternRow:
    """One pattern of a synonym block (``verb_patterns.tsv``); list columns are ``|``-joined and sorted."""

    block: str
    subject: str
    subject_preps: str
    particle: str
    objects: str
    preps: str
    source_at: str
    target_at: str
    code: str
    reverse_code: str
    line: int

    @property
    def conditions(self) -> tuple[str, ...]:
        return (self.subject, self.subject_preps, self.particle, self.objects, self.preps, self.source_at,
                self.target_at)


@dataclass(frozen=True, order=True)
class SynsetRow:
    """One member lemma of a ``&CLASS`` (``synsets.tsv``)."""

    synset: str
    lemma: str
    forms: str


@dataclass
class VerbDictionary:
    """What the verb file yields."""

    verbs: list[VerbRow] = field(default_factory=list)
    patterns: list[PatternRow] = field(default_factory=list)
    synsets: list[SynsetRow] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


class SkipPattern(Exception):
    """A pattern that cannot be compiled; the message is the reason counted."""


@dataclass
class _Side:
    nouns: list[str] = field(default_factory=list)
    preps: list[str] = field(default_factory=list)
    particle: str = ""


def _split_underscores(token: str) -> list[str]:
    """``AIR_STRIKE`` -> AIR, STRIKE; a synset name keeps its underscores (``FIGHTER_&FIGHT_OF_WORDS``)."""
    head, amp, name = token.partition("&")
    return [*(part for part in head.split("_") if part), *([amp + name] if amp else [])]


def _noun_words(tokens: Sequence[str], synsets: set[str], notes: Counter[str]) -> list[str]:
    words: list[str] = []
    for token in (part for whole in tokens for part in _split_underscores(whole)):
        if token.startswith("&"):
            label = token.rstrip("_")
            if label not in synsets:
                raise SkipPattern("undefined synset")
            words.append(label)
        elif token in ("+", "$", "^", "%") or "/" in token or not re.search(r"[A-Za-z0-9]", token):
            raise SkipPattern("marker or disjunction inside a noun phrase")
        elif token.lower() in DETERMINERS:
            notes["determiner dropped from a pattern noun phrase"] += 1
        else:
            words.append(token)
    return words


def _phrase(words: Sequence[str]) -> str:
    return lemma_phrase(words)


def _prep(token: str, side: _Side, markers: dict[str, str], synsets: set[str], notes: Counter[str]) -> None:
    inner = _TOKEN.findall(token[1:-1])
    if not inner or not re.fullmatch(r"[A-Za-z]+", inner[0]):
        raise SkipPattern("malformed prepositional phrase")
    prep, rest = inner[0].lower(), inner[1:]
    if any("/" in t for t in rest):
        raise SkipPattern("disjunction (TABARI legacy)")
    marks = [t for t in rest if t in ("+", "$", "^")]
    nouns = [t for t in rest if t not in ("+", "$", "^")]
    if marks and (len(marks) > 1 or nouns):
        raise SkipPattern("marker inside a prepositional phrase with other words")
    if marks and marks[0] != "^":
        role = "target_at" if marks[0] == "+" else "source_at"
        if role in markers:
            raise SkipPattern("two target or source markers")
        markers[role] = f"prep:{prep}"
    words: list[str] = []
    for t in nouns:
        words.extend(_noun_words(t[1:-1].split() if t.startswith("{") else [t], synsets, notes))
    if len([t for t in nouns if not t.startswith("{")]) > 1 or (len(nouns) > 1):
        notes["words of one prepositional object read as one phrase"] += 1
    if prep in PARTICLES:
        # "(ASIDE RIFT)": a particle and an object written as a prepositional phrase
        notes["particle written as a prepositional phrase"] += 1
        _set_particle(side, prep)
        if words:
            side.nouns.append(_phrase(words))
        return
    side.preps.append(f"{prep}:{_phrase(words)}" if words else prep)


def _set_particle(side: _Side, particle: str) -> None:
    if side.particle and side.particle != particle:
        raise SkipPattern("two particles")
    side.particle = particle


_ALTERNATIVES = re.compile(r"[A-Za-z&][\w&'-]*(?:/[A-Za-z&][\w&'-]*)+")


def expand_disjunctions(body: str) -> list[str]:
    """TABARI's ``A/B`` alternatives as separate patterns: ``(BY/WITH X)`` -> ``(BY X)``, ``(WITH X)``."""
    found = _ALTERNATIVES.search(body)
    if not found:
        return [body]
    head, tail = body[: found.start()], body[found.end() :]
    return [text for word in found.group(0).split("/") for text in expand_disjunctions(head + word + tail)]


def _nounish(token: str) -> bool:
    lowered = token.lower()
    return not token.startswith("(") and lowered not in FUNCTION_WORDS and lowered not in PARTICLES


def _bare_preposition(tokens: list[str], notes: Counter[str]) -> list[str]:
    """``* ATTACK ON +`` -> ``* ATTACK (ON +)``: one bare preposition with at most one word after it, at the
    end, is the TABARI spelling of a prepositional phrase; anything longer stays (and is skipped)."""
    at = [i for i, token in enumerate(tokens) if token.lower() in PREPOSITIONS]
    if len(at) != 1:
        return tokens
    tail = tokens[at[0] + 1 :]
    if len(tail) > 1 or (tail and not _nounish(tail[0])):
        return tokens
    notes["bare preposition at the end read as a prepositional phrase"] += 1
    return [*tokens[: at[0]], "(" + " ".join(tokens[at[0] :]) + ")"]


def parse_pattern(body: str, synsets: set[str], notes: Counter[str]) -> tuple[tuple[str, ...], str, str]:
    """Conditions, code and reverse code of a pattern's text (after the leading ``-``, comment removed).

    Raises ``SkipPattern`` with the reason when the pattern is not in PETRARCH2's grammar.
    """
    found = _CODE_AT_END.search(body)
    if not found:
        raise SkipPattern("no [code] at the end")
    codes = parse_code(found.group(1))
    if codes is None:
        raise SkipPattern("malformed code")
    text = body[: found.start()]
    if text.count("*") != 1:
        raise SkipPattern("not exactly one * (verb position)")
    pre_text, post_text = text.split("*")
    markers: dict[str, str] = {}
    sides = (_Side(), _Side())
    for index, part in enumerate((pre_text, post_text)):
        side = sides[index]
        bare_marks: list[str] = []
        tokens = _TOKEN.findall(part)
        for token in _bare_preposition(tokens, notes) if index == 1 else tokens:
            if token in "(){}":
                raise SkipPattern("unbalanced brackets")
            if token.startswith("("):
                _prep(token, side, markers, synsets, notes)
            elif token.startswith("{"):
                side.nouns.append(_phrase(_noun_words(token[1:-1].split(), synsets, notes)))
            elif token in ("+", "$"):
                bare_marks.append(token)
            elif token == "%":
                raise SkipPattern("compound-actor marker %")
            elif token == "^" or "/" in token:
                raise SkipPattern("TABARI skip marker ^ or disjunction outside a prepositional phrase")
            elif token.startswith("&") or "_" in token:
                side.nouns.append(_phrase(_noun_words([token], synsets, notes)))
            elif token.lower() in DETERMINERS:
                notes["determiner dropped from a pattern noun phrase"] += 1
            elif index == 1 and token.lower() in PARTICLES:
                _set_particle(side, token.lower())
            elif token.lower() in FUNCTION_WORDS:
                raise SkipPattern("TABARI word sequence (bare preposition or auxiliary)")
            else:
                side.nouns.append(_phrase([token]))
        for mark in bare_marks:
            role = "target_at" if mark == "+" else "source_at"
            if role in markers:
                raise SkipPattern("two target or source markers")
            if index == 1 and side.nouns:
                raise SkipPattern("target/source marker beside another object (TABARI word sequence)")
            markers[role] = "subject" if index == 0 else "object"
    pre, post = sides
    if pre.particle:
        raise SkipPattern("particle before the verb")
    conditions = (
        "|".join(sorted(pre.nouns)),
        "|".join(sorted(pre.preps)),
        post.particle,
        "|".join(sorted(post.nouns)),
        "|".join(sorted(post.preps)),
        markers.get("source_at", ""),
        markers.get("target_at", ""),
    )
    return conditions, codes[0], codes[1]


_VERB_LINE = re.compile(r"^([^\s\[{]+)\s*(\{[^}]*\})?\s*(\[[^\]]*\])?\s*$")


def parse_verb_line(text: str) -> tuple[str, str, str, str | None] | None:
    """``+CORDON_OFF {...} [160]`` -> (lemma, particle, prefix, code text or None); None when unreadable."""
    found = _VERB_LINE.match(text.split(";", 1)[0].strip())
    if not found:
        return None
    words = found.group(1).split("_")
    marked = [i for i, w in enumerate(words) if w.startswith("+")]
    if len(words) > 1 and len(marked) != 1:
        return None  # PETRARCH2 also skips a multi-word verb without exactly one '+'
    at = marked[0] if marked else 0
    verb = words[at].lstrip("+")
    if not re.fullmatch(r"[A-Za-z][A-Za-z'-]*", verb):
        return None
    code = found.group(3)[1:-1] if found.group(3) else None
    prefix = " ".join(w.lower() for w in words[:at] if w)
    particle = " ".join(w.lower() for w in words[at + 1 :] if w)
    return verb.lower(), particle, prefix, code


def base_form(word: str, known: set[str]) -> str:
    """``deterring`` -> ``deter`` when the dictionary lists the base form as a verb elsewhere; else ``word``.

    A few verbs are listed only in an inflected form (DETERRING, WORRIED, +ANGERED_BY), which a lemma never
    equals; base forms that merely end in -ed or -ing (need, bring) have no such listed stem and stay.
    """
    for ending in ("ing", "ied", "ed"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            candidates = [stem + "y"] if ending == "ied" else [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                candidates.append(stem[:-1])  # kidnapped, dispelling
            for candidate in candidates:
                if candidate in known and candidate != word:
                    return candidate
    return word


def parse_verb_dictionary(text: str) -> VerbDictionary:
    """Synsets, verbs and patterns of a PETRARCH2 verb dictionary (``CAMEO.2.0.txt`` format)."""
    out = VerbDictionary()
    skipped = out.skipped
    members: dict[str, dict[str, set[str]]] = {}  # synset -> lemma -> forms
    plural_free: set[str] = set()
    lines = text.splitlines()
    # synsets may be defined anywhere in the file, but before the patterns that use them in practice;
    # collect them first so that pattern validation sees them all
    current: str | None = None
    for raw in lines:
        body = raw.split("#", 1)[0].strip()
        if body.startswith("&"):
            current = body.split()[0].rstrip("_")
            if body.split()[0].endswith("_"):
                plural_free.add(current)
            members.setdefault(current, {})
        elif body.startswith("+") and current is not None:
            phrase = words_of(body[1:])
            if not phrase or "&" in phrase:
                skipped["synset member that is empty or a synset"] += 1
                continue
            lemma = phrase if current in plural_free else lemma_phrase(phrase.split())
            members[current].setdefault(lemma, set()).add(phrase)
        elif body:
            current = None
    for synset, by_lemma in members.items():
        for lemma, forms in by_lemma.items():
            out.synsets.append(SynsetRow(synset, lemma, ",".join(sorted(forms))))
    out.synsets.sort()
    known = set(members)

    block = ""
    block_code: tuple[str, str] = (NULL, "")
    in_synset = False
    raw_verbs: list[VerbRow] = []
    patterns: dict[tuple[str, tuple[str, ...]], PatternRow] = {}
    notes: Counter[str] = Counter()
    for number, raw in enumerate(lines, 1):
        if raw.startswith("~"):
            skipped["verb transformation (~ line): verb-verb rules, not patterns"] += 1
            continue
        body = raw.split("#", 1)[0].rstrip()
        stripped = body.strip()
        if not stripped:
            continue
        if stripped.startswith("&"):
            in_synset = True
            continue
        if stripped.startswith("+") and in_synset:
            continue
        in_synset = False
        if stripped.startswith("---"):
            header = re.match(r"^---\s+(\S+)\s*(?:\[([^\]]*)\])?", stripped)
            if not header:
                skipped["unreadable block header"] += 1
                block = ""
                continue
            block = header.group(1)
            block_code = parse_code(header.group(2) or "---") or (NULL, "")
            continue
        if not block:
            skipped["line outside a verb block"] += 1
            continue
        if stripped.startswith("-"):
            variants = expand_disjunctions(stripped[1:])
            if len(variants) > 1:
                notes["TABARI disjunction A/B expanded into one pattern each"] += 1
            for variant in variants:
                try:
                    conditions, code, reverse = parse_pattern(variant, known, notes)
                except SkipPattern as reason:
                    skipped[f"pattern: {reason}"] += 1
                    continue
                key = (block, conditions)
                if key in patterns:
                    earlier = patterns[key]
                    same = (earlier.code, earlier.reverse_code) == (code, reverse)
                    skipped["pattern: repeated in its block" + ("" if same else
                            " with another code (the later kept, as PETRARCH2 does)")] += 1
                patterns[key] = PatternRow(block, *conditions, code, reverse, number)
            continue
        parsed = parse_verb_line(stripped)
        if parsed is None:
            skipped["verb line: unreadable or multi-word verb without one '+'"] += 1
            continue
        lemma, particle, prefix, code_text = parsed
        codes = block_code if code_text is None else parse_code(code_text)
        if codes is None:
            skipped["verb line: malformed code"] += 1
            continue
        if {"and", "or"} & set(particle.split()):
            skipped["verb line: words joined by and/or (KILLED_AND), not a particle"] += 1
            continue
        raw_verbs.append(VerbRow(lemma, particle, prefix, block, codes[0], codes[1], number))
    base_forms = {verb.lemma for verb in raw_verbs}
    seen_verbs: dict[tuple[str, str, str, str], VerbRow] = {}
    listed: set[tuple[str, str, str]] = set()
    for verb in raw_verbs:
        lemma = base_form(verb.lemma, base_forms)
        if lemma != verb.lemma:
            skipped["(kept) verb listed in an inflected form, read as its base form"] += 1
        verb_key = (lemma, verb.particle, verb.prefix)
        if (*verb_key, verb.block) in seen_verbs:
            skipped["verb: repeated in its block (the first kept)"] += 1
            continue
        if verb_key in listed:
            # PETRARCH2 keeps only the first block of such a verb (ABANDON is in EVACUATE before its own
            # block); the tables keep every block, whose patterns all apply, and the loader takes the
            # default code from the first listing, as PETRARCH2 does
            skipped["(kept) verb listed in another block too: it takes both blocks' patterns"] += 1
        listed.add(verb_key)
        seen_verbs[(*verb_key, verb.block)] = VerbRow(
            lemma, verb.particle, verb.prefix, verb.block, verb.code, verb.reverse_code, verb.line
        )
    out.verbs = sorted(seen_verbs.values())
    out.patterns = sorted(patterns.values())
    for note, count in notes.items():
        skipped[f"(kept) {note}"] += count
    return out


# ---------------------------------------------------------------------------------------------- actors


@dataclass(frozen=True, order=True)
class ActorRow:
    """One name x one dated code rule (``actors.tsv``)."""

    name: str
    code: str
    start: str
    end: str
    kind: str
    file: str


@dataclass
class _Record:
    names: list[str]
    rules: list[str]
    inline: bool
    line: int


def parse_date(text: str) -> dt.date | None:
    """YYMMDD (00-30 -> 20YY, else 19YY, as PETRARCH2) or YYYYMMDD; None when malformed."""
    if not text.isdigit() or len(text) not in (6, 8):
        return None
    if len(text) == 6:
        year = int(text[:2])
        year += 2000 if year <= 30 else 1900
        month, day = int(text[2:4]), int(text[4:6])
    else:
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_rule(inner: str) -> tuple[str, str, str] | str:
    """``AFGGOV 791227-861124`` -> (code, start, end) as ISO dates ("" = open); a reason string if unusable.

    ``<D``: before D; ``>D``: from D on; ``D1-D2``: from D1 up to D2. The start is inclusive and the end
    exclusive, as PETRARCH2's ``check_date`` applies them.
    """
    parts = inner.split()
    if not parts:
        return "empty [code]"
    code = NULL if parts[0] == "---" else parts[0]
    if code != NULL and not re.fullmatch(r"[A-Z0-9]+", code):
        return "malformed code"
    restriction = "".join(parts[1:])
    if not restriction:
        return code, "", ""
    if restriction[0] in "<>":
        day = parse_date(restriction[1:])
        if day is None:
            return "malformed date"
        return (code, "", day.isoformat()) if restriction[0] == "<" else (code, day.isoformat(), "")
    first, dash, last = restriction.partition("-")
    start, end = parse_date(first), parse_date(last) if dash else None
    if start is None or (dash and end is None) or not dash:
        return "malformed date"
    assert end is not None
    if end < start:
        return "date range ends before it starts"
    return code, start.isoformat(), end.isoformat()


def _kind(file: str, record: _Record, rules: Sequence[tuple[str, str, str]]) -> str:
    if any(start or end for _, start, end in rules):
        return "person"  # records with dated roles are office holders
    codes = [code for code, _, _ in rules if code != NULL]
    first = codes[0] if codes else ""
    if file == "milnonstate":
        return "armed_group"
    if file == "international":
        prefixes = {"IGO": "igo", "NGO": "ngo", "NGM": "ngo", "MNC": "mnc", "IMG": "armed_group"}
        return prefixes.get(first[:3], "other")
    # countries file: a country's (or territory's) own record carries its code on the name line
    return "country" if record.inline else "national"


def parse_actor_file(text: str, file: str, skipped: Counter[str]) -> list[ActorRow]:
    """Rows of one PETRARCH actor dictionary; ``file`` is its short name (countries, international, ...)."""
    records: list[_Record] = []
    carried: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.startswith("#"):
            continue
        body = raw.split("#", 1)[0]
        if not body.strip():
            continue
        stripped = body.strip()
        if body[0] in " \t" and stripped.startswith("["):
            if not records:
                skipped["actors: restriction before any name"] += 1
                continue
            records[-1].rules.extend(re.findall(r"\[([^\]]*)\]", stripped))
            continue
        if ": " in stripped:
            skipped["actors: prose line, not a name ('Source: ...')"] += 1
            continue
        if body[0] in " \t":
            skipped["(kept) actors: indented name line read as a name line"] += 1
        if stripped.startswith("+"):
            if not records:
                skipped["actors: synonym before any name"] += 1
                continue
            records[-1].names.append(words_of(stripped[1:].split("[", 1)[0]))
            records[-1].rules.extend(re.findall(r"\[([^\]]*)\]", stripped))
            continue
        if records and not records[-1].rules:
            # a name line with no code directly followed by another name line: the files omit the '+'
            # here (PETRARCH2 would leave these names uncoded); they belong to the record that follows
            carried.extend(records.pop().names)
            skipped["(kept) actors: name without code joined the next record (missing '+')"] += 1
        inline = re.findall(r"\[([^\]]*)\]", stripped)
        records.append(_Record([*carried, words_of(stripped.split("[", 1)[0])], inline, bool(inline), number))
        carried = []
    if records and not records[-1].rules:
        skipped["actors: name without any code"] += len(records.pop().names)
    rows: list[ActorRow] = []
    for record in records:
        rules: list[tuple[str, str, str]] = []
        for inner in record.rules:
            parsed = parse_rule(inner)
            if isinstance(parsed, str):
                skipped[f"actors: rule with {parsed}"] += 1
            else:
                rules.append(parsed)
        kind = _kind(file, record, rules)
        for name in record.names:
            if not name:
                skipped["actors: empty name"] += 1
                continue
            rows.extend(ActorRow(name, code, start, end, kind, file) for code, start, end in rules)
    return rows


def first_rule_per_window(rows: Iterable[ActorRow], skipped: Counter[str]) -> list[ActorRow]:
    """One code per name and date window (start, end), the first in load order; sorted.

    Load order is the files' (countries, international, milnonstate), then line order: within a record
    this is PETRARCH2's (its first matching rule wins), and across files it keeps the curated country file's
    reading. So a name has at most one open (undated) rule, and the loader never meets a tie.
    """
    kept: dict[tuple[str, str, str], ActorRow] = {}
    for row in rows:
        key = (row.name, row.start, row.end)
        if key not in kept:
            kept[key] = row
        elif kept[key].code != row.code:
            skipped["(kept first) actors: another code for the same name and dates"] += 1
    return sorted(kept.values())


# ---------------------------------------------------------------------------------------- agents, discards


@dataclass(frozen=True, order=True)
class AgentRow:
    """One form of an agent noun (``agents.tsv``)."""

    phrase: str
    lemma: str
    number: str
    code: str
    attach: str


_AGENT_CODE = re.compile(r"\[\s*(~?)([A-Z0-9]+)(~?)\s*[\]}]")


def parse_agents(text: str, skipped: Counter[str]) -> list[AgentRow]:
    """Rows of a PETRARCH agents dictionary: every singular and plural form with its sector code."""
    markers: dict[str, list[str]] = {}
    rows: dict[str, AgentRow] = {}

    def add(phrase: str, lemma: str, number: str, code: str, attach: str) -> None:
        if phrase in rows and rows[phrase].code != code:
            skipped["(kept) agents: form listed again with another code (the later kept, as PETRARCH2)"] += 1
        rows[phrase] = AgentRow(phrase, lemma, number, code, attach)

    for raw in text.splitlines():
        body = raw.split("#", 1)[0].strip()
        if not body or body.startswith("<!"):
            continue
        marker = re.match(r"^!([A-Z]+)!\s*=\s*(.+)$", body)
        if marker:
            markers[marker.group(1)] = [item.strip() for item in marker.group(2).split(",") if item.strip()]
            continue
        found = _AGENT_CODE.search(body)
        if not found:
            skipped["agents: line without a [~CODE]"] += 1
            continue
        before, code, after = found.groups()
        if bool(before) == bool(after):
            skipped["agents: code without one ~"] += 1
            continue
        attach = "suffix" if before else "prefix"
        phrase_text = body[: found.start()].strip()
        used = re.search(r"!([A-Z]+)!", phrase_text)
        if used:
            if used.group(1) not in markers:
                skipped["agents: undefined substitution marker"] += 1
                continue
            for item in markers[used.group(1)]:
                form = words_of(phrase_text.replace(used.group(0), item))
                words = form.split()
                lemma = " ".join([*words[:-1], singular(words[-1])])
                add(form, lemma, "singular" if lemma == form else "plural", code, attach)
            continue
        plural_text: str | None = None
        if "{" in phrase_text:
            inside = re.search(r"\{([^}]*)\}", phrase_text)
            if not inside:
                skipped["agents: missing '}'"] += 1
                continue
            plural_text = words_of(inside.group(1))
            phrase_text = phrase_text[: phrase_text.index("{")]
        singular_form = words_of(phrase_text)
        if not singular_form:
            skipped["agents: empty phrase"] += 1
            continue
        add(singular_form, singular_form, "singular", code, attach)
        plural = petrarch_plural(singular_form) if plural_text is None else plural_text
        if plural:
            add(plural, singular_form, "plural", code, attach)
    return sorted(rows.values())


@dataclass(frozen=True, order=True)
class DiscardRow:
    """One discard phrase (``discards.tsv``)."""

    phrase: str
    scope: str
    match: str


def parse_discards(text: str, skipped: Counter[str]) -> list[DiscardRow]:
    """Rows of a PETRARCH discard list: ``+`` = the whole story, trailing ``_`` = whole words only."""
    rows: set[DiscardRow] = set()
    for raw in text.splitlines():
        body = raw.split("#", 1)[0].strip()
        if not body:
            continue
        scope = "story" if body.startswith("+") else "sentence"
        body = body.lstrip("+").strip()
        match = "word" if body.endswith("_") else "prefix"
        phrase = words_of(body)
        if not phrase:
            skipped["discards: empty phrase"] += 1
            continue
        rows.add(DiscardRow(phrase, scope, match))
    return sorted(rows)


# --------------------------------------------------------------------------------------------- output


def _header(sources: Sequence[str], description: str, columns: Sequence[tuple[str, str]]) -> list[str]:
    lines = [
        f"# {description}",
        f"# Source: PETRARCH2 dictionaries {', '.join(sources)} (openeventdata/petrarch2, commit "
        f"{PETRARCH_COMMIT}, petrarch2/data/dictionaries).",
        "# Licence: MIT; Copyright (c) 2014-2015 Open Event Data Alliance (see petrarch2/LICENSE);",
        "# dictionary development funded by the U.S. National Science Foundation.",
        "# GENERATED by tools/convert_petrarch.py: do not edit; change the converter and re-run",
        "#     python -m tools.convert_petrarch",
        "# Columns:",
    ]
    width = max(len(name) for name, _ in columns)
    lines += [f"#   {name:<{width}}  {meaning}" for name, meaning in columns]
    return lines


def _write(
    path: Path, header: list[str], columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[object]]
) -> None:
    out = [*header, "\t".join(name for name, _ in columns)]
    for row in rows:
        cells = [str(cell) for cell in row]
        if any("\t" in cell or "\n" in cell for cell in cells):
            raise ValueError(f"tab or newline inside a cell of {path.name}: {cells}")
        out.append("\t".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


PHRASE = "a noun phrase: space-separated lemmas, head last; &NAME = any member of that synset"

VERB_COLUMNS = [
    ("lemma", "the verb's base form (lower case)"),
    ("particle", "word(s) the verb takes after it ('off' in cordon off, 'for' in ask for); empty = none"),
    ("prefix", "word(s) before the verb in a multi-word verb ('wire' in wire-tap, 're' in re-arrest)"),
    ("block", "synonym block: the verb takes that block's rows of verb_patterns.tsv"),
    ("code", "CAMEO code of the verb on its own (block code unless the verb has one); none = not an event. "
             "A verb listed in several blocks takes every block's patterns and its first listing's code"),
    ("reverse_code", "code of the event read the other way (see verb_patterns.tsv); empty = none"),
    ("line", f"line in {VERB_FILE}"),
]
PATTERN_COLUMNS = [
    ("block", "synonym block the pattern belongs to (verbs.tsv lists its verbs)"),
    ("subject", f"conditions on the subject (pre-verb nouns), |-separated; each {PHRASE}"),
    ("subject_preps", "prepositional phrases on the subject: prep or prep:phrase, |-separated"),
    ("particle", "particle the verb must have ('out' in set out views); empty = any"),
    ("objects", "conditions on the verb's noun or adverb complements (direct object first of all), "
                "|-separated phrases; each must match one of them"),
    ("preps", "prepositional phrases after the verb: prep (any object) or prep:phrase, |-separated"),
    ("source_at", "where the pattern puts the source actor when it says: subject, object or prep:X "
                  "($ in the file); empty = the subject as usual"),
    ("target_at", "where the target is (+ in the file): subject, object or prep:X; empty = as usual"),
    ("code", "CAMEO code of the event, subject -> target; none = this use is NOT an event "
             "(PETRARCH's null code ---, which overrides the verb's own code)"),
    ("reverse_code", "the second half of [A:B]: the event with the roles reversed (target -> subject), "
                     "e.g. 043 host a visit for 'A arrived in B' (042); with code none it is the only event"),
    ("line", f"line in {VERB_FILE}; among equally specific matches the later line wins, as in PETRARCH2"),
]
SYNSET_COLUMNS = [
    ("synset", "the &NAME used in verb_patterns.tsv"),
    ("lemma", "a member: space-separated lemmas (a multi-word member matches the end of a phrase)"),
    ("forms", "the member's spellings in the file, comma-separated (lower case)"),
]
AGENT_COLUMNS = [
    ("phrase", "a form of the agent noun as it appears in text (lower case; singular or plural)"),
    ("lemma", "its singular phrase: the key to look it up by"),
    ("number", "singular or plural (plurals are the file's, or PETRARCH's regular ones)"),
    ("code", "sector code, e.g. GOV, MIL, COP, OPP, REB, JUD, LEG, BUS, MED, EDU, CVL, LAB"),
    ("attach", "suffix: appended to the actor code (~GOV: USA + GOV = USAGOV); prefix: put before it (NGO~)"),
]
ACTOR_COLUMNS = [
    ("name", "name phrase, lower case, underscores as spaces"),
    ("code", "CAMEO actor code; none = not an actor in that period (the file's [---])"),
    ("start", "first day the code applies (ISO date, inclusive); empty = open"),
    ("end", "day it stops applying (exclusive, as PETRARCH2); empty = open"),
    ("kind", "country (a country's or territory's own record), person (a record with dated roles), "
             "national (other body or figure of one country), igo, ngo, mnc (multinational "
             "corporation), armed_group, other"),
    ("file", "source file: countries, international or milnonstate"),
]
DISCARD_COLUMNS = [
    ("phrase", "lower-case phrase: a sentence containing it (any case, from a word start) is not coded"),
    ("scope", "sentence, or story: the whole story is not coded"),
    ("match", "word: the phrase must end at a word end; prefix: it may continue (a stem)"),
]


@dataclass
class Compiled:
    """All tables, ready to write."""

    verbs: VerbDictionary
    agents: list[AgentRow]
    actors: list[ActorRow]
    discards: list[DiscardRow]
    skipped: Counter[str]


def petrarch_dir(reference: Path) -> Path:
    """The folder holding the dictionaries: ``<reference>/petrarch2``, or ``reference`` itself."""
    nested = reference / "petrarch2"
    return nested if (nested / VERB_FILE).is_file() else reference


def compile_all(source: Path) -> Compiled:
    """Parse every dictionary in ``source`` (the petrarch2 folder)."""

    def read(name: str) -> str:
        return (source / name).read_text(encoding="utf-8")

    verbs = parse_verb_dictionary(read(VERB_FILE))
    skipped = Counter(verbs.skipped)
    actors: list[ActorRow] = []
    for short, name in ACTOR_FILES.items():
        actors.extend(parse_actor_file(read(name), short, skipped))
    return Compiled(verbs, parse_agents(read(AGENT_FILE), skipped), first_rule_per_window(actors, skipped),
                    parse_discards(read(DISCARD_FILE), skipped), skipped)


def write_all(compiled: Compiled, out: Path) -> list[Path]:
    """Write the tables into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    actor_files = list(ACTOR_FILES.values())
    tables: list[tuple[str, list[str], list[tuple[str, str]], Iterable[Sequence[object]]]] = [
        ("verbs.tsv", _header([VERB_FILE], "Verbs of the CAMEO verb dictionary and their default codes.",
                              VERB_COLUMNS), VERB_COLUMNS, (astuple(r) for r in compiled.verbs.verbs)),
        ("verb_patterns.tsv", _header([VERB_FILE], "Verb patterns: conditions on a verb's arguments -> CAMEO "
                                      "code. A pattern applies to every verb of its block.", PATTERN_COLUMNS),
         PATTERN_COLUMNS, (astuple(r) for r in compiled.verbs.patterns)),
        ("synsets.tsv", _header([VERB_FILE], "Synonym sets (&NAME) of the verb patterns.", SYNSET_COLUMNS),
         SYNSET_COLUMNS, (astuple(r) for r in compiled.verbs.synsets)),
        ("agents.tsv", _header([AGENT_FILE], "Agent nouns -> sector codes.", AGENT_COLUMNS), AGENT_COLUMNS,
         (astuple(r) for r in compiled.agents)),
        ("actors.tsv", _header(actor_files, "Named actors -> codes, one row per name and dated rule.",
                               ACTOR_COLUMNS), ACTOR_COLUMNS, (astuple(r) for r in compiled.actors)),
        ("discards.tsv", _header([DISCARD_FILE], "Phrases that mark a sentence or story as not codable "
                                 "(sport, history, entertainment).", DISCARD_COLUMNS), DISCARD_COLUMNS,
         (astuple(r) for r in compiled.discards)),
    ]
    written = []
    for name, header, columns, rows in tables:
        path = out / name
        _write(path, header, columns, rows)
        written.append(path)
    return written


def astuple(row: object) -> tuple[object, ...]:
    """A row dataclass's fields in order (shallow, unlike ``dataclasses.astuple``)."""
    return tuple(getattr(row, name) for name in row.__dataclass_fields__)  # type: ignore[attr-defined]


def summary(compiled: Compiled, written: Sequence[Path]) -> str:
    """What was compiled and skipped, and the file sizes."""
    verbs = compiled.verbs
    lines = [
        f"verbs {len(verbs.verbs)} ({len({v.lemma for v in verbs.verbs})} lemmas, "
        f"{len({v.block for v in verbs.verbs})} blocks), patterns {len(verbs.patterns)}, "
        f"synsets {len({s.synset for s in verbs.synsets})} ({len(verbs.synsets)} member lemmas), "
        f"agent forms {len(compiled.agents)} ({len({a.lemma for a in compiled.agents})} lemmas), "
        f"actor rows {len(compiled.actors)} ({len({a.name for a in compiled.actors})} names), "
        f"discards {len(compiled.discards)}",
        "skipped or adjusted:",
    ]
    lines += [f"  {count:6d}  {reason}" for reason, count in sorted(compiled.skipped.items())]
    lines += [f"{path.stat().st_size:10,d} bytes  {path}" for path in written]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: compile the dictionaries and print the summary."""
    parser = argparse.ArgumentParser(prog="python -m tools.convert_petrarch",
                                     description="Compile PETRARCH2's dictionaries into eventwire's tables.")
    parser.add_argument("--reference", type=Path, default=None,
                        help="reference folder holding petrarch2/ (default: tools.reference.reference_dir())")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    args = parser.parse_args(argv)
    source = petrarch_dir(args.reference or reference_dir())
    if not (source / VERB_FILE).is_file():
        print(f"no PETRARCH2 dictionaries in {source} (set --reference or EVENTWIRE_REFERENCE_DIR)",
              file=sys.stderr)
        return 2
    compiled = compile_all(source)
    print(summary(compiled, write_all(compiled, args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
