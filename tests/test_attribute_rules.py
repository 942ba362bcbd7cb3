"""The attribute ruler with table lookups gives the tokens the model's own ruler gives."""

from __future__ import annotations

import newsgen
import pytest
from spacy.tokens import Doc

from worker.config import Settings
from worker.core.attribute_rules import NAME, STOCK_NAME, TableAttributeRuler, use_table_rules
from worker.core.nlp import load_model

# our own sentences, for the rules that are not plain tag maps: contractions the model's exceptions
# know, "it" as an object, existential "there", auxiliaries, determiners, whitespace tokens
SENTENCES = [
    "There is a man who ain't gonna let it go, and y'all wanna see it.",
    "Let's c'mon: the minister gets what she got, and nothin' was given to it.",
    "The talks, which were held in Geneva , have  been   postponed.\n\nThose who gotta leave did.",
    "Each delegate said that there were twenty-two proposals; all of them were rejected.",
]


@pytest.fixture(scope="module")
def nlp():
    return load_model(Settings().spacy_model)


def _before_the_ruler(nlp, text: str) -> Doc:
    """``text`` through the components that run before the attribute ruler."""
    doc = nlp.make_doc(text)
    for name, component in nlp.pipeline:
        if name == NAME:
            return doc
        doc = component(doc)
    raise AssertionError("no attribute ruler in the pipeline")


def _attributes(doc: Doc) -> list[tuple[str, str, str]]:
    return [(token.pos_, str(token.morph), token.lemma_) for token in doc]


def test_the_model_runs_the_table_ruler_in_the_place_of_its_own(nlp):
    names = nlp.pipe_names
    assert STOCK_NAME not in names
    assert names.index("parser") < names.index(NAME) < names.index("lemmatizer")
    use_table_rules(nlp)  # idempotent
    assert nlp.pipe_names == names


@pytest.mark.parametrize("text", [*SENTENCES, *(a["text"] for a in newsgen.long_articles(6, seed=3))])
def test_same_matches_and_same_tokens_as_the_stock_ruler(nlp, text):
    ruler = nlp.get_pipe(NAME)
    assert isinstance(ruler, TableAttributeRuler)
    with nlp.memory_zone():
        mine, theirs = _before_the_ruler(nlp, text), _before_the_ruler(nlp, text)
        assert ruler.match(mine) == ruler.stock.match(theirs)
        ruler(mine)
        ruler.stock(theirs)
        assert _attributes(mine) == _attributes(theirs)
        assert any(token.pos_ for token in mine)
