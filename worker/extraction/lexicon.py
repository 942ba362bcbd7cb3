"""The verb and event-noun lexicons, and the CAMEO code table they point into."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from worker.extraction.tables import read_tsv

PLOVER_TYPES = frozenset(
    [
        "AGREE",
        "CONSULT",
        "SUPPORT",
        "COOPERATE",
        "AID",
        "CONCEDE",
        "RETREAT",
        "REQUEST",
        "ACCUSE",
        "REJECT",
        "THREATEN",
        "PROTEST",
        "SANCTION",
        "MOBILIZE",
        "COERCE",
        "ASSAULT",
    ]
)
VIOLENT_ROOTS = frozenset({"18", "19", "20"})  # CAMEO assault, fight, mass violence


@dataclass(frozen=True)
class CameoCode:
    """One CAMEO event code with the facts carried on every record."""

    code: str
    root: str
    quad_class: int
    goldstein: float
    plover: str | None


@dataclass(frozen=True)
class VerbEntry:
    """One row of the verb lexicon."""

    lemma: str
    pattern: str  # "*", "prep:X", "obj:N", "xcomp:V" or "in:N"
    cameo: str | None  # None for pure light verbs
    targets: tuple[str, ...]  # "dobj", "prep:X", "clause" or "of", tried in order
    flags: frozenset[str]

    @property
    def specificity(self) -> int:
        """1 for a conditioned pattern, 0 for ``*`` (any use of the verb), which is tried last.

        Rows of equal specificity keep their order in verbs.tsv: that order is their precedence.
        """
        return 0 if self.pattern == "*" else 1


@dataclass(frozen=True)
class NounEntry:
    """One row of the event-noun lexicon."""

    noun: str
    cameo: str
    target_preps: tuple[str, ...]
    flags: frozenset[str]


@functools.cache
def cameo_table() -> dict[str, CameoCode]:
    """All CAMEO codes by code string."""
    table: dict[str, CameoCode] = {}
    for row in read_tsv("cameo_codes.tsv"):
        plover = row["plover"] or None
        table[row["code"]] = CameoCode(
            code=row["code"],
            root=row["root"],
            quad_class=int(row["quad_class"]),
            goldstein=float(row["goldstein"]),
            plover=plover if plover in PLOVER_TYPES else None,
        )
    return table


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip() and part != "none")


@functools.cache
def verb_lexicon() -> dict[str, tuple[VerbEntry, ...]]:
    """Verb entries by lemma in the order they are tried: conditioned patterns in file order, then ``*``."""
    by_lemma: dict[str, list[VerbEntry]] = {}
    for row in read_tsv("verbs.tsv"):
        entry = VerbEntry(
            lemma=row["lemma"],
            pattern=row["pattern"],
            cameo=None if row["cameo"] in ("", "-") else row["cameo"],
            targets=_split(row["target"]),
            flags=frozenset(_split(row.get("flags", ""))),
        )
        by_lemma.setdefault(entry.lemma, []).append(entry)
    return {
        lemma: tuple(sorted(entries, key=lambda e: -e.specificity)) for lemma, entries in by_lemma.items()
    }


@functools.cache
def noun_lexicon() -> dict[str, NounEntry]:
    """Event nouns by lemma (possibly two words: "air strike")."""
    return {
        row["noun"]: NounEntry(
            noun=row["noun"],
            cameo=row["cameo"],
            target_preps=_split(row["target"]),
            flags=frozenset(_split(row.get("flags", ""))),
        )
        for row in read_tsv("nouns.tsv")
    }


@functools.cache
def adjective_lexicon() -> dict[str, NounEntry]:
    """Predicate adjectives that code an event ("opposed to", "critical of"), by word; read like
    event nouns (a code and the prepositions that introduce the target)."""
    return {
        row["adjective"]: NounEntry(noun=row["adjective"], cameo=row["cameo"],
                                    target_preps=_split(row["target"]), flags=frozenset())
        for row in read_tsv("adjectives.tsv")
    }


@functools.cache
def _future_codes() -> dict[str, str]:
    return {row["act"]: row["future"] for row in read_tsv("intents.tsv")}


def future_code(code: str) -> str:
    """The code of ``code`` announced for the future: an intent or a threat (``intents.tsv``)."""
    table = _future_codes()
    for length in range(len(code), 1, -1):
        if code[:length] in table:
            return table[code[:length]]
    return code


def nearest_code(code: str) -> str | None:
    """``code`` if the table has it, else its closest parent ("176" -> "17": the field's
    dictionaries use a few codes newer than our table); None if not even the root is known."""
    while code and code not in cameo_table():
        code = code[:-1]
    return code if len(code) >= 2 else None


def code_info(code: str) -> CameoCode:
    """The table entry of ``code``; a code missing from the table is a data error."""
    try:
        return cameo_table()[code]
    except KeyError as exc:
        raise KeyError(f"CAMEO code {code!r} used by the lexicon is not in cameo_codes.tsv") from exc
