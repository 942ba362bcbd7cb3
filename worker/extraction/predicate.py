"""The shared types of event coding: a coded action in a sentence and its arguments.

``actions`` builds them from the parse, ``factuality`` sets their flags and ``events`` turns their
arguments into actors and records; the types live apart so each of those can use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from worker.extraction.entities import Mention


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
