"""The model's attribute ruler (tag → POS, morphology and lemma exceptions) with its one-token rules
looked up in tables instead of run through spaCy's ``Matcher``.

The English models' ruler has ~180 rules; all but a few match one token on its tag and/or lowercase
form, yet the ``Matcher`` tries every rule at every token: 11 ms of an article's ~115 ms parse. Here
those rules become two dictionaries (by tag, by lowercase form) and only the rest (several tokens,
the dependency label, regular expressions) go through a ``Matcher``. The matches are the stock
ruler's, in its order, and its own ``set_annotations`` applies them, so the tokens come out the same
(``tests/test_attribute_rules.py`` compares both on our texts).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from spacy.attrs import intify_attr
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.strings import StringStore
from spacy.tokens import Doc

STOCK_NAME = "attribute_ruler"
NAME = "eventwire_attribute_rules"
# the token attributes a one-token rule may test to be looked up in a table; a rule is filed under
# the first of them it tests. Tokens are read as the attributes' string hashes (``Doc.to_array``).
_READ = ("TAG", "LOWER", "DEP")

Constraints = tuple[tuple[int, frozenset[int]], ...]  # (position in _READ, accepted hashes)


def _values(spec: Any) -> frozenset[str] | None:
    """The strings a token attribute may equal in a pattern (``"NN"`` or ``{"IN": [...]}``), or
    None when the pattern asks for something else (a regular expression, a comparison)."""
    if isinstance(spec, str):
        return frozenset([spec])
    if isinstance(spec, dict) and set(spec) == {"IN"} and all(isinstance(v, str) for v in spec["IN"]):
        return frozenset(spec["IN"])
    return None


def _constraints(patterns: list[list[dict[str, Any]]], strings: StringStore) -> Constraints | None:
    """What a rule of one one-token pattern on ``_READ``'s attributes asks of the token, in
    ``_READ``'s order; None for any other rule."""
    if len(patterns) != 1 or len(patterns[0]) != 1 or not patterns[0][0]:
        return None
    token = patterns[0][0]
    if set(token) - set(_READ):
        return None
    found = []
    for position, attr in enumerate(_READ):
        if attr in token:
            values = _values(token[attr])
            if values is None:
                return None
            found.append((position, frozenset(strings.add(v) for v in values)))  # symbol or hash
    return tuple(found)


class TableAttributeRuler:
    """Finds the matches of a stock ``AttributeRuler`` and has it apply them."""

    def __init__(self, stock: AttributeRuler) -> None:
        self.stock = stock
        vocab = stock.vocab
        # per attribute of _READ: its value's hash -> (rule number, the rule's other constraints)
        tables: list[dict[int, list[tuple[int, Constraints]]]] = [defaultdict(list) for _ in _READ]
        self._keys: list[int] = []
        self._rest = Matcher(vocab)
        for number, rule in enumerate(stock.patterns):
            key = vocab.strings.add(str(number))
            self._keys.append(key)
            constraints = _constraints(rule["patterns"], vocab.strings)
            if constraints is None:
                self._rest.add(key, rule["patterns"])
                continue
            (position, values), others = constraints[0], constraints[1:]
            for value in values:
                tables[position][value].append((number, others))
        self._tables = [(position, dict(table)) for position, table in enumerate(tables) if table]
        self._attr_ids = [intify_attr(attr) for attr in _READ]

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """The stock ruler's ``match(doc)``: (rule number, rule key, start, end), sorted."""
        keys, strings = self._keys, self.stock.vocab.strings
        found = [(int(strings[key]), key, start, end)
                 for key, start, end in self._rest(doc, allow_missing=True)]
        for i, token in enumerate(doc.to_array(self._attr_ids).tolist() if len(doc) else []):
            for position, table in self._tables:
                for number, others in table.get(token[position], ()):
                    if all(token[other] in values for other, values in others):
                        found.append((number, keys[number], i, i + 1))
        found.sort()
        return found

    def __call__(self, doc: Doc) -> Doc:
        self.stock.set_annotations(doc, self.match(doc))
        return doc


@Language.factory(NAME)
def _make_table_rules(nlp: Language, name: str) -> TableAttributeRuler:
    """Built right after the model's ruler, which it takes over (``use_table_rules``)."""
    return TableAttributeRuler(nlp.get_pipe(STOCK_NAME))


def use_table_rules(nlp: Language) -> Language:
    """Put the table version in the place of the model's attribute ruler (idempotent); a model
    without one is left as it is. Returns ``nlp``."""
    if STOCK_NAME in nlp.pipe_names and isinstance(nlp.get_pipe(STOCK_NAME), AttributeRuler):
        nlp.add_pipe(NAME, after=STOCK_NAME)
        nlp.remove_pipe(STOCK_NAME)
    return nlp
